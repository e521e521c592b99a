"""notify URLs: secrets only as ${VAR}, checked when audit.toml loads and again, against what
Apprise knows to be secret, when the variables are filled in."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import config
from crawler.errors import BadInput
from crawler.notify.channels import prepare
from crawler.notify.urls import checked, expand, references

AUDIT = """
notify = [{urls}]

[[citizens]]
id = "jens"
cpr = "0707614285"

[[systems]]
name = "TastSelv"
start_url = "http://tastselv.skat.test/"
first_party = ["skat.test"]
"""
SLACK = "T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"  # Slack's three webhook tokens


def write(tmp_path: Path, *urls: str) -> Path:
    path = tmp_path / "audit.toml"
    path.write_text(AUDIT.format(urls=", ".join(f"'{u}'" for u in urls)), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "url, problem",
    [
        ("mailtos://cpraudit:hunter22@smtp.example.dk?to=dpo@example.dk", "a password is written"),
        ("mailtos://cpraudit:pre${PW}@smtp.example.dk", "a password is written"),
        ("mailto://smtp.example.dk?user=cpraudit&pass=hunter22", "parameter pass holds a secret"),
        ("json://hooks.example.dk/cpraudit?+Authorization=Bearer abc", "holds a secret"),
        ("ntfy://ntfy.example.dk/audit?token=tk_abc", "parameter token holds a secret"),
        ("json://hooks.example.dk/${HOOK", "a `$` that is not ${NAME}"),
        ("hooks.example.dk/cpraudit", "not an Apprise URL"),
        ("  ", "empty"),
    ],
)
def test_a_secret_or_a_mistake_in_the_file_is_refused_when_it_loads(tmp_path, url, problem):
    with pytest.raises(BadInput) as refused:
        config.load(write(tmp_path, url))
    assert str(refused.value).startswith(f"{tmp_path / 'audit.toml'}: notify[0]: ")
    assert problem in str(refused.value)
    assert "hunter22" not in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "mailtos://cpraudit:${SMTP_PASSWORD}@smtp.example.dk?to=dpo@example.dk",
        "mailto://smtp.example.dk?user=cpraudit&pass=${SMTP_PASSWORD}",
        "slack://${SLACK_TOKENS}/#cpraudit",
        "${TEAMS_WORKFLOW_URL}",
        "json://hooks.example.dk/cost$$?title=nightly",
    ],
)
def test_secrets_from_the_environment_load(tmp_path, url):
    assert config.load(write(tmp_path, url)).config.notify == [url]


def test_variables_are_filled_in_as_they_are():
    url = "mailtos://cpraudit:${PW}@smtp.example.dk?to=${TO}&x=$$1"
    assert references(url) == ["PW", "TO"]
    assert expand(url, {"PW": "p%40ss", "TO": "dpo@example.dk"}) == (
        "mailtos://cpraudit:p%40ss@smtp.example.dk?to=dpo@example.dk&x=$1"
    )
    assert checked(url) == url


def test_what_apprise_counts_as_secret_must_come_from_the_environment(tmp_path):
    where = tmp_path / "audit.toml"
    with pytest.raises(BadInput) as refused:
        prepare([f"slack://{SLACK}/#cpraudit"], {}, where)
    assert str(refused.value) == (
        f"{where}: notify[0]: Apprise counts part of this slack:// URL as a secret (a token, key "
        "or password) and it is written in audit.toml; write ${VAR} in its place and export VAR "
        "where cpraudit runs"
    )
    half = "T1JJ3T3L2/A1BRTD4JD/${SLACK_TOKEN_C}"  # the third token from the environment only
    with pytest.raises(BadInput, match="counts part of this slack:// URL as a secret"):
        prepare([f"slack://{half}/#cpraudit"], {"SLACK_TOKEN_C": "TIiajkdnlazkcOXrIdevi7FQ"}, where)
    env = {
        "SLACK_TOKENS": SLACK,
        "PW": "s3cr%2Fet%3Ax",
        "WHOLE": f"https://hooks.slack.com/services/{SLACK}",
    }
    channels = prepare(
        ["slack://${SLACK_TOKENS}/#cpraudit", "json://u:${PW}@127.0.0.1:9/hook", "${WHOLE}"],
        env,
        where,
    )
    assert [c.label for c in channels] == [
        "notify[0] (slack)",
        "notify[1] (json)",
        "notify[2] (https)",
    ]
    assert all(SLACK not in repr(c) and "s3cr" not in repr(c) for c in channels)


def test_a_missing_variable_or_an_unknown_service_is_named(tmp_path):
    where = tmp_path / "audit.toml"
    with pytest.raises(BadInput) as missing:
        prepare(["json://127.0.0.1:9/hook", "json://u:${CPRAUDIT_HOOK_PW}@127.0.0.1:9/"], {}, where)
    assert str(missing.value) == (
        f"{where}: notify[1]: environment variable CPRAUDIT_HOOK_PW is not set; export it where "
        "cpraudit runs (or remove the URL from notify)"
    )
    with pytest.raises(BadInput) as unknown:
        prepare(["nosuchservice://${X}@example.dk/"], {"X": "hunter22"}, where)
    assert "Apprise cannot send to this nosuchservice:// URL" in str(unknown.value)
    assert "hunter22" not in str(unknown.value)
