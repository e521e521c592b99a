import json
import xml.etree.ElementTree as ET

from crawler.bundle import slug
from crawler.model import Finding, HostSummary, Party, SystemResult
from crawler.report.groups import excerpt
from crawler.report.html import Title, write_index, write_system
from crawler.report.junit import write_junit
from crawler.testing import make_exchange

HOSTILE = (
    'http://evil.test/<script>alert(1)</script>?cpr=0707614285&x="><img src=x onerror=alert(2)>'
)


def leak_result():
    finding = Finding(
        request_url=HOSTILE,
        host="evil.test",
        method="GET",
        resource_type="image",
        channel="url",
        detail="query parameter cpr",
        encoding="plain",
        identifier="cpr",
        page_url="http://portal.test/<b>page</b>",
        entity="Evil <Corp>",
        party="third",
        domain="evil.test",
        matched="0707614285",
        exchange_seq=1,
        step="Log <ind>",
    )
    return SystemResult(
        system="Tast<Selv>",
        supplier="KMD",
        verdict="leak",
        requests=1,
        findings=(finding,),
        hosts=(
            HostSummary(
                host="evil.test",
                party=Party(kind="third", domain="evil.test"),
                requests=1,
                findings=1,
            ),
        ),
        errors=("<script>alert(3)</script>",),
    )


def test_report_escapes_everything_from_the_page(tmp_path):
    result = leak_result()
    path = write_system(result, [make_exchange(url=HOSTILE)], tmp_path)
    html = path.read_text()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>page</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>0707614285</mark>" in html, "the CPR is highlighted in the request"
    assert "<script" not in html.lower().replace("&lt;script", ""), "reports carry no scripts"


def test_findings_json_keeps_the_contract(tmp_path):
    write_system(leak_result(), [], tmp_path)
    data = json.loads((tmp_path / "findings.json").read_text())
    assert {"system", "verdict", "requests", "findings"} <= set(data)
    assert set(data["findings"][0]) >= {
        "request_url",
        "host",
        "method",
        "resource_type",
        "channel",
        "detail",
        "encoding",
        "identifier",
        "page_url",
        "entity",
    }
    assert data["findings"][0]["channel"] == "url" and data["verdict"] == "leak"


def test_excerpt_finds_the_match_in_its_channel():
    ex = make_exchange(headers=(("Referer", "http://p.test/side?cpr=0707614285"),))
    f = Finding(
        request_url=ex.url,
        host=ex.host,
        method="GET",
        resource_type="image",
        channel="header",
        detail="header Referer",
        encoding="plain",
        identifier="cpr",
        matched="0707614285",
    )
    assert excerpt(f, ex) == ("http://p.test/side?cpr=", "0707614285", "")


def test_index_and_junit(tmp_path):
    rows = [
        (leak_result(), slug("Tast<Selv>")),
        (SystemResult(system="Forskud", supplier="KMD", verdict="clean", requests=3), "forskud"),
        (
            SystemResult(
                system="LetLøn",
                supplier="IBM",
                verdict="inconclusive",
                requests=0,
                errors=("login failed",),
            ),
            "letløn",
        ),
        (SystemResult(system="PSRM", supplier="Netcompany", verdict="not-audited", requests=0), ""),
    ]
    index = write_index(rows, tmp_path, Title("run", "audit <1>.toml")).read_text()
    assert "audit &lt;1&gt;.toml" in index and 'href="tast-selv/report.html"' in index
    suite = ET.parse(write_junit(rows, tmp_path)).getroot()
    assert (
        suite.get("tests"),
        suite.get("failures"),
        suite.get("errors"),
        suite.get("skipped"),
    ) == ("4", "1", "1", "1")
    cases = {c.get("name"): [child.tag for child in c] for c in suite}
    assert cases["Tast<Selv>"][0] == "failure" and cases["LetLøn"][0] == "error"
    assert cases["PSRM"] == ["skipped"] and cases["Forskud"] == ["system-out"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert [s["verdict"] for s in summary["systems"]] == [
        "leak",
        "clean",
        "inconclusive",
        "not-audited",
    ]
