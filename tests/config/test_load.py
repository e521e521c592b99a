from datetime import date
from pathlib import Path

import pytest

from crawler import config
from crawler.errors import BadInput
from crawler.model import Processor

GOOD = """
[[citizens]]
id = "jens"
cpr = "070761-4285"
credentials = { password = "CPRAUDIT_TEST_PW" }

[[systems]]
name = "TastSelv"
supplier = "KMD"
start_url = "http://tastselv.skat.test/"
first_party = ["skat.test"]
processors = [{ domain = "cdn.test", agreement = "DBA-1" }]
scenario = "tastselv.py"
logged_in = "#welcome"
resolve = ["*.test=127.0.0.1:9"]
crawl = { depth = 2 }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "audit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_targets_and_credentials_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CPRAUDIT_TEST_PW", "s3cret")
    audit = config.load(write(tmp_path, GOOD))
    system = audit.config.systems[0]
    target = audit.target(system)
    assert target.scenario == str(tmp_path / "tastselv.py")
    assert target.processors == (Processor(domain="cdn.test", agreement="DBA-1"),)
    assert target.crawl.depth == 2
    citizen = audit.citizen_for(system)
    assert citizen.cpr == "0707614285" and citizen.secret("password") == "s3cret"
    assert "s3cret" not in citizen.model_dump_json() and "s3cret" not in repr(citizen)


@pytest.mark.parametrize(
    "change, message",
    [
        (('cpr = "070761-4285"', 'cpr = "3207614285"'), "citizens[0].cpr"),
        (
            ('start_url = "http://tastselv.skat.test/"', 'start_url = "tastselv"'),
            "systems[0].start_url: not an http(s) URL",
        ),
        (('supplier = "KMD"', 'suplier = "KMD"'), "systems[0].suplier: unknown key"),
        (('first_party = ["skat.test"]', ""), "systems[0].first_party: required key is missing"),
        (("crawl = { depth = 2 }", "crawl = { depth = -1 }"), "systems[0].crawl.depth"),
        (
            ('name = "TastSelv"', 'name = "TastSelv"\ncitizen = "nobody"'),
            "no citizen with id 'nobody'",
        ),
        (("[[citizens]]", 'lang = "de"\n[[citizens]]'), "lang: Input should be 'en' or 'da'"),
    ],
)
def test_errors_name_file_key_and_problem(tmp_path, change, message):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(BadInput) as err:
        config.load(path)
    assert str(path) in str(err.value) and message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_credential_variable_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv("CPRAUDIT_TEST_PW", raising=False)
    audit = config.load(write(tmp_path, GOOD))
    with pytest.raises(BadInput, match="CPRAUDIT_TEST_PW is not set"):
        audit.citizen_for(audit.config.systems[0])


def test_bad_toml_and_missing_file(tmp_path):
    with pytest.raises(BadInput, match="not valid TOML"):
        config.load(write(tmp_path, "[[citizens]\n"))
    with pytest.raises(BadInput, match="no such file"):
        config.load(tmp_path / "nope.toml")


def test_crawl_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv("CPRAUDIT_TEST_PW", "x")
    audit = config.load(write(tmp_path, GOOD.replace("crawl = { depth = 2 }", "crawl = false")))
    assert audit.target(audit.config.systems[0]).crawl is None


def test_example_config_is_valid(monkeypatch):
    monkeypatch.setenv("JENS_PASSWORD", "x")
    audit = config.load(Path(__file__).parents[2] / "audit.example.toml")
    assert audit.citizen_for(audit.config.systems[0]).cpr == "0707614285"


def test_modes_come_from_audit_toml_and_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("CPRAUDIT_TEST_PW", "x")
    audit = config.load(write(tmp_path, GOOD + "contain = true\n"))
    target = audit.target(audit.config.systems[0])
    assert (target.contain, target.legacy_referrer) == (True, False)
    switched = config.load(audit.path, modes=config.Modes(legacy_referrer=True, witness=False))
    target = switched.target(switched.config.systems[0])  # cpraudit run --legacy-referrer ...
    assert (target.contain, target.legacy_referrer, target.witness) == (True, True, False)


def test_validating_a_configuration_does_not_load_the_browser_machinery():
    import subprocess
    import sys

    probe = "import sys, crawler.config; print(sorted(m for m in sys.modules if 'playwright' in m))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_agreements_expire_owners_are_strict_and_fail_on_unagreed(tmp_path):
    path = tmp_path / "audit.toml"
    path.write_text(
        """
[[citizens]]
id = "jens"
cpr = "0707614285"

[[owners]]
name = "Local Stats ApS"
country = "DK"
category = "site_analytics"
domains = ["localstats.test"]

[[systems]]
name = "TastSelv"
start_url = "http://portal.skat.test/"
first_party = ["skat.test"]
fail_on_unagreed = true
processors = [{ domain = "cdn.test", agreement = "DBA-1", expires = 2027-01-31 }]
"""
    )
    audit = config.load(path)
    target = audit.target(audit.config.systems[0])
    assert [p.expires for p in target.processors] == [date(2027, 1, 31)]
    assert target.fail_on_unagreed and target.owners[0].category == "site_analytics"

    good = path.read_text()
    path.write_text(good.replace('category = "site_analytics"', 'contry = "DK"'))
    with pytest.raises(BadInput, match=r"owners\[0\]\.contry: unknown key"):
        config.load(path)
    path.write_text(good.replace("2027-01-31", '"end of January"'))
    with pytest.raises(BadInput, match=r"processors\[0\]\.expires"):
        config.load(path)


def test_a_system_with_a_scenario_must_say_how_its_login_is_proved(tmp_path, monkeypatch):
    monkeypatch.setenv("CPRAUDIT_TEST_PW", "x")
    without = GOOD.replace('logged_in = "#welcome"\n', "")
    with pytest.raises(BadInput) as err:
        config.load(write(tmp_path, without))
    assert "systems[0].logged_in: required for a system with a scenario" in str(err.value)
    assert 'logged_in = { text = "Log af" }' in str(err.value) and "\n" not in str(err.value)
    public = config.load(write(tmp_path, without + "login = false\n"))
    assert public.target(public.config.systems[0]).logged_in is None
    by_text = config.load(write(tmp_path, without + 'logged_in = { text = "Log af" }\n'))
    assert by_text.target(by_text.config.systems[0]).logged_in.text == "Log af"
    selector = config.load(write(tmp_path, GOOD))
    assert selector.target(selector.config.systems[0]).logged_in.selector == "#welcome"


def test_systems_that_would_share_a_folder_are_refused_naming_both(tmp_path, capsys):
    from crawler.cli import main

    second = GOOD[GOOD.index("[[systems]]") :].replace('"TastSelv"', '"portal-leak"')
    path = write(tmp_path, GOOD.replace('"TastSelv"', '"Portal/Leak"') + second)
    with pytest.raises(BadInput, match="'Portal/Leak' and 'portal-leak' would share"):
        config.load(path)
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "rename one of them" in err and len(err.splitlines()) == 1


def test_the_trace_comes_from_audit_toml_and_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("CPRAUDIT_TEST_PW", "x")
    audit = config.load(write(tmp_path, GOOD + 'trace = "retain-on-failure"\n'))
    assert audit.target(audit.config.systems[0]).trace == "retain-on-failure"
    off = config.load(audit.path, modes=config.Modes(trace="off"))  # --trace off
    assert off.target(off.config.systems[0]).trace == "off"
    default = config.load(write(tmp_path, GOOD))
    assert default.target(default.config.systems[0]).trace == "on"
    with pytest.raises(BadInput) as err:
        config.load(write(tmp_path, GOOD + 'trace = "sometimes"\n'))
    assert "trace" in str(err.value) and "\n" not in str(err.value)


def test_a_switch_is_true_or_false_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.setenv("CPRAUDIT_TEST_PW", "x")
    with pytest.raises(BadInput, match=r"systems\[0\]\.ignore_https_errors: .*valid boolean"):
        config.load(write(tmp_path, GOOD + 'ignore_https_errors = "yes"\n'))
