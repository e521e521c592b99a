"""The Dockerfile: Playwright's image of a version pyproject allows, the same version of the
playwright package, cpraudit from its wheel as the entrypoint, a user that is not root, and the
data cpraudit reads where it looks. Built for real only where a Docker engine answers."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from crawler import __version__, npm
from crawler.cli import build_parser
from crawler.owners import trackerdb
from crawler.record.visit import consent

ROOT = Path(__file__).resolve().parents[2]
PLAYWRIGHT_IMAGE = "mcr.microsoft.com/playwright/python:v${PLAYWRIGHT_VERSION}-noble"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments left out."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.strip().partition(" ") for line in joined.splitlines())
        if word
    ]


def arguments(name: str) -> list[str]:
    return [rest for word, rest in instructions() if word == name]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_base_image_and_the_playwright_package_are_one_version_pyproject_allows():
    (default,) = [
        a.partition("=")[2] for a in arguments("ARG") if a.startswith("PLAYWRIGHT_VERSION=")
    ]
    required = next(
        Requirement(r) for r in pyproject()["project"]["dependencies"] if r.startswith("playwright")
    )
    assert required.specifier.contains(default), f"{default} is not {required}"
    stages = [a.split() for a in arguments("FROM")]
    assert [s[0] for s in stages] == [PLAYWRIGHT_IMAGE, "node:20-bookworm-slim", PLAYWRIGHT_IMAGE]
    installs = [r for r in arguments("RUN") if "pip install" in r]
    assert len(installs) == 1 and '"playwright==${PLAYWRIGHT_VERSION}"' in installs[0]


def test_cpraudit_comes_from_its_wheel_and_is_the_entrypoint():
    runs = arguments("RUN")
    assert any("pip wheel --no-deps" in r and "-w /dist" in r for r in runs)
    assert "--from=wheel /dist/ /tmp/dist/" in arguments("COPY")
    assert any("pip install" in r and "/tmp/dist/cpraudit-*.whl" in r for r in runs)
    (entrypoint,) = [json.loads(a) for a in arguments("ENTRYPOINT")]
    assert entrypoint == ["cpraudit"] and "cpraudit" in pyproject()["project"]["scripts"]
    (command,) = [json.loads(a) for a in arguments("CMD")]
    with pytest.raises(SystemExit) as shown:
        build_parser().parse_args(command)
    assert shown.value.code == 0, "the default command is one cpraudit accepts"


def test_it_runs_as_a_numbered_user_that_is_not_root():
    (user,) = arguments("USER")
    assert user.isdigit() and int(user) != 0, "runAsNonRoot can check only a number"
    assert any(f"useradd --uid {user} " in r for r in arguments("RUN"))


def test_the_sources_it_copies_exist_and_the_data_is_where_cpraudit_looks():
    ignored = (ROOT / ".dockerignore").read_text().split()
    sources = [
        part
        for copy in arguments("COPY")
        if not copy.startswith("--from")
        for part in shlex.split(copy)[:-1]
    ]
    assert sources == [
        "pyproject.toml",
        "README.md",
        "crawler",
        "crawler/data/npm/package.json",
        "crawler/data/npm/package-lock.json",
    ]
    assert all((ROOT / s).exists() and s not in ignored for s in sources)
    assert pyproject()["project"]["readme"] in sources, "the wheel's build reads it"
    assert {".venv", "node_modules", "reports", ".git"} <= set(ignored)
    (data,) = [c.split()[-1] for c in arguments("COPY") if c.startswith("--from=data")]
    variables = dict(pair.split("=", 1) for e in arguments("ENV") for pair in shlex.split(e))
    assert variables[trackerdb.ENV_VAR] == str(Path(data) / npm.TRACKERDB)
    assert variables[consent.ENV_VAR] == str(Path(data) / npm.AUTOCONSENT)


def docker_engine() -> str | None:
    """Why the image cannot be built here, or None when it can."""
    try:
        info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"no docker client ({exc})"
    return None if info.returncode == 0 else "no Docker engine answers `docker info`"


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_image_builds_and_its_cpraudit_answers():
    if why := docker_engine():
        pytest.skip(why)
    tag = "cpraudit-test:latest"
    built = subprocess.run(
        ["docker", "build", "-t", tag, str(ROOT)], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr[-3000:]
    ran = subprocess.run(
        ["docker", "run", "--rm", tag, "--version"], capture_output=True, text=True
    )
    assert ran.stdout.strip() == f"cpraudit {__version__}"
    user = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"], capture_output=True, text=True
    )
    assert user.stdout.strip() == "10001"
