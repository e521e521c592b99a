"""`cpraudit verify` on real folders: it names every changed, missing and added file, and a
folder it cannot check is bad input, never "intact"."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from crawler import bundle
from crawler.cli import main
from crawler.proof import seal


def sealed_folder(tmp_path: Path) -> Path:
    """A run folder as cpraudit leaves one: index files, a system folder, evidence in binary."""
    run = tmp_path / "run"
    files = {
        bundle.INDEX: "<!doctype html><title>index</title>",
        bundle.SUMMARY: '{"incomplete": false, "systems": []}',
        f"tastselv/{bundle.FINDINGS}": '{"system": "TastSelv", "verdict": "clean"}',
        f"tastselv/{bundle.REQUESTS}": '{"seq": 1, "url": "http://portal.skat.test/"}\n',
        f"tastselv/{bundle.page_source(1)}": "<html>cpr=0707614285</html>",
    }
    for name, text in files.items():
        (run / name).parent.mkdir(parents=True, exist_ok=True)
        (run / name).write_text(text)
    (run / "tastselv" / bundle.TRACE).write_bytes(bytes(range(256)) * 40)
    seal(run, command="cpraudit run audit.toml", started=time.time() - 60, results=[])
    return run


def verify(folder: Path, *args: str) -> int:
    return main(["verify", str(folder), *args])


def test_an_untouched_folder_is_intact(tmp_path, capsys):
    run = sealed_folder(tmp_path)
    assert verify(run) == 0
    out = capsys.readouterr().out
    assert "INTACT: 6 files as sealed" in out and "cpraudit run audit.toml" in out
    manifest = json.loads((run / bundle.MANIFEST).read_text())
    assert set(manifest["files"]) == {
        "index.html",
        "summary.json",
        "tastselv/findings.json",
        "tastselv/requests.jsonl",
        "tastselv/pages/page-01.html.txt",
        "tastselv/trace.zip",
    }, "every file, system folders included, and not the manifest itself"
    assert manifest["started"] < manifest["finished"] and manifest["tool_version"]


def test_one_changed_byte_is_named(tmp_path, capsys):
    run = sealed_folder(tmp_path)
    trace = run / "tastselv" / bundle.TRACE
    data = bytearray(trace.read_bytes())
    data[5000] ^= 1  # same size, same time of day: only the digest tells
    trace.write_bytes(bytes(data))
    assert verify(run) == 1
    out = capsys.readouterr().out
    assert "changed  tastselv/trace.zip" in out and "NOT INTACT: 1 changed, 0 missing" in out


def test_a_removed_file_is_named(tmp_path, capsys):
    run = sealed_folder(tmp_path)
    (run / "tastselv" / bundle.page_source(1)).unlink()
    assert verify(run) == 1
    assert "missing  tastselv/pages/page-01.html.txt" in capsys.readouterr().out


def test_an_added_file_is_named_and_fails_unless_allowed(tmp_path, capsys):
    run = sealed_folder(tmp_path)
    (run / "tastselv" / "notes.txt").write_text("my own notes")
    assert verify(run) == 1
    assert "added    tastselv/notes.txt" in capsys.readouterr().out
    assert verify(run, "--allow-added") == 0, "the sealed files are all intact"
    assert "added    tastselv/notes.txt" in capsys.readouterr().out, "still named"
    (run / bundle.INDEX).write_text("changed")
    assert verify(run, "--allow-added") == 1


def test_links_are_listed_not_followed_and_a_fifo_cannot_stall_verify(tmp_path, capsys):
    run = sealed_folder(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("not evidence")
    (run / "link").symlink_to(outside)
    os.mkfifo(run / "tastselv" / "pipe")
    assert verify(run) == 1  # returns at once: nothing opened the FIFO for a writer
    out = capsys.readouterr().out
    assert "added    link" in out and "added    tastselv/pipe" in out
    seal(run, command="again", started=time.time(), results=[])
    assert verify(run) == 0
    outside.write_text("the link's target changed, the link did not")
    assert verify(run) == 0, "a link is sealed as the link, never as what it points to"
    (run / "link").unlink()
    (run / "link").symlink_to(run / bundle.INDEX)
    assert verify(run) == 1


def test_a_folder_without_a_manifest_is_bad_input(tmp_path, capsys):
    (tmp_path / "old").mkdir()
    assert verify(tmp_path / "old") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "manifest.json" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "manifest",
    [
        b"{not json",
        b'{"format": "something else", "command": "", "started": "", "finished": "", "files": {}}',
        json.dumps(
            {
                "format": "cpraudit-manifest/1",
                "command": "x",
                "started": "",
                "finished": "",
                "files": {"../../etc/passwd": {"sha256": "00", "size": 1}},
            }
        ).encode(),
    ],
    ids=["not-json", "other-format", "path-outside"],
)
def test_a_manifest_that_is_not_ours_is_bad_input(tmp_path, capsys, manifest):
    run = sealed_folder(tmp_path)
    (run / bundle.MANIFEST).write_bytes(manifest)
    assert verify(run) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "cannot be verified" in err


def test_sealing_a_reused_folder_again_drops_its_old_signature(tmp_path):
    run = sealed_folder(tmp_path)
    (run / bundle.SIGNATURE).write_bytes(b"\0" * 64)
    seal(run, command="again", started=time.time(), results=[])
    assert not (run / bundle.SIGNATURE).exists()
