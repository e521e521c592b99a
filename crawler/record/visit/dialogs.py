"""Dialogs: every alert, confirm, prompt and beforeunload a page opens, answered as the system's
`dialogs` setting says and recorded with its step.

Left alone, Playwright dismisses every dialog without a word: a scenario's "Log af" whose
confirm() was cancelled went on as if nothing had happened. Leaving a page is always allowed
(a beforeunload dialog is accepted): a crawl that could not leave a page would audit nothing more.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Error
from playwright.sync_api import Dialog as PlaywrightDialog

from crawler.model import Dialog, DialogAction
from crawler.record.addons.redaction import Redactor


class Dialogs:
    """Answers the dialogs of every page of a context and keeps what they said."""

    def __init__(
        self,
        context: BrowserContext,
        action: DialogAction,
        step: Callable[[], str | None],
        redactor: Redactor | None = None,
    ) -> None:
        self.action, self.step, self.redactor = action, step, redactor
        self.seen: list[Dialog] = []
        context.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog: PlaywrightDialog) -> None:
        action: DialogAction = "accept" if dialog.type == "beforeunload" else self.action
        try:
            page_url = dialog.page.url if dialog.page else None
        except Error:
            page_url = None
        message = self.redactor.text(dialog.message) if self.redactor else dialog.message
        self.seen.append(
            Dialog(
                type=dialog.type,
                message=message,
                action=action,
                step=self.step(),
                page_url=page_url,
                time=time.time(),
            )
        )
        try:
            dialog.accept() if action == "accept" else dialog.dismiss()
        except Error:  # the page went away with its dialog
            pass
