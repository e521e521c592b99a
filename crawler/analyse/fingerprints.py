"""Fingerprint: "the same leak" across runs, so history can say new, persisting or fixed.

The rule. Two findings are the same leak when these agree:

1. the system (its name, case-folded);
2. the receiving third party's registrable domain (`Finding.domain`, eTLD+1; the host if
   unknown): `www.google-analytics.com` and `region1.google-analytics.com` are one receiver;
3. the channel (`url`, `header`, `cookie`, `body`, `websocket`);
4. where in the channel, from `Finding.detail`, normalised: the parameter, header, cookie or
   body-field *name* is kept; header names are case-folded (HTTP headers are); array indices
   in JSON paths become `*` (`events.3.page` = `events.0.page`); runs of six or more digits
   in names (`ga_1714400000`: a timestamp) become `#`, shorter ones stay (`eVar5` is not `eVar12`);
5. the encoding path: `Finding.encoding` and the decoding steps of `Finding.decode_path`
   after the location itself (`plain`, `percent`, `base64 > percent`, ...);
6. the identifier (`cpr`, `email`, ...).

Never part of it: the request URL (cache-busters, timestamps, session ids change every run),
the page URL, the exact host, the method, the step, the matched text. So a beacon that
carries the CPR as `dl` with a new `_=<timestamp>` every night is one persisting leak, while
the same beacon starting to carry it in a new parameter, or base64-encoded, is a new one.

The fingerprint is the first 16 hex digits of SHA-256 over those parts; `key()` gives the
readable key it was computed from.
"""

from __future__ import annotations

import hashlib
import re

from crawler.model import Finding, SystemResult

_DIGITS = re.compile(r"\d{6,}")
_INDEX = re.compile(r"(?<=\.)\d+(?=\.|$)|^\d+(?=\.|$)")


def location(finding: Finding) -> str:
    """The normalised "where in the channel" part of the fingerprint."""
    detail = finding.detail.strip()
    kind, _, name = detail.partition(" ")
    if kind == "header":
        return f"header {name.lower()}"
    if detail.startswith("body JSON "):
        path = _INDEX.sub("*", detail.removeprefix("body JSON "))
        return "body JSON " + _DIGITS.sub("#", path)
    return _DIGITS.sub("#", detail)


def encoding_path(finding: Finding) -> str:
    steps = list(finding.decode_path)
    if steps and steps[0] == finding.detail:
        steps = steps[1:]
    if not steps or steps[-1] != finding.encoding:
        steps.append(finding.encoding)
    return " > ".join(steps)


def leak_key(finding: Finding) -> str:
    """The key without the system (parts 2-6): what makes two findings the same leak whichever
    system, or variant of a system, they were found in. `cpraudit diff` compares by it."""
    receiver = (finding.domain or finding.host).lower()
    return " | ".join(
        (receiver, finding.channel, location(finding), encoding_path(finding), finding.identifier)
    )


def key(system: str, finding: Finding) -> str:
    """The readable key the fingerprint is the hash of."""
    return f"{system.casefold()} | {leak_key(finding)}"


def fingerprint(system: str, finding: Finding) -> str:
    return hashlib.sha256(key(system, finding).encode("utf-8")).hexdigest()[:16]


def stamp_fingerprints(result: SystemResult) -> SystemResult:
    """The result with each finding's fingerprint, under the system as configured (a consent
    state's leaks are its system's)."""
    return result.model_copy(
        update={
            "findings": tuple(
                f.model_copy(update={"fingerprint": fingerprint(result.configured, f)})
                for f in result.findings
            )
        }
    )
