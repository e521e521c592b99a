"""`pytest --cpraudit audit.toml`: a supplier's CI runs the audit's scenarios as tests.

One test per system, named after it: what fails `cpraudit run` (with the same `--fail-on`,
history and acceptances) fails the test, an inconclusive audit (the scenario did not complete,
nothing was recorded, the browser died) errors in setup. Each system is recorded by the one
driver every audit goes through (`crawler.record.session.record`, in pytest-playwright's
browser), and the session is closed as every run is (`finish_run`): findings.json and
report.html per system, index.html, summary.json and junit.xml over the run, the history.

The browser and contexts come from pytest-playwright's fixtures, so its options (--headed,
--slowmo, --browser-channel, --tracing, --video, --screenshot, --device) keep working. The
browser is still started the cpraudit way (a Chromium found like `cpraudit run` finds one,
background traffic off, the systems' `resolve` rules) and the context presents as desktop
Chrome; both by overriding `browser_type_launch_args` and `browser_context_args`.

Which override wins: pytest loads installed plugins in an undefined order, and fixtures of
equal visibility are chained by registration order (last wins). So the overriding fixtures
are not in this module but on `_Audit`, registered in `pytest_configure`, after every
installed plugin; a conftest.py is registered later still (or sits lower in the tree), so a
supplier's own `browser_context_args` override wraps ours and wins.

Without --cpraudit this module only adds its options: nothing else is registered.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
import time
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from crawler import bundle, history
from crawler.analyse.acceptances import accept
from crawler.analyse.verdict import EXIT_LEAK, FAIL_ON_CHOICES, exit_code, fail_rules
from crawler.config import Accepted, Audit, SystemConfig, load
from crawler.errors import BadInput
from crawler.history.runs import RunMeta
from crawler.history.store import chosen_path
from crawler.model import (
    PRESENTED_AS,
    Audited,
    BrowserInfo,
    SystemResult,
    Target,
    WitnessSummary,
)
from crawler.proof.signing import Ed25519PrivateKey, load_private
from crawler.record.addons import redaction
from crawler.record.browser import debugging, trust
from crawler.record.browser.chromium import (
    HOW_TO_GET_ONE,
    context_defaults,
    find_chromium,
    user_agent_switch,
)
from crawler.record.browser.switches import chromium_args
from crawler.record.capture.witness import PYTEST_BROWSER
from crawler.record.evidence.redact_files import redact_file
from crawler.record.session import Lease, redactor_for
from crawler.record.visit.scenarios import ScenarioError, load_scenario
from crawler.report import ReportOptions, Title, write_system
from crawler.report.leak_lines import leak_lines
from crawler.run.audit import audit_system
from crawler.run.finish import Closing, finish_run

_CALL_LOG = re.compile(r"^Call log:\n((?:\s+- .*\n?)+)", re.MULTILINE)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cpraudit", "cpraudit supplier acceptance")
    group.addoption(
        "--cpraudit",
        action="store_true",
        default=False,
        help="audit the systems of the audit.toml given as argument, a test per system: "
        "what fails `cpraudit run` fails the test, an inconclusive audit errors",
    )
    group.addoption(
        "--cpraudit-out",
        metavar="DIR",
        default=None,
        help="folder for the reports, new or empty (default reports/<UTC time>-pytest)",
    )
    group.addoption(
        "--cpraudit-system",
        metavar="NAME",
        action="append",
        default=[],
        help="audit only this system of the audit.toml, or one of its consent states "
        "(repeatable), as `cpraudit run --system`",
    )
    group.addoption(
        "--cpraudit-env",
        metavar="NAME",
        default=None,
        help="audit the environment [environments.NAME] of the audit.toml (as run --env)",
    )
    group.addoption(
        "--cpraudit-fail-on",
        action="append",
        choices=FAIL_ON_CHOICES,
        default=None,
        help="what fails a system's test, as `cpraudit run --fail-on`: any leak (default), only "
        "new ones, none; and new-third-party beside one of those",
    )
    group.addoption(
        "--cpraudit-history",
        metavar="PATH",
        default=None,
        help="the history database, as `cpraudit run --history`: default history.sqlite beside "
        "the reports' folder; 'none' for no history",
    )
    group.addoption(
        "--cpraudit-sign-key",
        metavar="FILE",
        default=None,
        help="sign the report folder's manifest.json with this Ed25519 private key "
        "(as `cpraudit run --sign-key`)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("cpraudit"):
        return
    if not any(str(arg).split("::")[0].endswith(".toml") for arg in config.args):
        raise pytest.UsageError(
            "--cpraudit needs the audit's configuration: pytest --cpraudit audit.toml"
        )
    if not config.pluginmanager.hasplugin("playwright"):
        raise pytest.UsageError(
            "--cpraudit runs on pytest-playwright's fixtures: do not disable it (-p no:playwright)"
        )
    if any(name != "chromium" for name in config.getoption("--browser")):
        raise pytest.UsageError(
            "--cpraudit audits with Chromium: leave out --browser, or give --browser chromium"
        )
    out = config.getoption("cpraudit_out")
    here = Path(config.invocation_params.dir)
    key_file = config.getoption("cpraudit_sign_key")
    try:  # a folder of this session's own, as for `cpraudit run`
        out_dir = bundle.new_run_folder(
            here / out if out else None, "pytest", here / "reports", option="--cpraudit-out"
        )
        key = load_private(here / key_file) if key_file else None
        rules = fail_rules(config.getoption("cpraudit_fail_on"))
    except BadInput as exc:
        raise pytest.UsageError(str(exc)) from None
    db = chosen_path(config.getoption("cpraudit_history"), out_dir)
    config.pluginmanager.register(_Audit(out_dir, key, rules, db), "cpraudit-audit")


class SystemItem(pytest.Function):
    """One system of an audit.toml (or one of its consent states), run as a test with
    fixtures."""

    def __init__(self, *, audit: Audit, system: SystemConfig, target: Target, **kw) -> None:
        super().__init__(callobj=_check, **kw)
        self.audit, self.system, self.target = audit, system, target
        self.redactor: redaction.Redactor | None = None  # set once the audit has run
        self.report: Path | None = None
        if self.config.pluginmanager.hasplugin("timeout"):
            self.add_marker(pytest.mark.timeout(system.time_limit))

    def reportinfo(self):
        return self.path, None, f"{self.target.system} (cpraudit)"


class AuditFile(pytest.File):
    """An audit.toml named on the command line: a test per (chosen) system."""

    def collect(self):
        try:
            audit = load(self.path, self.config.getoption("cpraudit_env"))
            chosen = audit.chosen(
                self.config.getoption("cpraudit_system"), option="--cpraudit-system"
            )
        except BadInput as exc:
            raise self.CollectError(str(exc)) from None
        for system, target in chosen:  # each consent state a test of its own
            yield SystemItem.from_parent(
                self, name=target.system, audit=audit, system=system, target=target
            )


def _check(cpraudit_result: SystemResult, request: pytest.FixtureRequest) -> None:
    """The test body: what would make `cpraudit run` exit 1 fails it (an inconclusive audit
    has errored in setup)."""
    plugin = request.config.pluginmanager.get_plugin("cpraudit-audit")
    assert isinstance(plugin, _Audit)  # registered with the test items, under --cpraudit
    judged = plugin.judged(cpraudit_result, request.node.audit.config.accepted)
    if exit_code([judged], plugin.rules) == EXIT_LEAK:
        pytest.fail(f"{_failure(judged)}\nreport: {request.node.report}", pytrace=False)


class _Audit:
    """Collection, fixtures and the closing of the run; registered only under --cpraudit."""

    devtools_port: int | None = None  # the session's browser's debugging port, once launched

    def __init__(
        self,
        out_dir: Path,
        sign_key: Ed25519PrivateKey | None,
        rules: tuple[str, ...],
        db: Path | None,
    ) -> None:
        self.out_dir, self.sign_key, self.rules, self.db = out_dir, sign_key, rules, db
        self.started = time.time()
        self.meta = RunMeta(
            started=self.started, finished=self.started, config_digest="pytest", command=""
        )
        self.results: dict[str, Audited] = {}
        self.audits: list[Audit] = []
        self.index: Path | None = None
        self._devtools: dict[Browser, str | None] = {}  # each browser's, asked once

    def _devtools_of(self, browser: Browser) -> str | None:
        """The browser's DevTools websocket for the capture (`browser.debugging`), asked once:
        the session's browser outlives every test."""
        if browser not in self._devtools:
            self._devtools[browser] = debugging.endpoint(self.devtools_port, browser)
        return self._devtools[browser]

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector):
        # Only a file named on the command line: a pyproject.toml met while walking a folder is
        # not an audit.
        if file_path.suffix == ".toml" and parent.session.isinitpath(file_path):
            return AuditFile.from_parent(parent, path=file_path)
        return None

    def judged(self, result: SystemResult, accepted: list[Accepted]) -> SystemResult:
        """The result as this run will judge it: its acceptances, and its history as it would
        be recorded now (the database is left as it was: the session records it at its end)."""
        judged = accept(result, accepted, date.today())
        if self.db is None:
            return judged
        meta = dataclasses.replace(self.meta, finished=time.time())
        seen = history.after_run(self.db, meta, [Audited(judged, "")], None, keep=False)
        return seen[0].result

    @pytest.fixture(scope="session")
    @classmethod
    def browser_type_launch_args(cls, browser_type_launch_args: dict, playwright, request):
        """pytest-playwright's launch options (--headed, --slowmo, --browser-channel) plus
        cpraudit's: a Chromium found like `cpraudit run` finds one, background traffic off, the
        systems' rules, secure origins, switches and test CA."""
        args = dict(browser_type_launch_args)
        try:
            if not args.get("channel") and not args.get("executable_path"):
                found = find_chromium(playwright)
                if found is None:
                    pytest.fail(HOW_TO_GET_ONE, pytrace=False)
                args["executable_path"] = found
            targets = [i.target for i in request.session.items if isinstance(i, SystemItem)]
            switches = (
                user_agent_switch(args["executable_path"]) if "executable_path" in args else []
            )
            cls.devtools_port = debugging.free_port()  # the capture's own DevTools connection
            switches += [debugging.switch(cls.devtools_port)]
            switches += chromium_args(
                _resolver_rules(targets),
                sorted({o for t in targets for o in t.treat_as_secure}),
                list(dict.fromkeys(a for t in targets for a in t.browser_args)),
                contain=any(t.contain for t in targets),
            )
            with trust.trusting(_ca_file(targets)) as env:
                yield {**args, "args": [*switches, *args.get("args", [])]} | (
                    {"env": env} if env else {}
                )
        except BadInput as exc:
            pytest.fail(str(exc), pytrace=False)

    @pytest.fixture(scope="session")
    @classmethod
    def browser_context_args(cls, browser_context_args: dict, browser) -> dict:
        """Desktop Chrome in Denmark, unless pytest-playwright's own options (--device) say
        otherwise."""
        return {**context_defaults(browser.version), **browser_context_args}

    @pytest.fixture
    def cpraudit_result(
        self,
        request,
        browser,
        new_context,
        browser_type_launch_args: dict,
        browser_context_args: dict,
    ) -> SystemResult:
        """Record and analyse the system in pytest-playwright's browser; inconclusive errors
        here."""
        item = request.node
        audit, system, target = item.audit, item.system, item.target
        folder = bundle.slug(target.system)
        try:
            citizen = audit.citizen_for(system)
            scenario = load_scenario(target.scenario, Path(".")) if target.scenario else None
        except BadInput as exc:
            failed = _not_started(item, str(exc))
            if isinstance(exc, ScenarioError):
                trace = redactor_for(audit.citizen_for(system), target).text(exc.traceback)
                failed = failed.model_copy(update={"scenario_traceback": trace})
            return self._finish(item, failed, [], folder)
        item.redactor = redactor_for(citizen, target)
        lease = Lease(
            browser,
            new_context,
            _browser_info(browser, browser_type_launch_args, browser_context_args),
            har="record_har_path" not in browser_context_args,
            # pytest-playwright's --tracing owns the context's one trace; without it, ours
            trace=request.config.getoption("--tracing") == "off" and target.trace != "off",
            witness=WitnessSummary(ran=False, reason=PYTEST_BROWSER),
            devtools=self._devtools_of(browser),
        )
        command = shlex.join(["pytest", *request.config.invocation_params.args])
        result, exchanges = audit_system(
            target,
            citizen,
            self.out_dir / folder,
            scenario,
            command,
            lambda text: print(f"{target.system}: {text}"),
            lease,
            item.redactor,
        )
        return self._finish(item, result, exchanges, folder)

    def _finish(
        self, item: SystemItem, result: SystemResult, exchanges, folder: str
    ) -> SystemResult:
        item.report = report = self._store(item, result, exchanges, folder)
        item.user_properties.append(("cpraudit_report", str(report)))
        if result.verdict == "inconclusive":
            pytest.fail(f"{_inconclusive(result)}\nreport: {report}", pytrace=False)
        return result

    def _store(self, item: SystemItem, result: SystemResult, exchanges, folder: str) -> Path:
        """The system's report now, for its test's message; the run's closing writes it again
        with everything the run adds."""
        self.results[result.system] = Audited(result, folder)
        if item.audit not in self.audits:
            self.audits.append(item.audit)
        options = ReportOptions(lang=item.audit.config.lang)
        return write_system(result, exchanges, self.out_dir / folder, options)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if not isinstance(item, SystemItem):
            return report
        if report.when == "setup" and report.failed and item.target.system not in self.results:
            # A fixture before ours failed (no Chromium, a bad launch option): still a row in the
            # index.
            result = _not_started(
                item, f"the audit did not start: {call.excinfo.exconly() if call.excinfo else '?'}"
            )
            self._store(item, result, [], bundle.slug(item.target.system))
        if report.when == "teardown" and item.redactor:
            # pytest-playwright has just moved its traces to --output (its wrapper is trylast, so
            # it ran first).
            for name, path in report.user_properties:
                if name == "playwright_trace":
                    redact_file(Path(item.config.invocation_params.dir, path), item.redactor)
        return report

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self.results:
            return
        audit = self.audits[0]
        command = shlex.join(["pytest", *session.config.invocation_params.args])
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        closing = Closing(
            title=Title("pytest", ", ".join(a.path.name for a in self.audits)),
            command=command,
            started=self.started,
            report=ReportOptions(lang=audit.config.lang),
            fail_on=self.rules,
            accepted=[a for each in self.audits for a in each.config.accepted],
            history=self.db,
            meta=dataclasses.replace(self.meta, finished=time.time(), command=command),
            catalogue=audit.catalogue,
            sign_key=self.sign_key,
            incomplete=interrupted,
        )
        try:
            outcome = finish_run(list(self.results.values()), self.out_dir, closing)
        except BadInput as exc:  # e.g. a report that cannot be written: said, in one line
            session.config.get_terminal_writer().line(f"cpraudit: {exc}", red=True)
            return
        self.index = outcome.index
        for problem in outcome.problems:  # e.g. a history that broke: the reports stand
            session.config.get_terminal_writer().line(f"cpraudit: {problem}", red=True)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.index:
            terminalreporter.write_sep("-", "cpraudit")
            terminalreporter.write_line(f"cpraudit report: {self.index}")


def _failure(result: SystemResult) -> str:
    """Why a system's test failed: one line per leak (fingerprint), and a failed agreement
    policy or a new third party."""
    lines = [f"{result.system}: {result.verdict}, {len(result.findings)} request(s) with the CPR"]
    lines += [f"  {line}" for line in leak_lines(result)]
    if result.agreement_verdict == "fail":
        names = ", ".join(t.organisation for t in result.unagreed)
        lines.append(f"  no data-processing agreement registered with {names}")
    lines += [f"  new third party: {t.organisation}" for t in result.third_parties if t.new]
    lines += [f"  (the audit also noted: {error})" for error in result.errors]
    return "\n".join(lines)


def _inconclusive(result: SystemResult) -> str:
    """Why the audit could not judge the system, with Playwright's call log where the scenario
    failed ("waiting for get_by_label(...)")."""
    lines = [f"{result.system}: inconclusive: {'; '.join(result.errors) or 'nothing recorded'}"]
    if result.scenario_traceback and (log := _CALL_LOG.search(result.scenario_traceback)):
        lines += ["Call log:", *(line.rstrip() for line in log.group(1).splitlines())]
    return "\n".join(lines)


def _ca_file(targets: list[Target]) -> str | None:
    """The test CA the session's browser trusts: one browser, so one CA file."""
    files = sorted({t.ca_file for t in targets if t.ca_file})
    if len(files) > 1:
        pytest.fail(
            f"systems trust different test CAs ({', '.join(files)}); one pytest session shares "
            "one browser, so audit them in separate runs (--cpraudit-system)",
            pytrace=False,
        )
    return files[0] if files else None


def _resolver_rules(targets: list[Target]) -> list[str]:
    """The union of the systems' `resolve` rules: the browser is shared by the session, so two
    systems may not send one host pattern to different addresses."""
    seen: dict[str, str] = {}
    for target in targets:
        for rule in target.resolve:
            pattern, _, address = (part.strip() for part in rule.partition("="))
            if seen.setdefault(pattern, address) != address:
                pytest.fail(
                    f"systems map {pattern} to both {seen[pattern]} and {address}; "
                    "one pytest session shares one browser, so audit them in separate runs "
                    "(--cpraudit-system)",
                    pytrace=False,
                )
    return [f"{pattern}={address}" for pattern, address in seen.items()]


def _browser_info(browser, launch_args: dict, context_args: dict) -> BrowserInfo:
    user_agent = context_args.get("user_agent", "")
    ours = user_agent == context_defaults(browser.version)["user_agent"]
    return BrowserInfo(
        version=browser.version,
        user_agent=user_agent,
        executable=launch_args.get("executable_path") or launch_args.get("channel") or "",
        presented_as=PRESENTED_AS if ours else "as set by browser_context_args",
    )


def _not_started(item: SystemItem, error: str) -> SystemResult:
    target = item.target
    return SystemResult(
        system=target.system,
        supplier=target.supplier,
        variant_of=target.variant_of,
        verdict="inconclusive",
        requests=0,
        errors=(error,),
        start_url=target.start_url,
        started=time.time(),
        finished=time.time(),
    )
