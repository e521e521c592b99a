"""The reports' languages: English (the messages as written) and Danish (a Babel catalogue),
and dates, numbers and country names in the reader's locale.

The catalogue's source, `locale/<lang>/LC_MESSAGES/messages.po`, is what the package carries;
it is compiled in memory the first time a report in that language is written, so there is no
compiled file to fall out of step with it. `make messages` extracts the messages of the
templates, of `crawler/report/*.py` and of `crawler/diagnostics.py` and merges them into the .po
files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, get_args

from babel import Locale
from babel.dates import format_date, format_datetime, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from jinja2 import pass_context
from jinja2.runtime import Context

from crawler.model import Language

LANGUAGES: tuple[str, ...] = get_args(Language)
CATALOGUES = Path(__file__).with_name("locale")
_LOCALES = {"en": "en_GB", "da": "da_DK"}  # en_GB: a 24-hour clock and day before month


@cache
def translations(lang: str) -> NullTranslations:
    """The messages in `lang`; English is the messages themselves."""
    if lang == "en":
        return NullTranslations()
    with (CATALOGUES / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalogue)  # fuzzy entries are left out: they are not translations yet
    compiled.seek(0)
    return Translations(compiled)


def formatters(lang: str) -> dict[str, Callable[..., str]]:
    """Template filters that write times, dates, numbers and countries as `lang` does."""
    where = _LOCALES[lang]

    def when(t: float) -> str:
        moment = datetime.fromtimestamp(t, UTC)
        return f"{format_datetime(moment, 'medium', tzinfo=UTC, locale=where)} UTC" if t else "?"

    def day(t: float | date | str | None) -> str:
        if not t:
            return "?"
        if isinstance(t, str):
            t = date.fromisoformat(t)
        elif not isinstance(t, date):
            t = datetime.fromtimestamp(t, UTC).date()
        return format_date(t, "medium", locale=where)

    def country(code: str | None) -> str:
        return Locale.parse(where).territories.get(code.upper(), code) if code else ""

    return {
        "when": when,
        "day": day,
        "num": lambda n: format_decimal(n, locale=where),
        "decimal": lambda x: format_decimal(x, "#,##0.00", locale=where),
        "percent": lambda share: format_percent(share, "#,##0.0 %", locale=where),
        "country": country,
        "age": lambda seconds: format_timedelta(seconds, locale=where),
    }


def counted(ngettext: Callable[..., Any], number: Callable[[float], str]) -> Callable[..., Any]:
    """The templates' ngettext with the count written as the reader writes numbers ("1.234"),
    unless a message is given its own `num`."""

    @pass_context
    def counted_ngettext(
        context: Context, singular: str, plural: str, n: int, **values: object
    ) -> Any:
        values.setdefault("num", number(n))
        return ngettext(context, singular, plural, n, **values)

    return counted_ngettext
