"""`pytest --cpraudit audit.toml`: a supplier's CI runs the audit's scenarios as tests.

One test per system, named after it: a leak fails the test, an inconclusive audit (the
scenario did not complete, nothing was recorded, the browser died) errors in setup. The
reports are those of `cpraudit run`: findings.json and report.html per system, index.html,
summary.json and junit.xml over the run.

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

import shlex
import time
from pathlib import Path

import pytest
from playwright.sync_api import Error

from crawler import bundle, proof
from crawler.analyse.consent import side_by_side
from crawler.analyse.system import analyse_system
from crawler.bundle import Recording
from crawler.config import Audit, SystemConfig, load
from crawler.errors import BadInput, first_line
from crawler.model import Audited, BrowserInfo, SystemResult, Target, WitnessSummary
from crawler.proof.signing import Ed25519PrivateKey, load_private
from crawler.record.addons import redaction
from crawler.record.browser import setup, trust
from crawler.record.browser.chromium import (
    HOW_TO_GET_ONE,
    PRESENTED_AS,
    context_defaults,
    find_chromium,
    user_agent_switch,
)
from crawler.record.browser.switches import chromium_args
from crawler.record.capture.witness import PYTEST_BROWSER
from crawler.record.evidence import har_trace
from crawler.record.evidence.redact_files import redact_file
from crawler.record.session import mask, record_in, redactor_for, saved_login
from crawler.report import ReportOptions, Title, write_run_files, write_system
from crawler.run import catalogue
from crawler.scenario import ScenarioError, load_scenario


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cpraudit", "cpraudit supplier acceptance")
    group.addoption(
        "--cpraudit",
        action="store_true",
        default=False,
        help="audit the systems of the audit.toml given as argument, a test per system: "
        "a leak of the CPR to a third party fails, an inconclusive audit errors",
    )
    group.addoption(
        "--cpraudit-out",
        metavar="DIR",
        default=None,
        help="folder for the reports (default reports/pytest-<UTC time>)",
    )
    group.addoption(
        "--cpraudit-system",
        metavar="NAME",
        action="append",
        default=[],
        help="audit only this system of the audit.toml (repeatable)",
    )
    group.addoption(
        "--cpraudit-env",
        metavar="NAME",
        default=None,
        help="audit the environment [environments.NAME] of the audit.toml (as run --env)",
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
    except BadInput as exc:
        raise pytest.UsageError(str(exc)) from None
    config.pluginmanager.register(_Audit(out_dir, key), "cpraudit-audit")


def _check(cpraudit_result: SystemResult, request: pytest.FixtureRequest) -> None:
    """The test body: a leak fails it, and a third party without an agreement where the system
    has fail_on_unagreed (an inconclusive audit has errored in setup)."""
    if cpraudit_result.verdict == "leak":
        pytest.fail(
            f"{_leak_message(cpraudit_result)}\nreport: {request.node.report}", pytrace=False
        )
    if cpraudit_result.agreement_verdict == "fail":
        names = ", ".join(t.organisation for t in cpraudit_result.unagreed)
        pytest.fail(
            f"no data-processing agreement in force with {names}\nreport: {request.node.report}",
            pytrace=False,
        )


class SystemItem(pytest.Function):
    """One system of an audit.toml (or one of its consent states), run as a test with
    fixtures."""

    def __init__(self, *, audit: Audit, system: SystemConfig, target: Target, **kw) -> None:
        super().__init__(callobj=_check, **kw)
        self.audit, self.system, self.target = audit, system, target
        self.redactor: redaction.Redactor | None = (
            None  # set once the audit has run, for pytest-playwright's traces
        )
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
        except BadInput as exc:
            raise self.CollectError(str(exc)) from None
        chosen = self.config.getoption("cpraudit_system")
        names = [s.name for s in audit.config.systems]
        if unknown := sorted(set(chosen) - set(names)):
            raise self.CollectError(
                f"--cpraudit-system {unknown[0]!r} is not in {self.path}; "
                f"choose from {', '.join(names)}"
            )
        for system in audit.config.systems:
            for target in audit.targets(system):  # each consent state a test of its own
                if not chosen or {system.name, target.system} & set(chosen):
                    yield SystemItem.from_parent(
                        self, name=target.system, audit=audit, system=system, target=target
                    )


class _Audit:
    """Collection, fixtures and the run's index; registered only under --cpraudit."""

    def __init__(self, out_dir: Path, sign_key: Ed25519PrivateKey | None = None) -> None:
        self.out_dir = out_dir
        self.sign_key = sign_key
        self.started = time.time()
        self.results: dict[str, Audited] = {}
        self.audits: list[Audit] = []
        self.index: Path | None = None

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector):
        # Only a file named on the command line: a pyproject.toml met while walking a folder is
        # not an audit.
        if file_path.suffix == ".toml" and parent.session.isinitpath(file_path):
            return AuditFile.from_parent(parent, path=file_path)
        return None

    @pytest.fixture(scope="session")
    @classmethod
    def browser_type_launch_args(cls, browser_type_launch_args: dict, playwright, request):
        """pytest-playwright's launch options (--headed, --slowmo, --browser-channel) plus
        cpraudit's: a Chromium found like `cpraudit run` finds one, background traffic off, the
        systems' rules, secure origins, switches and test CA."""
        args = dict(browser_type_launch_args)
        if not args.get("channel") and not args.get("executable_path"):
            try:
                found = find_chromium(playwright)
            except BadInput as exc:
                pytest.fail(str(exc), pytrace=False)
            if found is None:
                pytest.fail(HOW_TO_GET_ONE, pytrace=False)
            args["executable_path"] = found
        targets = [i.target for i in request.session.items if isinstance(i, SystemItem)]
        switches = user_agent_switch(args["executable_path"]) if "executable_path" in args else []
        switches += chromium_args(
            _resolver_rules(targets),
            sorted({o for t in targets for o in t.treat_as_secure}),
            list(dict.fromkeys(a for t in targets for a in t.browser_args)),
            contain=any(t.contain for t in targets),
        )
        try:
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
        """Record and analyse the system in a fresh pytest-playwright context; inconclusive
        errors here."""
        item = request.node
        audit, system, target = item.audit, item.system, item.target
        folder = bundle.slug(target.system)
        out = self.out_dir / folder
        try:
            citizen = audit.citizen_for(system)
            scenario = load_scenario(target.scenario, Path(".")) if target.scenario else None
        except BadInput as exc:
            failed = _not_started(item, str(exc))
            if isinstance(exc, ScenarioError):
                trace = redactor_for(audit.citizen_for(system), target).text(exc.traceback)
                failed = failed.model_copy(update={"scenario_traceback": trace})
            return self._finish(item, failed, [], folder)
        out.mkdir(parents=True, exist_ok=True)
        rec = Recording(
            target,
            out,
            started=time.time(),
            browser=_browser_info(browser, browser_type_launch_args, browser_context_args),
            witness=WitnessSummary(ran=False, reason=PYTEST_BROWSER),
        )
        item.redactor = redactor_for(citizen, target)
        # pytest-playwright's --tracing owns the context's one trace; without it, cpraudit keeps
        # its own.
        own_trace = request.config.getoption("--tracing") == "off"
        har = {} if "record_har_path" in browser_context_args else har_trace.context_options(out)
        saved = saved_login(target)
        portal = setup.context_options(target, target.login_state if saved else None)
        try:
            context = new_context(**har, **portal)
            if own_trace:
                har_trace.start(context, target.system)
            try:
                record_in(
                    browser,
                    context,
                    rec,
                    citizen,
                    scenario,
                    lambda text: print(f"{target.system}: {text}"),
                    item.redactor,
                    saved,
                )
            finally:
                rec.errors += _close(context, out, item, own_trace)
        except Error as exc:
            rec.errors.append(f"browser failed: {first_line(exc)}")
        mask(rec, item.redactor)
        rec.finished = time.time()
        result, exchanges = analyse_system(
            rec, citizen, shlex.join(["pytest", *request.config.invocation_params.args])
        )
        return self._finish(item, result, exchanges, folder)

    def _finish(
        self, item: SystemItem, result: SystemResult, exchanges, folder: str
    ) -> SystemResult:
        item.report = report = self._store(item, result, exchanges, folder)
        item.user_properties.append(("cpraudit_report", str(report)))
        if result.verdict == "inconclusive":
            pytest.fail(
                f"{result.system}: inconclusive: {'; '.join(result.errors) or 'nothing recorded'}\n"
                f"report: {report}",
                pytrace=False,
            )
        return result

    def _store(self, item: SystemItem, result: SystemResult, exchanges, folder: str) -> Path:
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
        results = self._side_by_side(list(self.results.values()))
        try:
            listed = catalogue.with_coverage(results, catalogue.load(self.audits[0].catalogue))
        except BadInput:
            # no catalogue (e.g. installed without the scenarios folder): audited systems only
            listed = results
        title = Title("pytest", ", ".join(a.path.name for a in self.audits))
        options = ReportOptions(lang=self.audits[0].config.lang)
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        self.index = write_run_files(listed, self.out_dir, title, options, interrupted)
        proof.seal(
            self.out_dir,
            command=shlex.join(["pytest", *session.config.invocation_params.args]),
            started=self.started,
            results=[r for r, _ in results],
            key=self.sign_key,
        )

    def _side_by_side(self, results: list[Audited]) -> list[Audited]:
        """Each consent state's report again, now that the other states are known."""
        compared = side_by_side(results)
        for (before, _), (after, folder) in zip(results, compared, strict=True):
            if after.consent_table is not None and after != before:
                out = self.out_dir / folder
                requests = out / bundle.REQUESTS
                exchanges = bundle.read_exchanges(requests)[0] if requests.is_file() else []
                write_system(after, exchanges, out, ReportOptions(lang=self.audits[0].config.lang))
        return compared

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.index:
            terminalreporter.write_sep("-", "cpraudit")
            terminalreporter.write_line(f"cpraudit report: {self.index}")


def _close(context, out: Path, item: SystemItem, own_trace: bool) -> list[str]:
    """Close the context and redact its evidence as `cpraudit run` does; pytest-playwright's
    own trace is redacted later with the redactor that now knows the session cookies."""
    redactor = item.redactor
    assert redactor is not None  # made before the context was opened
    errors, item.redactor = har_trace.finish(context, out, redactor, own_trace)
    return errors


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


def _leak_message(result: SystemResult) -> str:
    hosts = sorted({f.host for f in result.findings})
    lines = [
        f"{result.system}: {len(result.findings)} request(s) carried the CPR to {', '.join(hosts)}"
    ]
    lines += [
        f"  {f.host}  channel={f.channel}  {f.detail} ({f.encoding})  {f.method} {f.request_url}"
        for f in result.findings
    ]
    lines += [f"  (the audit also noted: {error})" for error in result.errors]
    return "\n".join(lines)
