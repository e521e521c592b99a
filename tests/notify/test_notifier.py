"""A run's message on its way: to real HTTP endpoints on loopback (Apprise's json:// and form://
services), received and read back; failures told and noted, never raised."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from crawler.model import Audited, SystemResult, ThirdParty
from crawler.notify.channels import prepare
from crawler.notify.notifier import Notifier
from crawler.testing import Response, SiteServer
from crawler.testing.factories import make_finding

CPR = "0707614285"
SECRET = "hook-pass-7f3a"


@pytest.fixture
def hooks():
    with SiteServer({"127.0.0.1/broken": Response("down for maintenance", status=500)}) as server:
        yield server


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_folder(tmp_path: Path) -> Path:
    """A run folder's index, and the summary.json the note goes into."""
    (tmp_path / "summary.json").write_text(json.dumps({"incomplete": False, "systems": []}))
    return tmp_path / "index.html"


def notifier(tmp_path: Path, *urls: str) -> Notifier:
    channels = prepare(urls, {"HOOK_PW": SECRET}, tmp_path / "audit.toml")
    return Notifier(channels, "audit.toml", (CPR, f"{CPR[:6]}-{CPR[6:]}"))


def leaking() -> list[Audited]:
    """A new leak, and a third party whose name carries the CPR (a hostile page can name its
    hosts as it likes)."""
    hostile = ThirdParty(
        organisation=f"u{CPR}.evil.test", key="evil", hosts=(f"u{CPR}.evil.test",), new=True
    )
    result = SystemResult(
        system="TastSelv",
        verdict="leak",
        requests=12,
        findings=(make_finding(entity="Tracker Inc", fingerprint="aaaa000000000001"),),
        third_parties=(hostile,),
    )
    return [Audited(result, "tastselv")]


def test_one_message_per_run_reaches_each_channel_without_the_cpr(tmp_path, hooks, capsys):
    index = run_folder(tmp_path)
    notify = notifier(
        tmp_path,
        f"json://cpraudit:${{HOOK_PW}}@127.0.0.1:{hooks.port}/json",
        f"form://127.0.0.1:{hooks.port}/form",
    )
    notify.after_run(leaking(), index)
    by_path = {r.path: r for r in hooks.received}
    assert sorted(by_path) == ["/form", "/json"] and len(hooks.received) == 2
    sent = json.loads(by_path["/json"].body)
    assert sent["title"] == "cpraudit audit.toml: 1 new leak, 1 new third party"
    assert sent["message"].splitlines() == [
        "TastSelv: LEAK",
        "  1 new leak to Tracker Inc (www.tracker.test)",
        "  new third party: u[redacted].evil.test (u[redacted].evil.test)",
        f"Index: {index.resolve()}",
    ]
    form = parse_qs(by_path["/form"].body.decode())
    assert form["title"] == [sent["title"]] and form["message"] == [sent["message"]]
    for received in hooks.received:
        assert CPR.encode() not in received.body and SECRET.encode() not in received.body
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["systems"] == [] and summary["notify"] == {
        "sent": True,
        "title": sent["title"],
        "delivered": ["notify[0] (json)", "notify[1] (form)"],
        "failed": [],
    }
    assert capsys.readouterr().err == ""


def test_a_failed_channel_is_a_line_and_a_note_and_the_others_still_hear(tmp_path, hooks, capsys):
    index = run_folder(tmp_path)
    notify = notifier(
        tmp_path,
        f"json://cpraudit:${{HOOK_PW}}@127.0.0.1:{hooks.port}/broken",
        f"json://127.0.0.1:{closed_port()}/nobody",
        f"json://127.0.0.1:{hooks.port}/json",
    )
    notify.after_run(leaking(), index)  # raises nothing
    assert [r.path for r in hooks.received] == ["/broken", "/json"]
    err = capsys.readouterr().err.splitlines()
    assert [line.split(" failed: ")[0] for line in err] == [
        "notify: notify[0] (json)",
        "notify: notify[1] (json)",
    ]
    assert "error=500" in err[0] and "Connection error" in err[1]
    assert not any(SECRET in line or CPR in line for line in err)
    note = json.loads((tmp_path / "summary.json").read_text())["notify"]
    assert note["delivered"] == ["notify[2] (json)"]
    assert [f["channel"] for f in note["failed"]] == ["notify[0] (json)", "notify[1] (json)"]
    assert [f["error"] for f in note["failed"]] == [line.split(" failed: ")[1] for line in err]


def test_nothing_new_is_sent_to_nobody_and_noted(tmp_path, hooks, capsys):
    index = run_folder(tmp_path)
    clean = Audited(SystemResult(system="Forskud", verdict="clean", requests=3), "forskud")
    notifier(tmp_path, f"json://127.0.0.1:{hooks.port}/json").after_run([clean], index)
    assert hooks.received == []
    note = json.loads((tmp_path / "summary.json").read_text())["notify"]
    assert note == {"sent": False, "title": None, "delivered": [], "failed": []}


def test_a_test_message_reaches_every_channel(tmp_path, hooks):
    notify = notifier(
        tmp_path, f"json://127.0.0.1:{hooks.port}/json", f"json://127.0.0.1:{hooks.port}/broken"
    )
    assert list(notify.test()) == ["notify[1] (json)"]
    sent = [json.loads(r.body) for r in hooks.received]
    assert [s["title"] for s in sent] == ["cpraudit audit.toml: test message"] * 2
