"""`cpraudit merge` treats shard folders as untrusted input: nothing a shard names may make it
read or write outside the shard and the output folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler import bundle, proof
from crawler.cli import main
from crawler.model import SystemResult


def shard(root: Path, report: str, system_folder: str = "tastselv") -> Path:
    """A shard folder whose summary.json names `report` for its one system."""
    folder = root / "shard"
    (folder / system_folder).mkdir(parents=True)
    result = SystemResult(system="TastSelv", verdict="clean", requests=3)
    bundle.write_result(result, folder / system_folder / bundle.FINDINGS)
    summary = {"systems": [{"system": "TastSelv", "verdict": "clean", "report": report}]}
    (folder / bundle.SUMMARY).write_text(json.dumps(summary))
    return folder


def planted(root: Path) -> Path:
    """A folder outside both the shard and the output, looking like a system folder."""
    elsewhere = root / "planted"
    elsewhere.mkdir()
    bundle.write_result(
        SystemResult(system="TastSelv", verdict="clean", requests=3), elsewhere / bundle.FINDINGS
    )
    (elsewhere / "secret.txt").write_text("not for the report")
    return elsewhere


def files(root: Path) -> set[Path]:
    return set(root.rglob("*"))


@pytest.mark.parametrize(
    "report",
    ["../planted/report.html", "../../planted/report.html", "/tmp/report.html", "./report.html"],
)
def test_a_report_path_outside_the_shard_is_refused(tmp_path, capsys, report):
    planted(tmp_path)
    folder = shard(tmp_path / "in", report)
    before = files(tmp_path)
    history = str(tmp_path / "h.sqlite")
    assert main(["merge", str(tmp_path / "out"), str(folder), "--history", history]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is not a system folder of this run" in err
    assert files(tmp_path) == before, "nothing written anywhere"


def test_a_system_folder_that_links_elsewhere_is_refused(tmp_path, capsys):
    elsewhere = planted(tmp_path)
    folder = shard(tmp_path / "in", "linked/report.html")
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    assert main(["merge", str(tmp_path / "out"), str(folder)]) == 2
    assert "a system folder that is or holds a symbolic link" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_link_inside_a_system_folder_is_refused(tmp_path, capsys):
    elsewhere = planted(tmp_path)
    folder = shard(tmp_path / "in", "tastselv/report.html")
    (folder / "tastselv" / "network.har").symlink_to(elsewhere / "secret.txt")
    assert main(["merge", str(tmp_path / "out"), str(folder)]) == 2
    assert "a system folder that is or holds a symbolic link" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_well_formed_shard_still_merges(tmp_path):
    folder = shard(tmp_path / "in", "tastselv/report.html")
    proof.seal(folder, command="cpraudit run", started=0.0, results=[])
    out = tmp_path / "out"
    assert main(["merge", str(out), str(folder), "--history", str(tmp_path / "h.sqlite")]) == 0
    assert (out / "tastselv" / bundle.REPORT).is_file()
