"""Sending through Apprise, one channel at a time, so that a failure names its channel."""

from __future__ import annotations

from crawler.notify.channels import Channel, quiet_apprise
from crawler.notify.message import Message


def send(channel: Channel, message: Message) -> str | None:
    """None when the channel took the message; else why not, as Apprise said it (its own
    logging masks the secrets it knows; the caller masks the rest)."""
    import apprise

    with quiet_apprise() as said:
        try:
            app = apprise.Apprise(asset=apprise.AppriseAsset(storage_mode="memory"))
            if not app.add(channel.url.get_secret_value()):
                return "Apprise could not load the URL"
            sent = app.notify(
                body=message.body, title=message.title, body_format=apprise.NotifyFormat.TEXT
            )
        except Exception as exc:  # its text may quote the URL: the type alone
            return f"unexpected {type(exc).__name__} in Apprise"
    if sent:
        return None
    return said[0] if said else "the service did not take the message, and Apprise did not say why"
