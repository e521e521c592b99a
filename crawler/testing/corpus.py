"""A realistic, reproducible corpus of recorded requests: what analytics, tag managers, session
replay, error trackers and CDNs send from a portal's pages, with their timestamps, client ids
and cache busters; optionally with the citizen's CPR planted in some of them.

Used by the benchmark (speed) and by the detector tests (the suspect list stays empty on it).
"""

from __future__ import annotations

import base64
import gzip
import json
import random
from collections.abc import Callable
from urllib.parse import quote, urlencode

from crawler.model import Exchange

T0 = 1_714_400_000  # the recording's time, as a Unix timestamp
PORTAL = "https://portal.skat.test"
UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)


class Corpus:
    """`make(n)` -> n exchanges; `plant` (a CPR) goes into about `rate` of them."""

    def __init__(self, seed: int = 7, plant: str | None = None, rate: float = 0.02) -> None:
        self.rng, self.plant, self.rate, self.seq = random.Random(seed), plant, rate, 0
        self.makers: list[Callable[[str], Exchange]] = [
            self.ga4,
            self.ua,
            self.adobe,
            self.pixel,
            self.replay,
            self.sentry,
            self.mixpanel,
            self.script,
            self.cdn,
            self.ga4,
            self.ua,
            self.cdn,
        ]

    def make(self, n: int) -> list[Exchange]:
        return [self.rng.choice(self.makers)(self.page()) for _ in range(n)]

    # -- pieces -----------------------------------------------------------------------------------
    def digits(self, n: int) -> str:
        return str(self.rng.randrange(10 ** (n - 1), 10**n))

    def ts(self, ms: bool = False) -> str:
        t = T0 - self.rng.randrange(0, 3 * 365 * 86400)
        return str(t * 1000 + self.rng.randrange(1000)) if ms else str(t)

    def page(self) -> str:
        path = self.rng.choice(
            ["/borger/oversigt", "/borger/aarsopgoerelse/2023", "/skattekort", "/"]
        )
        query = f"?cpr={self.plant}" if self.plant and self.rng.random() < self.rate else ""
        return f"{PORTAL}{path}{query}"

    def headers(self, page: str, *extra: tuple[str, str]) -> tuple[tuple[str, str], ...]:
        cookies = (
            f"_ga=GA1.1.{self.digits(10)}.{self.ts()}; _gid=GA1.2.{self.digits(9)}.{self.ts()}; "
            f"_fbp=fb.1.{self.ts(True)}.{self.digits(10)}"
        )
        return (
            ("User-Agent", UA),
            ("Accept", "*/*"),
            ("Accept-Language", "da-DK,da;q=0.9"),
            ("sec-ch-ua", '"Chromium";v="156", "Not_A Brand";v="24"'),
            ("Referer", page),
            ("Cookie", cookies),
            *extra,
        )

    def exchange(
        self,
        url: str,
        page: str,
        method: str = "GET",
        body: bytes | None = None,
        kind: str = "image",
        extra: tuple[tuple[str, str], ...] = (),
    ) -> Exchange:
        self.seq += 1
        return Exchange(
            seq=self.seq,
            url=url,
            method=method,
            headers=self.headers(page, *extra),
            body=body,
            resource_type=kind,
            page_url=page,
            time=float(T0 + self.seq),
        )

    # -- senders ----------------------------------------------------------------------------------
    def ga4(self, page: str) -> Exchange:
        query = {
            "v": "2",
            "tid": "G-" + self.digits(10),
            "gtm": "45je45o0v9",
            "_p": self.digits(10),
            "cid": f"{self.digits(10)}.{self.ts()}",
            "ul": "da-dk",
            "sr": "1920x1080",
            "_s": "3",
            "sid": self.ts(),
            "sct": "12",
            "seg": "1",
            "dl": page,
            "dt": "Årsopgørelse | TastSelv",
            "en": "page_view",
            "_et": str(self.rng.randrange(20, 90000)),
        }
        body = None
        if self.rng.random() < 0.3:
            body = "\r\n".join(
                f"en=scroll&ep.percent_scrolled=90&_et={self.rng.randrange(999)}"
                for _ in range(self.rng.randrange(1, 6))
            ).encode()
        return self.exchange(
            "https://region1.google-analytics.test/g/collect?" + urlencode(query),
            page,
            "POST" if body else "GET",
            body,
            "ping" if body else "image",
        )

    def ua(self, page: str) -> Exchange:
        query = {
            "v": "1",
            "_v": "j101",
            "a": self.digits(9),
            "t": "pageview",
            "_s": "1",
            "dl": page,
            "ul": "da-dk",
            "de": "UTF-8",
            "dt": "TastSelv Borger",
            "sd": "24-bit",
            "sr": "1920x1080",
            "vp": "1903x961",
            "je": "0",
            "_u": "IEBAAEABAAAAACAAI~",
            "jid": "",
            "gjid": "",
            "cid": f"{self.digits(9)}.{self.ts()}",
            "tid": "UA-1234567-1",
            "_gid": f"{self.digits(9)}.{self.ts()}",
            "z": self.digits(10),
        }
        return self.exchange("https://www.google-analytics.test/collect?" + urlencode(query), page)

    def adobe(self, page: str) -> Exchange:
        mid = self.digits(19) + self.digits(19)
        query = (
            f"AQB=1&ndh=1&pf=1&t=28%2F3%2F2024%2010%3A13%3A5%200%20-120&mid={mid}&ce=UTF-8"
            f"&pageName=tastselv%3Aforside&g={quote(page, safe='')}"
            "&c.&a.&activitymap.&page=tastselv"
            f"&.activitymap&.a&.c&v1=borger&c5=D%3Dv1&AQE=1"
        )
        return self.exchange(
            f"https://metrics.marketingcloud.test/b/ss/skatprod/1/JS-2.22.0/s{self.digits(13)}?{query}",
            page,
        )

    def pixel(self, page: str) -> Exchange:
        query = {
            "id": self.digits(15),
            "ev": "PageView",
            "dl": page,
            "rl": "",
            "if": "false",
            "ts": self.ts(True),
            "sw": "1920",
            "sh": "1080",
            "v": "2.9.156",
            "r": "stable",
            "ec": "0",
            "o": "4126",
            "fbp": f"fb.1.{self.ts(True)}.{self.digits(10)}",
            "it": self.ts(True),
            "coo": "false",
            "rqm": "GET",
        }
        return self.exchange("https://www.facebook.test/tr/?" + urlencode(query), page)

    def replay(self, page: str) -> Exchange:
        events = [
            {
                "type": self.rng.randrange(2, 6),
                "timestamp": int(self.ts(True)),
                "data": {
                    "source": 1,
                    "positions": [
                        {
                            "x": self.rng.randrange(1900),
                            "y": self.rng.randrange(1000),
                            "id": self.rng.randrange(10**6),
                            "timeOffset": -self.rng.randrange(500),
                        }
                        for _ in range(self.rng.randrange(5, 60))
                    ],
                },
            }
            for _ in range(self.rng.randrange(3, 30))
        ]
        events.append(
            {
                "type": 4,
                "timestamp": int(self.ts(True)),
                "data": {
                    "href": page,
                    "title": "Årsopgørelse 2023 – TastSelv",
                    "width": 1903,
                    "height": 961,
                },
            }
        )
        body = json.dumps(
            {"sessionId": self.digits(10), "visitorId": self.digits(10), "events": events},
            ensure_ascii=False,
        ).encode()  # as JSON.stringify writes it
        return self.exchange(
            f"https://in.replay.test/api/sessions/{self.digits(12)}/events?ts={self.ts(True)}",
            page,
            "POST",
            gzip.compress(body),
            "fetch",
            (("Content-Type", "application/json"), ("Content-Encoding", "gzip")),
        )

    def sentry(self, page: str) -> Exchange:
        event = {
            "event_id": f"{self.rng.getrandbits(128):032x}",
            "timestamp": float(self.ts()) + 0.123,
            "platform": "javascript",
            "request": {"url": page, "headers": {"User-Agent": UA, "Referer": page}},
            "breadcrumbs": [
                {
                    "timestamp": float(self.ts()),
                    "category": "xhr",
                    "data": {"url": f"/api/v1/skattekort?_={self.ts(True)}", "status_code": 200},
                }
                for _ in range(self.rng.randrange(1, 20))
            ],
        }
        header = {"event_id": event["event_id"], "sent_at": "2024-04-29T14:13:20.123Z"}
        body = "\n".join(
            [json.dumps(header), json.dumps({"type": "event"}), json.dumps(event)]
        ).encode()
        return self.exchange(
            f"https://o{self.digits(6)}.ingest.sentry.test/api/{self.digits(7)}/envelope/"
            f"?sentry_key={self.rng.getrandbits(128):032x}&sentry_version=7",
            page,
            "POST",
            body,
            "fetch",
            (("Content-Type", "text/plain;charset=UTF-8"),),
        )

    def mixpanel(self, page: str) -> Exchange:
        data = [
            {
                "event": "$mp_web_page_view",
                "properties": {
                    "$current_url": page,
                    "$browser": "Chrome",
                    "time": int(self.ts(True)),
                    "distinct_id": f"$device:{self.digits(10)}",
                    "$insert_id": f"{self.rng.getrandbits(64):016x}",
                    "token": f"{self.rng.getrandbits(128):032x}",
                },
            }
        ]
        payload = base64.b64encode(json.dumps(data).encode()).decode()
        return self.exchange(
            f"https://api-js.mixpanel.test/track/?verbose=1&ip=1&_={self.ts(True)}",
            page,
            "POST",
            urlencode({"data": payload}).encode(),
            "xhr",
            (("Content-Type", "application/x-www-form-urlencoded"),),
        )

    def script(self, page: str) -> Exchange:
        params = "&".join(
            f"{k}{i}={self.digits(8)}" for i, k in enumerate("abcdefgh" * self.rng.randrange(5, 40))
        )
        return self.exchange(
            f"https://www.googletagmanager.test/gtag/js?id=G-{self.digits(10)}&l=dataLayer&cx=c"
            f"&cb={self.digits(10)}&{params}",
            page,
            kind="script",
        )

    def cdn(self, page: str) -> Exchange:
        asset = self.rng.choice(
            ["bootstrap.min.css", "jquery-3.7.1.min.js", "fonts/roboto.woff2", "logo.svg"]
        )
        return self.exchange(
            f"https://cdn.democdn.test/{asset}?v={self.digits(6)}", page, kind="stylesheet"
        )
