"""Suspects: numbers shaped like somebody else's CPR in what third parties receive.

A lead for a person to look at, never a verdict, so the list must stay short enough to read.
Random ten-digit numbers are everywhere in tracking traffic (timestamps, client ids, cache
busters), and about one in thirty of them starts with a valid DDMMYY. The rule, each part
cutting a kind of noise:

1. ten digits, or DDMMYY-SSSS, with no letter or digit on either side (not a piece of a hex
   id or a longer number) and not part of a decimal (`0.4821937465`, GA's `123.1714400000`);
2. a real birth date by the century rule, not in the future and at most 120 years back;
3. modulus 11 holds, or the birth date is 1 January: until October 2007 every number passed
   the check, and the CPR office issues the few that fail it for 1 January birth dates;
4. without the hyphen, not a Unix time from 12 years before to 2 years after the exchange
   (a CPR of someone born on the 14th-19th can be missed: a lead lost, not a finding);
5. not the value of a field whose name says it is a timestamp, cache buster or random id of a
   common tag (`_`, `z`, `cb`, `rnd`, `_p`, `cid`, `ts`, `...Id`, `...Time`: `NOISE_NAME`);
6. not the audited citizen's own number (that is a finding, not a suspect).

Rules 4 and 5 give way to a field whose name says it holds a CPR (`cpr`, `personnummer`,
`subject_cpr`, `cprNr`, `pnr`: `cpr_name`): there a Unix-time-shaped value is a suspect too.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from crawler.detect.identifiers import cpr_birth_date, modulus11_ok
from crawler.model import Channel, Exchange, Suspect

# the first digit leads, so the engine can skip ahead to it (3x faster on text)
_SHAPE = re.compile(
    r"([0-3](?<![0-9A-Za-z][0-3])(?<![0-9]\.[0-3])[0-9][01][0-9]{3})"
    r"(-?)([0-9]{4})(?![0-9A-Za-z])(?!\.[0-9])"
)
_DIGITS = bytes(
    ord("d") if 48 <= b <= 57 else ord("-") if b == 45 else ord(" ") for b in range(256)
)
_BLOCKS = (b"d" * 10, b"d" * 6 + b"-" + b"d" * 4)  # what every CPR shape holds
_YEAR = 365.25 * 86400
NOISE_NAME = re.compile(  # cache busters, timestamps and random ids of the common tags, by name
    r"(?i:^(?:_|z|cb|rnd|rand|random|ord|nonce|seed|correlator|bust|nocache|cache[_-]?buster|_dc|ct|t|_p|_s"
    r"|_u|_et|sct|seg|a|jid|gjid|v|tid|fbp|_fbp|_ga|_gid)$|(?:^|[_.-])(?:ts|time|timestamp|id|sid|cid|uid)$)"
    r"|[a-z](?:Id|ID|Time|Timestamp|At|Ts)$"
)


def shapes(text: str) -> list[re.Match]:
    """The matches of `_SHAPE`, in order, looked for only where ten digits stand together:
    tracking JSON is full of short numbers, which the expression would try one by one. A copy
    with a byte per character (digits "d") is searched for the blocks with bytes.find."""
    digits = text.encode("latin-1", "replace").translate(_DIGITS)
    starts = set()
    # the next block may begin after the hyphen
    for block, step in zip(_BLOCKS, (10, 7), strict=True):
        at = digits.find(block)
        while at >= 0:
            start = at
            while start and digits[start - 1] == 100:  # back to where the digits begin ("d")
                start -= 1
            starts.add(start)
            at = digits.find(block, at + step)
    return [m for start in sorted(starts) if (m := _SHAPE.match(text, start))]


_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_CPR_WORDS = {"personnummer", "personnr", "pnr"}


class SuspectRule:
    def __init__(self, own_cpr: str) -> None:
        self.own = own_cpr

    def find(self, text: str, when: float) -> list[tuple[int, str, bool]]:
        """(position, value as written, whether it could be a Unix time) of CPR-shaped values
        in `text` that pass rules 1-3 and 6; those that could be a Unix time fail rule 4 unless
        their field names a CPR."""
        now = when or time.time()
        leads = []
        for m in shapes(text):
            if self._passes(m, now):
                leads.append((m.start(), m.group(), self._unix_time(m, now)))
        return leads

    @staticmethod
    def noise_name(name: str) -> bool:
        """Rule 5, for the field the value was found in."""
        return NOISE_NAME.search(name) is not None

    @staticmethod
    def cpr_name(name: str) -> bool:
        """A field named for a CPR: `cpr`, `subject_cpr`, `cprNr`, `CPRNummer`, `personnummer`."""
        words = [w.lower() for w in _WORDS.findall(name)]
        return any(w in _CPR_WORDS or w.startswith("cpr") or w.endswith("cpr") for w in words)

    def keeps(self, name: str, unix_time: bool) -> bool:
        """Rules 4 and 5 for a value found in field `name`, unless the name says CPR."""
        return self.cpr_name(name) or not (unix_time or self.noise_name(name))

    def _passes(self, match: re.Match, now: float) -> bool:
        digits = match.group(1) + match.group(3)
        if digits == self.own:
            return False
        born = cpr_birth_date(digits)
        today = datetime.fromtimestamp(now, UTC).date()
        if born is None or born > today or born.year < today.year - 120:
            return False
        return modulus11_ok(digits) or (born.month, born.day) == (1, 1)

    @staticmethod
    def _unix_time(match: re.Match, now: float) -> bool:
        if match.group(2):  # a hyphen: written by a person, not a clock
            return False
        return now - 12 * _YEAR <= int(match.group(1) + match.group(3)) <= now + 2 * _YEAR

    def suspect(self, value: str, ex: Exchange, channel: Channel, detail: str) -> Suspect:
        digits = value.replace("-", "")
        return Suspect(
            value=value,
            request_url=ex.url,
            host=ex.host,
            channel=channel,
            detail=detail,
            modulus11=modulus11_ok(digits),
            exchange_seq=ex.seq,
        )
