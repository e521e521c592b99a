"""A run's message: sent only when something needs a person, and saying what in a few lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from crawler.model import (
    Acceptance,
    Audited,
    FindingHistory,
    SystemHistory,
    SystemResult,
    ThirdParty,
)
from crawler.notify.message import compose
from crawler.testing.factories import make_finding

INDEX = Path("/srv/reports/20260101T021500Z-run/index.html")


def result(system: str, verdict: str = "clean", *, findings=(), history=None, third=()) -> Audited:
    return Audited(
        SystemResult(
            system=system,
            verdict=verdict,
            requests=10,
            findings=tuple(findings),
            history=history,
            third_parties=tuple(third),
        ),
        system.lower(),
    )


def status(fingerprint: str, what: str, **fields) -> FindingHistory:
    return FindingHistory(fingerprint=fingerprint, status=what, **fields)


def party(name: str, new: bool) -> ThirdParty:
    return ThirdParty(organisation=name, key=name, hosts=(f"cdn.{name.lower()}.test",), new=new)


def test_known_leaks_and_clean_systems_tell_nobody():
    persisting = make_finding(fingerprint="aaaa000000000001")
    accepted = make_finding(host="px.other.test", fingerprint="aaaa000000000002")
    history = SystemHistory(
        previous_run=1.0,
        findings=(
            status("aaaa000000000001", "persisting", runs=4),
            status("aaaa000000000002", "new"),
        ),
    )
    in_force = Acceptance(
        fingerprint="aaaa000000000002",
        reason="removal in 24.3",
        until=date(2099, 1, 31),
        in_force=True,
    )
    leaking = result("TastSelv", "leak", findings=[persisting, accepted], history=history)
    results = [
        Audited(leaking.result.model_copy(update={"acceptances": (in_force,)}), leaking.folder),
        result("Forskud", third=[party("Known", new=False)]),
    ]
    assert compose(results, INDEX, "audit.toml") is None


def test_each_kind_of_news_is_counted_in_the_title_and_named_in_the_body():
    new = make_finding(
        host="www.tracker.test", entity="Tracker Inc", fingerprint="bbbb000000000001"
    )
    again = make_finding(
        host="www.tracker.test", entity="Tracker Inc", fingerprint="bbbb000000000001", seq=2
    )
    gone = status(
        "cccc000000000001", "fixed", where="maps.test · url · query parameter ref (plain)"
    )
    results = [
        result(
            "TastSelv",
            "leak",
            findings=[new, again],
            history=SystemHistory(findings=(status("bbbb000000000001", "new"),)),
            third=[party("Democdn", new=True), party("Known", new=False)],
        ),
        result("DMR", "inconclusive"),
        result("BBR", "clean", history=SystemHistory(fixed=(gone,))),
        result("Forskud", "clean"),
    ]
    message = compose(results, INDEX, "audit.toml")
    assert message is not None
    assert message.title == (
        "cpraudit audit.toml: 1 new leak, 1 new third party, 1 system inconclusive, "
        "1 leak no longer found"
    )
    assert message.body.splitlines() == [
        "TastSelv: LEAK",
        "  1 new leak to Tracker Inc (www.tracker.test)",
        "  new third party: Democdn (cdn.democdn.test)",
        "DMR: INCONCLUSIVE",
        "BBR: no leak found",
        "  leak no longer found: maps.test · url · query parameter ref (plain)",
        f"Index: {INDEX}",
    ]


def test_where_the_reports_are_served_the_message_links_them():
    leak = make_finding(host="www.tracker.test", entity="Tracker Inc")
    results = [result("LetLøn", "leak", findings=[leak]), result("DMR", "inconclusive")]
    served = "https://audit.example.dk/cpraudit/"
    message = compose(results, INDEX, "audit.toml", reports_url=served)
    assert message is not None
    run = "https://audit.example.dk/cpraudit/20260101T021500Z-run"
    assert message.body.splitlines() == [
        "LetLøn: LEAK",
        "  1 new leak to Tracker Inc (www.tracker.test)",
        f"  report: {run}/letl%C3%B8n/report.html",
        "DMR: INCONCLUSIVE",
        f"  report: {run}/dmr/report.html",
        f"Index: {run}/index.html",
    ]


def test_without_a_history_every_leak_is_new():
    findings = [
        make_finding(host="a.tracker.test", entity="Tracker Inc", fingerprint="dddd000000000001"),
        make_finding(host="a.tracker.test", entity="Tracker Inc", fingerprint="dddd000000000002"),
    ]
    message = compose([result("TastSelv", "leak", findings=findings)], INDEX, "audit.toml")
    assert message is not None and message.title == "cpraudit audit.toml: 2 new leaks"
    assert "  2 new leaks to Tracker Inc (a.tracker.test)" in message.body.splitlines()


def test_an_incomplete_run_is_told_even_with_nothing_else_to_say():
    message = compose([result("Forskud")], INDEX, "audit.toml", incomplete=True)
    assert message is not None and message.title == "cpraudit audit.toml: run incomplete"
    assert message.body.splitlines() == [
        "The run did not complete (interrupted, or a shard missing): see the index.",
        f"Index: {INDEX}",
    ]


def test_the_message_holds_no_request():
    finding = make_finding(fingerprint="eeee000000000001")  # its URLs carry the CPR
    message = compose([result("TastSelv", "leak", findings=[finding])], INDEX, "audit.toml")
    assert message is not None
    assert "0707614285" in finding.request_url + finding.page_url
    assert "0707614285" not in message.title + message.body
