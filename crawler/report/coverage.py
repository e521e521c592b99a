"""What a verdict covers, in one line: "no leak found on 14 pages after login; 3 links not
visited: page bound reached". Shown with the verdict in every report, the index, summary.json
and the terminal (those two in English, the reports in their language).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from babel.support import NullTranslations

from crawler.model import Coverage, StartPage, SystemResult
from crawler.report.i18n import formatters, translations
from crawler.report.words import LINK_REASONS, N_, VERDICTS

LOGIN_STATES = {  # Coverage.login, as a reader is told
    "proven": N_("proven after the scenario and on every crawled page"),
    "lost": N_("lost during the crawl and not re-established"),
    "not proven": N_("not proven after the scenario"),
    "by hand": N_("done by hand, said done in the terminal; no logged_in check proved it"),
    "not checked": N_("not checked (login = false, or no logged_in check)"),
    "none": N_("no login: public pages"),
    "unknown": N_("unknown: the audit did not say"),
}
_AFTER = {
    "proven": N_(" after login"),
    "lost": N_(", login lost"),
    "not proven": N_(", login not proven"),
    "by hand": N_(" after a login by hand (unchecked)"),
    "not checked": N_(", login not checked"),
    "none": N_(" without login"),
    "unknown": "",
}


def pages_covered(result: SystemResult) -> int:
    """Distinct pages audited (final URLs); with a login check, those it proved logged in."""
    c = result.coverage
    if not c.pages:  # a HAR, or a result written before coverage was recorded
        return len(set(result.pages))
    proven = {v.url for v in c.pages if v.logged_in}
    return len(proven if c.login_check else {v.url for v in c.pages if v.logged_in is not False})


def statement(result: SystemResult, lang: str = "en") -> str:
    """The line in `lang`, its numbers written as that language writes them."""
    if result.verdict == "not-audited":
        return ""
    t, number = translations(lang), formatters(lang)["num"]
    c, n = result.coverage, pages_covered(result)
    verdict = t.gettext(VERDICTS[result.verdict])
    if c.login == "unknown" and not n:
        return t.gettext("%(verdict)s; coverage unknown: the audit left no account of it") % {
            "verdict": verdict
        }
    on = t.ngettext("%(verdict)s on %(num)s page", "%(verdict)s on %(num)s pages", n)
    after = t.gettext(_AFTER[c.login]) if _AFTER[c.login] else ""
    parts = [on % {"verdict": verdict, "num": number(n)} + after]
    if c.start:  # first: the page audited is not the one asked for
        parts.insert(0, start_page(c.start, lang))
    if c.session_losses:
        parts.append(_losses(c, t, number))
    if c.not_visited:
        left = len(c.not_visited)
        links = t.ngettext("%(num)s link not visited", "%(num)s links not visited", left)
        parts.append(f"{links % {'num': number(left)}}: {_reasons(c, t, number)}")
    if c.downloads:
        got = len(c.downloads)
        files = t.ngettext("%(num)s file downloaded", "%(num)s files downloaded", got)
        parts.append(files % {"num": number(got)})
    if c.typed:
        parts.append(_typed(c, t, number))
    if result.consent:
        parts.append(t.gettext(_CONSENT[result.consent.state]))
    if result.setup.environment:
        parts.append(t.gettext("environment %(name)s") % {"name": result.setup.environment})
    return "; ".join(parts)


def start_page(start: StartPage, lang: str = "en") -> str:
    """ "the start page ended on a login form, URL (taken as the page meant)"."""
    t = translations(lang)
    if start.login_form:
        where = t.gettext("the start page ended on a login form, %(url)s")
    elif start.other_host:
        where = t.gettext("the start page ended on another host, %(url)s")
    else:
        where = t.gettext("the start page was redirected to %(url)s")
    where %= {"url": start.url}
    if start.accepted == "follow_redirect_ok":
        return where + t.gettext(" (taken as the page meant)")
    if start.accepted == "login":
        return where + t.gettext(" (after the login)")
    return where


_CONSENT = {
    "none": N_("no consent choice"),
    "decline": N_("consent declined"),
    "accept": N_("consent accepted"),
}


def _typed(c: Coverage, t: NullTranslations, number: Callable[[float], str]) -> str:
    """ "6 fields filled on 2 pages, nothing submitted"."""
    fields, pages = sum(len(page.fields) for page in c.typed), len(c.typed)
    filled = t.ngettext("%(num)s field filled", "%(num)s fields filled", fields)
    on = t.ngettext("on %(num)s page", "on %(num)s pages", pages)
    return f"{filled % {'num': number(fields)}} {on % {'num': number(pages)}}, " + t.gettext(
        "nothing submitted"
    )


def _losses(c: Coverage, t: NullTranslations, number: Callable[[float], str]) -> str:
    lost, back = len(c.session_losses), sum(loss.recovered for loss in c.session_losses)
    times = _times(lost, t, number)
    if back == lost:
        return t.gettext("session lost %(times)s, logged in again") % {"times": times}
    if back:
        return t.gettext("session lost %(times)s, logged in again %(again)s") % {
            "times": times,
            "again": _times(back, t, number),
        }
    return t.gettext("session lost %(times)s, not re-established") % {"times": times}


def _reasons(c: Coverage, t: NullTranslations, number: Callable[[float], str]) -> str:
    """Why links were not visited, each reason with its count after it ("page bound reached:
    2"): a count before the reason would read as a count of bounds."""
    counts = Counter(link.reason for link in c.not_visited).most_common()
    if len(counts) == 1:
        return t.gettext(LINK_REASONS[counts[0][0]])
    return ", ".join(
        t.gettext("%(what)s: %(num)s") % {"what": t.gettext(LINK_REASONS[r]), "num": number(n)}
        for r, n in counts
    )


def _times(n: int, t: NullTranslations, number: Callable[[float], str]) -> str:
    if n == 1:
        return t.gettext("once")
    if n == 2:
        return t.gettext("twice")
    return t.ngettext("%(num)s time", "%(num)s times", n) % {"num": number(n)}
