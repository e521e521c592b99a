"""Multipart bodies, and the rule they broke: a structure that cannot be parsed, or parses to
nothing, is still searched as text, and a parser that loses a field costs the finding its field
path, never the finding."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.detect.detector import detect
from crawler.model import Citizen
from crawler.parties import Parties
from crawler.testing import make_exchange

CPR = "0707614285"
FORMS = (CPR, f"{CPR[:6]}-{CPR[6:]}")
CITIZEN = Citizen(cpr=CPR)
PARTIES = Parties(["skat.test"])
TSPECIALS = "()<>@,;:\\/[]?="  # a boundary holding one of these must be quoted
BCHARS = string.ascii_letters + string.digits + "'()+_,-./:=?"  # RFC 2046


def post(body: bytes, content_type: str):
    return make_exchange(
        url="http://collect.tracker.test/b",
        method="POST",
        headers=(("Content-Type", content_type),),
        body=body,
    )


def body_findings(exchange) -> set[tuple[str, str]]:
    found = detect([exchange], CITIZEN, PARTIES).findings
    return {(f.detail, f.matched) for f in found if f.identifier == "cpr"}


def multipart(parts: list[tuple[str, str | None, str]], boundary: str, eol: str) -> bytes:
    lines = []
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        lines += [f"--{boundary}", f"Content-Disposition: {disposition}"]
        if filename is not None:
            lines.append("Content-Type: application/octet-stream")
        lines += ["", value]
    lines += [f"--{boundary}--", ""]
    return eol.join(lines).encode()


_NAME = st.text(string.ascii_letters + string.digits + "_", min_size=1, max_size=12)
_VALUE = st.text(string.ascii_letters + string.digits + " .", max_size=40)  # no "--"
_PART = st.tuples(_NAME, st.none() | _NAME.map(lambda n: n + ".txt"), _VALUE)


@settings(max_examples=300, deadline=None)
@given(
    boundary=st.text(BCHARS, min_size=1, max_size=70),
    before=st.lists(_PART, max_size=4),
    after=st.lists(_PART, max_size=4),
    planted=_PART,
    form=st.sampled_from(FORMS),
    eol=st.sampled_from(["\r\n", "\n"]),
    quoted=st.booleans(),
)
def test_every_multipart_body_yields_the_cpr_with_its_field_name(
    boundary, before, after, planted, form, eol, quoted
):
    name, filename, value = planted
    parts = before + [(f"cpr_{name}", filename, f"{value[:20]}{form}{value[20:]}")] + after
    if quoted or any(c in TSPECIALS for c in boundary):
        boundary_param = f'"{boundary}"'
    else:
        boundary_param = boundary
    content_type = f"multipart/form-data; boundary={boundary_param}"
    found = body_findings(post(multipart(parts, boundary, eol), content_type))
    assert (f"body part cpr_{name}", form) in found, found


def test_chromium_boundaries_keep_their_case():
    boundary = "----WebKitFormBoundaryAbC7dEfGh2IjKl"
    body = multipart([("cpr", None, CPR)], boundary, "\r\n")
    assert body_findings(post(body, f"multipart/form-data; boundary={boundary}")) == {
        ("body part cpr", CPR)
    }


def test_a_body_that_is_not_the_multipart_it_claims_is_searched_as_text():
    body = multipart([("cpr", None, CPR)], "Actual", "\r\n")
    assert body_findings(post(body, "multipart/form-data; boundary=Claimed")) == {("body", CPR)}


def test_a_match_no_field_holds_is_reported_on_the_whole_body():
    """Part headers are no field: a file name that carries the CPR is still a finding."""
    body = multipart([("upload", f"kvittering-{CPR}.pdf", "%PDF-1.7")], "b0", "\r\n")
    assert body_findings(post(body, "multipart/form-data; boundary=b0")) == {("body", CPR)}
