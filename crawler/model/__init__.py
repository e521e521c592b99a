"""The data that flows through the pipeline.

A recorded `Exchange` goes in; `Finding`s, `Suspect`s and a `SystemResult` come out.
Every model is frozen: once the recorder has written an exchange, nothing downstream
may change what the browser sent.

The models live in a module per stage; every name is imported from here.
"""

from crawler.model.base import (
    Channel,
    ConsentChoice,
    DialogAction,
    Frozen,
    GapCause,
    GapKind,
    Language,
    PartyKind,
    Verdict,
    http_host,
    without_fragment,
)
from crawler.model.coverage import (
    Coverage,
    LinkNotVisited,
    LoginState,
    NotVisited,
    PageVisit,
    SessionLoss,
)
from crawler.model.exchange import BODY_LIMIT, Exchange, InitiatorFrame, Wire
from crawler.model.findings import (
    AgreementStatus,
    AgreementVerdict,
    CaptureGap,
    DesignFinding,
    Finding,
    HostSummary,
    LatentLeak,
    OwnerInfo,
    OwnerSource,
    Party,
    Suspect,
    ThirdParty,
    WitnessSummary,
)
from crawler.model.portal import (
    AuditSetup,
    Consent,
    ConsentAction,
    ConsentRow,
    ConsentTable,
    Dialog,
)
from crawler.model.result import (
    Audited,
    BrowserInfo,
    FindingHistory,
    SystemHistory,
    SystemResult,
    TrendPoint,
)
from crawler.model.target import (
    DEFAULT_DENY,
    Citizen,
    CrawlSettings,
    LoginCheck,
    Owner,
    Target,
    TraceMode,
    variant_name,
)

__all__ = [
    "BODY_LIMIT",
    "DEFAULT_DENY",
    "AgreementStatus",
    "AgreementVerdict",
    "AuditSetup",
    "Audited",
    "BrowserInfo",
    "CaptureGap",
    "Channel",
    "Citizen",
    "Consent",
    "ConsentAction",
    "ConsentChoice",
    "ConsentRow",
    "ConsentTable",
    "Coverage",
    "CrawlSettings",
    "DesignFinding",
    "Dialog",
    "DialogAction",
    "Exchange",
    "Finding",
    "FindingHistory",
    "Frozen",
    "GapCause",
    "GapKind",
    "HostSummary",
    "InitiatorFrame",
    "Language",
    "LatentLeak",
    "LinkNotVisited",
    "LoginCheck",
    "LoginState",
    "NotVisited",
    "Owner",
    "OwnerInfo",
    "OwnerSource",
    "PageVisit",
    "Party",
    "PartyKind",
    "SessionLoss",
    "Suspect",
    "SystemHistory",
    "SystemResult",
    "Target",
    "ThirdParty",
    "TraceMode",
    "TrendPoint",
    "Verdict",
    "Wire",
    "WitnessSummary",
    "http_host",
    "variant_name",
    "without_fragment",
]
