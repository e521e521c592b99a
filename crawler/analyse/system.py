"""One system's analysis: parties, detector, root cause and verdict over the written record.

It needs no browser: an old run's requests.jsonl can be analysed again with a newer detector.
"""

from __future__ import annotations

import time
from datetime import date

from crawler import __version__, bundle, diagnostics
from crawler.analyse import attempts, gaps, rootcause, typed
from crawler.analyse.fingerprints import stamp_fingerprints
from crawler.analyse.initiators import annotate
from crawler.analyse.inventory import inventory
from crawler.analyse.reconcile import reconcile
from crawler.analyse.verdict import agreement_verdict, judge, latent_fails
from crawler.bundle import Recording
from crawler.detect import detect
from crawler.importers.har import unkept_bodies
from crawler.model import (
    Analysed,
    Citizen,
    Exchange,
    Finding,
    Recorded,
    SystemResult,
    WitnessSummary,
)
from crawler.parties import Parties, host_table


def analyse_system(
    rec: Recording, citizen: Citizen, command: str = ""
) -> tuple[SystemResult, list[Exchange]]:
    """The system's result, and the exchanges it was found in (for the report's excerpts)."""
    target = rec.target
    parties = Parties.for_target(
        target, on=date.fromtimestamp(rec.started) if rec.started else None, names=rec.setup.names
    )
    record, unreadable = (
        bundle.read_exchanges(rec.requests_path) if rec.requests_path.exists() else ([], 0)
    )
    wire = bundle.read_exchanges(rec.wire_path)[0] if rec.wire_path.exists() else []
    witnessed = reconcile(record, wire)
    record = witnessed.record
    exchanges = record + witnessed.copies  # everything that left and was seen, searched alike
    clock = time.perf_counter()
    found = detect(exchanges, citizen, parties, folder=rec.out_dir, window=target.body_limit)
    own = detect(witnessed.browser + witnessed.evidence, citizen, parties)  # never the site's
    detect_seconds = time.perf_counter() - clock
    witness_ran = bool(rec.witness and rec.witness.ran)
    by_seq = {e.seq: e for e in exchanges}
    annotated = typed.attribute(annotate(found.findings, exchanges), by_seq, rec.coverage.typed)
    findings, tried = attempts.split(annotated, witnessed.left, witness_ran)
    capture_gaps = gaps.mark(witnessed.gaps, found.findings + own.findings)
    witness = rec.witness and rec.witness.model_copy(update={"matched": witnessed.matched})
    first_party = tuple(f for f in findings if f.party == "first" and not f.secondary)
    shown = [v.url for v in rec.coverage.pages] + rec.pages
    pages = rootcause.cpr_pages(exchanges, list(first_party), shown, citizen, parties)
    design, latent = rootcause.root_causes(exchanges, pages, parties, rec.out_dir)
    errors = list(rec.errors)
    if unreadable:
        errors.append(
            f"{unreadable} recorded lines could not be read back from {rec.requests_path.name}"
        )
    errors += gaps.errors(witness, capture_gaps)
    errors += gaps.missing_bodies(record, parties, witnessed.left if witness_ran else None)
    if found.unsearched:
        errors.append(diagnostics.UNSEARCHED(num=found.unsearched))
    confirmed = tuple(f for f in findings if f.party != "first" and not f.secondary)
    failing_latent = latent_fails(latent, target.fail_on_latent)
    verdict = judge(confirmed, errors, len(exchanges), failing_latent)
    contacted = attempts.reached(exchanges, witnessed.left if witness_ran else frozenset())
    third_parties = inventory(contacted, parties, confirmed)
    analysed = Analysed(
        verdict=verdict,
        latent_fails=failing_latent,
        requests=len(exchanges),
        findings=confirmed,
        first_party=first_party,
        design=design,
        latent=latent,
        secondary=tuple(f for f in findings if f.party != "first" and f.secondary),
        attempts=tuple(f for f in tried if f.party != "first"),
        suspects=found.suspects,
        hosts=host_table(contacted, parties, confirmed),
        third_parties=third_parties,
        agreement_verdict=agreement_verdict(third_parties, target.fail_on_unagreed, verdict),
        owner_database=parties.book.database,
        errors=tuple(errors),
        notes=tuple(rec.notes)
        + found.notes
        + tuple(filter(None, [parties.book.problem]))
        + tuple(gaps.notes(witness, capture_gaps))
        + tuple(_uncontained(confirmed) if target.contain else ())
        + tuple(_unkept(unkept_bodies(rec.out_dir / bundle.HAR)))
        + tuple(_self_hosted(first_party)),
        capture_gaps=tuple(capture_gaps),
        detect_seconds=detect_seconds,
        tool_version=__version__,
        command=command,
    )
    result = SystemResult(**dict(recorded(rec, witness)), **dict(analysed))
    return stamp_fingerprints(result), exchanges


def recorded(rec: Recording, witness: WitnessSummary | None) -> Recorded:
    """What the record stage saw, as the result says it (the witness as reconciled)."""
    target = rec.target
    return Recorded(
        system=target.system,
        supplier=target.supplier,
        start_url=target.start_url,
        variant_of=target.variant_of,
        pages=tuple(rec.pages),
        steps=tuple(rec.steps),
        coverage=rec.coverage,
        browser=rec.browser,
        started=rec.started,
        finished=rec.finished,
        witness=witness,
        setup=rec.setup.model_copy(update={"environment": target.environment}),
        dialogs=tuple(rec.dialogs),
        consent=rec.consent,
        scenario_traceback=rec.traceback,
        imported_from=rec.imported_from,
    )


def _unkept(missing: list[str]) -> list[str]:
    """Response bodies the HAR lacks: the evidence does not hold them (they are never searched:
    what the browser received is not a leak)."""
    if not missing:
        return []
    named = "; ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return [f"{bundle.HAR} lacks the response body of {len(missing)} request(s): {named}"]


def _self_hosted(first_party: tuple[Finding, ...]) -> list[str]:
    """The CPR sent to a first-party endpoint that speaks a self-hostable tracker's protocol:
    not a leak by default, but worth a look (audit.toml can declare that it forwards)."""
    spoken = sorted(
        {(f.host, f.endpoint.protocol or "") for f in first_party if f.endpoint is not None}
    )
    return [
        diagnostics.SELF_HOSTED_ENDPOINT(host=host, protocol=protocol) for host, protocol in spoken
    ]


def _uncontained(findings: tuple[Finding, ...]) -> list[str]:
    """Contain mode may miss something (a partitioned cookie when the cookie store cannot be
    read; a worker that ran before the capture reached it): name what left."""
    left = [f for f in findings if not f.contained]
    if not left:
        return []
    named = "; ".join(f"{f.host} ({f.channel}, {f.detail})" for f in left[:5])
    more = f" and {len(left) - 5} more" if len(left) > 5 else ""
    return [f"contain mode did not stop {len(left)} finding(s): {named}{more}"]
