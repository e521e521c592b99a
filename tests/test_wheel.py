"""The built wheel is the product: installed into a fresh virtual environment, its `cpraudit
demo` runs from another folder, with nothing of this checkout on the path (in Danish: the
message catalogue is package data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# its own subprocesses may take 900 s: on a loaded machine it outlasts the suite's 180 s default
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )


def test_the_wheel_installs_and_its_demo_runs_from_another_folder(tmp_path):
    built = run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "-w",
        tmp_path / "dist",
        ROOT,
        cwd=tmp_path,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("cpraudit-*.whl")
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", venv, cwd=tmp_path).returncode == 0
    installed = run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    demo = run(venv / "bin" / "cpraudit", "demo", "--out", "out", "--lang", "da", cwd=elsewhere)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    summary = json.loads((elsewhere / "out" / "summary.json").read_text(encoding="utf-8"))
    verdicts = {
        s["system"]: s["verdict"] for s in summary["systems"] if s["verdict"] != "not-audited"
    }
    assert verdicts == {
        "TastSelv": "leak",
        "Skattekontoen": "leak",
        "Forskud": "clean",
        "LetLøn": "inconclusive",
    }
    report = (elsewhere / "out" / "tastselv" / "report.html").read_text(encoding="utf-8")
    assert "Hvem modtog CPR-nummeret" in report, "the wheel carries the Danish catalogue"
    where = run(
        venv / "bin" / "python", "-c", "import crawler; print(crawler.__file__)", cwd=elsewhere
    )
    assert str(venv) in where.stdout, "the demo ran from the installed wheel, not this checkout"
