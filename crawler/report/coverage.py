"""What a verdict covers, in one line: "clean on 14 pages after login; 3 links not visited:
page bound". Shown with the verdict in every report, the index, summary.json and the terminal.
"""

from __future__ import annotations

from collections import Counter

from crawler.model import Coverage, SystemResult

LOGIN_STATES = {  # Coverage.login, as a reader is told
    "proven": "proven after the scenario and on every crawled page",
    "lost": "lost during the crawl and not re-established",
    "not proven": "not proven after the scenario",
    "not checked": "not checked (login = false)",
    "none": "no login: public pages",
    "unknown": "unknown: the audit did not say",
}
_AFTER = {
    "proven": " after login",
    "lost": ", login lost",
    "not proven": ", login not proven",
    "not checked": ", login not checked",
    "none": " without login",
    "unknown": "",
}


def pages_covered(result: SystemResult) -> int:
    """Distinct pages audited (final URLs); with a login check, those it proved logged in."""
    c = result.coverage
    if not c.pages:  # a HAR, or a result written before coverage was recorded
        return len(set(result.pages))
    proven = {v.url for v in c.pages if v.logged_in}
    return len(proven if c.login_check else {v.url for v in c.pages if v.logged_in is not False})


def statement(result: SystemResult) -> str:
    if result.verdict == "not-audited":
        return ""
    c, n = result.coverage, pages_covered(result)
    if c.login == "unknown" and not n:
        return f"{result.verdict}; coverage unknown: the audit left no account of it"
    parts = [f"{result.verdict} on {n} page{'' if n == 1 else 's'}{_AFTER[c.login]}"]
    if c.session_losses:
        parts.append(_losses(c))
    if c.not_visited:
        parts.append(f"{_links(len(c.not_visited))} not visited: {_reasons(c)}")
    if c.downloads:
        parts.append(f"{len(c.downloads)} file{'' if len(c.downloads) == 1 else 's'} downloaded")
    if result.consent:
        parts.append(_CONSENT[result.consent.state])
    if result.setup.environment:
        parts.append(f"environment {result.setup.environment}")
    return "; ".join(parts)


_CONSENT = {
    "none": "no consent choice",
    "decline": "consent declined",
    "accept": "consent accepted",
}


def _losses(c: Coverage) -> str:
    lost, back = len(c.session_losses), sum(loss.recovered for loss in c.session_losses)
    if back == lost:
        return f"session lost {_times(lost)}, logged in again"
    again = f"logged in again {_times(back)}" if back else "not re-established"
    return f"session lost {_times(lost)}, {again}"


def _reasons(c: Coverage) -> str:
    counts = Counter(link.reason for link in c.not_visited).most_common()
    if len(counts) == 1:
        return counts[0][0]
    return ", ".join(f"{n} {reason}" for reason, n in counts)


def _links(n: int) -> str:
    return f"{n} link{'' if n == 1 else 's'}"


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")
