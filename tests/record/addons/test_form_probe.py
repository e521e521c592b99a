"""The form probe types as a citizen would and never submits: what scripts send of it before any
submit is found, named by the field it was typed into."""

from __future__ import annotations

import json

import pytest

from crawler.cli import main
from crawler.testing.holes import CPR, PORTAL, audit
from crawler.testing.typed_pages import typed_pages

pytestmark = pytest.mark.browser
DASHED = f"{CPR[:6]}-{CPR[6:]}"


@pytest.fixture
def server():
    with typed_pages() as running:
        yield running


def test_what_the_citizen_types_is_found_before_any_submit_and_named_by_its_field(server, tmp_path):
    code, found = audit(server, tmp_path / "out", "kontakt")
    assert (code, found["verdict"]) == (1, "leak")
    typed = {f["host"]: f["typed_into"] for f in found["findings"]}
    assert set(typed) == {"collect.formvendor.test", "rec.replayvendor.test", "api.chatvendor.test"}
    assert all(typed.values()), "every one of them was sent after typing"
    assert "»Skriv til os« (#chat)" in typed["api.chatvendor.test"], (
        "the cross-origin frame's field"
    )
    assert not [r for r in server.received if r.path.startswith("/submitted")], "never submitted"
    assert all(b'"pw":""' in r.body for r in server.received_by("formvendor.test"))


def test_each_field_gets_what_it_asks_for_and_passwords_and_files_are_left_alone(server, tmp_path):
    _, found = audit(server, tmp_path / "out", "kontakt")
    [page] = found["coverage"]["typed"]
    fields = {f["selector"]: (f["kind"], f["typed"]) for f in page["fields"]}
    assert fields == {
        "#cpr": ("cpr", CPR),  # maxlength 10: without the dash
        'input[name="q"]': ("cpr", DASHED),
        'input[name="mail"]': ("cpr", DASHED),  # the citizen has no e-mail address here
        'textarea[name="besked"]': ("cpr", DASHED),
        "#note": ("cpr", DASHED),
        "#chat": ("cpr", DASHED),
    }


def test_no_fill_forms_types_nothing(server, tmp_path):
    code, found = audit(server, tmp_path / "out", "kontakt", "--no-fill-forms")
    assert (code, found["verdict"], found["coverage"]["typed"]) == (0, "clean", [])


def test_a_field_that_asks_for_an_e_mail_gets_the_citizens_when_audit_toml_has_one(
    server, tmp_path
):
    config = tmp_path / "audit.toml"
    config.write_text(
        f"""
[[citizens]]
id = "jens"
cpr = "{CPR}"
email = "jens@example.test"

[[systems]]
name = "Kontakt"
start_url = "http://{PORTAL}/kontakt"
first_party = ["skat.test"]
login = false
resolve = ["{server.resolve_rules()[0]}"]
crawl = {{ depth = 0, dwell = 1.0 }}
"""
    )
    assert main(["run", str(config), "--out", str(tmp_path / "out"), "--history", "none"]) == 1
    found = json.loads((tmp_path / "out" / "kontakt" / "findings.json").read_text())
    [page] = found["coverage"]["typed"]
    fields = {f["selector"]: (f["kind"], f["typed"]) for f in page["fields"]}
    assert fields['input[name="mail"]'] == ("email", "jens@example.test")
    assert any(f["identifier"] == "email" and f["typed_into"] for f in found["secondary"])
