"""Environments in audit.toml (`--env NAME`) and the keys a system has for real portals: base
URLs, params, certificates, secure contexts, browser switches, dialogs, consent states and
login reuse; every mistake a one-line error naming where it was written."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler import config
from crawler.errors import BadInput
from crawler.model import variant_name
from crawler.testing.tls import CertificateAuthority

BASE = """
[[citizens]]
id = "jens"
cpr = "070761-4285"
secrets_file = "secrets.toml"

[[systems]]
name = "MinSide"
start_url = "https://minside.skat.test/"
first_party = ["skat.test"]
scenario = "minside.py"
logged_in = { text = "Log af" }
resolve = ["*.skat.test=10.0.0.5"]
params = { afdeling = "borger" }

[environments.test]
resolve = ["*.skat.test=127.0.0.1:8443"]
ignore_https_errors = true
[environments.test.systems.MinSide]
start_url = "http://minside.test.skat.test/"
treat_as_secure = ["http://minside.test.skat.test"]
params = { afdeling = "test" }
[environments.test.citizens.jens]
secrets_file = "secrets.test.toml"
"""


def write(tmp_path: Path, text: str = BASE) -> Path:
    (tmp_path / "secrets.toml").write_text('[jens]\npassword = "production-pw"\n')
    (tmp_path / "secrets.test.toml").write_text('[jens]\npassword = "test-pw"\n')
    path = tmp_path / "audit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_environment_replaces_urls_rules_tls_params_and_credentials(tmp_path):
    path = write(tmp_path)
    production = config.load(path)
    system = production.config.systems[0]
    (target,) = production.targets(system)
    assert (target.start_url, target.environment) == ("https://minside.skat.test/", None)
    assert target.resolve == ("*.skat.test=10.0.0.5",) and not target.ignore_https_errors
    assert production.citizen_for(system).secret("password") == "production-pw"

    test = config.load(path, "test")
    system = test.config.systems[0]
    (target,) = test.targets(system)
    assert target.start_url == "http://minside.test.skat.test/" and target.environment == "test"
    assert target.resolve == ("*.skat.test=127.0.0.1:8443",) and target.ignore_https_errors
    assert target.treat_as_secure == ("http://minside.test.skat.test",)
    assert target.params == {"afdeling": "test"} and target.base_url is None
    assert test.citizen_for(system).secret("password") == "test-pw"


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ('start_url = "http://minside.test', 'start_url = "minside.test'),
            "environments.test.systems.MinSide.start_url: not an http(s) URL",
        ),
        (
            ("[environments.test.systems.MinSide]", "[environments.test.systems.Minside]"),
            "environments.test.systems.Minside: no system of that name; use one of ['MinSide']",
        ),
        (
            ("ignore_https_errors = true", "ignore_https_error = true"),
            "environments.test.ignore_https_error: unknown key",
        ),
        (
            ("ignore_https_errors = true", 'ignore_https_errors = "sometimes"'),
            "environments.test.ignore_https_errors: Input should be a valid boolean",
        ),
        (
            ('secrets_file = "secrets.test.toml"', 'cpr = "0101010101"'),
            "environments.test.citizens.jens.cpr: an environment changes only a citizen's",
        ),
        (
            ('params = { afdeling = "test" }', 'name = "Other"'),
            "environments.test.systems.MinSide.name: a system keeps its name",
        ),
    ],
)
def test_mistakes_in_an_environment_are_found_without_env_and_named_where_written(
    tmp_path, change, message
):
    path = write(tmp_path, BASE.replace(*change))
    with pytest.raises(BadInput) as err:
        config.load(path)  # every environment is checked, not only the one chosen
    assert message in str(err.value) and "\n" not in str(err.value)


def test_an_unknown_environment_names_those_there_are(tmp_path):
    with pytest.raises(BadInput, match=r"--env prod: .* no \[environments.prod\] table "):
        config.load(write(tmp_path), "prod")


@pytest.mark.parametrize(
    "line, message",
    [
        ('treat_as_secure = ["https://x.test"]', "is not a plain-http origin"),
        ('browser_args = ["--host-resolver-rules=MAP * 1.2.3.4"]', "use resolve = [...]"),
        ('browser_args = ["lang=da"]', "is not a Chromium switch"),
        ('consent = ["decline", "decline"]', "a state is listed twice"),
        ('consent = ["maybe"]', "Input should be 'none', 'decline' or 'accept'"),
        ('consent_decline = "#afvis"', 'only used for the "decline" state'),
        ('reuse_login = "8 hours"', "is not a duration"),
        ('dialogs = "ignore"', "Input should be 'accept' or 'dismiss'"),
        ('base_url = "/app"', "base_url: not an http(s) URL"),
    ],
)
def test_the_new_system_keys_are_checked(tmp_path, line, message):
    path = write(tmp_path, BASE.replace('params = { afdeling = "borger" }', line))
    with pytest.raises(BadInput) as err:
        config.load(path)
    assert "systems[0]." in str(err.value) and message in str(err.value)


def test_reuse_login_needs_a_login_proof(tmp_path):
    text = BASE.replace('logged_in = { text = "Log af" }', 'login = false\nreuse_login = "8h"')
    with pytest.raises(BadInput, match="reuse_login: needs logged_in"):
        config.load(write(tmp_path, text))


def test_a_ca_file_must_be_a_pem_certificate(tmp_path):
    text = BASE.replace('params = { afdeling = "borger" }', 'ca_file = "ca.pem"')
    (tmp_path / "ca.pem").write_text("not a certificate")
    with pytest.raises(BadInput, match=r"ca_file .*ca\.pem: not a PEM certificate"):
        config.load(write(tmp_path, text))
    ca = CertificateAuthority.make(tmp_path / "ca")
    (tmp_path / "ca.pem").write_bytes(ca.ca_file.read_bytes())
    audit = config.load(write(tmp_path, text))
    assert audit.targets(audit.config.systems[0])[0].ca_file == str(tmp_path / "ca.pem")


def test_each_consent_state_is_a_variant_with_its_own_name_folder_and_button(tmp_path):
    text = BASE.replace(
        'params = { afdeling = "borger" }',
        'consent = ["none", "decline", "accept"]\nconsent_decline = "#afvis"\nreuse_login = "8h"',
    )
    audit = config.load(write(tmp_path, text))
    targets = audit.targets(audit.config.systems[0])
    assert [(t.system, t.variant_of, t.consent, t.consent_selector) for t in targets] == [
        ("MinSide (consent: none)", "MinSide", "none", None),
        ("MinSide (consent: decline)", "MinSide", "decline", "#afvis"),
        ("MinSide (consent: accept)", "MinSide", "accept", None),
    ]
    assert targets[0].reuse_seconds == 8 * 3600
    states = {t.login_state for t in targets}
    assert len(states) == 3, "a saved login carries its consent cookie: one per state"
    other = BASE.replace('name = "MinSide"', f'name = "{variant_name("MinSide", "none")}"')
    with pytest.raises(BadInput, match="would share the report folder"):
        config.load(
            write(
                tmp_path,
                other[: other.index("[environments.test]")] + text[text.index("[[systems]]") :],
            )
        )
