"""Reports in Danish: every message of the templates, of crawler/report and of what an audit says
about itself (crawler/diagnostics.py) is in the catalogue and translated; a Danish page shows no
English sentence outside what it marks as a quotation; a count of one is said in the singular;
dates and numbers are written as a Danish reader writes them."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from markupsafe import escape

from crawler import diagnostics as said
from crawler.analyse.compare import compare
from crawler.analyse.fingerprints import stamp_fingerprints
from crawler.analyse.initiators import sent_by
from crawler.model import (
    AuditSetup,
    CaptureGap,
    Coverage,
    DesignFinding,
    Dialog,
    Endpoint,
    FindingHistory,
    InitiatorFrame,
    LatentLeak,
    LinkNotVisited,
    NameChain,
    PageVisit,
    SessionLoss,
    StartPage,
    Suspect,
    SystemHistory,
    SystemResult,
    ThirdParty,
    TrendPoint,
    TypedField,
    TypedPage,
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
# English function words: two of them in one piece of a page's text make it an English sentence.
# None is a Danish word a report would use ("to", "for" and "i" are left out for that reason);
# a hyphenated token (no-referrer-when-downgrade) is a name, not words.
ENGLISH_WORDS = re.compile(
    r"(?<![\w-])(the|a|an|and|or|of|in|on|with|from|that|this|which|was|were|are|has|have|"
    r"been|not|could|did|would|its|it|be|no|when|but)(?![\w-])"
)


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
    """The page's words: text outside <style>, <code> and what the page marks as a quotation
    (translate="no": page text, an exception's words, a sentence the tool left in English), and
    the alt and aria-label texts. Marked as English alone is not enough: that is a label, not a
    reason to show English."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "code") or ("translate", "no") in attrs:
            self.skipping.append(tag)
        elif self.skipping and tag in ("br", "img", "meta", "link"):
            return  # void: no end tag to pop
        elif self.skipping:
            self.skipping.append(tag)
        self.parts += [v for k, v in attrs if k in ("alt", "aria-label") and v]

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def text_pieces(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def visible(html: str) -> str:
    return " ".join(" ".join(text_pieces(html)).split())


def english_sentences(html: str) -> list[str]:
    """The pieces of the page's words that read as English sentences, whether or not they are
    messages of the catalogue (a runtime text the report forgot to translate)."""
    return [
        " ".join(piece.split())
        for piece in text_pieces(html)
        if len(set(ENGLISH_WORDS.findall(piece))) >= 2
    ]


def everything() -> SystemResult:
    """A result that fills every block of the report: its data without English words but for
    what the audit says about itself, in English as findings.json keeps it, and page text."""
    check, lost = "selector '#velkommen'", f"{PORTAL}/l"
    not_logged_in = said.LOGGED_IN_FAILS(check=check, url=lost)
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
            typed_into=("»Søg« (#q)",),
            cname=("portal.skat.test.sc.analytics.test",),
        ),
        make_finding(
            host="sst.skat.test",
            seq=6,
            encoding="split",
            detail="query parameter fdato + lbnr",
            endpoint=Endpoint(
                protocol="Google Analytics 4", vendor="Google LLC", meaning="forwards"
            ),
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
            attempts=(
                make_finding(host="px.blocked.test", seq=7, blocked="csp"),
                make_finding(host="api.blocked.test", seq=8, blocked="preflight"),
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
            errors=(
                said.LOGIN_NOT_PROVEN(problem=not_logged_in),
                said.CAPTURE_GAPS(num=1, requests="GET http://x.test/gap"),
                said.SCENARIO_FAILED_IN_STEP(step="Log ind", error="TimeoutError: Timeout 30000ms"),
            ),
            notes=(
                said.WITNESS_SAW(num=12, matched=11),
                said.NOT_CRAWLED(),
                said.INSECURE_PAGES(num=3),
                said.NAMES_UNCHECKED(num=1, hosts="m.skat.test (the DNS lookup timed out)"),
                said.SELF_HOSTED_ENDPOINT(host="stats.skat.test", protocol="Matomo"),
            ),
            setup=AuditSetup(
                names=(
                    NameChain(host="smetrics.skat.test", chain=("x.omtrdc.test",)),
                    NameChain(host="m.skat.test", problem="the DNS lookup timed out"),
                ),
                login_reused=1_764_583_200.0,
                login_age=7_200.0,
                login_given="/home/jens/login.json",
                login_by_hand=1_764_583_100.0,
            ),
            dialogs=(
                Dialog(type="confirm", message="Are you sure you want to leave?", action="accept"),
            ),
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
                CaptureGap(
                    url="http://p.test/", kind="preflight", explanation=said.GAP_PREFLIGHT()
                ),
                CaptureGap(url="http://z.test/", cause="browser", left_machine=False),
            ),
            witness=WitnessSummary(
                ran=True, requests=12, matched=11, reason=said.NETLOG_ENDS_EARLY()
            ),
            started=1_764_590_400.0,
            finished=1_764_590_460.0,
            coverage=Coverage(
                login="lost",
                login_check="#velkommen",
                start=StartPage(requested=f"{PORTAL}/b", url=f"{PORTAL}/log-ind", login_form=True),
                steps=("Log ind",),
                bounds=(said.PAGE_BOUND(num=200),),
                pages=(
                    PageVisit(
                        url=f"{PORTAL}/a", requested=f"{PORTAL}/b", by="scenario", logged_in=False
                    ),
                ),
                downloads=(f"{PORTAL}/fil.pdf",),
                typed=(
                    TypedPage(
                        page_url=f"{PORTAL}/kontakt",
                        started=1_764_590_420.0,
                        left=1_764_590_425.0,
                        fields=(
                            TypedField(label="Søg", selector="#q", kind="cpr", typed="070761-4285"),
                        ),
                        skipped=1,
                    ),
                ),
                not_visited=(
                    LinkNotVisited(url=f"{PORTAL}/c", reason="page bound"),
                    LinkNotVisited(
                        url=f"{PORTAL}/d", reason="denied", text="Log out of the portal"
                    ),
                ),
                session_losses=(
                    SessionLoss(
                        page_url=f"{PORTAL}/c",
                        final_url=lost,
                        time=1_764_590_430.0,
                        problem=said.NOT_REESTABLISHED(
                            problem=not_logged_in, reason=said.NO_LOGIN_STEP()
                        ),
                        recovered=False,
                        screenshot="tabt-01.png",
                    ),
                ),
            ),
        )
    )


def with_history(r: SystemResult) -> SystemResult:
    first, second, *_ = (f.fingerprint for f in r.findings)
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
                fixed_note=said.NOT_COUNTED_AS_GONE(num=2),
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
        assert not english_sentences(html), page.name
    report = visible(pages[0].read_text("utf-8"))
    assert "login ikke bekræftet efter scenariet: logged_in" in report, "the audit's errors"
    assert "sidegrænse: 200 sider besøgt" in report, "its bounds"
    assert "ikke genoprettet: scenariet markerer intet login-trin" in report, "the session lost"


def test_the_english_pages_do_show_them(tmp_path):
    """The checks above can fail: an English report is full of what they look for."""
    html = write_system(with_history(everything()), [], tmp_path).read_text("utf-8")
    assert len(english_left(visible(html), english_pieces(danish()))) > 100
    assert len(english_sentences(html)) > 50


def test_what_the_page_and_the_tool_wrote_in_english_is_shown_as_a_quotation(tmp_path):
    """Page text, an exception's words and a sentence no diagnostic declares are shown as they
    were written, marked translate="no", and only they: the checks above skip nothing else."""
    unknown = "the result in the system's folder is not this run's"
    r = everything().model_copy(update={"errors": (*everything().errors, unknown)})
    html = write_system(r, [], tmp_path, DANISH).read_text("utf-8")
    assert f'<span lang="en" translate="no">{escape(unknown)}</span>' in html
    assert "(på engelsk, som registreret)" in visible(html)
    assert '<td translate="no">Log out of the portal</td>' in html
    assert '<td translate="no">Are you sure you want to leave?</td>' in html
    assert '<span lang="en" translate="no">TimeoutError: Timeout 30000ms</span>' in html
    unmarked = html.replace(' translate="no"', "")
    assert english_sentences(unmarked), "unmarked, they would read as English sentences"


def test_one_of_each_counted_thing_is_said_in_the_singular(tmp_path):
    """One new leak, one new third party, one more script, one link not visited: "1 nyt læk",
    not "1 nye"; "and 1 more script", not "1 more scripts"."""
    scripts = [f"sent by {PORTAL}/{name}.js:1:1" for name in "abcd"]
    findings = tuple(
        make_finding(host="www.analytics.test", seq=n, initiator=sent)
        for n, sent in enumerate(scripts, 1)
    )
    r = stamp_fingerprints(
        SystemResult(
            system="TastSelv",
            supplier="KMD",
            verdict="leak",
            requests=9,
            findings=findings,
            third_parties=(
                ThirdParty(
                    organisation="Analytics Inc",
                    key="a",
                    domains=("analytics.test",),
                    hosts=("www.analytics.test",),
                    cpr_requests=4,
                    requests=4,
                    new=True,
                ),
            ),
            coverage=Coverage(
                login="none",
                pages=(PageVisit(url=f"{PORTAL}/a"),),
                not_visited=(LinkNotVisited(url=f"{PORTAL}/b", reason="page bound"),),
            ),
        )
    )
    (fingerprint,) = {f.fingerprint for f in r.findings}
    r = r.model_copy(
        update={
            "history": SystemHistory(
                previous_run=1_764_500_000.0,
                findings=(FindingHistory(fingerprint=fingerprint, status="new"),),
            )
        }
    )
    said_in = {
        "en": ("1 new leak,", "1 new third party", "and 1 more script", "1 link not visited"),
        "da": ("1 nyt læk,", "1 ny tredjepart", "og yderligere 1 script", "1 link ikke besøgt"),
    }
    plural = re.compile(r"\b1 (new leaks|new third parties|more scripts|links|nye|scripts)\b")
    for lang, singulars in said_in.items():
        options = ReportOptions(lang=lang)
        report = write_system(r, [], tmp_path / lang, options).read_text("utf-8")
        index = write_index([(r, lang)], tmp_path, Title("run", "audit.toml"), options=options)
        pages = visible(report) + " " + visible(index.read_text("utf-8"))
        assert [s for s in singulars if s not in pages] == [], lang
        assert not plural.findall(pages), lang


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
