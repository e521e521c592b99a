"""`cpraudit demo` finds exactly what the demo portal plants, through the `run` path."""

from __future__ import annotations

import json
import re

import pytest

from crawler.cli import main
from crawler.demo.portal import CPR, DEMO_CITIZEN

pytestmark = pytest.mark.browser  # every test here starts Chromium


def findings(out, folder):
    return json.loads((out / folder / "findings.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_demo_finds_what_the_portal_plants(tmp_path):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    assert main(["verify", str(out)]) == 0, "the demo's folder is sealed like a run's"

    tastselv = findings(out, "tastselv")
    assert tastselv["verdict"] == "leak"
    assert {(f["host"], f["channel"]) for f in tastselv["findings"]} == {
        ("www.analytics.test", "url"),
        ("www.analytics.test", "header"),
        ("metrics.marketingcloud.test", "url"),
        ("metrics.marketingcloud.test", "header"),
        ("cdn.democdn.test", "header"),
    }
    details = {(f["host"], f["detail"].lower()) for f in tastselv["findings"]}
    assert ("www.analytics.test", "query parameter dl") in details, "the Google Analytics pattern"
    assert ("metrics.marketingcloud.test", "query parameter g") in details, "the Adobe pattern"
    assert ("cdn.democdn.test", "header referer") in details, "the MaxCDN pattern"
    assert {f["step"] for f in tastselv["findings"]} >= {"Log ind", "Årsopgørelse"}
    assert any(
        f["request_url"].startswith("http://tastselv.skat.test/borger/oversigt?cpr=")
        for f in tastselv["first_party"]
    )

    cdn = {t["organisation"]: t for t in tastselv["third_parties"]}[
        "Demo CDN LLC (stands in for MaxCDN)"
    ]
    assert (cdn["hosts"], cdn["status"], cdn["third_country"]) == (
        ["cdn.democdn.test"],
        "no-agreement",
        True,
    ), "MaxCDN received the citizens' data with no data-processing agreement at all"
    report = (out / "tastselv" / "report.html").read_text(encoding="utf-8")
    row = report[report.index("Demo CDN LLC", report.index('id="third-parties"')) :]
    assert "no data-processing agreement registered" in row[: row.index("</tr>")]

    konto = findings(out, "skattekontoen")
    assert konto["verdict"] == "leak"
    assert {(f["host"], f["channel"]) for f in konto["findings"]} == {
        ("chat.supportwidget.test", "websocket"),
        ("forms.forminsights.test", "body"),
    }
    assert {f["matched"] for f in konto["findings"]} == {f"{CPR[:6]}-{CPR[6:]}"}
    typed = {f["host"] for f in konto["findings"] if f["typed_into"]}
    assert typed == {"forms.forminsights.test"}, "what the citizen typed, before any submit"
    assert {t["organisation"]: (t["status"], t["agreements"]) for t in konto["third_parties"]} == {
        "Demo Support Chat ApS": ("agreement", ["DBA-2019-031"]),
        "Demo Form Insights Ltd. (stands in for a form-analytics tool)": ("no-agreement", []),
    }, "a processor with an agreement: still a leak, and shown as agreed"

    forskud = findings(out, "forskud")
    assert (forskud["verdict"], forskud["findings"]) == ("clean", [])
    assert any(h["host"] == "www.analytics.test" for h in forskud["hosts"]), (
        "it does load analytics"
    )
    assert forskud["first_party"], "the CPR went to its own API only"

    letlon = findings(out, "letløn")
    assert letlon["verdict"] == "inconclusive" and "Log ind" in letlon["errors"][0]

    index = (out / "index.html").read_text(encoding="utf-8")
    not_audited = re.findall(r"<td colspan=\"6\">Not audited: (.*?)</td>", index)
    assert sum(len(names.split(", ")) for names in not_audited) == 20, "each, by supplier"
    password = DEMO_CITIZEN.secret("password")
    for path in out.rglob("*"):
        if path.is_file() and path.suffix != ".png":
            assert password not in path.read_text(encoding="utf-8", errors="replace"), path

    again = tmp_path / "again"
    assert main(["analyse", str(out), "--out", str(again)]) == 1
    for folder in ("tastselv", "skattekontoen", "forskud", "letløn"):
        before, after = findings(out, folder), findings(again, folder)
        changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        assert changed == {"reanalysis", "command", "detect_seconds", "run_id"}, (
            f"{folder}: the same evidence through the same code gives the same result"
        )
        assert after["reanalysis"]["sealed"] == "intact"
        assert after["reanalysis"]["run_id"] == before["run_id"]
    assert main(["verify", str(out)]) == 0, "the evidence was only read"
    assert main(["verify", str(again)]) == 0, "the re-analysis is sealed like a run"
