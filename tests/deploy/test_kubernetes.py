"""deploy/kubernetes/: manifests that parse, shards that cover 1..N once each, and commands that
cpraudit's own parser accepts, run through a real shell as a pod would run them (no cluster)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crawler.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
SWEEP = "29412345"  # a CronJob's Jobs end in their scheduled minute


def documents(name: str) -> list[dict]:
    return list(yaml.safe_load_all((KUBERNETES / name).read_text(encoding="utf-8")))


def job(name: str) -> dict:
    (only,) = documents(name)
    assert only["kind"] == "Job"
    return only


def container(spec: dict) -> dict:
    (only,) = spec["template"]["spec"]["containers"]
    return only


def env(spec: dict) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container(spec)["env"] if "value" in e}


def run_in_shell(spec: dict, tmp_path: Path, **variables: str) -> list[list[str]]:
    """The container's command through /bin/sh, as the pod runs it, with a `cpraudit` that
    records its arguments instead of auditing; the argument lists it was called with."""
    fake = tmp_path / "bin" / "cpraudit"
    if not fake.exists():
        fake.parent.mkdir()
        fake.write_text(
            f"#!{sys.executable}\nimport json, os, sys\n"
            "with open(os.environ['CALLS'], 'a') as f: f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        )
        fake.chmod(0o755)
    calls = tmp_path / "calls.jsonl"
    calls.unlink(missing_ok=True)
    shell = {**os.environ, **env(spec), **variables, "CALLS": str(calls)}
    shell["PATH"] = f"{fake.parent}:{os.environ['PATH']}"
    command = container(spec)["command"] + container(spec)["args"]
    done = subprocess.run(command, env=shell, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in calls.read_text().splitlines()]


def test_every_manifest_parses_and_names_what_it_is():
    kinds = {
        path.name: [
            (d["apiVersion"], d["kind"], d["metadata"]["name"]) for d in documents(path.name)
        ]
        for path in sorted(KUBERNETES.glob("*.yaml"))
    }
    assert kinds == {
        "audit-job.yaml": [("batch/v1", "Job", "cpraudit-audit-manual")],
        "cronjob.yaml": [
            ("batch/v1", "CronJob", "cpraudit-audit"),
            ("batch/v1", "CronJob", "cpraudit-merge"),
        ],
        "merge-job.yaml": [("batch/v1", "Job", "cpraudit-merge-manual")],
        "secret.example.yaml": [("v1", "Secret", "cpraudit-env")],
        "storage.yaml": [("v1", "PersistentVolumeClaim", "cpraudit-reports")],
    }


def test_the_nightly_cronjobs_run_the_jobs_as_written_on_one_schedule():
    audit, merge = documents("cronjob.yaml")
    assert audit["spec"]["jobTemplate"]["spec"] == job("audit-job.yaml")["spec"]
    assert merge["spec"]["jobTemplate"]["spec"] == job("merge-job.yaml")["spec"]
    timing = ("schedule", "timeZone", "concurrencyPolicy", "startingDeadlineSeconds")
    assert [audit["spec"][k] for k in timing] == [merge["spec"][k] for k in timing]
    assert audit["spec"]["concurrencyPolicy"] == "Forbid", "one merge at a time writes the history"
    for cron in (audit, merge):  # the sweep folder is the Job name's last part
        assert not cron["metadata"]["name"].rsplit("-", 1)[-1].isdigit()


def test_the_shards_cover_1_to_n_once_each_and_the_parser_accepts_them(tmp_path):
    spec = job("audit-job.yaml")["spec"]
    n = spec["completions"]
    assert spec["completionMode"] == "Indexed" and env(spec)["SHARDS"] == str(n)
    assert spec["parallelism"] <= n and spec["backoffLimitPerIndex"] == 0
    reports = tmp_path / "reports"
    outs, shards = [], []
    for index in range(n):
        (argv,) = run_in_shell(
            spec,
            tmp_path,
            JOB_COMPLETION_INDEX=str(index),
            JOB_NAME=f"cpraudit-audit-{SWEEP}",
            REPORTS=str(reports),
        )
        args = build_parser().parse_args(argv)
        assert args.command == "run" and args.config == "/audit/audit.toml"
        shards.append(args.shard)
        outs.append(args.out)
    assert sorted(shards) == [f"{k}/{n}" for k in range(1, n + 1)]
    assert outs == [str(reports / "sweeps" / SWEEP / f"shard-{k}") for k in range(1, n + 1)]


def test_the_merge_takes_every_sealed_shard_of_its_sweep_and_no_other(tmp_path):
    spec = job("merge-job.yaml")["spec"]
    n = int(env(spec)["SHARDS"])
    assert n == job("audit-job.yaml")["spec"]["completions"]
    reports = tmp_path / "reports"
    sweep = reports / "sweeps" / SWEEP
    for k in range(1, n + 1):
        (sweep / f"shard-{k}").mkdir(parents=True)
        (sweep / f"shard-{k}" / "manifest.json").write_text("{}")
    (reports / "sweeps" / "29400000" / "shard-1").mkdir(parents=True)  # another night's
    where = {"JOB_NAME": f"cpraudit-merge-{SWEEP}", "REPORTS": str(reports)}
    (argv,) = run_in_shell(spec, tmp_path, **where)
    args = build_parser().parse_args(argv)
    assert args.command == "merge" and args.config == "/audit/audit.toml"
    assert args.out == str(sweep / "merged")
    assert args.dirs == [str(sweep / f"shard-{k}") for k in range(1, n + 1)]
    assert args.history == str(reports / "history.sqlite")

    (sweep / "shard-2" / "manifest.json").unlink()  # a shard that never finished
    (argv,) = run_in_shell(spec, tmp_path, **where, WAIT_SECONDS="0")
    dirs = build_parser().parse_args(argv).dirs
    assert dirs == [str(sweep / f"shard-{k}") for k in range(1, n + 1) if k != 2], (
        "after the wait, the merge takes what there is and itself says which shard is missing"
    )


@pytest.mark.parametrize("name", ["audit-job.yaml", "merge-job.yaml"])
def test_pods_run_the_image_as_its_user_with_the_secret_and_the_volumes_defined(name):
    spec = job(name)["spec"]
    pod = spec["template"]["spec"]
    (secret,) = documents("secret.example.yaml")
    (claim,) = documents("storage.yaml")
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001, "the Dockerfile's USER"
    assert container(spec)["envFrom"] == [{"secretRef": {"name": secret["metadata"]["name"]}}]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["reports"]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert volumes["audit"]["configMap"]["name"] == "cpraudit-audit"
    mounts = {m["mountPath"]: m["name"] for m in container(spec)["volumeMounts"]}
    assert mounts["/audit"] == "audit" and mounts[env(spec)["REPORTS"]] == "reports"
    assert container(spec)["image"] == container(job("audit-job.yaml")["spec"])["image"]
