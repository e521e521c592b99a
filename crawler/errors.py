"""Errors a user can act on: each carries one line that names the problem and the fix."""


class BadInput(Exception):
    """Input the audit cannot run with (a CPR, a URL, a config, a HAR file). Exit code 2."""


class Inconclusive(Exception):
    """The audit ran but could not prove its result (a page that did not load, a crash)."""
