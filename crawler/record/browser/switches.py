"""Chromium's command-line switches for every audit: its own background traffic off, the
host-resolver rules that reach test environments, the plain-http origins to treat as secure,
and the switches a system adds (`browser_args`). No Playwright here: validating a
configuration must not load the browser machinery.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence

from crawler.errors import BadInput
from crawler.model import checked_browser_args, checked_secure_origins, resolve_pairs

EXTRA_ARGS_VAR = "CPRAUDIT_CHROMIUM_ARGS"  # browser_args for every system, e.g. from a CI job
SECURE_SWITCH = "--unsafely-treat-insecure-origin-as-secure"

# Features Playwright switches off, which a second `--disable-features` would switch back on
# (Chromium keeps the last): among them the network time query to clients2.google.com and a
# fix for preflighted redirects under Fetch interception. As in Playwright 1.65;
# tests/record/test_switches.py fails when the installed Playwright disables more.
PLAYWRIGHT_DISABLED = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
)
QUIET_FEATURES = (
    "Translate",
    "AutofillServerCommunication",
    "CertificateTransparencyComponentUpdater",
    "InterestFeedContentSuggestions",
    "PrivacySandboxSettings4",
)
# Contain mode answers worker scripts' responses itself, to put its websocket gate in them
# (worker_gate); Chromium then knows no address for such a worker, takes it for a public one,
# and Local Network Access blocks its requests to loopback and private test environments.
CONTAIN_FEATURES = ("LocalNetworkAccessChecks",)

# Chromium's own services that call home even so (the account list on accounts.google.com,
# on-demand components from update.googleapis.com), pointed at a port Chromium refuses to
# connect to: the attempt ends in the browser, nothing leaves the machine.
NOWHERE = "http://127.0.0.1:9/"

# Chromium's own calls home (updates, safe browsing, sync, field trials, ...) must never be
# mistaken for the site's traffic, and on a closed network they only produce errors. What
# remains is listed in every report as the browser's own traffic (see `witness`).
QUIET_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-features=" + ",".join(PLAYWRIGHT_DISABLED + QUIET_FEATURES),
    f"--gaia-url={NOWHERE}",
    f"--component-updater=url-source={NOWHERE}",
    "--metrics-recording-only",
    # Present as a citizen's browser: some analytics SDKs stay silent for `navigator.webdriver`.
    "--disable-blink-features=AutomationControlled",
)


def resolver_rules(resolve: Sequence[str]) -> str:
    """`PATTERN=ADDRESS` pairs as Chromium host-resolver rules: `MAP PATTERN ADDRESS, ...`."""
    try:
        pairs = resolve_pairs(list(resolve))
    except ValueError as exc:
        raise BadInput(f"--resolve {exc}") from None
    return ", ".join(f"MAP {pattern} {address}" for pattern, address in pairs)


_DISABLE = "--disable-features="
CERTIFICATE_CHECKS_OFF = ("--ignore-certificate-errors", "--ignore-certificate-errors-spki-list")


def extra_args(browser_args: Sequence[str] = ()) -> list[str]:
    """$CPRAUDIT_CHROMIUM_ARGS (for every system) and a system's `browser_args`."""
    try:
        given = checked_browser_args(shlex.split(os.environ.get(EXTRA_ARGS_VAR, "")))
    except ValueError as exc:
        raise BadInput(f"${EXTRA_ARGS_VAR}: {exc}") from None
    return given + list(browser_args)


def chromium_args(
    resolve: Sequence[str] = (),
    treat_as_secure: Sequence[str] = (),
    browser_args: Sequence[str] = (),
    contain: bool = False,
) -> list[str]:
    """Every cpraudit browser's switches: background traffic off, the `resolve` rules as
    host-resolver rules, `treat_as_secure`, then $CPRAUDIT_CHROMIUM_ARGS and `browser_args`;
    with `contain`, what contain mode needs. Chromium keeps only the last of a switch, so the
    features they disable are added to ours, and the origins they treat as secure to
    `treat_as_secure`."""
    args = [a for a in QUIET_ARGS if not a.startswith(_DISABLE)]
    disabled = [a.removeprefix(_DISABLE) for a in QUIET_ARGS if a.startswith(_DISABLE)]
    disabled += CONTAIN_FEATURES if contain else ()
    for arg in extra_args(browser_args):
        if arg.startswith(_DISABLE):
            disabled.append(arg.removeprefix(_DISABLE))
        elif not arg.startswith(SECURE_SWITCH + "="):
            args.append(arg)
    args.append(_DISABLE + ",".join(disabled))
    if resolve:
        args.append(f"--host-resolver-rules={resolver_rules(list(resolve))}")
    if secure := secure_origins(treat_as_secure, browser_args):
        args.append(f"{SECURE_SWITCH}={','.join(secure)}")
    return args


def secure_origins(treat_as_secure: Sequence[str], browser_args: Sequence[str] = ()) -> list[str]:
    """`treat_as_secure` and the origins a switch in $CPRAUDIT_CHROMIUM_ARGS or `browser_args`
    treats as secure."""
    given = [
        origin
        for arg in extra_args(browser_args)
        if arg.startswith(SECURE_SWITCH + "=")
        for origin in arg.split("=", 1)[1].split(",")
        if origin
    ]
    try:
        return list(dict.fromkeys(checked_secure_origins([*treat_as_secure, *given])))
    except ValueError as exc:
        raise BadInput(f"${EXTRA_ARGS_VAR}: {exc}") from None


def certificate_checks_off(browser_args: Sequence[str]) -> bool:
    """Switches that make Chromium accept certificates it would refuse."""
    return any(a.split("=", 1)[0] in CERTIFICATE_CHECKS_OFF for a in extra_args(browser_args))
