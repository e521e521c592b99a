"""Words for the values in the data: verdicts, channels, where in a request, encodings, link
reasons, agreement statuses, categories. findings.json keeps its English terms (a contract); the
reader gets them in the report's language, as template filters."""

from __future__ import annotations

from collections.abc import Callable

from babel.support import NullTranslations

from crawler.diagnostics import N_
from crawler.model import PRESENTED_AS, PRESENTED_AS_HEADLESS

VERDICTS = {  # "clean" claims more than the audit can: only that nothing was found
    "leak": N_("leak"),
    "clean": N_("no leak found"),
    "inconclusive": N_("inconclusive"),
    "not-audited": N_("not audited"),
}
CHANNELS = {
    "url": N_("URL"),
    "header": N_("header"),
    "cookie": N_("cookie"),
    "body": N_("body"),
    "websocket": N_("websocket"),
}
IDENTIFIERS = {
    "cpr": N_("CPR number"),
    "name": N_("name"),
    "email": N_("e-mail address"),
    "phone": N_("phone number"),
    "address": N_("address"),
}
# Finding.detail, by how it starts; the rest (a parameter's or header's name) is data.
PLACES = (
    ("query parameter ", N_("query parameter %(name)s")),
    ("header ", N_("header %(name)s")),
    ("cookie ", N_("cookie %(name)s")),
    ("body field ", N_("form field %(name)s in the body")),
    ("body JSON ", N_("JSON field %(name)s in the body")),
    ("body part ", N_("multipart part %(name)s in the body")),
)
WHOLE_PLACES = {
    "host": N_("host name in the URL"),
    "path": N_("URL path"),
    "fragment": N_("URL fragment"),
    "body": N_("request body"),
    "websocket frame (sent)": N_("websocket frame sent by the page"),
    "websocket frame (received)": N_("websocket frame received by the page"),
}
# Finding.encoding: its layers joined by "+", outermost first ("percent+base64", "plain")
ENCODINGS = {
    "plain": N_("clear text (not encoded)"),
    "percent": N_("URL encoding"),
    "html": N_("HTML entities"),
    "js-escape": N_("JavaScript escapes"),
    "base64": N_("Base64"),
    "hex": N_("hexadecimal"),
    "lz-string": N_("LZ-String compression"),
    "gzip": N_("gzip compression"),
    "zlib": N_("zlib compression"),
    "deflate": N_("deflate compression"),
    "zstd": N_("Zstandard compression"),
    "brotli": N_("Brotli compression"),
    "split": N_("split over two fields (birth date and serial number)"),
}
HASHES = {
    "md5": "MD5",
    "sha1": "SHA-1",
    "sha224": "SHA-224",
    "sha256": "SHA-256",
    "sha384": "SHA-384",
    "sha512": "SHA-512",
}
LINK_REASONS = {  # each a reason on its own: "2 links not visited: page bound reached"
    "page bound": N_("page bound reached"),
    "time bound": N_("time bound reached"),
    "depth bound": N_("depth bound reached"),
    "denied": N_("excluded (deny rule)"),
    "off-site": N_("off-site"),
    "session lost": N_("session lost"),
}
AGREEMENTS = {  # what audit.toml registers; the tool cannot know a party's legal role
    "agreement": N_("data-processing agreement"),
    "agreement-expired": N_("data-processing agreement expired"),
    "no-agreement": N_("no data-processing agreement registered"),
}
BLOCKED = {  # Exchange.blocked: why the browser did not send a request
    "csp": N_("the page's Content-Security-Policy"),
    "mixed-content": N_("mixed content (an http request from an https page)"),
    "subresource-filter": N_("the browser's ad filter"),
    "inspector": N_("blocked by DevTools"),
    "origin": N_("refused for its origin"),
    "other": N_("refused by the browser"),
    "preflight": N_(
        "the receiver refused its CORS preflight; only the preflight, without a body, was sent"
    ),
}
RESOURCE_TYPES = {  # Playwright's Request.resource_type
    "document": N_("page"),
    "image": N_("image"),
    "media": N_("media"),
    "font": N_("font"),
    "stylesheet": N_("stylesheet"),
    "texttrack": N_("subtitles"),
    "manifest": N_("manifest"),
    "other": N_("other"),
}
GAP_KINDS = {  # CaptureGap.kind
    "request": N_("request"),
    "redirect": N_("redirect"),
    "websocket": N_("websocket"),
    "preflight": N_("CORS preflight"),
    "frames": N_("websocket frames"),
}
POLICIES = {"default": N_("default (none set)")}  # a page's referrer policy
PRESENTED = {  # BrowserInfo.presented_as, in crawler/record/browser/chromium.py's words
    PRESENTED_AS: N_(
        "desktop Chrome (user agent and navigator.webdriver as in a citizen's browser)"
    ),
    PRESENTED_AS_HEADLESS: N_("headless Chromium as it identifies itself (HeadlessChrome)"),
}
CATEGORIES = {  # Ghostery TrackerDB's categories, and the bundled list's
    "advertising": N_("advertising"),
    "site_analytics": N_("site analytics"),
    "consent": N_("consent management"),
    "essential": N_("essential"),
    "hosting": N_("hosting"),
    "cdn": N_("content delivery"),
    "customer_interaction": N_("customer interaction"),
    "audio_video_player": N_("audio and video player"),
    "comments": N_("comments"),
    "social_media": N_("social media"),
    "utilities": N_("utilities"),
    "accessibility": N_("accessibility"),
    "misc": N_("miscellaneous"),
}


def filters(t: NullTranslations) -> dict[str, Callable[[str], str]]:
    """The template filters for these words in one language."""

    def word(table: dict[str, str]) -> Callable[[str], str]:
        return lambda value: t.gettext(table[value]) if value in table else value

    return {
        "verdict": word(VERDICTS),
        "channel": word(CHANNELS),
        "identifier": word(IDENTIFIERS),
        "reason": word(LINK_REASONS),
        "agreement": word(AGREEMENTS),
        "resource": word(RESOURCE_TYPES),
        "gap": word(GAP_KINDS),
        "policy": word(POLICIES),
        "encoding": lambda value: encoding(value, t),
        "presented": word(PRESENTED),
        "blocked": word(BLOCKED),
        "category": lambda value: ", ".join(map(word(CATEGORIES), (value or "").split(", "))),
        "place": lambda detail: place(detail, t),
        "initiator": lambda text: initiator(text, t),
    }


def place(detail: str, t: NullTranslations) -> str:
    """'query parameter dl' as the reader says it; a detail of unknown shape as it is."""
    if detail in WHOLE_PLACES:
        return t.gettext(WHOLE_PLACES[detail])
    for start, message in PLACES:
        if detail.startswith(start):
            return t.gettext(message) % {"name": detail.removeprefix(start)}
    return detail


def encoding(value: str, t: NullTranslations) -> str:
    """'base64+sha256' as the reader says it: 'Base64 + SHA-256 hash'; a layer of unknown name
    as it is."""

    def layer(name: str) -> str:
        if name in HASHES:
            return t.gettext("%(name)s hash") % {"name": HASHES[name]}
        return t.gettext(ENCODINGS[name]) if name in ENCODINGS else name

    return " + ".join(map(layer, value.split("+")))


def initiator(text: str, t: NullTranslations) -> str:
    """Finding.initiator (crawler/analyse/initiators.py: "sent by X, loaded by Y, ...") as the
    reader says it, without the "sent by" its row's heading already says."""
    first, *chain = text.split(", loaded by ")
    if first.startswith("sent by the HTML of "):
        first = t.gettext("the HTML of %(where)s") % {
            "where": first.removeprefix("sent by the HTML of ")
        }
    elif first.startswith("started by the browser ("):
        kind = first.removeprefix("started by the browser (").removesuffix(")")
        first = t.gettext("the browser itself (%(kind)s)") % {"kind": kind}
    else:
        first = first.removeprefix("sent by ")
    return ", ".join([first] + [t.gettext("loaded by %(where)s") % {"where": w} for w in chain])
