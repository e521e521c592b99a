"""Notifications: one message per run, when something in it needs a person.

`notify = [...]` in audit.toml lists Apprise URLs (e-mail, Microsoft Teams, Slack, webhooks)
whose secrets are `${VAR}`s (`urls`); the run fills them in and checks them before it starts
(`channels`). Once the run's index is written, `notifier.Notifier.after_run` composes the
message (`message`) and sends it (`send`).
"""
