"""The form probe: type as a citizen would, and never submit.

Self-service is forms, and session-replay and form-analytics scripts send what a citizen types
as it is typed, before any submit. A crawl that never types never sees it. So on every page the
crawl visits, the probe fills each free-text field (in every frame, same- and cross-origin) with
the test citizen's data, key by key so that keydown, input, keyup and change fire, blurs it,
then stays `dwell` seconds; the crawl then leaves the page, so pagehide senders fire too.

What goes where: a field that asks for the CPR (by its label, name, id, placeholder, autocomplete
or aria attributes) gets it in the form the field expects (`maxlength`, `pattern`, numeric input:
with or without the dash); name, e-mail, phone and address fields get the citizen's values where
audit.toml has them; every other free-text field (search boxes, messages, textareas,
contenteditable) gets the CPR as a citizen writes it, since a citizen may type it anywhere.
Passwords, files, buttons and choices are left alone. Nothing is submitted: no Enter is pressed,
no button clicked, and every submit event in a probed frame is prevented.

Which requests carried what was typed is decided by the analysis (`crawler.analyse.typed`) from
the times recorded here.
"""

from __future__ import annotations

import re
import time
from importlib.resources import files

from playwright.sync_api import Error, Frame, Page

from crawler.detect.identifiers import written_forms
from crawler.model import Citizen, FieldKind, TypedField, TypedPage

MAX_FIELDS = 25  # per page: a page of a hundred inputs is typed into this far, and says so
KEY_DELAY_MS = 15  # between keys: scripts that debounce input still see each one
_CPR_FIELD = re.compile(
    r"cpr|person[\s_-]*(?:nummer|nr)|personal\s+(?:identification|id)\s+number|civil\s+registration",
    re.IGNORECASE,
)
_KINDS: tuple[tuple[FieldKind, re.Pattern[str], tuple[str, ...], tuple[str, ...]], ...] = (
    # kind, words in its label/name, autocomplete tokens, input types
    ("email", re.compile(r"e-?mail|\bmail\b", re.I), ("email",), ("email",)),
    ("phone", re.compile(r"telefon|phone|mobil|\btlf\b", re.I), ("tel",), ("tel",)),
    (
        "name",
        re.compile(r"\bnavn\b|fornavn|efternavn|\bname\b|full.?name", re.I),
        ("name", "given-name", "family-name", "additional-name"),
        (),
    ),
    (
        "address",
        re.compile(r"adresse|address|vejnavn|street", re.I),
        ("street-address", "address-line1", "address-line2"),
        (),
    ),
)


class FormProbe:
    """An addon: `page_loaded` types into the page's fields; `pages` is what it typed, where."""

    def __init__(self, citizen: Citizen, dwell: float) -> None:
        self.citizen, self.dwell = citizen, dwell
        forms = written_forms(citizen.cpr)
        self.dashed, self.digits = forms["DDMMYY-SSSS"], forms["DDMMYYSSSS"]
        source = files("crawler.record.addons").joinpath("fields.js").read_text("utf-8")
        self._script = source.replace("__DASHED__", self.dashed).replace("__DIGITS__", self.digits)
        self.pages: list[TypedPage] = []

    def page_loaded(self, page: Page) -> None:
        """Type into every field of the page, then stay `dwell` seconds for what is sent."""
        typed: list[TypedField] = []
        skipped, page_url = 0, page.url
        for frame in page.frames:
            try:
                fields = frame.evaluate(self._script)
            except Error:  # a frame that went away, or a page that refuses scripts
                continue
            for field in fields:
                if len(typed) >= MAX_FIELDS:
                    skipped += 1
                elif done := self._type(frame, field, page):
                    typed.append(done)
        if not typed:
            return
        try:
            page.wait_for_timeout(self.dwell * 1000)
        except Error:
            pass  # the page went away: what it sent until then is recorded
        self.pages.append(
            TypedPage(
                page_url=page_url,
                started=typed[0].time,
                left=time.time(),
                fields=tuple(typed),
                skipped=skipped,
            )
        )

    def _type(self, frame: Frame, field: dict, page: Page) -> TypedField | None:
        kind, value = self._value_for(field)
        locator = frame.locator(field["selector"]).first
        started = time.time()
        try:
            locator.evaluate(
                "el => el.isContentEditable ? (el.textContent = '') : (el.value = '')"
            )  # quietly: only the keys typed next make events
            locator.press_sequentially(value, delay=KEY_DELAY_MS, timeout=5_000)
            locator.blur(timeout=2_000)
        except Error:
            return None
        words = field["words"]
        return TypedField(
            label=words[0] if words else field["selector"],
            selector=field["selector"],
            frame_url="" if frame == page.main_frame else frame.url,
            kind=kind,
            typed=value,
            time=started,
        )

    def _value_for(self, field: dict) -> tuple[FieldKind, str]:
        """What a citizen types into this field."""
        said = " ".join(field["words"])
        if _CPR_FIELD.search(said):
            return "cpr", self._cpr_as_expected(field)
        for kind, named, tokens, types in _KINDS:
            value = getattr(self.citizen, kind)
            asked = (
                named.search(said)
                or field["autocomplete"] in tokens
                or (field["type"] in types and types)
            )
            if asked and value:
                return kind, value
        return "cpr", self.dashed

    def _cpr_as_expected(self, field: dict) -> str:
        """With or without the dash, as the field's pattern, length or keyboard asks."""
        if field["dashed_fits"] is False or field["digits_fits"] is True:
            return self.digits
        if field["maxlength"] == 10 or field["inputmode"] == "numeric" or field["type"] == "number":
            return self.digits
        return self.dashed
