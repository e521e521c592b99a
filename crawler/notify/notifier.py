"""The notifier of a run: its channels, and what no message may hold.

A message that cannot be sent is a line on stderr and a note in summary.json, nothing more:
the run's results are on disk whatever a mail server or a chat says, and the exit code says
what the audit found, not whether a chat was up.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from crawler import bundle
from crawler.model import Audited
from crawler.notify.channels import Channel, prepare
from crawler.notify.message import Message, compose
from crawler.notify.send import send

if TYPE_CHECKING:
    from crawler.config import Audit

SHORTEST_HIDDEN = 4  # masking shorter values would mangle the message and hide nothing


@dataclass(frozen=True)
class Notifier:
    """Where a run's message goes; without channels, nowhere."""

    channels: tuple[Channel, ...] = ()
    source: str = ""  # the audit.toml's name, in the message's title
    hidden: tuple[str, ...] = field(default=(), repr=False)  # the citizens' CPRs and credentials
    reports_url: str | None = None  # where the run folders are served, for links

    def after_run(self, results: Sequence[Audited], index: Path, incomplete: bool = False) -> None:
        """The run's message, if anything in it needs a person; called once the index is
        written and before the folder is sealed, so the note in summary.json is sealed too."""
        if not self.channels:
            return
        try:
            message = compose(results, index, self.source, incomplete, self.reports_url)
            if message:
                message = self.masked(message)
            failed = self.send(message) if message else {}
            _note(index.parent / bundle.SUMMARY, self.channels, message, failed)
        except Exception as exc:  # a notification never loses the run
            print(
                f"notify: unexpected {type(exc).__name__}; the run is in {index}", file=sys.stderr
            )

    def test(self) -> dict[str, str]:
        """A test message to every channel; the channels that failed, and why."""
        return self.send(
            self.masked(
                Message(
                    f"cpraudit {self.source}: test message",
                    f"A test message from `cpraudit run {self.source} --notify-test`. After each "
                    "run, this channel hears of new leaks, new third parties, inconclusive systems "
                    "and leaks no longer found.",
                )
            )
        )

    def masked(self, message: Message) -> Message:
        return Message(self.mask(message.title), self.mask(message.body))

    def send(self, message: Message) -> dict[str, str]:
        """The message to every channel; each failure on stderr, and returned by label."""
        failed = {}
        for channel in self.channels:
            if (why := send(channel, message)) is not None:
                failed[channel.label] = self.mask(why)
                print(f"notify: {channel.label} failed: {failed[channel.label]}", file=sys.stderr)
        return failed

    @cached_property
    def mask(self) -> Callable[[str], str]:
        """Masks the hidden values and the channels' secrets, in every form the detector
        knows (encoded, hashed)."""
        from crawler.record.addons.redaction import Redactor

        secrets = {s for c in self.channels for s in c.secrets} | set(self.hidden)
        return Redactor([s for s in secrets if len(s) >= SHORTEST_HIDDEN], set()).text


NOBODY = Notifier()  # a run that tells nobody: a shard's, or one without notify


def for_audit(audit: Audit) -> Notifier:
    """The notifier of audit.toml's notify, checked now (BadInput on a problem), from this
    process's environment. It hides the citizens' CPRs, in every form the detector knows, and
    those of their credentials this machine holds."""
    hidden = audit.secrets_here()
    for citizen in audit.config.citizens:
        hidden += [citizen.cpr, f"{citizen.cpr[:6]}-{citizen.cpr[6:]}"]
    channels = prepare(audit.config.notify, os.environ, audit.path)
    return Notifier(channels, audit.path.name, tuple(hidden), audit.config.reports_url)


def _note(
    summary: Path, channels: Sequence[Channel], message: Message | None, failed: dict[str, str]
) -> None:
    """What was sent, to which channels, and what failed, in summary.json."""
    data = json.loads(summary.read_text("utf-8")) if summary.is_file() else {}
    data["notify"] = {
        "sent": message is not None,
        "title": message.title if message else None,
        "delivered": [c.label for c in channels if message and c.label not in failed],
        "failed": [{"channel": label, "error": why} for label, why in failed.items()],
    }
    bundle.write_json(summary, data)
