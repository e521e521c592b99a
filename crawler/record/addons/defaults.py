"""The addons of an audit, in one list: a new recording mode is a module and a line here."""

from __future__ import annotations

from crawler.detect.live import CprToThirdParty
from crawler.model import Citizen, Target
from crawler.parties import Parties
from crawler.record.addons.contain import Containment
from crawler.record.addons.form_probe import FormProbe
from crawler.record.addons.hooks import Addons
from crawler.record.addons.legacy_referrer import LegacyReferrer
from crawler.record.addons.redaction import Redactor
from crawler.record.addons.worker_gate import WorkerGate
from crawler.record.evidence.no_refetch import NoRefetch


def default_addons(
    target: Target, citizen: Citizen, parties: Parties, redactor: Redactor | None
) -> Addons:
    """The modes `target` asks for, in the order their hooks run. Redaction comes last, so that
    what is written is what every other addon made of it."""
    contain = Containment(CprToThirdParty(citizen.cpr, parties)) if target.contain else None
    crawl = target.crawl
    addons = (
        contain,
        WorkerGate(contain) if contain else None,
        LegacyReferrer(parties) if target.legacy_referrer else None,
        FormProbe(citizen, crawl.dwell) if crawl and target.fill_forms else None,
        NoRefetch() if target.trace != "off" else None,  # the trace re-sends nothing
        redactor,
    )
    return Addons([addon for addon in addons if addon is not None])
