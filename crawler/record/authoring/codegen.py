"""`cpraudit codegen`: Playwright's recorder on the Chromium cpraudit audits with, and what it
recorded written as a scenario skeleton.

`playwright codegen` starts a browser of its own: not the system's Chromium, without the
system's resolve rules, certificates or switches, so a test environment that only cpraudit's
browser reaches cannot be recorded with it. Here the browser is launched as an audit's (headed),
and the Playwright Inspector records in it, as `page.pause()` would after pressing Record.
The recorder is Playwright's own (`BrowserContext._show_recorder`, what `playwright codegen`
calls); it writes the code to a file as the person clicks.
"""

from __future__ import annotations

import json
import re
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Error, Page, sync_playwright

from crawler.errors import BadInput, first_line
from crawler.model import Citizen, Target
from crawler.record.browser import setup, trust
from crawler.record.browser.chromium import context_defaults, launch

Drive = Callable[[Page], None]  # what a test does instead of a person


def record_code(target: Target, drive: Drive | None = None) -> str:
    """Open the system's start page headed with the recorder on; when the person has closed
    the browser (or `drive` has run), the code recorded, as Playwright writes it for pytest."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        sync_playwright() as pw,
        trust.trusting(target.ca_file) as env,
    ):
        output = Path(tmp, "recorded.py")
        try:
            browser, _ = launch(pw, **setup.launch_options(target), headless=False, env=env)
        except Error as exc:
            raise BadInput(
                f"cannot open a browser window ({first_line(exc)}); codegen needs a display "
                "(run it on a desktop, or under xvfb-run)"
            ) from None
        try:
            context = browser.new_context(
                **context_defaults(browser.version), **setup.context_options(target)
            )
            setup.attach(context, target, Path(tmp), lambda: None)  # cpraudit clicks the banner
            _show_recorder(context, output)
            page = context.new_page()
            page.goto(target.start_url)
            if drive:
                drive(page)
            else:
                _until_closed(context)
        finally:
            browser.close()
        return output.read_text("utf-8") if output.is_file() else ""


def _show_recorder(context: BrowserContext, output: Path) -> None:
    params = {"language": "python-pytest", "mode": "recording", "outputFile": str(output)}
    try:
        context._sync(context._impl_obj._show_recorder(params))
    except AttributeError:
        raise BadInput(
            "this Playwright has no recorder API; record with `playwright codegen URL` and "
            "paste the code into a scenario"
        ) from None


def _until_closed(context: BrowserContext) -> None:
    """Wait while any page of the context is open: the person closes the window when done."""
    while context.pages:
        try:
            context.pages[0].wait_for_event("close", timeout=0)
        except Error:  # the browser went away with its pages
            return


def skeleton(code: str, target: Target, citizen: Citizen) -> str:
    """A scenario file around the recorded lines: `run(page, citizen, system)`, the login in a
    `step(..., login=True)`, the citizen's CPR and credentials in place of what was typed,
    URLs relative to the base URL, and the proof of the login."""
    lines = textwrap.dedent(_body(code)).strip("\n").splitlines()
    if lines and lines[0].startswith("page.goto("):  # where the page was when recording began
        lines = lines[1:]
    start = f"page.goto({json.dumps(target.start_url)})"  # where the recorder opened it
    lines = [_literals(_relative(line, target), citizen) for line in [start, *lines]]
    check = target.logged_in
    proof = (
        f"expect(page.locator({json.dumps(check.selector)}).first).to_be_visible()"
        if check and check.selector
        else f"expect(page.get_by_text({json.dumps(check.text if check else 'Log af')}).first)"
        ".to_be_visible()"
    )
    logged_in = (
        f"logged_in = {json.dumps(check.selector)}"
        if check and check.selector
        else f"logged_in = {{ text = {json.dumps(check.text if check else 'Log af')} }}"
    )
    body = textwrap.indent(
        "\n".join([*lines, "# what only a logged-in citizen sees:", proof]), " " * 8
    )
    return SKELETON.format(
        system=target.variant_of or target.system, logged_in=logged_in, body=body
    )


SKELETON = '''"""{system}: recorded with `cpraudit codegen`. Review it before the first audit:
move what comes after the login into steps of its own, and check that nothing secret is left."""

from playwright.sync_api import expect

from crawler.scenario import step

# In audit.toml, with this file as the system's scenario:
#   {logged_in}    # what only a logged-in citizen sees, on every page


def run(page, citizen, system):
    with step("Log ind", login=True):
{body}
'''


def _body(code: str) -> str:
    """The lines of the recorded test function, without its signature."""
    match = re.search(r"^def test_\w+\(page: Page\) -> None:\n(.*)", code, re.M | re.S)
    return match.group(1) if match else ""


def _relative(line: str, target: Target) -> str:
    """`page.goto("https://portal/x")` -> `page.goto("/x")`: the scenario works in every
    environment, against the base URL `--env` chooses."""
    base = (target.base_url or target.start_url).rstrip("/")
    origin = re.match(r"https?://[^/]+", base)
    if origin is None:
        return line
    return re.sub(
        r'page\.goto\("' + re.escape(origin.group()) + r'(/[^"]*)?"\)',
        lambda m: f'page.goto("{m.group(1) or "/"}")',
        line,
    )


def _literals(line: str, citizen: Citizen) -> str:
    """What was typed: the citizen's CPR and credentials become `citizen.cpr` and
    `citizen.secret("name")`, so no secret stays in the file."""
    values = {f"{citizen.cpr[:6]}-{citizen.cpr[6:]}": "citizen.cpr", citizen.cpr: "citizen.cpr"}
    values |= {
        secret.get_secret_value(): f"citizen.secret({json.dumps(name)})"
        for name, secret in citizen.credentials.items()
    }
    for value, expression in sorted(values.items(), key=lambda item: -len(item[0])):
        if value:
            line = line.replace(json.dumps(value, ensure_ascii=False), expression)
    return line
