"""Beyond one machine: shards by a stable hash of the name, a merge that equals one unsharded
run, and browsers on a remote `playwright run-server`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.record.browser import chromium
from crawler.run.shards import in_shard
from crawler.testing import Response, SiteServer

CPR = "0707614285"
SYSTEMS = {  # name -> what its start page sends where
    "TastSelv": f'<img src="http://pixel.tracker.test/p.gif?dl={CPR}">',
    "Forskud": '<img src="http://pixel.tracker.test/p.gif?page=forskud">',
    "e-Moms": '<script>fetch("http://api.chat.test/c", '
    f'{{method: "POST", mode: "no-cors", body: "u={CPR}"}})</script>',
    "BBR": f'<img src="http://cdn.maps.test/t.png?ref={CPR}">',
}


def test_shards_follow_the_name_not_the_list():
    names = [f"system {i}" for i in range(200)]
    shards = {n: [k for k in (1, 2, 3) if in_shard(n, k, 3)] for n in names}
    assert all(len(ks) == 1 for ks in shards.values()), "every system is in exactly one shard"
    assert {n: ks[0] for n, ks in shards.items()} == {
        n: next(k for k in (1, 2, 3) if in_shard(n, k, 3)) for n in reversed(names)
    }
    assert all(40 < sum(ks == [k] for ks in shards.values()) < 95 for k in (1, 2, 3)), (
        "roughly even"
    )


def write_config(tmp_path: Path, server: SiteServer) -> str:
    text = f'[[citizens]]\nid = "jens"\ncpr = "{CPR}"\n'
    for name in SYSTEMS:
        host = name.lower().replace("-", "") + ".skat.test"
        server.routes[f"{host}/"] = Response(f"<!doctype html><h1>{name}</h1>{SYSTEMS[name]}")
        text += f"""
[[systems]]
name = "{name}"
start_url = "http://{host}/"
first_party = ["skat.test"]
resolve = ["{server.resolve_rules()[0]}"]
crawl = {{ depth = 0, dwell = 0.3, max_pages = 1 }}
"""
    path = tmp_path / "audit.toml"
    path.write_text(text)
    return str(path)


def outcome(folder: Path) -> dict:
    summary = json.loads((folder / "summary.json").read_text())
    systems = {}
    for s in summary["systems"]:
        findings = []
        if s["verdict"] != "not-audited":
            data = json.loads((folder / s["report"]).with_name("findings.json").read_text())
            findings = sorted((f["fingerprint"], f["detail"], f["host"]) for f in data["findings"])
        systems[s["system"]] = (s["verdict"], s["third_parties"], findings)
    cases = {
        c.get("name"): [child.tag for child in c if child.tag != "system-out"]
        for c in ET.parse(folder / "junit.xml").getroot()
    }
    return {"incomplete": summary["incomplete"], "systems": systems, "junit": cases}


@pytest.mark.browser
@pytest.mark.slow
def test_shards_merged_equal_one_unsharded_run(tmp_path, capsys):
    shard_of = {name: 1 if in_shard(name, 1, 2) else 2 for name in SYSTEMS}
    assert set(shard_of.values()) == {1, 2}, "the test needs systems in both shards"
    with SiteServer({}) as server:
        conf = write_config(tmp_path, server)
        assert (
            main(
                [
                    "run",
                    conf,
                    "--out",
                    str(tmp_path / "all"),
                    "--history",
                    str(tmp_path / "all.sqlite"),
                    "--jobs",
                    "4",
                ]
            )
            == 1
        )
        for k in (1, 2):
            main(
                [
                    "run",
                    conf,
                    "--out",
                    str(tmp_path / f"shard{k}"),
                    "--shard",
                    f"{k}/2",
                    "--jobs",
                    "3",
                    "--history",
                    str(tmp_path / f"shard{k}.sqlite"),
                ]
            )
            audited = {
                s["system"]
                for s in json.loads((tmp_path / f"shard{k}" / "summary.json").read_text())[
                    "systems"
                ]
                if s["verdict"] != "not-audited"
            }
            assert audited == {n for n, s in shard_of.items() if s == k}
    code = main(
        [
            "merge",
            str(tmp_path / "merged"),
            str(tmp_path / "shard1"),
            str(tmp_path / "shard2"),
            "--history",
            str(tmp_path / "merged.sqlite"),
        ]
    )
    assert code == 1
    assert outcome(tmp_path / "merged") == outcome(tmp_path / "all")
    assert (tmp_path / "merged" / "tastselv" / "requests.jsonl").is_file(), (
        "the evidence comes along"
    )
    merged = json.loads((tmp_path / "merged" / "tastselv" / "findings.json").read_text())
    assert merged["history"]["findings"][0]["status"] == "new"
    assert main(["verify", str(tmp_path / "merged")]) == 0, "the merged folder is sealed"

    assert (
        main(
            [
                "merge",
                str(tmp_path / "half"),
                str(tmp_path / "shard1"),
                "--history",
                str(tmp_path / "half.sqlite"),
                "--fail-on",
                "none",
            ]
        )
        == 2
    ), "a missing shard is never a pass"
    assert json.loads((tmp_path / "half" / "summary.json").read_text())["incomplete"] is True

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        assert main(["merge", "unrecorded", "shard1", "shard2", "--history", "none"]) == 1
    assert not (tmp_path / "none").exists(), "--history none keeps no history, as for run"

    (tmp_path / "shard2" / "notes.txt").write_text("added after the run")
    both = [str(tmp_path / "shard1"), str(tmp_path / "shard2")]
    args = ["--history", str(tmp_path / "altered.sqlite"), "--fail-on", "none"]
    assert main(["merge", str(tmp_path / "altered"), *both, *args]) == 2
    assert f"{tmp_path / 'shard2'} is not as its run sealed it" in capsys.readouterr().out


@pytest.mark.browser
def test_the_reports_language_comes_from_audit_toml_and_a_merge_keeps_it(tmp_path):
    def run(system: str, out: str, *args: str) -> int:
        return main(["run", config, "--system", system, "--out", str(tmp_path / out), *args])

    with SiteServer({}) as server:
        config = write_config(tmp_path, server)
        Path(config).write_text('lang = "da"\n' + Path(config).read_text())
        assert run("TastSelv", "run") == 1 and run("Forskud", "en", "--lang", "en") == 0
    assert main(["merge", str(tmp_path / "merged"), str(tmp_path / "run")]) == 1
    assert main(["merge", str(tmp_path / "english"), str(tmp_path / "run"), "--lang", "en"]) == 1

    def language(folder: str, page: str = "tastselv/report.html") -> str:
        html = (tmp_path / folder / page).read_text("utf-8")
        return html.split('<html lang="')[1][:2]

    assert [language(f) for f in ("run", "merged", "english")] == ["da", "da", "en"]
    assert language("run", "index.html") == "da" and language("en", "forskud/report.html") == "en"
    assert json.loads((tmp_path / "merged" / "summary.json").read_text())["lang"] == "da"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def browser_server():
    """`playwright run-server` on loopback; --unsafe lets clients pass launch arguments
    (host-resolver rules) and, here, Debian's Chromium as the executable."""
    port = free_port()
    cli = Path(sys.executable).with_name("playwright")
    proc = subprocess.Popen(
        [str(cli), "run-server", "--port", str(port), "--host", "127.0.0.1", "--unsafe"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert "Listening" in proc.stdout.readline()
        executable = chromium.find_chromium()
        yield f"ws://127.0.0.1:{port}/?launch-options={json.dumps({'executablePath': executable})}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


@pytest.mark.browser
def test_a_run_on_a_remote_browser_server(tmp_path, browser_server):
    with SiteServer({}) as server:
        conf = write_config(tmp_path, server)
        code = main(
            [
                "run",
                conf,
                "--out",
                str(tmp_path / "out"),
                "--history",
                "none",
                "--system",
                "TastSelv",
                "--system",
                "e-Moms",
                "--jobs",
                "2",
                "--browser-endpoint",
                browser_server,
            ]
        )
        assert server.received_by("tracker.test") and server.received_by("chat.test")
    assert code == 1
    for name, receiver in (("tastselv", "pixel.tracker.test"), ("e-moms", "api.chat.test")):
        data = json.loads((tmp_path / "out" / name / "findings.json").read_text())
        assert data["verdict"] == "leak" and {f["host"] for f in data["findings"]} == {receiver}
        assert data["browser"]["executable"].startswith("remote Playwright server ws://127.0.0.1:")
        assert any("remote Playwright server" in n for n in data["notes"])
    assert "remote Playwright server" in (tmp_path / "out" / "tastselv" / "report.html").read_text()


@pytest.mark.browser
def test_an_unreachable_browser_server_is_a_one_line_error(tmp_path, capsys):
    with SiteServer({}) as server:
        conf = write_config(tmp_path, server)
    assert (
        main(
            [
                "run",
                conf,
                "--out",
                str(tmp_path / "out"),
                "--browser-endpoint",
                f"ws://127.0.0.1:{free_port()}/",
            ]
        )
        == 2
    )
    assert "--browser-endpoint" in capsys.readouterr().err
