"""How the browser meets the portal: its switches, the context's options, and what the report
says about them (environment, certificate checks, secure contexts, added switches, dialogs).

A test environment is not production: a self-signed certificate, plain http, a hand-added
switch each change what the audited page does. Every one of them is stated in the report.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext

from crawler import diagnostics
from crawler.config.certificates import describe
from crawler.model import AuditSetup, NameChain, Target
from crawler.record.addons.redaction import Redactor
from crawler.record.browser.switches import certificate_checks_off, secure_origins
from crawler.record.visit import consent
from crawler.record.visit.dialogs import Dialogs


def launch_options(target: Target) -> dict[str, Any]:
    """`browser.launch`'s switches for a system: resolve rules, contain mode, secure origins,
    added switches."""
    return {
        "resolve": target.resolve,
        "contain": target.contain,
        "secure": target.treat_as_secure,
        "added": target.browser_args,
    }


def context_options(
    target: Target, storage_state: str | dict[str, Any] | None = None
) -> dict[str, Any]:
    """Playwright context options from audit.toml: base_url for `page.goto("/")`, certificate
    checks, and a saved login."""
    options: dict[str, Any] = {"base_url": target.base_url or target.start_url}
    if target.ignore_https_errors:
        options["ignore_https_errors"] = True
    if storage_state:
        options["storage_state"] = storage_state
    return options


def attach(
    context: BrowserContext,
    target: Target,
    out_dir: Path,
    step: Callable[[], str | None],
    redactor: Redactor | None = None,
) -> tuple[Dialogs, consent.ConsentBanner | None]:
    """What answers the pages as the system is configured to: its dialogs, and its consent
    state's banner. Before the context's first page: the banner's script goes into every
    document from then on."""
    banner = None
    if target.consent:
        banner = consent.ConsentBanner(
            context, target.consent, target.consent_selector, out_dir, step, consent.package()
        )
    return Dialogs(context, target.dialogs, step, redactor), banner


def described(
    target: Target,
    pages: Iterable[str],
    login_reused: float | None = None,
    names: tuple[NameChain, ...] = (),
) -> AuditSetup:
    """The report's account of how the portal was met."""
    checks: Literal["on", "off", "test CA"] = "on"
    if target.ignore_https_errors or certificate_checks_off(target.browser_args):
        checks = "off"
    elif target.ca_file:
        checks = "test CA"
    secure = secure_origins(target.treat_as_secure, target.browser_args)
    return AuditSetup(
        environment=target.environment,
        base_url=target.base_url or target.start_url,
        certificate_checks=checks,
        test_ca=describe(Path(target.ca_file)) if target.ca_file else None,
        treat_as_secure=tuple(secure),
        insecure_pages=tuple(dict.fromkeys(p for p in pages if insecure(p, secure))),
        browser_args=target.browser_args,
        dialogs=target.dialogs,
        login_reused=login_reused,
        dns_server=target.dns_server,
        names=names,
    )


def notes(setup: AuditSetup) -> list[str]:
    """Coverage notes: what made this audit's browser differ from a citizen's."""
    found = []
    if setup.certificate_checks == "off":
        found.append(diagnostics.CERTIFICATES_OFF())
    elif setup.certificate_checks == "test CA":
        found.append(diagnostics.TEST_CA(ca=setup.test_ca))
    if setup.insecure_pages:
        found.append(diagnostics.INSECURE_PAGES(num=len(setup.insecure_pages)))
    if setup.browser_args:
        found.append(diagnostics.BROWSER_SWITCHES(switches=" ".join(setup.browser_args)))
    if unchecked := [n for n in setup.names if n.problem]:
        named = ", ".join(f"{n.host} ({n.problem})" for n in unchecked[:3])
        found.append(diagnostics.NAMES_UNCHECKED(num=len(unchecked), hosts=named))
    return found


def insecure(url: str, treat_as_secure: Iterable[str] = ()) -> bool:
    """Whether Chromium gives a page at `url` an insecure context: plain http, not loopback,
    not an origin of `treat_as_secure` (where `*.` stands for any subdomain)."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return False
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost") or _loopback(host):
        return False
    origin = f"http://{host}" + (f":{parts.port}" if parts.port else "")
    return not any(_matches(pattern, origin) for pattern in treat_as_secure)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _matches(pattern: str, origin: str) -> bool:
    expression = re.escape(pattern.lower().rstrip("/")).replace(r"\*", r"[^/:]+")
    return re.fullmatch(expression, origin) is not None
