"""HTML reports: report.html (and findings.json) per system, index.html (and summary.json) per run.

Everything shown comes from hostile pages (URLs, headers, bodies), so templates are
autoescaped and receive models, never pre-built HTML. Reports are static files that open
from disk: no scripts, no external assets.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote_plus

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from crawler import bundle
from crawler.model import Audited, Exchange, Finding, SystemResult
from crawler.report.coverage import LOGIN_STATES, statement

_ENV = Environment(
    loader=PackageLoader("crawler.report", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["when"] = lambda t: (
    datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if t else "?"
)
_ENV.filters["coverage"] = statement
_ENV.globals["login_states"] = LOGIN_STATES
EXCERPT_CHARS = 160


def render(template: str, **context: object) -> str:
    """A page from the templates, with the reports' escaping and filters."""
    return _ENV.get_template(template).render(**context)


def _policy() -> str:
    """Every page's Content-Security-Policy: our one stylesheet (by its hash) and images from
    the report's folder, nothing else: no script, no request, no form. Escaping keeps hostile
    text text; should it ever fail, the page still cannot run or fetch anything."""
    css = _ENV.get_template("_style.html").render().split("<style>")[1].split("</style>")[0]
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return (
        f"default-src 'none'; img-src 'self' data:; style-src 'sha256-{digest}'; "
        "base-uri 'none'; form-action 'none'"
    )


_ENV.globals["content_security_policy"] = Markup(_policy())  # ours, with no double quote


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
            return (
                ("…" if start else "") + text[start:at],
                finding.matched,
                text[end : end + EXCERPT_CHARS] + ("…" if len(text) > end + EXCERPT_CHARS else ""),
            )
    head = texts[0]
    return head[: 2 * EXCERPT_CHARS] + ("…" if len(head) > 2 * EXCERPT_CHARS else ""), "", ""


def write_system(result: SystemResult, exchanges: list[Exchange], out_dir: Path) -> Path:
    """findings.json and report.html for one system; returns the report's path."""
    bundle.write_result(result, out_dir / bundle.FINDINGS)
    by_seq = {e.seq: e for e in exchanges}
    shown = [(f, excerpt(f, by_seq.get(f.exchange_seq))) for f in result.findings]
    steps = sorted({f.step or "" for f in result.findings}, key=lambda s: _step_order(result, s))
    evidence = sorted(p.name for p in out_dir.iterdir() if p.name != bundle.REPORT)
    html = _ENV.get_template("report.html").render(
        r=result,
        shown=shown,
        steps=steps,
        evidence=evidence,
        first_party=[(f, excerpt(f, by_seq.get(f.exchange_seq))) for f in result.first_party],
        secondary=[(f, excerpt(f, by_seq.get(f.exchange_seq))) for f in result.secondary],
    )
    path = out_dir / bundle.REPORT
    path.write_text(html, encoding="utf-8")
    return path


def _step_order(result: SystemResult, step: str) -> int:
    names = [name for name, _ in result.steps]
    return names.index(step) if step in names else len(names)


def inventory_counts(r: SystemResult) -> dict[str, object]:
    """The index's view of a system's third-party inventory, for summary.json (None for a
    system not audited: nothing is known of it)."""
    ts = r.third_parties
    if r.verdict == "not-audited":
        return dict.fromkeys(
            ("organisations", "organisations_without_agreement", "organisations_outside_eea")
        ) | {"new_third_parties": [], "agreement_verdict": None}
    return {
        "organisations": len(ts),
        "organisations_without_agreement": len(r.unagreed),
        "organisations_outside_eea": sum(bool(t.third_country) for t in ts),
        "new_third_parties": [t.organisation for t in ts if t.new],
        "agreement_verdict": r.agreement_verdict,
    }


def write_index(
    results: list[Audited], out_dir: Path, title: str, incomplete: bool = False
) -> Path:
    """index.html and summary.json over a run; `results` pairs each result with its folder."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = {
        "incomplete": incomplete,
        "systems": [
            {
                "system": r.system,
                "supplier": r.supplier,
                "verdict": r.verdict,
                "findings": len(r.findings),
                "requests": r.requests,
                "report": f"{folder}/{bundle.REPORT}",
                "third_parties": sorted({f.domain for f in r.findings}),
                **inventory_counts(r),
                "coverage": statement(r),
                "consent": r.consent.state if r.consent else None,
                "despite_declined_consent": r.despite_declined_consent,
                "environment": r.setup.environment,
            }
            for r, folder in results
        ],
    }
    bundle.write_json(out_dir / bundle.SUMMARY, summary)
    path = out_dir / bundle.INDEX
    path.write_text(
        _ENV.get_template("index.html").render(results=results, title=title, incomplete=incomplete),
        encoding="utf-8",
    )
    return path
