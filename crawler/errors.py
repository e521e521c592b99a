"""Errors a user can act on: each carries one line that names the problem and the fix."""


class BadInput(Exception):
    """Input the audit cannot run with (a CPR, a URL, a config, a HAR file). Exit code 2."""


class Inconclusive(Exception):
    """The audit ran but could not prove its result (a page that did not load, a crash)."""


def first_line(exc: BaseException) -> str:
    """An exception as one line for a report or a terminal (Playwright's run to many)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def printable(text: str) -> str:
    """Text from hostile pages or folders, safe for a terminal: control characters escaped."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)
