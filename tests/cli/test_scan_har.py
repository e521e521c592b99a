"""`cpraudit scan-har` on damaged exports: what can be read is searched, and what could not be
read is named, in the report and in one line on stderr."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import quote

from crawler import bundle
from crawler.bundle import read_result
from crawler.cli import main
from crawler.report.coverage import statement
from crawler.testing.portals import CPR
from crawler.testing.secrets import contents, places

DATA = Path(__file__).parents[1] / "data"
LEAKS = {"stats.analytics.test", "ads.blocked.test", "cdn.maxcdn.test", "chat.wsvendor.test"}


DEEP = "[" * 5000 + "]" * 5000


def damaged(tmp_path: Path) -> Path:
    """Chrome's export with a field of four entries damaged as real files
    are, and one entry that cannot be read at all; NaN and Infinity as json.dumps writes them."""
    data = json.loads((DATA / "chrome.har").read_text())
    entries = data["log"]["entries"]
    entries[0]["_initiator"] = {"stack": "DEEP"}  # a property nested 5,000 levels deep
    entries[2]["response"]["status"] = float("nan")
    entries[3]["response"]["status"] = float("inf")
    entries[6]["response"] |= {"status": 302, "redirectURL": "http://[::zz]/"}
    entries.insert(5, {"request": {"method": "GET", "url": "http://[::zz]/"}})
    path = tmp_path / "damaged.har"
    path.write_text(json.dumps(data).replace('"DEEP"', DEEP))
    return path


def test_a_damaged_har_is_searched_where_it_can_be_read_and_says_what_could_not(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["scan-har", str(damaged(tmp_path)), "--cpr", CPR, "--out", str(out)])
    found = json.loads((out / "damaged-har" / bundle.FINDINGS).read_text())
    assert (code, found["verdict"]) == (1, "leak"), "the readable part holds a leak"
    assert {f["host"] for f in found["findings"]} >= LEAKS
    assert found["errors"] == [
        "1 of 9 HAR entries could not be read and 4 part(s) of entries could not be read and "
        "were left out, so the file was not fully searched",
        "entry 1: _initiator.stack[0][0][0] nested too deeply to read (a browser's HAR is "
        "a few levels deep): left out",
        "entry 3: response.status is NaN, not a number: left out",
        "entry 4: response.status is Infinity, not a number: left out",
        "entry 6: request.url is not a valid URL",
        "entry 8: response.redirectURL is not a valid URL: left out",
    ]
    report = (out / "damaged-har" / bundle.REPORT).read_text()
    assert "entry 6: request.url is not a valid URL" in report
    assert capsys.readouterr().err == ""


def test_a_damaged_har_without_a_leak_is_inconclusive_with_its_reason_on_stderr(tmp_path, capsys):
    def entry(url: str, status: str) -> str:
        request = f'{{"method": "GET", "url": "{url}"}}'
        return f'{{"request": {request}, "response": {{"status": {status}}}}}'

    entries = [entry("https://www.skat.test/", "Infinity"), entry("http://[::zz]/", "200")]
    path = tmp_path / "damaged.har"
    path.write_text('{"log": {"entries": [' + ", ".join(entries) + "]}}")
    code = main(["scan-har", str(path), "--cpr", CPR, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert err == (
        "inconclusive: 1 of 2 HAR entries could not be read and 1 part(s) of entries could not "
        "be read and were left out, so the file was not fully searched; entry 1: "
        "response.status is Infinity, not a number: left out; entry 2: request.url is not a "
        "valid URL\n"
    )


def test_a_third_partys_body_left_out_of_the_har_keeps_the_result_from_being_clean(
    tmp_path, capsys
):
    """Exported without content, a body was not searched: once that was "no leak found". A
    body the first party received is not what the verdict is about."""

    def entry(url: str, method: str = "GET", left_out: bool = False) -> dict:
        request: dict = {"method": method, "url": url, "headers": [], "bodySize": 0}
        if left_out:
            request |= {"bodySize": 40, "postData": {"comment": "Request body not included"}}
        return {"request": request, "response": {"status": 200}}

    entries = [
        entry("https://www.skat.test/"),
        entry("https://www.skat.test/api/save", "POST", left_out=True),
        entry("https://collect.analytics.test/c", "POST", left_out=True),
        entry("https://collect.analytics.test/c", "POST"),  # no body: nothing missing
    ]
    path = tmp_path / "export.har"
    path.write_text(json.dumps({"log": {"entries": entries}}))
    code = main(["scan-har", str(path), "--cpr", CPR, "--out", str(tmp_path / "out")])
    assert (code, capsys.readouterr().err) == (
        2,
        "inconclusive: 1 request to a third party carried a body the record lacks (POST "
        "https://collect.analytics.test/c), so what it carried was not searched\n",
    )


PASSWORD = "Hemmelig-Kode-42"  # typed into the login form
SID = "sid-5e1f0a9b7c3d"  # the first party's session cookie, also in a page URL
API_TOKEN = "apitok-9f8e7d6c5b"  # in a header no rule knows: masked by --secret
PORTAL = "https://www.tastselv.test"


def exported_login(tmp_path: Path) -> Path:
    """A citizen's export of a login and five pages, one of which sends the CPR to analytics."""

    def entry(url, when, method="GET", kind="document", headers=(), body=None, set_cookie=None):
        request = {
            "method": method,
            "url": url,
            "headers": [{"name": n, "value": v} for n, v in headers],
        }
        if body:
            request["postData"] = {"mimeType": "application/x-www-form-urlencoded", "text": body}
        response = {"status": 200, "headers": []}
        if set_cookie:
            response["headers"] = [{"name": "Set-Cookie", "value": set_cookie}]
        return {
            "startedDateTime": f"2019-05-02T10:0{when}:00.000Z",
            "_resourceType": kind,
            "request": request,
            "response": response,
        }

    cookie = ("Cookie", f"sid={SID}")
    oversigt = f"{PORTAL}/borger/oversigt?cpr={CPR}&s={SID}"
    entries = [
        entry(f"{PORTAL}/login", 0),
        entry(
            f"{PORTAL}/login",
            1,
            "POST",
            body=f"user=jens&password={PASSWORD}",
            set_cookie=f"sid={SID}; Path=/; HttpOnly",
        ),
        entry(oversigt, 2, headers=[cookie]),
        entry(
            "https://stats.analytics.test/collect?dl=" + quote(oversigt, safe=""), 2, kind="image"
        ),
        entry(f"{PORTAL}/api/konto", 3, kind="fetch", headers=[cookie, ("X-Api", API_TOKEN)]),
        *(entry(f"{PORTAL}/borger/side-{n}", 4 + n, headers=[cookie]) for n in range(3)),
    ]
    path = tmp_path / "login.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    return path


def test_scan_har_evidence_is_redacted_dated_counted_and_proves_its_source(tmp_path, capsys):
    har = exported_login(tmp_path)
    out = tmp_path / "out"
    args = ["scan-har", str(har), "--cpr", CPR, "--out", str(out), "--secret", API_TOKEN]
    assert main([*args, "--copy-har"]) == 1
    printed = capsys.readouterr()
    folder = out / "login-har"
    found = json.loads((folder / bundle.FINDINGS).read_text())
    assert {f["host"] for f in found["findings"]} == {"stats.analytics.test"}

    files = {n: d for n, d in contents(out).items() if n != f"login-har/{bundle.HAR_INPUT}.har"}
    said = (printed.out + printed.err).encode()
    for secret in (PASSWORD, SID, API_TOKEN):
        assert places(secret, files, said) == [], f"{secret} left in the evidence"
    assert CPR.encode() in files["login-har/requests.jsonl"], "the CPR itself stays"

    digest = hashlib.sha256(har.read_bytes()).hexdigest()
    assert found["imported_from"] == {
        "name": str(har),
        "sha256": digest,
        "size": har.stat().st_size,
        "copied_as": f"{bundle.HAR_INPUT}.har",
    }
    assert (folder / f"{bundle.HAR_INPUT}.har").read_bytes() == har.read_bytes()
    manifest = json.loads((out / bundle.MANIFEST).read_text())
    assert manifest["inputs"] == {str(har): {"sha256": digest, "size": har.stat().st_size}}
    assert manifest["files"][f"login-har/{bundle.HAR_INPUT}.har"]["sha256"] == digest

    report = (folder / bundle.REPORT).read_text()
    assert "2 May 2019, 10:00:00 UTC" in report, "dated by the HAR"
    assert statement(read_result(folder / bundle.FINDINGS)) == "leak on 5 pages"


def test_secrets_can_come_from_a_file_kept_out_of_the_process_list(tmp_path, capsys):
    har = exported_login(tmp_path)
    (tmp_path / "secrets.txt").write_text(f"\n  {API_TOKEN}  \n\n")
    out = tmp_path / "out"
    args = ["scan-har", str(har), "--cpr", CPR, "--out", str(out)]
    assert main([*args, "--secret-file", str(tmp_path / "secrets.txt")]) == 1
    printed = capsys.readouterr()
    assert places(API_TOKEN, contents(out), (printed.out + printed.err).encode()) == []

    missing = tmp_path / "nowhere.txt"
    assert main([*args, "--secret-file", str(missing)]) == 2
    assert capsys.readouterr().err == (
        f"error: --secret-file {missing} cannot be read (No such file or directory): give a text "
        "file of the values to mask, one a line\n"
    )
