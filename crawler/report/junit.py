"""JUnit XML for CI: a test case per system, and what fails it is what fails the run's exit code
(`--fail-on`): a leak that counts (a persisting or accepted one under `--fail-on new` does not),
a failed fail_on_unagreed policy, a new third party where asked; inconclusive is an error, not
audited skipped. A passed system with leaks lists them in its system-out and properties, so a CI
that reads JUnit shows what the exit code judged."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from crawler import bundle
from crawler.analyse.verdict import EXIT_INCONCLUSIVE, EXIT_LEAK, exit_code
from crawler.model import Audited, SystemResult
from crawler.report.leak_lines import leak_lines


def write_junit(results: list[Audited], out_dir: Path, fail_on: Sequence[str] = ("any",)) -> Path:
    suite = ET.Element("testsuite", name="cpraudit", tests=str(len(results)))
    counts = {"failures": 0, "errors": 0, "skipped": 0}
    for result, folder in results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"cpraudit.{result.supplier or 'unknown'}",
            name=result.system,
            time=f"{max(0.0, result.finished - result.started):.1f}",
        )
        leaks = leak_lines(result)
        code = exit_code([result], fail_on) if result.verdict != "not-audited" else None
        if code == EXIT_LEAK:
            counts["failures"] += 1
            ET.SubElement(case, "failure", message=_failed(result)).text = "\n".join(
                leaks + _unagreed(result)
            )
        elif result.verdict == "not-audited":
            counts["skipped"] += 1
            ET.SubElement(
                case, "skipped", message="not audited: no scenario or environment configured"
            )
        elif code == EXIT_INCONCLUSIVE:
            counts["errors"] += 1
            ET.SubElement(case, "error", message="; ".join(result.errors) or "inconclusive")
        if leaks:
            properties = ET.SubElement(case, "properties")
            for line in leaks:
                ET.SubElement(properties, "property", name="leak", value=line)
        out = [f"report: {folder}/{bundle.REPORT}"] if folder else []
        if leaks and code != EXIT_LEAK:
            out += ["leaks that do not fail this run (--fail-on or accepted):", *leaks]
        if out:
            ET.SubElement(case, "system-out").text = "\n".join(out)
    for name, n in counts.items():
        suite.set(name, str(n))
    path = out_dir / bundle.JUNIT
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _failed(result: SystemResult) -> str:
    if result.verdict == "leak":
        receivers = ", ".join(sorted({f.host for f in result.findings}))
        return f"{len(result.findings)} request(s) carried the CPR to {receivers}"
    if result.agreement_verdict == "fail":
        return f"{len(result.unagreed)} third part(ies) without a data-processing agreement"
    return "a new third party"


def _unagreed(result: SystemResult) -> list[str]:
    if result.agreement_verdict != "fail":
        return []
    return [f"no agreement: {t.organisation}: {', '.join(t.hosts)}" for t in result.unagreed]
