"""Reports in Danish: every message of the templates and of crawler/report is in the catalogue
and translated, a Danish page shows none of the English ones, and dates and numbers are written
as a Danish reader writes them."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from crawler.analyse.compare import compare
from crawler.analyse.initiators import sent_by
from crawler.history import stamp_fingerprints
from crawler.model import (
    CaptureGap,
    Coverage,
    DesignFinding,
    FindingHistory,
    InitiatorFrame,
    LatentLeak,
    LinkNotVisited,
    PageVisit,
    SessionLoss,
    Suspect,
    SystemHistory,
    SystemResult,
    ThirdParty,
    TrendPoint,
    WitnessSummary,
)
from crawler.report import ReportOptions, Title, write_index, write_system
from crawler.report.diff import write_diff
from crawler.report.i18n import CATALOGUES, translations
from crawler.report.words import PRESENTED, initiator
from crawler.testing import make_exchange, make_finding

ROOT = Path(__file__).parents[2]
DANISH = ReportOptions(lang="da")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PORTAL = "http://portal.skat.test"


def extracted() -> set[str | tuple[str, str]]:
    """Every message the templates and crawler/report mark, as `make messages` finds them."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    return {
        message
        for _, _, message, _, _ in extract_from_dir(
            ROOT / "crawler", method_map, options_map, keywords=DEFAULT_KEYWORDS
        )
    }


def danish() -> dict[str, str]:
    """English message (each plural form apart) -> its Danish, for every translated message."""
    with (CATALOGUES / "da" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale="da")
    pairs: dict[str, str] = {}
    for m in catalogue:
        if m.id and not m.fuzzy:
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            pairs |= dict(zip(ids, strings, strict=False))
    return pairs


def english_pieces(pairs: dict[str, str]) -> list[tuple[str, str]]:
    """(message, piece): the English messages' words between placeholders that no Danish
    message has too ("URL", "cookie", the Danish genitive "organisations" are left out)."""
    danish_text = "\n".join(pairs.values())
    pieces = [
        (english, p.strip(" ,.:;()")) for english in pairs for p in PLACEHOLDER.split(english)
    ]
    return [(e, p) for e, p in pieces if len(p) >= 3 and not _shows(p, danish_text)]


def english_left(text: str, pieces: list[tuple[str, str]]) -> list[str]:
    """The English messages that `text` still shows."""
    return sorted({english for english, piece in pieces if _shows(piece, text)})


def _shows(piece: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text) is not None


class _Text(HTMLParser):
    """The page's words: text outside <style>, <code> and elements marked as English (data,
    not the report's words), and the alt and aria-label texts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "code") or (tag != "html" and ("lang", "en") in attrs):
            self.skipping.append(tag)
        self.parts += [v for k, v in attrs if k in ("alt", "aria-label") and v]

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def everything() -> SystemResult:
    """A result that fills every block of the report (data without English words)."""
    findings = (
        make_finding(
            host="www.analytics.test",
            seq=1,
            step="Log ind",
            initiator=f"sent by the HTML of {PORTAL}/side:1:2, loaded by {PORTAL}/a.js:3:4",
        ),
        make_finding(
            host="cdn.leverandor.test",
            detail="header Referer",
            seq=2,
            party="processor",
            agreement="DBA-1",
            contained=True,
        ),
        make_finding(
            host="www.analytics.test",
            seq=3,
            channel="body",
            detail="body JSON data.side",
            decode_path=("body", "JSON data.side"),
        ),
    )
    return stamp_fingerprints(
        SystemResult(
            system="TastSelv",
            supplier="KMD",
            verdict="leak",
            requests=1234,
            findings=findings,
            first_party=(make_finding(host="portal.skat.test", seq=4, party="first"),),
            secondary=(
                make_finding(
                    host="www.analytics.test",
                    seq=5,
                    identifier="email",
                    matched="jens@testsen.test",
                ),
            ),
            suspects=(
                Suspect(
                    value="0101701234",
                    request_url=f"{PORTAL}/x",
                    host="x.test",
                    channel="url",
                    detail="query parameter x",
                    modulus11=True,
                ),
            ),
            design=(
                DesignFinding(
                    page_url=f"{PORTAL}/side?cpr=0707614285", third_parties=("analytics.test",)
                ),
            ),
            latent=(
                LatentLeak(
                    page_url=f"{PORTAL}/side",
                    request_url="http://f.test/f",
                    host="f.test",
                    domain="f.test",
                    observed=True,
                ),
            ),
            latent_fails=True,
            errors=("fejl i trin 2",),
            notes=("bemærkning",),
            steps=(("Log ind", "step-01.png"),),
            third_parties=(
                ThirdParty(
                    organisation="Analytics Inc",
                    key="a",
                    domains=("analytics.test",),
                    hosts=("www.analytics.test",),
                    country="US",
                    third_country=True,
                    category="site_analytics",
                    cpr_requests=2,
                    requests=9,
                    source="trackerdb",
                    new=True,
                ),
                ThirdParty(
                    organisation="Leverandør A/S",
                    key="l",
                    domains=("leverandor.test",),
                    hosts=("cdn.leverandor.test",),
                    country="DK",
                    third_country=False,
                    status="agreement",
                    agreements=("DBA-1",),
                    cpr_requests=1,
                ),
                ThirdParty(
                    organisation="Gammel ApS",
                    key="g",
                    domains=("gammel.test",),
                    hosts=("g.gammel.test",),
                    status="agreement-expired",
                    agreement_expires="2020-01-01",
                    source="bundled",
                ),
            ),
            agreement_verdict="fail",
            owner_database="TrackerDB 1 (CC-BY-NC-SA-4.0)",
            capture_gaps=(
                CaptureGap(url="http://x.test/gap", carries_cpr=True),
                CaptureGap(url="http://y.test/f", kind="frames", frames=2, explanation="kendt"),
                CaptureGap(url="http://z.test/", cause="browser", left_machine=False),
            ),
            witness=WitnessSummary(ran=True, requests=12, matched=11),
            started=1_764_590_400.0,
            finished=1_764_590_460.0,
            coverage=Coverage(
                login="lost",
                login_check="#velkommen",
                steps=("Log ind",),
                bounds=("sider",),
                pages=(
                    PageVisit(
                        url=f"{PORTAL}/a", requested=f"{PORTAL}/b", by="scenario", logged_in=False
                    ),
                ),
                downloads=(f"{PORTAL}/fil.pdf",),
                not_visited=(
                    LinkNotVisited(url=f"{PORTAL}/c", reason="page bound"),
                    LinkNotVisited(url=f"{PORTAL}/d", reason="denied"),
                ),
                session_losses=(
                    SessionLoss(
                        page_url=f"{PORTAL}/c",
                        final_url=f"{PORTAL}/l",
                        time=1_764_590_430.0,
                        problem="#velkommen mangler",
                        recovered=False,
                        screenshot="tabt-01.png",
                    ),
                ),
            ),
        )
    )


def with_history(r: SystemResult) -> SystemResult:
    first, second, _ = (f.fingerprint for f in r.findings)
    return r.model_copy(
        update={
            "history": SystemHistory(
                previous_run=1_764_500_000.0,
                findings=(
                    FindingHistory(fingerprint=first, status="new", seen_before=1_764_000_000.0),
                    FindingHistory(
                        fingerprint=second,
                        status="persisting",
                        since=1_764_000_000.0,
                        runs=3,
                        accepted="sag 17",
                        accepted_until="2027-01-31",
                        expired="2026-01-01",
                    ),
                ),
                fixed=(
                    FindingHistory(
                        fingerprint="0" * 16,
                        status="fixed",
                        runs=2,
                        where="x.test · url · dl (plain)",
                    ),
                ),
                trend=(
                    TrendPoint(started=1_764_500_000.0, verdict="clean", findings=0),
                    TrendPoint(started=1_764_590_400.0, verdict="leak", findings=3),
                ),
            )
        }
    )


def test_every_message_is_in_the_danish_catalogue_and_translated():
    pairs = danish()
    missing = [
        m for m in extracted() if not all(p in pairs for p in (m if isinstance(m, tuple) else (m,)))
    ]
    assert not missing, f"run `make messages` and translate: {missing}"
    untranslated = [english for english, translated in pairs.items() if not translated]
    assert not untranslated


def test_danish_pages_show_no_english_message(tmp_path):
    r = with_history(everything())
    clean = SystemResult(system="Forskud", supplier="KMD", verdict="clean", requests=3)
    stopped = SystemResult(system="LetLøn", supplier="IBM", verdict="inconclusive", requests=0)
    skipped = SystemResult(system="PSRM", supplier="Netcompany", verdict="not-audited", requests=0)
    pages = [write_system(x, [], tmp_path / x.system, DANISH) for x in (r, clean, stopped)]
    rows = [(r, "TastSelv"), (clean, "Forskud"), (stopped, "LetLøn"), (skipped, "")]
    for title in (Title("run", "audit.toml", "1/2"), Title("merge", "2"), Title("har", "x.har")):
        pages.append(write_index(rows, tmp_path, title, options=DANISH))
        pages.append(tmp_path / f"index-{title.kind}.html")
        pages[-2].rename(pages[-1])
        pages.pop(-2)
    pages.append(write_diff(compare(tmp_path / "TastSelv", tmp_path / "Forskud"), tmp_path, "da"))
    pieces = english_pieces(danish())
    for page in pages:
        html = page.read_text("utf-8")
        assert '<html lang="da">' in html
        assert not english_left(visible(html), pieces), page.name


def test_the_english_pages_do_show_them(tmp_path):
    """The check above can fail: an English report is full of what it looks for."""
    page = write_system(with_history(everything()), [], tmp_path)
    assert len(english_left(visible(page.read_text("utf-8")), english_pieces(danish()))) > 100


def test_dates_and_numbers_as_the_reader_writes_them(tmp_path):
    r = everything()
    da = visible(write_system(r, [], tmp_path / "da", DANISH).read_text("utf-8"))
    en = visible(write_system(r, [], tmp_path / "en").read_text("utf-8"))
    assert "1.234 forespørgsler" in da and "1,234 requests" in en
    assert "1. dec. 2025 12.00.00 UTC" in da and "1 Dec 2025, 12:00:00 UTC" in en
    assert "USA" in da and "United States" in en


def test_how_the_browser_presented_itself_is_a_message_as_the_recorder_words_it():
    assert all(recorded == message for recorded, message in PRESENTED.items())


def test_who_sent_a_request_is_said_in_danish_as_the_initiators_word_it():
    frames = (
        InitiatorFrame(url=f"{PORTAL}/b.js", line=1, column=2),
        InitiatorFrame(url=f"{PORTAL}/a.js", line=3, column=4, cause="setTimeout"),
    )
    said = {
        kind: initiator(
            sent_by(make_exchange(initiator=frames, initiator_type=kind)) or "", translations("da")
        )
        for kind in ("script", "parser")
    }
    assert said == {
        "script": f"{PORTAL}/b.js:1:2, indlæst af {PORTAL}/a.js:3:4 (setTimeout)",
        "parser": f"HTML-koden på {PORTAL}/b.js:1:2, indlæst af {PORTAL}/a.js:3:4 (setTimeout)",
    }
    browser = sent_by(make_exchange(initiator_type="other")) or ""
    assert initiator(browser, translations("da")) == "browseren selv (other)"
