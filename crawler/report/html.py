"""HTML reports: report.html (and findings.json) per system, index.html (and summary.json) per run.

Everything shown comes from hostile pages (URLs, headers, bodies), so templates are
autoescaped and receive models, never pre-built HTML. Reports are static files that open
from disk: no scripts, no external assets, and a Content-Security-Policy that would stop
either if escaping ever failed.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Literal, NamedTuple
from urllib.parse import urlsplit

import jinja2
from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader
from jinja2.bccache import Bucket
from markupsafe import Markup

from crawler import bundle, npm
from crawler.model import Audited, Exchange, Language, SystemResult
from crawler.report import words
from crawler.report.coverage import LOGIN_STATES, start_page, statement
from crawler.report.diagnostics import said
from crawler.report.flow import flow
from crawler.report.groups import group
from crawler.report.i18n import counted, formatters, translations
from crawler.report.receivers import receivers
from crawler.report.strip import VERDICT_COLOURS, strip


@dataclass(frozen=True)
class ReportOptions:
    """How reports are written: their language, and whether each is also a PDF."""

    lang: Language = "en"
    pdf: bool = False


DEFAULT_REPORT = ReportOptions()  # English, no PDF


class Title(NamedTuple):
    """What an index is of, said in the report's language by the template."""

    kind: Literal["run", "merge", "adhoc", "har", "pytest", "analysis"]
    subject: str  # a file name, a URL, a number of shards
    shard: str | None = None


_OPTIONS = {  # how templates are compiled; not optimized, so no filter is run at compile time
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "extensions": ["jinja2.ext.i18n"],
    "optimized": False,
}


class _CompiledTemplates(FileSystemBytecodeCache):
    """The templates as compiled by an earlier run, in cpraudit's data folder: compiling them
    costs every run a third of a second of CPU. Keyed by Jinja's version and our options (and,
    by Jinja, by each template's source); a file that cannot be read or written only means a
    template is compiled again."""

    def __init__(self, folder: Path) -> None:
        key = hashlib.sha256(f"{jinja2.__version__} {_OPTIONS}".encode()).hexdigest()[:16]
        super().__init__(str(folder), f"{key}-%s.cache")

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # damaged: compiled again, and written anew
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a read-only or full data folder
            pass


def _compiled_templates() -> _CompiledTemplates | None:
    """The folder of compiled templates, unless another user could write code into it."""
    folder = npm.data_dir() / "cache" / "templates"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        return None
    return _CompiledTemplates(folder)


@cache
def environment(lang: str) -> Environment:
    """The templates in one language, with its filters and the pages' policy."""
    env = Environment(
        loader=PackageLoader("crawler.report", "templates"),
        bytecode_cache=_compiled_templates(),
        **_OPTIONS,  # type: ignore[arg-type]
    )
    env.policies["ext.i18n.trimmed"] = True  # a message is its words, not its line breaks
    t, fmt = translations(lang), formatters(lang)
    env.install_gettext_translations(t, newstyle=True)  # type: ignore[attr-defined]
    plain_ngettext = env.globals["ngettext"]
    assert callable(plain_ngettext)  # installed just above
    env.globals["ngettext"] = counted(plain_ngettext, fmt["num"])
    env.filters.update(fmt, **words.filters(t))
    env.filters["coverage"] = partial(statement, lang=lang)
    env.filters["start_page"] = partial(start_page, lang=lang)
    env.filters["said"] = partial(said, t=t, number=fmt["num"], lang=lang)
    env.filters["origin"] = lambda url: "://".join(urlsplit(url)[:2])
    env.filters["strip"] = strip
    env.globals.update(lang=lang, login_states=LOGIN_STATES, verdict_colours=VERDICT_COLOURS)
    env.globals["content_security_policy"] = Markup(_policy(env))  # ours, no double quote
    return env


def render(template: str, lang: str = "en", **context: object) -> str:
    """A page from the templates, with the reports' escaping, language and filters."""
    return environment(lang).get_template(template).render(**context)


def _policy(env: Environment) -> str:
    """Every page's Content-Security-Policy: our one stylesheet (by its hash) and images from
    the report's folder, nothing else: no script, no request, no form. Escaping keeps hostile
    text text; should it ever fail, the page still cannot run or fetch anything."""
    css = env.get_template("_style.html").render().split("<style>")[1].split("</style>")[0]
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return (
        f"default-src 'none'; img-src 'self' data:; style-src 'sha256-{digest}'; "
        "base-uri 'none'; form-action 'none'"
    )


def write_system(
    result: SystemResult,
    exchanges: list[Exchange],
    out_dir: Path,
    options: ReportOptions = DEFAULT_REPORT,
) -> Path:
    """findings.json and report.html for one system; returns the report's path."""
    bundle.write_result(result, out_dir / bundle.FINDINGS)
    by_seq = {e.seq: e for e in exchanges}
    found = receivers(result, group(result.system, result.findings, by_seq))
    evidence = sorted(p.name for p in out_dir.iterdir() if p.name != bundle.REPORT)
    html = render(
        "report.html",
        options.lang,
        r=result,
        leaks=[leak for receiver in found for leak in receiver.leaks],  # in the table's order
        receivers=found,
        flow=flow(result, exchanges),
        first_party=group(result.system, result.first_party, by_seq),
        secondary=group(result.system, result.secondary, by_seq),
        attempts=group(result.system, result.attempts, by_seq),
        evidence=evidence,
        pdf=options.pdf,
    )
    path = out_dir / bundle.REPORT
    path.write_text(html, encoding="utf-8")
    return path


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
    results: list[Audited],
    out_dir: Path,
    title: Title,
    incomplete: bool = False,
    options: ReportOptions = DEFAULT_REPORT,
) -> Path:
    """index.html and summary.json over a run; `results` pairs each result with its folder."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = {
        "incomplete": incomplete,
        "lang": options.lang,
        "systems": [
            {
                "system": r.system,
                "supplier": r.supplier,
                "verdict": r.verdict,
                "findings": len(r.findings),
                "unaccepted_findings": len(r.unaccepted),
                "accepted_until": r.accepted_until.isoformat() if r.accepted_until else None,
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
    page = render(
        "index.html",
        options.lang,
        results=results,
        title=title,
        incomplete=incomplete,
        suppliers=by_supplier(results),
        receivers={r.system: receivers(r, group(r.system, r.findings, {})) for r, _ in results},
        pdf=options.pdf,
    )
    path.write_text(page, encoding="utf-8")
    return path


def by_supplier(results: list[Audited]) -> list[tuple[str | None, list[Audited], list[Audited]]]:
    """(supplier, its audited systems, its systems not audited), in the order given (the
    catalogue's)."""
    rows: dict[str | None, tuple[list[Audited], list[Audited]]] = {}
    for result, folder in results:
        audited, skipped = rows.setdefault(result.supplier, ([], []))
        (skipped if result.verdict == "not-audited" else audited).append(Audited(result, folder))
    return [(supplier, *lists) for supplier, lists in rows.items()]
