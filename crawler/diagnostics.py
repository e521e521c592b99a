"""The sentences an audit writes about itself: why it is inconclusive, the crawl's bounds, how
the login went, what the network witness covered and why a capture gap is not the site's.

Each is declared here once, as a message of the reports' catalogue (`make messages` extracts
this file). The audit writes it in English into findings.json, summary.json and the terminal,
where scripts and CI read it; a report reads it back and says it in its reader's language
(crawler/report/diagnostics.py). A sentence not declared here is shown as written, marked as
English.

A placeholder's name says what it holds, and a report shows it accordingly: `num` is the count
that chooses the plural form; `url`, `check`, `requests`, `ca` and `switches` are technical
text, shown as code;
`problem`, `reason` and `error` hold another of these sentences or English from elsewhere (an
exception's words); any other (a step's name) is quoted as recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated where it is shown."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a message with a plural form, chosen by %(num)s, for the catalogue."""
    return singular, plural


@dataclass(frozen=True)
class Diagnostic:
    singular: str
    plural: str | None = None

    def __call__(self, **values: object) -> str:
        """The English sentence, as findings.json keeps it."""
        return (self.plural if self.plural and values.get("num") != 1 else self.singular) % values

    def read(self, text: str) -> dict[str, str] | None:
        """The values of a sentence this diagnostic wrote; None if it is not one of its."""
        for form in filter(None, (self.singular, self.plural)):
            if found := _pattern(form).fullmatch(text):
                return found.groupdict()
        return None


_VALUES = {"num": r"\d+", "url": r"\S+"}  # a URL holds no space: a sentence around one ends it


@cache
def _pattern(form: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", form)
    literal, names = parts[::2], parts[1::2]
    groups = [rf"(?P<{n}>{_VALUES.get(n, '.+?')})" for n in names]
    pieces = [re.escape(text) + group for text, group in zip(literal, [*groups, ""], strict=True)]
    return re.compile("".join(pieces), re.S)


# Why an audit is inconclusive (SystemResult.errors)
LOGIN_NOT_PROVEN = Diagnostic(N_("login not proven after the scenario: %(problem)s"))
SESSION_LOST = Diagnostic(N_("session lost on %(url)s: %(problem)s; the crawl stopped there"))
SCENARIO_FAILED = Diagnostic(N_("scenario did not complete: %(error)s"))
SCENARIO_FAILED_IN_STEP = Diagnostic(N_("scenario did not complete (step %(step)s): %(error)s"))
PAGE_DID_NOT_LOAD = Diagnostic(N_("page %(url)s did not load: %(error)s"))
START_PAGE_STATUS = Diagnostic(N_("start page %(url)s answered HTTP %(status)s"))
BROWSER_FAILED = Diagnostic(N_("browser failed: %(error)s"))
CAPTURE_FAILED = Diagnostic(N_("the capture failed: %(error)s"))
CAPTURE_NOT_STARTED = Diagnostic(N_("the capture could not start: %(error)s"))
EVIDENCE_CHANGED = Diagnostic(
    N_("the evidence does not match its run's manifest.json (%(problem)s): it is not that run's")
)
RECORDING_STOPPED = Diagnostic(N_("%(error)s: the recording stopped there"))
HAR_ENTRIES_UNREAD = Diagnostic(
    N_(
        "%(unread)s of %(entries)s HAR entries could not be read, so the file was not fully "
        "searched"
    )
)
HAR_PARTS_LEFT_OUT = Diagnostic(
    N_(
        "%(parts)s part(s) of entries could not be read and were left out, so the file was not "
        "fully searched"
    )
)
HAR_BOTH_UNREAD = Diagnostic(
    N_(
        "%(unread)s of %(entries)s HAR entries could not be read and %(parts)s part(s) of entries "
        "could not be read and were left out, so the file was not fully searched"
    )
)
TIME_LIMIT = Diagnostic(N_("system exceeded its time limit of %(seconds)s s and was stopped"))
WITNESS_FAILED = Diagnostic(
    N_(
        "the network witness failed (%(reason)s): what left the browser could not be checked "
        "against the record"
    )
)
CAPTURE_GAPS = Diagnostic(
    *Nn_(
        "%(num)s capture gap: the network witness saw a request leave the browser that the "
        "record lacks (%(requests)s); a body or frame it held was not searched",
        "%(num)s capture gaps: the network witness saw requests leave the browser that the "
        "record lacks (%(requests)s); bodies or frames they held were not searched",
    )
)
BROWSER_SENT_CPR = Diagnostic(
    N_(
        "the browser's own traffic carried the CPR (%(requests)s): the audit's browser itself "
        "sent it"
    )
)
START_LOGIN_FORM = Diagnostic(
    N_(
        "the start page ended on a login form, at %(url)s: the audit did not see the page asked "
        "for; log in first (--login manual, --storage-state FILE or a scenario), or say that this "
        "is the page meant (follow_redirect_ok, --follow-redirect-ok)"
    )
)
START_OTHER_HOST = Diagnostic(
    N_(
        "the start page ended on another host, at %(url)s: the audit did not see the page asked "
        "for; log in first (--login manual, --storage-state FILE or a scenario), or say that this "
        "is the page meant (follow_redirect_ok, --follow-redirect-ok)"
    )
)
START_REDIRECTED = Diagnostic(
    N_(
        "the start page was redirected to %(url)s: the audit did not see the page asked for; log "
        "in first (--login manual, --storage-state FILE or a scenario), or say that this is the "
        "page meant (follow_redirect_ok, --follow-redirect-ok)"
    )
)
BY_HAND_NOT_DONE = Diagnostic(N_("the login by hand was not done: %(reason)s"))
BY_HAND_NOT_PROVEN = Diagnostic(N_("login by hand not proven: %(problem)s"))
NO_SAVED_LOGIN = Diagnostic(
    N_(
        "no saved login young enough to reuse (reuse_login), and no scenario to log in: log in "
        "by hand with cpraudit login %(system)s --manual"
    )
)
SAVED_LOGIN_LOST = Diagnostic(
    N_(
        "the saved login no longer held (%(problem)s), and no scenario can log in: log in again "
        "by hand with cpraudit login %(system)s --manual"
    )
)
GIVEN_LOGIN_LOST = Diagnostic(
    N_("the saved login given (--storage-state) did not hold: %(problem)s")
)
BODIES_MISSING = Diagnostic(
    *Nn_(
        "%(num)s request to a third party carried a body the record lacks (%(requests)s), so "
        "what it carried was not searched",
        "%(num)s requests to third parties carried bodies the record lacks (%(requests)s), so "
        "what they carried was not searched",
    )
)
UNSEARCHED = Diagnostic(
    *Nn_(
        "%(num)s exchange could not be fully searched (see the notes), so the search is incomplete",
        "%(num)s exchanges could not be fully searched (see the notes), so the search is "
        "incomplete",
    )
)

# Why the page does not show a logged-in citizen (crawler/record/login.py)
OFF_FIRST_PARTY = Diagnostic(N_("the page ended off the first party, at %(url)s"))
LOGGED_IN_FAILS = Diagnostic(N_("logged_in (%(check)s) does not hold on %(url)s"))
LOGGED_IN_UNCHECKABLE = Diagnostic(N_("logged_in (%(check)s) could not be checked: %(error)s"))
NOT_REESTABLISHED = Diagnostic(N_("%(problem)s; not re-established: %(reason)s"))
NO_LOGIN_STEP = Diagnostic(
    N_('the scenario marks no login step (with step("Log ind", login=True))')
)
LOST_TOO_OFTEN = Diagnostic(N_("the session was already lost %(num)s times"))
LOGIN_AGAIN_FAILED = Diagnostic(N_("logging in again failed: %(error)s"))
LOGIN_STEPS_NOT_REACHED = Diagnostic(N_("the scenario ended before its login steps"))
NO_LOGIN_AGAIN_BY_HAND = Diagnostic(N_("a login done by hand is not done again by the audit"))

# Why a login by hand was not done (crawler/record/visit/by_hand.py)
BY_HAND_TOO_LONG = Diagnostic(N_("no login within %(minutes)s minutes"))
BY_HAND_WINDOW_CLOSED = Diagnostic(N_("the browser window was closed first"))
BY_HAND_NO_TERMINAL = Diagnostic(
    N_(
        "the terminal's input ended before anyone said the login was done, and no logged_in "
        "check could see it (give --logged-in)"
    )
)

# Where the crawl stopped (Coverage.bounds)
PAGE_BOUND = Diagnostic(
    *Nn_("page bound: %(num)s page visited", "page bound: %(num)s pages visited")
)
TIME_BOUND = Diagnostic(N_("time bound: %(seconds)s s of crawling"))

# Notes (SystemResult.notes): how this audit's browser differed from a citizen's
CERTIFICATES_OFF = Diagnostic(
    N_(
        "Certificate checks were off (ignore_https_errors or a browser switch): the browser "
        "accepted any certificate, as a citizen's would not."
    )
)
TEST_CA = Diagnostic(N_("The browser trusted a test CA besides its own: %(ca)s."))
INSECURE_PAGES = Diagnostic(
    *Nn_(
        "%(num)s page was audited in an insecure context (plain http): service workers and other "
        "secure-only features were missing, so this page may behave differently from production "
        "over https; treat_as_secure = [...] lets Chromium treat a test origin as secure.",
        "%(num)s pages were audited in an insecure context (plain http): service workers and "
        "other secure-only features were missing, so these pages may behave differently from "
        "production over https; treat_as_secure = [...] lets Chromium treat a test origin as "
        "secure.",
    )
)
BROWSER_SWITCHES = Diagnostic(N_("Chromium ran with added switches: %(switches)s."))
NAMES_UNCHECKED = Diagnostic(
    *Nn_(
        "%(num)s first-party host name could not be checked for a CNAME to another "
        "organisation (%(hosts)s); it was judged first party by its name alone.",
        "%(num)s first-party host names could not be checked for a CNAME to another "
        "organisation (%(hosts)s); they were judged first party by their names alone.",
    )
)
SELF_HOSTED_ENDPOINT = Diagnostic(
    N_(
        "the CPR reached the first-party endpoint %(host)s, which speaks %(protocol)s: taken as "
        "self-hosted (declare it in audit.toml's endpoints if it forwards to a third party)"
    )
)

# Notes (SystemResult.notes): the login and the network witness
NOT_CRAWLED = Diagnostic(N_("not crawled: the scenario's login was not proven"))
LOGIN_REUSED = Diagnostic(
    N_(
        "The login was reused from a saved session (reuse_login); %(check)s held on the start "
        "page before the scenario, which skipped its login steps."
    )
)
SAVED_LOGIN_FORGOTTEN = Diagnostic(
    N_(
        "The saved login no longer held (%(problem)s): it was forgotten, and the scenario "
        "logged in."
    )
)
LOGIN_SAVED = Diagnostic(N_("The login was saved for reuse by later runs (reuse_login)."))
NOT_CRAWLED_NO_LOGIN = Diagnostic(N_("not crawled: the login was not done or not proven"))
BY_HAND_CHECKED = Diagnostic(
    N_(
        "A person logged in by hand in a visible browser, and logged_in (%(check)s) saw the "
        "login done; the login pages were recorded and searched like the rest."
    )
)
BY_HAND_CONFIRMED = Diagnostic(
    N_(
        "A person logged in by hand in a visible browser and said so in the terminal; no "
        "logged_in check proved it. The login pages were recorded and searched like the rest."
    )
)
LOGIN_GIVEN_HELD = Diagnostic(
    N_(
        "The audit started with the saved login it was given (--storage-state); %(check)s held "
        "on the start page."
    )
)
LOGIN_GIVEN_UNCHECKED = Diagnostic(
    N_(
        "The audit started with the saved login it was given (--storage-state); with no "
        "logged_in check, nothing proved that it held."
    )
)
LOGIN_REUSED_HELD = Diagnostic(
    N_("The login was reused from a saved session (reuse_login); %(check)s held on the start page.")
)
START_TAKEN_AS_MEANT = Diagnostic(
    N_("The start page ended on %(url)s, taken as the page meant (follow_redirect_ok).")
)
START_AFTER_LOGIN = Diagnostic(N_("The start page ended on %(url)s, with the citizen logged in."))
WITNESS_DID_NOT_RUN = Diagnostic(N_("The network witness did not run: %(reason)s."))
WITNESS_SAW = Diagnostic(
    *Nn_(
        "The network witness (Chromium's NetLog) saw %(num)s request leave the browser; "
        "%(matched)s of them is in the record, the rest are listed as capture gaps.",
        "The network witness (Chromium's NetLog) saw %(num)s requests leave the browser; "
        "%(matched)s of them are in the record, the rest are listed as capture gaps.",
    )
)
RESENT_FOR_EVIDENCE = Diagnostic(
    *Nn_(
        "%(num)s request re-sent by Playwright while reading response bodies for a HAR or trace "
        "(see Capture gaps): a copy the audit made, searched apart and never counted as the "
        "site's.",
        "%(num)s requests re-sent by Playwright while reading response bodies for a HAR or trace "
        "(see Capture gaps): copies the audit made, searched apart and never counted as the "
        "site's.",
    )
)
PREFLIGHTS = Diagnostic(
    *Nn_(
        "%(num)s CORS preflight, searched from the witness's copy.",
        "%(num)s CORS preflights, searched from the witness's copy.",
    )
)
BROWSER_TRAFFIC = Diagnostic(
    *Nn_(
        "The browser's own traffic: %(num)s attempt (%(requests)s), %(left)s of them left the "
        "machine; listed apart, never as the site's.",
        "The browser's own traffic: %(num)s attempts (%(requests)s), %(left)s of them left the "
        "machine; listed apart, never as the site's.",
    )
)
RECORDING_UNWRITTEN = Diagnostic(
    N_(
        "recording.json could not be written (%(error)s): the evidence holds, but cpraudit "
        "analyse cannot read this system again."
    )
)

# Why leaks of earlier runs are not listed as no longer found (SystemHistory.fixed_note)
NOT_COUNTED_AS_GONE = Diagnostic(
    *Nn_(
        "%(num)s leak of earlier runs was not seen, but this audit did not complete, so it is "
        "not counted as no longer found",
        "%(num)s leaks of earlier runs were not seen, but this audit did not complete, so they "
        "are not counted as no longer found",
    )
)

# Why the network witness did not run, or ran short (WitnessSummary.reason)
WITNESS_OFF = Diagnostic(N_("switched off (--no-witness)"))
WITNESS_REMOTE = Diagnostic(
    N_("the browser ran on a remote server, where no NetLog can be written for this machine")
)
WITNESS_PYTEST = Diagnostic(N_("the browser is pytest-playwright's, started without a NetLog"))
NO_NETLOG = Diagnostic(N_("Chromium wrote no NetLog"))
NETLOG_ENDS_EARLY = Diagnostic(N_("the NetLog ends early (the browser did not close)"))

# Why a capture gap is not the site's (CaptureGap.explanation)
GAP_PREFLIGHT = Diagnostic(
    N_("CORS preflight of a recorded request; no target of the browser reported it")
)
GAP_UPDATE_CHECK = Diagnostic(
    N_(
        "the browser checking a recorded service worker's script for an update, as it does on "
        "navigations in the worker's scope; DevTools reports no such request"
    )
)
GAP_EVIDENCE = Diagnostic(
    N_(
        "re-sent by Playwright while reading this recorded request's response body for the HAR "
        "or trace (DevTools' own loader); the page sent it once"
    )
)
GAP_BROWSER = Diagnostic(N_("the browser's own traffic; no page of the audit caused it"))

# Every diagnostic above, most specific first: a report tries them in this order.
ALL: tuple[Diagnostic, ...] = tuple(
    sorted(
        (d for d in list(globals().values()) if isinstance(d, Diagnostic)),
        key=lambda d: -len(re.sub(r"%\(\w+\)s", "", d.singular)),
    )
)
