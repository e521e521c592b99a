"""What an audit said about itself (crawler/diagnostics.py: errors, bounds, notes, capture-gap
explanations), as its report's reader says it: the sentence in the report's language, with the
data it quotes shown as data. A sentence that is no diagnostic's stays as written, marked as
English and, in another language, said to be so: the reader sees the tool's own record, not a
translation of it."""

from __future__ import annotations

import re
from collections.abc import Callable

from babel.support import NullTranslations
from markupsafe import Markup

from crawler.diagnostics import ALL

CODE = {"url", "check", "requests", "ca", "switches"}
NESTED = {"problem", "reason", "error"}  # another diagnostic, or English from elsewhere
_NUMBER = re.compile(r"\d+(\.\d+)?")

Number = Callable[[float], str]


def said(text: str, t: NullTranslations, number: Number, lang: str = "en") -> Markup:
    """`text` in the reader's language, as HTML with every value escaped."""
    if (sentence := _sentence(text, t, number)) is not None:
        return sentence
    if lang == "en":
        return _english(text)
    note = Markup(' <span class="muted">(%s)</span>') % t.gettext("in English, as recorded")
    return _english(text) + note


def _sentence(text: str, t: NullTranslations, number: Number) -> Markup | None:
    for d in ALL:
        if (values := d.read(text)) is None:
            continue
        if d.plural is None:
            message = t.gettext(d.singular)
        else:
            message = t.ngettext(d.singular, d.plural, int(values["num"]))
        return Markup.escape(message) % {k: _value(k, v, t, number) for k, v in values.items()}
    return None


def _value(name: str, value: str, t: NullTranslations, number: Number) -> Markup:
    if name in NESTED:
        return _sentence(value, t, number) or _english(value)
    if name in CODE:
        return Markup("<code>%s</code>") % value
    if _NUMBER.fullmatch(value):
        return Markup.escape(number(float(value) if "." in value else int(value)))
    return Markup('<span translate="no">%s</span>') % value


def _english(text: str) -> Markup:
    return Markup('<span lang="en" translate="no">%s</span>') % text
