"""Chromium's command-line switches for every audit: its own background traffic off, and the
host-resolver rules that reach test environments. No Playwright here: validating a
configuration must not load the browser machinery.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence

from crawler.errors import BadInput

EXTRA_ARGS_VAR = (
    "CPRAUDIT_CHROMIUM_ARGS"  # e.g. --unsafely-treat-insecure-origin-as-secure=http://portal.test
)

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
    rules = []
    for item in resolve:
        pattern, sep, address = item.partition("=")
        if not sep or not pattern.strip() or not address.strip():
            raise BadInput(
                f"--resolve {item!r} is not PATTERN=ADDRESS: "
                "write e.g. '*.example.test=127.0.0.1:8080'"
            )
        rules.append(f"MAP {pattern.strip()} {address.strip()}")
    return ", ".join(rules)


def chromium_args(resolve: Sequence[str] = (), contain: bool = False) -> list[str]:
    """Every cpraudit browser's switches: background traffic off, $CPRAUDIT_CHROMIUM_ARGS, and
    the `resolve` rules as host-resolver rules; with `contain`, what contain mode needs."""
    args = list(QUIET_ARGS) + shlex.split(os.environ.get(EXTRA_ARGS_VAR, ""))
    if contain:  # into the one --disable-features: Chromium keeps only the last
        more = "," + ",".join(CONTAIN_FEATURES)
        args = [a + more if a.startswith("--disable-features=") else a for a in args]
    if resolve:
        args.append(f"--host-resolver-rules={resolver_rules(list(resolve))}")
    return args
