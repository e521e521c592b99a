"""audit.toml's schema: citizens, systems, owners, acceptances, the reports' language. Every key
is checked (an unknown one is a typo), and a system's keys are `TargetOptions`, declared once in
crawler/model/options.py, plus what only the file says: its name, its citizen, its consent
states."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from crawler.detect.identifiers import parse_cpr
from crawler.errors import BadInput
from crawler.model import (
    ConsentChoice,
    Language,
    LoginCheck,
    Owner,
    TargetOptions,
    checked_http_url,
)
from crawler.notify.urls import NotifyURL


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CitizenConfig(_Strict):
    """A synthetic test citizen, never a real person. Credentials are never written in
    audit.toml: only the names of the environment variables that hold them, or a secrets file."""

    id: str = Field(description="Name the systems use to pick this citizen.")
    cpr: str = Field(
        description="The synthetic citizen's CPR number, DDMMYYSSSS or DDMMYY-SSSS (one that "
        "fails the modulus-11 check is allowed)."
    )
    name: str | None = Field(
        default=None,
        description="The citizen's name, as forms ask for it. It and the e-mail, phone and "
        "address are searched for too, and filled into forms; alone they make no verdict.",
    )
    email: str | None = Field(default=None, description="The citizen's e-mail address.")
    phone: str | None = Field(default=None, description="The citizen's phone number.")
    address: str | None = Field(default=None, description="The citizen's postal address.")
    credentials: dict[str, str] = Field(
        default_factory=dict,
        description="Credential name -> environment variable holding it, "
        'e.g. {password = "JENS_PASSWORD"}.',
    )
    secrets_file: str | None = Field(
        default=None,
        description="A TOML file, relative to audit.toml and kept out of version control, with "
        "a table named by the citizen's id of credential name = value ([jens] password = ...).",
    )

    @field_validator("cpr")
    @classmethod
    def _cpr(cls, value: str) -> str:
        try:
            return parse_cpr(value)
        except BadInput as exc:
            raise ValueError(str(exc)) from None


class SystemConfig(TargetOptions):
    """A system to audit, one table each: where it starts, which domains are its own, which
    scenario logs the citizen in and how that is proved, how far the crawl goes after it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="The system's name, as reports and --system name it.")
    citizen: str | None = Field(
        default=None, description="id of the citizen; default the first one."
    )
    logged_in: LoginCheck | None = Field(
        default=None,
        validate_default=True,  # required for a system with a scenario, so checked when left out
        description=f"{TargetOptions.model_fields['logged_in'].description} Required for a "
        "system with a scenario, unless login = false.",
    )
    consent: list[ConsentChoice] = Field(
        default_factory=list,
        description='Consent states to audit, each in a browser of its own: "none", "decline", '
        '"accept".',
    )
    consent_accept: str | None = Field(
        default=None, description="Selector of the banner's accept button (overrides the rules)."
    )
    consent_decline: str | None = Field(
        default=None, description="Selector of the banner's decline button (overrides the rules)."
    )

    @field_validator("logged_in")
    @classmethod
    def _logged_in(cls, value: LoginCheck | None, info: ValidationInfo) -> LoginCheck | None:
        login, scenario = info.data.get("login", True), info.data.get("scenario")
        if value is None and login and scenario:
            raise ValueError(
                "required for a system with a scenario: add what only a logged-in citizen sees, "
                'e.g. logged_in = "#welcome" or logged_in = { text = "Log af" } '
                "(or login = false for public pages)"
            )
        if value is not None and not login:
            raise ValueError("login = false says there is no login to prove; remove one of them")
        return value

    @field_validator("reuse_login")
    @classmethod
    def _reuse_needs_proof(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and not info.data.get("logged_in"):
            raise ValueError("needs logged_in: a reused login must be proven like any other")
        return value

    @field_validator("consent")
    @classmethod
    def _consent(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a state is listed twice; give each of none, decline, accept once")
        return value

    @field_validator("consent_accept", "consent_decline")
    @classmethod
    def _consent_button(cls, value: str | None, info: ValidationInfo) -> str | None:
        state = "accept" if info.field_name == "consent_accept" else "decline"
        if value is not None and state not in info.data.get("consent", []):
            raise ValueError(f'only used for the "{state}" state: add it to consent = [...]')
        return value


class Accepted(_Strict):
    """A known leak accepted for a time: shown as accepted in the report, not counted by the
    exit code until `expires` has passed (then it counts again)."""

    system: str = Field(description="The system, or one of its consent states, as named.")
    fingerprint: str = Field(description="As shown in the report and findings.json.")
    reason: str = Field(min_length=1, description="Why, and who decided: shown in the report.")
    expires: date = Field(description="Last day the acceptance holds, e.g. 2027-01-31.")

    @field_validator("fingerprint")
    @classmethod
    def _fingerprint(cls, value: str) -> str:
        if len(value) != 16 or not all(c in "0123456789abcdef" for c in value):
            raise ValueError(
                "not a fingerprint; copy the 16 hex digits from the report or findings.json"
            )
        return value


class OwnerConfig(Owner):
    """An organisation that owns third-party domains, as the auditor knows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AuditConfig(_Strict):
    citizens: list[CitizenConfig] = Field(min_length=1, description="The test citizens.")
    systems: list[SystemConfig] = Field(min_length=1, description="The systems to audit.")
    catalogue: str | None = Field(
        default=None,
        description="Catalogue of systems the index lists, audited or not, so that a system "
        'without a scenario shows as "not audited" instead of vanishing: "cpraudit:table-1" names '
        "the bundled one (the 24 systems of the 2020 review), any other value a TOML file of "
        "[[system]] tables (supplier, names) relative to audit.toml; without it the index lists "
        "the audited systems.",
    )
    owners: list[OwnerConfig] = Field(
        default_factory=list,
        description="Owners of third-party domains, before the bundled list and TrackerDB.",
    )
    accepted: list[Accepted] = Field(
        default_factory=list, description="Leaks accepted with a reason until a date."
    )
    lang: Language = Field(
        default="en", description='Language of the reports: "en" (English) or "da" (Danish).'
    )
    notify: list[NotifyURL] = Field(
        default_factory=list,
        description="Apprise URLs told after each run when something needs a person: a new "
        "leak, a new third party, an inconclusive system, a leak no longer found. Secrets only "
        'as ${VAR}, e.g. "mailtos://cpraudit:${SMTP_PASSWORD}@smtp.example.dk?to=dpo@example.dk".',
    )
    reports_url: str | None = Field(
        default=None,
        description="Where the folder that holds the run folders (reports/ by default) is served, "
        'e.g. "https://audit.example.dk/cpraudit/": a notification then links the run\'s index '
        "and each system's report there, instead of naming paths on this machine.",
    )

    @field_validator("reports_url")
    @classmethod
    def _reports_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return checked_http_url(
            value,
            "https://audit.example.dk/reports/",
            "holds a user name or password (user:password@), which every notification would "
            "carry; give the URL without them",
        )
