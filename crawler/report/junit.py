"""JUnit XML for CI: a test case per system; a leak (or a failed fail_on_unagreed policy) is a
failure, inconclusive an error, not audited skipped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from crawler import bundle
from crawler.model import Audited


def write_junit(results: list[Audited], out_dir: Path) -> Path:
    suite = ET.Element("testsuite", name="cpraudit", tests=str(len(results)))
    counts = {"leak": 0, "inconclusive": 0, "not-audited": 0}
    for result, folder in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"cpraudit.{result.supplier or 'unknown'}",
            name=result.system,
            time=f"{max(0.0, result.finished - result.started):.1f}",
        )
        receivers = ", ".join(sorted({f.host for f in result.findings}))
        if result.verdict == "leak":
            ET.SubElement(
                case,
                "failure",
                message=f"{len(result.findings)} request(s) carried the CPR to {receivers}",
            ).text = "\n".join(
                f"{f.host} {f.channel} {f.detail} ({f.encoding}) {f.request_url}"
                for f in result.findings
            )
        elif result.agreement_verdict == "fail":
            ET.SubElement(
                case,
                "failure",
                message=f"{len(result.unagreed)} third part(ies) without a data-processing "
                "agreement",
            ).text = "\n".join(f"{t.organisation}: {', '.join(t.hosts)}" for t in result.unagreed)
        elif result.verdict == "inconclusive":
            ET.SubElement(case, "error", message="; ".join(result.errors) or "inconclusive")
        elif result.verdict == "not-audited":
            ET.SubElement(
                case, "skipped", message="not audited: no scenario or environment configured"
            )
        failed = result.verdict == "leak" or result.agreement_verdict == "fail"
        if failed or result.verdict in counts:
            counts["leak" if failed else result.verdict] += 1
        if folder:
            ET.SubElement(case, "system-out").text = f"report: {folder}/{bundle.REPORT}"
    suite.set("failures", str(counts["leak"]))
    suite.set("errors", str(counts["inconclusive"]))
    suite.set("skipped", str(counts["not-audited"]))
    path = out_dir / bundle.JUNIT
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
    return path
