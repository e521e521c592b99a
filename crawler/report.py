"""Report: findings.json, report.html per system, and an index over a run.

Everything shown comes from hostile pages (URLs, headers, bodies), so templates are
autoescaped and receive models, never pre-built HTML. Reports are static files that open
from disk: no scripts, no external assets.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote_plus

from jinja2 import Environment, PackageLoader

from crawler.model import Exchange, Finding, SystemResult

_ENV = Environment(loader=PackageLoader("crawler", "templates"), autoescape=True,
                   trim_blocks=True, lstrip_blocks=True)
_ENV.filters["when"] = lambda t: datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC") if t else "?"
EXCERPT_CHARS = 160


def slug(name: str) -> str:
    """A folder name for a system: letters kept (Danish too), the rest dashes."""
    return re.sub(r"[^\w]+", "-", name, flags=re.UNICODE).strip("-").lower() or "system"


def excerpt(finding: Finding, exchange: Exchange | None) -> tuple[str, str, str]:
    """The part of the request where the identifier sits: (before, match, after)."""
    if exchange is None:
        return finding.request_url, "", ""
    texts = [exchange.url, unquote_plus(exchange.url)]
    if finding.channel in ("header", "cookie"):
        name = "cookie" if finding.channel == "cookie" else finding.detail.removeprefix("header ")
        texts = [exchange.header(name) or ""]
    elif finding.channel in ("body", "websocket") and exchange.body:
        body = exchange.body.decode("utf-8", "replace")
        texts = [body, unquote_plus(body)]
    for text in texts:
        at = text.find(finding.matched) if finding.matched else -1
        if at >= 0:
            start, end = max(0, at - EXCERPT_CHARS), at + len(finding.matched)
            return (("…" if start else "") + text[start:at], finding.matched,
                    text[end:end + EXCERPT_CHARS] + ("…" if len(text) > end + EXCERPT_CHARS else ""))
    head = texts[0]
    return head[: 2 * EXCERPT_CHARS] + ("…" if len(head) > 2 * EXCERPT_CHARS else ""), "", ""


def write_system(result: SystemResult, exchanges: list[Exchange], out_dir: Path) -> Path:
    """findings.json and report.html for one system; returns the report's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "findings.json").write_text(
        json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False), encoding="utf-8")
    by_seq = {e.seq: e for e in exchanges}
    shown = [(f, excerpt(f, by_seq.get(f.exchange_seq))) for f in result.findings]
    steps = sorted({f.step or "" for f in result.findings}, key=lambda s: _step_order(result, s))
    evidence = sorted(p.name for p in out_dir.iterdir() if p.name not in ("report.html",))
    html = _ENV.get_template("report.html").render(
        r=result, shown=shown, steps=steps, evidence=evidence,
        first_party=[(f, excerpt(f, by_seq.get(f.exchange_seq))) for f in result.first_party],
        secondary=[(f, excerpt(f, by_seq.get(f.exchange_seq))) for f in result.secondary],
    )
    path = out_dir / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def _step_order(result: SystemResult, step: str) -> int:
    names = [name for name, _ in result.steps]
    return names.index(step) if step in names else len(names)


def write_index(results: list[tuple[SystemResult, str]], out_dir: Path, title: str,
                incomplete: bool = False) -> Path:
    """index.html and summary.json over a run; `results` pairs each result with its folder."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = {
        "incomplete": incomplete,
        "systems": [{"system": r.system, "supplier": r.supplier, "verdict": r.verdict,
                     "findings": len(r.findings), "requests": r.requests, "report": f"{folder}/report.html",
                     "third_parties": sorted({f.domain for f in r.findings})} for r, folder in results],
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    path = out_dir / "index.html"
    path.write_text(_ENV.get_template("index.html").render(
        results=results, title=title, incomplete=incomplete), encoding="utf-8")
    return path


def write_junit(results: list[tuple[SystemResult, str]], out_dir: Path) -> Path:
    """junit.xml for CI: a test case per system; leak -> failure, inconclusive -> error,
    not audited -> skipped."""
    suite = ET.Element("testsuite", name="cpraudit", tests=str(len(results)))
    counts = {"leak": 0, "inconclusive": 0, "not-audited": 0}
    for result, folder in results:
        case = ET.SubElement(suite, "testcase", classname=f"cpraudit.{result.supplier or 'unknown'}",
                             name=result.system, time=f"{max(0.0, result.finished - result.started):.1f}")
        receivers = ", ".join(sorted({f.host for f in result.findings}))
        if result.verdict == "leak":
            ET.SubElement(case, "failure", message=f"{len(result.findings)} request(s) carried the CPR to {receivers}"
                          ).text = "\n".join(f"{f.host} {f.channel} {f.detail} ({f.encoding}) {f.request_url}"
                                             for f in result.findings)
        elif result.verdict == "inconclusive":
            ET.SubElement(case, "error", message="; ".join(result.errors) or "inconclusive")
        elif result.verdict == "not-audited":
            ET.SubElement(case, "skipped", message="not audited: no scenario or environment configured")
        if result.verdict in counts:
            counts[result.verdict] += 1
        if folder:
            ET.SubElement(case, "system-out").text = f"report: {folder}/report.html"
    suite.set("failures", str(counts["leak"]))
    suite.set("errors", str(counts["inconclusive"]))
    suite.set("skipped", str(counts["not-audited"]))
    path = out_dir / "junit.xml"
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
    return path
