"""The CI recipes of deploy/ work as they are: their own commands, run in their order as the CI
service would run them (the shards, each with its log; the artifacts gathered; the merge and the
history), against the demo portal on loopback. No CI service, no network: the install steps are
left out, as `make setup` did them here; everything else runs as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crawler.demo.portal import DEMO_CITIZEN, demo_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).parents[2]
DEMO = ROOT / "crawler" / "demo" / "scenarios"
SHARDS = 4


def workspace(tmp_path: Path, port: int) -> Path:
    """A checkout as CI has it: audit.toml (the demo's, reaching the portal on loopback, its
    password in JENS_PASSWORD as the recipes' secrets say) and its scenarios."""
    folder = tmp_path / "checkout"
    folder.mkdir()
    for scenario in DEMO.glob("*.py"):
        (folder / scenario.name).write_text(scenario.read_text("utf-8"))
    config = (DEMO / "audit.toml").read_text("utf-8")
    config = config.replace('"CPRAUDIT_DEMO_PASSWORD"', '"JENS_PASSWORD"')
    config = config.replace(
        'first_party = ["skat.test"]',
        f'first_party = ["skat.test"]\nresolve = ["*.test=127.0.0.1:{port}"]',
    )
    (folder / "audit.toml").write_text(config)
    return folder


def bash(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """A step's script as a runner's bash runs it (`-e`: a failing command ends the step)."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        env=os.environ | {"PATH": path} | env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def github(expression: str, values: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: values[m.group(1)], expression)


def steps(job: dict, needing: str = "cpraudit") -> list[dict]:
    """A job's own shell steps that run cpraudit, in order, without the install steps."""
    return [
        s
        for s in job["steps"]
        if needing in s.get("run", "") and not s.get("name", "").startswith("Install")
    ]


@pytest.fixture
def portal():
    with demo_server() as server:
        yield server


def test_the_github_actions_recipe_shards_merges_and_fails_on_new_leaks(tmp_path, portal):
    recipe = yaml.safe_load((ROOT / "deploy" / "github-actions.yml").read_text())
    folder = workspace(tmp_path, portal.port)
    password = DEMO_CITIZEN.secret("password")
    assert recipe["jobs"]["audit"]["strategy"]["matrix"]["shard"] == list(range(1, SHARDS + 1))
    for shard in recipe["jobs"]["audit"]["strategy"]["matrix"]["shard"]:
        values = {"matrix.shard": str(shard), "env.SHARDS": recipe["env"]["SHARDS"]}
        for step in steps(recipe["jobs"]["audit"]):
            done = bash(github(step["run"], values), folder, JENS_PASSWORD=password)
            assert done.returncode == 0, f"shard {shard}: {done.stdout}{done.stderr}"
        assert (folder / "shards" / f"shard-{shard}.log").is_file(), "its log, for the artifact"
        assert (folder / "shards" / f"shard-{shard}" / "manifest.json").is_file()
    outputs = tmp_path / "github_output"
    merge_steps = steps(recipe["jobs"]["merge"])
    for step in merge_steps:
        done = bash(
            github(step["run"], {"env.SHARDS": recipe["env"]["SHARDS"]}),
            folder,
            GITHUB_OUTPUT=str(outputs),
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert outputs.read_text().strip() == "code=1", "tonight's leaks are new: the job fails"
    assert (folder / "merged" / "index.html").is_file()
    assert (folder / "history" / "history.sqlite").is_file()
    publish = [s for s in recipe["jobs"]["merge"]["steps"] if "steps.merge" in s.get("run", "")]
    assert (
        bash(github(publish[0]["run"], {"steps.merge.outputs.code": "1"}), folder).returncode == 1
    )


def test_a_shard_that_does_not_finish_fails_its_job_and_the_merge_says_which(tmp_path, portal):
    recipe = yaml.safe_load((ROOT / "deploy" / "github-actions.yml").read_text())
    folder = workspace(tmp_path, portal.port)
    (shard_step,) = steps(recipe["jobs"]["audit"])
    values = {"matrix.shard": "1", "env.SHARDS": recipe["env"]["SHARDS"]}
    failed = bash(github(shard_step["run"], values), folder)  # its secret is not set
    assert failed.returncode == 2, "the job fails visibly"
    log = (folder / "shards" / "shard-1.log").read_text()
    assert "JENS_PASSWORD is not set" in log, "and its log says why"
    (merge_step,) = [s for s in steps(recipe["jobs"]["merge"]) if "merge" in s["run"]]
    for shard in (2, 3, 4):
        values["matrix.shard"] = str(shard)
        bash(github(shard_step["run"], values), folder, JENS_PASSWORD="x")
    outputs = tmp_path / "github_output"
    merged = bash(
        github(merge_step["run"], {"env.SHARDS": recipe["env"]["SHARDS"]}),
        folder,
        GITHUB_OUTPUT=str(outputs),
    )
    assert outputs.read_text().strip() == "code=2", "a partial sweep is never a pass"
    assert "shards/shard-1 is missing: the shard left nothing" in merged.stdout + merged.stderr


def test_the_gitlab_recipe_shards_and_merges(tmp_path, portal):
    recipe = yaml.safe_load((ROOT / "deploy" / "gitlab-ci.yml").read_text())
    folder = workspace(tmp_path, portal.port)
    shard_job, merge_job = recipe["cpraudit-shard"], recipe["cpraudit-merge"]
    assert shard_job["parallel"] == int(recipe["variables"]["SHARDS"]) == SHARDS
    password = DEMO_CITIZEN.secret("password")
    for index in range(1, SHARDS + 1):
        done = bash(
            "\n".join(shard_job["script"]),
            folder,
            CI_NODE_INDEX=str(index),
            CI_NODE_TOTAL=str(SHARDS),
            JENS_PASSWORD=password,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    merged = bash("\n".join(merge_job["script"]), folder, SHARDS=recipe["variables"]["SHARDS"])
    assert merged.returncode == 1, "new leaks fail the pipeline"
    assert (folder / "merged" / "junit.xml").is_file() == (
        merge_job["artifacts"]["reports"]["junit"] == "merged/junit.xml"
    )
    after = bash("\n".join(merge_job["after_script"]), folder)
    assert after.returncode == 0 and "TastSelv" in after.stdout
