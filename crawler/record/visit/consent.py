"""Consent banners: a system audited in each consent state a citizen can choose.

What reaches third parties depends on the choice made in the consent banner (Cookiebot, Cookie
Information, ...). Each state is audited in its own fresh browser: "none" leaves the banner
alone, "decline" and "accept" choose. The banner is found and clicked by DuckDuckGo's
autoconsent (npm `@duckduckgo/autoconsent`, pinned, installed by `cpraudit setup`):
a maintained rule set for hundreds of consent platforms, made to be driven from Playwright.
Its content script runs in each frame of the audited page; it talks to this module through a
binding (`window.autoconsentSendMessage`) and is answered through `autoconsentReceiveMessage`.
It sends nothing over the network: its rules come from here.

cpraudit decides when to click: the script only reports the banner it found (no automatic
action, no hiding), the page is photographed with the banner, then the choice is sent. A
selector in audit.toml (`consent_decline`, `consent_accept`) becomes a rule of its own, tried
before autoconsent's: it overrides them, and stands in for a platform they do not know.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Error, Frame, Page

from crawler import bundle, npm
from crawler.errors import BadInput, first_line
from crawler.model import Consent, ConsentAction, ConsentChoice

ENV_VAR = "CPRAUDIT_AUTOCONSENT"  # the package's folder, to use another copy
SCRIPT = Path("dist", "autoconsent.playwright.js")
RULES = Path("rules", "rules.json")
SELECTOR_RULE = "the selector in audit.toml"
MISSING = (
    f"consent states need DuckDuckGo's autoconsent (npm {npm.AUTOCONSENT}): "
    f"{npm.HOW_TO_INSTALL}, or set {ENV_VAR} to the package's folder"
)

# The script reports and waits for our choice. No prehiding and no cosmetic rules: the audit
# must see the page as a citizen does, and hiding a banner is not a choice. Evaluated in the
# page's main world (the binding lives there), so its snippets run inline.
CONFIG: dict[str, Any] = {
    "enabled": True,
    "autoAction": None,
    "disabledCmps": [],
    "enablePrehide": False,
    "enableCosmeticRules": False,
    "enableGeneratedRules": True,
    "enableHeuristicDetection": False,
    "detectRetries": 20,
    "isMainWorld": True,
    "logs": {"errors": False},
}
_ACTION = {"decline": "optOut", "accept": "optIn"}
# A capture Chromium loses to a navigation holds the page's later screenshots until it times out.
PHOTO_TIMEOUT_MS = 3_000
SETTLE_SECONDS = 5.0  # the longest a step's end waits for a banner's choice to go through


@dataclass(frozen=True)
class Autoconsent:
    """The installed package: its content script and its rules."""

    folder: Path
    script: str
    rules: tuple[dict[str, Any], ...]

    @property
    def version(self) -> str:
        try:
            return json.loads((self.folder / "package.json").read_text("utf-8"))["version"]
        except (OSError, ValueError, KeyError):
            return "unknown"


@lru_cache(maxsize=1)
def _load(folder: Path) -> Autoconsent:
    try:
        script = (folder / SCRIPT).read_text("utf-8")
        rules = json.loads((folder / RULES).read_text("utf-8"))["autoconsent"]
    except (OSError, ValueError, KeyError):
        raise BadInput(MISSING) from None
    return Autoconsent(folder, script, tuple(rules))


def package() -> Autoconsent:
    """The autoconsent package (`$CPRAUDIT_AUTOCONSENT`, else the one `cpraudit setup`
    installed), or BadInput saying how to install it."""
    return _load(npm.package_dir(npm.AUTOCONSENT, ENV_VAR))


def selector_rule(state: ConsentChoice, selector: str) -> dict[str, Any]:
    """audit.toml's button as an autoconsent rule. A URL pattern makes it site-specific, so it
    is tried before the generic rules, which are skipped when it matches."""
    click = [{"waitForThenClick": selector, "timeout": 5000}]
    return {
        "name": SELECTOR_RULE,
        "runContext": {"main": True, "frame": True, "urlPattern": "."},
        "detectCmp": [{"exists": selector}],
        "detectPopup": [{"visible": selector}],
        "optOut": click if state == "decline" else [],
        "optIn": click if state == "accept" else [],
    }


def rules_for(rules: tuple[dict[str, Any], ...], url: str, main: bool) -> list[dict[str, Any]]:
    """The rules that can apply in a frame: its kind, and its URL where a rule names one (a
    pattern Python cannot read is left to the script). Most rules are for one site, and every
    frame gets its own copy."""
    chosen = []
    for rule in rules:
        context = rule.get("runContext", {})
        if not (context.get("main", True) if main else context.get("frame", False)):
            continue
        pattern = context.get("urlPattern")
        if pattern and not _matches(pattern, url):
            continue
        chosen.append(rule)
    return chosen


def _matches(pattern: str, url: str) -> bool:
    try:
        return re.search(pattern, url) is not None
    except re.error:
        return True


class ConsentBanner:
    """Drives the consent banners of one context into one state and keeps what happened."""

    def __init__(
        self,
        context: BrowserContext,
        state: ConsentChoice,
        selector: str | None,
        out_dir: Path,
        step: Callable[[], str | None],
        package: Autoconsent,
    ) -> None:
        self.state, self.out_dir, self.step = state, out_dir, step
        extra = (selector_rule(state, selector),) if selector else ()
        self.rules = extra + package.rules
        self.detected: list[str] = []
        self.actions: list[ConsentAction] = []
        self.errors: list[str] = []
        self._in_hand: float | None = None  # when the banner being answered was found
        context.expose_binding("autoconsentSendMessage", self._on_message)
        context.add_init_script(script=package.script)

    def _on_message(self, source: dict[str, Any], message: Any) -> None:
        if not isinstance(message, dict):  # the page can call the binding too
            return
        frame: Frame = source["frame"]
        kind, cmp = message.get("type"), str(message.get("cmp", ""))
        try:
            if kind == "init":
                main = frame.parent_frame is None
                rules = rules_for(self.rules, frame.url, main)
                self._send(
                    frame, {"type": "initResp", "config": CONFIG, "rules": {"autoconsent": rules}}
                )
            elif kind == "cmpDetected" and cmp not in self.detected:
                self.detected.append(cmp)
            elif kind == "popupFound":
                self._in_hand = time.monotonic()
                self._popup(frame, cmp)
            elif kind in ("optOutResult", "optInResult"):
                self._result(cmp, bool(message.get("result")))
        except Error as exc:  # the frame navigated away mid-answer: nothing was chosen there
            self._in_hand = None
            self.errors.append(f"consent banner on {frame.url}: {first_line(exc)}")

    def _popup(self, frame: Frame, cmp: str) -> None:
        name: str | None = bundle.consent_screenshot(len(self.actions) + 1)
        try:
            frame.page.screenshot(path=str(self.out_dir / str(name)), timeout=PHOTO_TIMEOUT_MS)
        except Error as exc:  # e.g. the page navigated meanwhile: said, and the choice still made
            self.errors.append(f"consent banner on {frame.url} not photographed: {first_line(exc)}")
            name = None
        self.actions.append(
            ConsentAction(
                platform=cmp,
                by="selector" if cmp == SELECTOR_RULE else "autoconsent",
                page_url=frame.page.url,
                step=self.step(),
                choice=self.state,
                screenshot=name,
            )
        )
        if self.state not in _ACTION:
            self._in_hand = None
            return
        self._send(frame, {"type": _ACTION[self.state]})  # the page may be gone: not sent
        self.actions[-1] = self.actions[-1].model_copy(update={"sent": True})

    def settle(self, page: Page) -> None:
        """Wait, a few seconds at most, until the banner in hand is photographed and its choice
        has gone through: the scenario's next step then runs in the chosen state, and does not
        navigate away from under the photo (Chromium loses a capture to a navigation)."""
        while self._in_hand is not None and time.monotonic() - self._in_hand < SETTLE_SECONDS:
            try:
                page.wait_for_timeout(50)  # the banner's messages are answered meanwhile
            except Error:  # the page is gone: nothing left to wait for on it
                return

    def _result(self, cmp: str, done: bool) -> None:
        self._in_hand = None
        for i in range(len(self.actions) - 1, -1, -1):
            if self.actions[i].platform == cmp and self.actions[i].done is None:
                self.actions[i] = self.actions[i].model_copy(update={"done": done})
                return

    def _unreported(self) -> bool:
        """The last banner got the choice, and the scenario moved to another page before the
        banner's script reported the result; the banner did not come back. A choice that had
        not gone through would have brought it back on the next page."""
        last = self.actions[-1] if self.actions else None
        return last is not None and last.sent and last.done is None

    @staticmethod
    def _send(frame: Frame, message: dict[str, Any]) -> None:
        # not awaited: an opt-out takes its time, and the binding must return meanwhile
        frame.evaluate("m => { window.autoconsentReceiveMessage(m); }", message)

    def outcome(self) -> Consent:
        """The state reached, and why it was not when it was not."""
        return Consent(
            state=self.state,
            detected=tuple(self.detected),
            actions=tuple(self.actions),
            problem=self._problem(),
        )

    def _problem(self) -> str | None:
        if self.state == "none" or any(a.done for a in self.actions) or self._unreported():
            return None
        if self.actions:
            platforms = ", ".join(dict.fromkeys(a.platform for a in self.actions))
            return (
                f'the "{self.state}" click on the consent banner ({platforms}) did not go through'
            )
        if self.detected:
            return (
                f"the consent platform {', '.join(self.detected)} showed no banner, so the "
                f'"{self.state}" state could not be chosen'
            )
        return (
            f'no consent banner was found, so the "{self.state}" state could not be chosen; '
            "give its button's CSS selector as consent_"
            f"{self.state} in audit.toml if autoconsent does not know the platform"
        )
