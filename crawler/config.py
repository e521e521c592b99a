"""`audit.toml`: citizens and systems to audit, validated before any browser starts.

Credentials never live in the file: a citizen names the environment variables (or a
secrets file) that hold them. Every error names the file, the key, the problem and the fix.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from crawler import bundle, tomlfile
from crawler.detect.identifiers import parse_cpr
from crawler.errors import BadInput
from crawler.model import Citizen, CrawlSettings, Language, LoginCheck, Owner, Target, http_host
from crawler.record.switches import resolver_rules
from crawler.run import catalogue


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CitizenConfig(_Strict):
    id: str = Field(description="Name the systems use to pick this citizen.")
    cpr: str = Field(description="The synthetic citizen's CPR number, DDMMYYSSSS or DDMMYY-SSSS.")
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    credentials: dict[str, str] = Field(
        default_factory=dict,
        description="Credential name -> environment variable holding it, "
        'e.g. {password = "JENS_PASSWORD"}.',
    )
    secrets_file: str | None = Field(
        default=None,
        description="A TOML file of credential name = value, kept out of version control.",
    )

    @field_validator("cpr")
    @classmethod
    def _cpr(cls, value: str) -> str:
        try:
            return parse_cpr(value)
        except BadInput as exc:
            raise ValueError(str(exc)) from None


class Processor(_Strict):
    domain: str
    agreement: str = Field(
        description="Reference of the data-processing agreement with this party."
    )
    expires: date | None = Field(
        default=None,
        description="Last day the agreement holds, e.g. 2027-01-31; after it, it counts as none.",
    )


class LoggedInText(_Strict):
    text: str = Field(min_length=1, description="A text only a logged-in citizen sees.")


class SystemConfig(_Strict):
    name: str
    supplier: str | None = None
    start_url: str
    first_party: list[str] = Field(min_length=1, description="Domains of the system itself.")
    processors: list[Processor] = Field(default_factory=list)
    scenario: str | None = Field(
        default=None, description='Python file (":function", default run), relative to the config.'
    )
    citizen: str | None = Field(
        default=None, description="id of the citizen; default the first one."
    )
    resolve: list[str] = Field(
        default_factory=list, description='Host mappings like "*.test=127.0.0.1:8080".'
    )
    crawl: CrawlSettings | None = Field(
        default_factory=CrawlSettings, description="Safe crawl after the scenario."
    )
    time_limit: float = Field(default=600.0, gt=0, description="Seconds the whole system may take.")
    fail_on_latent: bool = Field(
        default=False, description="Latent Referer leaks make the verdict leak."
    )
    contain: bool = Field(
        default=False, description="Answer requests carrying the CPR to third parties locally."
    )
    legacy_referrer: bool = Field(
        default=False, description="Force the pre-2021 referrer default on first-party pages."
    )
    witness: bool = Field(
        default=True, description="Keep Chromium's NetLog as a second witness of what left."
    )
    fail_on_unagreed: bool = Field(
        default=False,
        description="A third party without a data-processing agreement in force fails the system.",
    )
    login: bool = Field(
        default=True, description="false: the scenario visits public pages, nothing to prove."
    )
    logged_in: str | LoggedInText | None = Field(
        default=None,
        validate_default=True,
        description='What only a logged-in citizen sees: a CSS selector ("#welcome") or '
        '{ text = "Log af" }; proved after the scenario and after every crawled page.',
    )

    @field_validator("logged_in")
    @classmethod
    def _logged_in(cls, value: str | LoggedInText | None, info: ValidationInfo):
        login, scenario = info.data.get("login", True), info.data.get("scenario")
        if value is None and login and scenario:
            raise ValueError(
                "required for a system with a scenario: add what only a logged-in citizen sees, "
                'e.g. logged_in = "#welcome" or logged_in = { text = "Log af" } '
                "(or login = false for public pages)"
            )
        if value is not None and not login:
            raise ValueError("login = false says there is no login to prove; remove one of them")
        if isinstance(value, str) and not value.strip():
            raise ValueError('empty; give a CSS selector such as "#welcome"')
        return value

    @field_validator("crawl", mode="before")
    @classmethod
    def _crawl_switch(cls, value):
        return {False: None, True: {}}.get(value, value) if isinstance(value, bool) else value

    @field_validator("resolve")
    @classmethod
    def _resolve(cls, value: list[str]) -> list[str]:
        try:
            resolver_rules(value)
        except BadInput as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("start_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not http_host(value):
            raise ValueError("not an http(s) URL; write it like https://portal.example.dk/")
        return value


class Accepted(_Strict):
    """A known leak accepted for a time: shown as accepted in the report, not counted by the
    exit code until `expires` has passed (then it counts again)."""

    system: str
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
    citizens: list[CitizenConfig] = Field(min_length=1)
    systems: list[SystemConfig] = Field(min_length=1)
    catalogue: str | None = Field(
        default=None, description="Catalogue of systems for the index, relative to the config."
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


class Audit:
    """A loaded configuration: targets with their citizens, paths resolved."""

    def __init__(self, config: AuditConfig, path: Path, resolve: tuple[str, ...] = ()) -> None:
        self.config, self.path, self.base = config, path, path.parent
        self.resolve = resolve  # added to every system's rules, e.g. by `cpraudit demo`
        self.overrides: dict[
            str, bool
        ] = {}  # modes switched on for every system from the command line
        self.citizens = {c.id: c for c in config.citizens}

    @property
    def catalogue_path(self) -> Path:
        return self.base / self.config.catalogue if self.config.catalogue else catalogue.DEFAULT

    def citizen_for(self, system: SystemConfig) -> Citizen:
        chosen = self.citizens[system.citizen] if system.citizen else self.config.citizens[0]
        return Citizen(
            id=chosen.id,
            cpr=chosen.cpr,
            name=chosen.name,
            email=chosen.email,
            phone=chosen.phone,
            address=chosen.address,
            credentials=self._credentials(chosen),
        )

    def secrets(self) -> list[str]:
        """Every credential of the citizens the systems log in as: what no output may hold."""
        return [
            value.get_secret_value()
            for system in self.config.systems
            for value in self.citizen_for(system).credentials.values()
        ]

    def target(self, system: SystemConfig) -> Target:
        return Target(
            system=system.name,
            supplier=system.supplier,
            start_url=system.start_url,
            first_party=tuple(system.first_party),
            processors={p.domain: p.agreement for p in system.processors},
            agreements_expire={p.domain: p.expires for p in system.processors if p.expires},
            resolve=tuple(system.resolve) + self.resolve,
            crawl=system.crawl,
            owners=tuple(self.config.owners),
            fail_on_latent=system.fail_on_latent,
            contain=system.contain or self.overrides.get("contain", False),
            legacy_referrer=system.legacy_referrer or self.overrides.get("legacy_referrer", False),
            witness=system.witness and not self.overrides.get("no_witness", False),
            fail_on_unagreed=system.fail_on_unagreed,
            scenario=str(self.base / system.scenario) if system.scenario else None,
            logged_in=_login_check(system.logged_in),
        )

    def _credentials(self, citizen: CitizenConfig) -> dict[str, SecretStr]:
        values: dict[str, str] = {}
        if citizen.secrets_file:
            path = self.base / citizen.secrets_file
            fix = f"give a TOML file with a [{citizen.id}] table of credentials"
            table = tomlfile.read(path, fix).get(citizen.id, {})
            if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
                raise BadInput(f"{path}: [{citizen.id}] is not a table of text values; {fix}")
            values.update(table)
        for name, variable in citizen.credentials.items():
            if variable not in os.environ:
                raise BadInput(
                    f"{self.path}: citizens.{citizen.id}.credentials.{name}: environment variable "
                    f"{variable} is not set; export it before the run"
                )
            values[name] = os.environ[variable]
        return {name: SecretStr(value) for name, value in values.items()}


def _login_check(value: str | LoggedInText | None) -> LoginCheck | None:
    if isinstance(value, LoggedInText):
        return LoginCheck(text=value.text)
    return LoginCheck(selector=value) if value else None


def load(path: Path) -> Audit:
    """Read and validate an audit.toml; BadInput with one line on any problem."""
    raw = tomlfile.read(path, "give the path of an audit.toml (see audit.example.toml)")
    try:
        config = AuditConfig.model_validate(raw)
    except ValidationError as exc:
        raise BadInput(explain(path, exc)) from None
    audit = Audit(config, path)
    for i, system in enumerate(config.systems):
        if system.citizen and system.citizen not in audit.citizens:
            raise BadInput(
                f"{path}: systems[{i}].citizen: no citizen with id {system.citizen!r}; "
                f"use one of {sorted(audit.citizens)}"
            )
    names = [s.name for s in config.systems]
    if dupes := sorted({n for n in names if names.count(n) > 1}):
        raise BadInput(f"{path}: systems: {dupes[0]!r} appears twice; give each system one entry")
    _refuse_shared_folders(path, names)
    return audit


def _refuse_shared_folders(path: Path, names: list[str]) -> None:
    """Two systems whose names make one folder name would overwrite each other's evidence."""
    by_folder: dict[str, str] = {}
    for name in names:
        other = by_folder.setdefault(bundle.slug(name), name)
        if other != name:
            raise BadInput(
                f"{path}: systems: {other!r} and {name!r} would share the report folder "
                f"{bundle.slug(name)!r}; rename one of them"
            )


def explain(path: Path, exc: ValidationError) -> str:
    """The first validation error as `file: key.path: problem`, and how many more there are."""
    errors = exc.errors()
    first = errors[0]
    key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
    problem = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        problem = "unknown key; check its spelling against audit.example.toml"
    elif first["type"] == "missing":
        problem = "required key is missing; add it"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{path}: {key}: {problem}{more}"
