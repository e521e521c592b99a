"""What a verdict covers, in one line: "clean on 14 pages after login; 3 links not visited:
page bound". Shown with the verdict in every report, the index, summary.json and the terminal
(those two in English, the reports in their language).
"""

from __future__ import annotations

from collections import Counter

from babel.support import NullTranslations

from crawler.model import Coverage, SystemResult
from crawler.report.words import LINK_REASONS, N_, VERDICTS

ENGLISH = NullTranslations()
LOGIN_STATES = {  # Coverage.login, as a reader is told
    "proven": N_("proven after the scenario and on every crawled page"),
    "lost": N_("lost during the crawl and not re-established"),
    "not proven": N_("not proven after the scenario"),
    "not checked": N_("not checked (login = false)"),
    "none": N_("no login: public pages"),
    "unknown": N_("unknown: the audit did not say"),
}
_AFTER = {
    "proven": N_(" after login"),
    "lost": N_(", login lost"),
    "not proven": N_(", login not proven"),
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


def statement(result: SystemResult, t: NullTranslations = ENGLISH) -> str:
    if result.verdict == "not-audited":
        return ""
    c, n = result.coverage, pages_covered(result)
    verdict = t.gettext(VERDICTS[result.verdict])
    if c.login == "unknown" and not n:
        return t.gettext("%(verdict)s; coverage unknown: the audit left no account of it") % {
            "verdict": verdict
        }
    on = t.ngettext("%(verdict)s on %(num)d page", "%(verdict)s on %(num)d pages", n)
    after = t.gettext(_AFTER[c.login]) if _AFTER[c.login] else ""
    parts = [on % {"verdict": verdict, "num": n} + after]
    if c.session_losses:
        parts.append(_losses(c, t))
    if c.not_visited:
        links = t.ngettext(
            "%(num)d link not visited", "%(num)d links not visited", len(c.not_visited)
        )
        parts.append(f"{links % {'num': len(c.not_visited)}}: {_reasons(c, t)}")
    if c.downloads:
        files = t.ngettext("%(num)d file downloaded", "%(num)d files downloaded", len(c.downloads))
        parts.append(files % {"num": len(c.downloads)})
    if c.typed:
        parts.append(_typed(c, t))
    if result.consent:
        parts.append(t.gettext(_CONSENT[result.consent.state]))
    if result.setup.environment:
        parts.append(t.gettext("environment %(name)s") % {"name": result.setup.environment})
    return "; ".join(parts)


_CONSENT = {
    "none": N_("no consent choice"),
    "decline": N_("consent declined"),
    "accept": N_("consent accepted"),
}


def _typed(c: Coverage, t: NullTranslations) -> str:
    """ "6 fields filled on 2 pages, nothing submitted"."""
    fields = sum(len(page.fields) for page in c.typed)
    filled = t.ngettext("%(num)d field filled", "%(num)d fields filled", fields) % {"num": fields}
    on = t.ngettext("on %(num)d page", "on %(num)d pages", len(c.typed)) % {"num": len(c.typed)}
    return f"{filled} {on}, " + t.gettext("nothing submitted")


def _losses(c: Coverage, t: NullTranslations) -> str:
    lost, back = len(c.session_losses), sum(loss.recovered for loss in c.session_losses)
    if back == lost:
        return t.gettext("session lost %(times)s, logged in again") % {"times": _times(lost, t)}
    if back:
        return t.gettext("session lost %(times)s, logged in again %(again)s") % {
            "times": _times(lost, t),
            "again": _times(back, t),
        }
    return t.gettext("session lost %(times)s, not re-established") % {"times": _times(lost, t)}


def _reasons(c: Coverage, t: NullTranslations) -> str:
    counts = Counter(link.reason for link in c.not_visited).most_common()
    if len(counts) == 1:
        return t.gettext(LINK_REASONS[counts[0][0]])
    return ", ".join(f"{n} {t.gettext(LINK_REASONS[reason])}" for reason, n in counts)


def _times(n: int, t: NullTranslations) -> str:
    if n == 1:
        return t.gettext("once")
    if n == 2:
        return t.gettext("twice")
    return t.ngettext("%(num)d time", "%(num)d times", n) % {"num": n}
