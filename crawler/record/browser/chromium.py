"""Finding and starting Chromium so that only the audited site's traffic is on the wire.

`python -m crawler.record.browser.chromium --ensure` is what `make` runs: it finds a Chromium or
installs one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import playwright
from playwright.sync_api import Browser, BrowserContext, Error, Playwright, sync_playwright

from crawler.errors import BadInput, first_line
from crawler.model import PRESENTED_AS, PRESENTED_AS_HEADLESS, BrowserInfo
from crawler.record.browser.switches import chromium_args

ENV_VAR = "CPRAUDIT_CHROMIUM"
ENDPOINT_VAR = (
    "CPRAUDIT_BROWSER_ENDPOINT"  # set in each audit process by `cpraudit run --browser-endpoint`
)
SYSTEM_CANDIDATES = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/snap/bin/chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
)
HOW_TO_GET_ONE = (
    "no Chromium found: run `playwright install chromium`, or install your system's chromium "
    f"(Debian/Ubuntu: `apt-get install chromium`), or set {ENV_VAR} to a Chromium or Chrome "
    "executable"
)


_TESTING_APP = "Google Chrome for Testing.app"
# Where Playwright keeps a Chromium build, by platform (its registry's executable paths), so that
# it is found without starting Playwright's driver: that cost every run 0.3-0.4 s.
_BUILD_PATHS = (
    ("chrome-linux64", "chrome"),
    ("chrome-linux", "chrome"),
    ("chrome-mac-arm64", _TESTING_APP, "Contents", "MacOS", "Google Chrome for Testing"),
    ("chrome-mac-x64", _TESTING_APP, "Contents", "MacOS", "Google Chrome for Testing"),
    ("chrome-mac", "Chromium.app", "Contents", "MacOS", "Chromium"),
    ("chrome-win64", "chrome.exe"),
    ("chrome-win", "chrome.exe"),
)


def find_chromium(pw: Playwright | None = None) -> str | None:
    """The executable to use: $CPRAUDIT_CHROMIUM, else Playwright's own build (as `pw` names it,
    or as its browsers.json and folder say without a driver), else the system's."""
    if override := os.environ.get(ENV_VAR):
        if not Path(override).is_file():
            raise BadInput(
                f"{ENV_VAR}={override} is not a file: point it at a Chromium or Chrome executable"
            )
        return override
    build = pw.chromium.executable_path if pw is not None else playwright_build()
    if build and Path(build).is_file():
        return build
    for candidate in SYSTEM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium") or shutil.which("google-chrome")


def playwright_build() -> str | None:
    """The Chromium build the installed Playwright would launch, if it has been downloaded."""
    package = Path(playwright.__file__).parent / "driver" / "package"
    try:
        browsers = json.loads((package / "browsers.json").read_text("utf-8"))["browsers"]
        revision = next(b["revision"] for b in browsers if b["name"] == "chromium")
    except (OSError, ValueError, KeyError, StopIteration):
        return None
    folder = _browsers_root(package) / f"chromium-{revision}"
    for parts in _BUILD_PATHS:
        if (path := folder.joinpath(*parts)).is_file():
            return str(path)
    return None


def _browsers_root(package: Path) -> Path:
    """Playwright's browser folder: $PLAYWRIGHT_BROWSERS_PATH ("0": inside the package), else
    the platform's cache folder."""
    given = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if given == "0":
        return package / ".local-browsers"
    if given:
        return Path(given)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ms-playwright"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "ms-playwright"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ms-playwright"


def require() -> str:
    """The Chromium an audit will use, checked before any work starts (no driver started)."""
    found = find_chromium()
    if found is None:
        raise BadInput(HOW_TO_GET_ONE)
    return found


def launch(
    pw: Playwright,
    resolve: Sequence[str] = (),
    headless: bool = True,
    extra: Sequence[str] = (),
    contain: bool = False,
    secure: Sequence[str] = (),
    added: Sequence[str] = (),
    env: dict[str, str | float | bool] | None = None,
) -> tuple[Browser, str]:
    """A fresh Chromium (new temporary profile) with background traffic switched off, the
    origins to treat as `secure`, the switches a system `added`, and `extra` switches of a local
    one, in the environment `env` (a test CA's: see `trust`); and the path of its executable. On
    a remote browser server if $CPRAUDIT_BROWSER_ENDPOINT is set."""
    if endpoint := remote_endpoint():
        if env is not None:
            raise BadInput(
                "ca_file needs the browser on this machine (its trust store is set up here); "
                "audit this system without --browser-endpoint, or set ignore_https_errors"
            )
        return connect_remote(
            pw, endpoint, resolve, headless, contain, secure, added
        ), f"remote Playwright server {endpoint}"
    executable = find_chromium(pw)
    if executable is None:
        raise BadInput(HOW_TO_GET_ONE)
    args = [
        *user_agent_switch(executable),
        *chromium_args(resolve, secure, added, contain=contain),
        *extra,
    ]
    return pw.chromium.launch(
        executable_path=executable, headless=headless, args=args, env=env
    ), executable


def remote_endpoint() -> str | None:
    """The browser server this audit process uses, if any (`cpraudit run --browser-endpoint`)."""
    return os.environ.get(ENDPOINT_VAR) or None


def connect_remote(
    pw: Playwright,
    endpoint: str,
    resolve: Sequence[str] = (),
    headless: bool = True,
    contain: bool = False,
    secure: Sequence[str] = (),
    added: Sequence[str] = (),
) -> Browser:
    """A fresh Chromium launched for us by a `playwright run-server` at `endpoint` (ws://...),
    with the launch arguments a local one gets. The server applies arguments (and an
    executablePath) only when started with `--unsafe`; otherwise Playwright drops them
    (microsoft/playwright#22855). Launch options in the URL's `launch-options` parameter, e.g.
    `?launch-options={"executablePath":"/usr/bin/chromium"}`, are kept and added to."""
    parts = urlsplit(endpoint)
    query = parse_qsl(parts.query)
    given = next((v for k, v in query if k == "launch-options"), None)
    try:
        options = json.loads(given) if given else {}
    except ValueError:
        raise BadInput(
            f"--browser-endpoint {endpoint}: launch-options is not JSON; write e.g. "
            '?launch-options={"executablePath":"/usr/bin/chromium"}'
        ) from None
    args = list(options.get("args", [])) + chromium_args(resolve, secure, added, contain=contain)
    options.update(headless=headless, args=args)
    url = urlunsplit(
        parts._replace(query=urlencode([(k, v) for k, v in query if k != "launch-options"]))
    )
    try:
        return pw.chromium.connect(
            url, timeout=30_000, headers={"x-playwright-launch-options": json.dumps(options)}
        )
    except Error as exc:
        raise BadInput(
            f"--browser-endpoint {endpoint}: no browser from that server ({first_line(exc)}); "
            "start one with `playwright run-server --port PORT --host ADDRESS --unsafe` "
            "of the same Playwright version, with a Chromium it can launch"
        ) from None


def check_endpoint(endpoint: str, resolve: bool) -> list[str]:
    """Before a run on a remote browser server: can it launch a browser, does it apply our launch
    arguments, does it offer DevTools sessions? Notes for every report; BadInput if it cannot
    serve."""
    with sync_playwright() as pw:
        browser = connect_remote(pw, endpoint)
        try:
            page = browser.new_page()
            applied = (
                page.evaluate("navigator.webdriver") is False
            )  # --disable-blink-features=AutomationControlled
            try:
                browser.new_browser_cdp_session().detach()
                cdp = True
            except Error:
                cdp = False
            version = browser.version
        finally:
            browser.close()
    notes = [
        f"The browser (Chromium {version}) ran on a remote Playwright server, {endpoint}, "
        "not on this machine."
    ]
    if not applied and resolve:
        raise BadInput(
            f"--browser-endpoint {endpoint}: the server ignores launch arguments, "
            "so the host-resolver rules of this audit.toml cannot reach the test environment; "
            "start it with `playwright run-server --unsafe`"
        )
    if not applied:
        notes.append(
            "The browser server ignored the launch arguments (start it with --unsafe): "
            "Chromium's own background traffic was not switched off and navigator.webdriver "
            "was true, so some SDKs may have stayed silent and some recorded requests may be "
            "the browser's own."
        )
    if not cdp:
        notes.append(
            "The browser server offers no DevTools session: the browser-wide interception "
            "could not record sendBeacon(Blob) bodies or beacons sent while a page unloads; "
            "audits fail as inconclusive rather than report less. Run the browser locally."
        )
    return notes


def executable_version(executable: str) -> str | None:
    """The version a Chromium executable states (`--version`: about 50 ms, no browser started),
    or None where it states none (Chrome on Windows prints nothing)."""
    try:
        stated = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\b(\d+\.\d+\.\d+\.\d+)\b", stated)
    return found.group(1) if found else None


def user_agent_switch(executable: str) -> list[str]:
    """What leaves with no page behind it (keepalive requests once a page is left) carries
    Chromium's own user agent, HeadlessChrome, unless this switch says otherwise. To go first
    among the switches: Chromium keeps the last, so a system's own --user-agent still wins."""
    version = executable_version(executable)
    return [f"--user-agent={desktop_user_agent(version)}"] if version else []


def desktop_user_agent(version: str) -> str:
    """What an ordinary desktop Chrome of the same major version says about itself."""
    major = version.split(".")[0]
    return (
        f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
        f"(KHTML, like Gecko) Chrome/{major}.0.0.0 Safari/537.36"
    )


def context_defaults(version: str, present_as_desktop: bool = True) -> dict:
    """Every audit's browser context: a citizen in Denmark on a desktop screen, presenting as
    desktop Chrome rather than HeadlessChrome (or as itself)."""
    return {
        "user_agent": desktop_user_agent(version) if present_as_desktop else None,
        "locale": "da-DK",
        "timezone_id": "Europe/Copenhagen",
        "viewport": {"width": 1366, "height": 900},
    }


def new_context(
    browser: Browser, executable: str, present_as_desktop: bool = True, **options
) -> tuple[BrowserContext, BrowserInfo]:
    """A fresh context with the defaults above and `options` (e.g. the HAR's)."""
    defaults = context_defaults(browser.version, present_as_desktop)
    context = browser.new_context(**defaults, **options)
    info = BrowserInfo(
        version=browser.version,
        executable=executable,
        user_agent=defaults["user_agent"] or "",
        presented_as=PRESENTED_AS if present_as_desktop else PRESENTED_AS_HEADLESS,
    )
    return context, info


def ensure() -> int:
    """Find a Chromium, else try Playwright's download, else the system package manager."""
    with sync_playwright() as pw:
        found = find_chromium(pw)
    if found:
        print(f"Chromium: {found}")
        return 0
    print("No Chromium yet; trying `playwright install chromium` ...", flush=True)
    if (
        subprocess.run(
            [sys.executable, "-m", "playwright", "install", "chromium"], timeout=900
        ).returncode
        == 0
    ):
        return ensure_found()
    if shutil.which("apt-get") and os.geteuid() == 0:
        print(
            "Playwright's download is not reachable; installing Debian's chromium package ...",
            flush=True,
        )
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env).returncode == 0:
            return ensure_found()
    print(f"error: {HOW_TO_GET_ONE}", file=sys.stderr)
    return 1


def ensure_found() -> int:
    with sync_playwright() as pw:
        found = find_chromium(pw)
    print(
        f"Chromium: {found}" if found else f"error: {HOW_TO_GET_ONE}",
        file=sys.stdout if found else sys.stderr,
    )
    return 0 if found else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Find or install a Chromium for cpraudit.")
    parser.add_argument("--ensure", action="store_true", help="install one if none is found")
    args = parser.parse_args()
    if args.ensure:
        raise SystemExit(ensure())
    with sync_playwright() as pw:
        print(find_chromium(pw) or HOW_TO_GET_ONE)
