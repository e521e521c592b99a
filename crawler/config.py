"""`audit.toml`: citizens and systems to audit, validated before any browser starts.

Credentials never live in the file: a citizen names the environment variables (or a
secrets file) that hold them. Every error names the file, the key, the problem and the fix.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from crawler import bundle, environments, tomlfile
from crawler.detect.identifiers import parse_cpr
from crawler.errors import BadInput
from crawler.model import (
    BODY_LIMIT,
    CREDENTIALS_IN_URL,
    Citizen,
    ConsentChoice,
    CrawlSettings,
    EndpointMeaning,
    Language,
    LoginCheck,
    Owner,
    Target,
    TraceMode,
    credentials_in,
    dns_server_address,
    http_host,
    variant_name,
)
from crawler.record.browser import trust
from crawler.record.browser.switches import (
    checked_browser_args,
    checked_secure_origins,
    resolver_rules,
)
from crawler.record.evidence import saved_logins


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


class EndpointConfig(_Strict):
    url: str = Field(description="The endpoint's URL, or a prefix of its URLs.")
    is_: EndpointMeaning = Field(
        alias="is", description='"forwards" (to a third party: a leak) or "self-hosted".'
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
    dns_server: str | None = Field(
        default=None,
        description='A DNS server, "HOST:PORT", to ask for the CNAME chains of the first-party '
        "hosts (a test environment's); default the system's resolver.",
    )
    endpoints: list[EndpointConfig] = Field(
        default_factory=list,
        description="First-party endpoints and what they really do with what they get, e.g. "
        '[{ url = "https://sst.skat.dk/g/collect", is = "self-hosted" }]: overrides the default '
        "meaning of the tracker protocol an endpoint speaks (forwards: a leak).",
    )
    fill_forms: bool = Field(
        default=True,
        description="Type the citizen's data into every field of each crawled page, key by "
        "key, never submitting; false where typing has side effects (drafts saved as you type).",
    )
    body_limit: int = Field(
        default=BODY_LIMIT,
        gt=0,
        description="Bytes above which a request body or websocket frame is kept in a file of "
        "its own beside requests.jsonl and searched in windows of this size.",
    )
    trace: TraceMode = Field(
        default="on",
        description='Keep Playwright\'s trace: "on", "off", or "retain-on-failure" (kept when '
        "the system is not clean).",
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

    base_url: str | None = Field(
        default=None,
        description="Playwright's base_url, so a scenario's page.goto(\"/\") works in every "
        "environment; default start_url.",
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="Values a scenario reads as system.params[...]."
    )
    ignore_https_errors: bool = Field(
        default=False, description="Accept any certificate (a test host's self-signed one)."
    )
    ca_file: str | None = Field(
        default=None, description="PEM file of a test CA to trust, relative to the config."
    )
    treat_as_secure: list[str] = Field(
        default_factory=list,
        description='Plain-http origins treated as secure contexts, e.g. ["http://portal.test"].',
    )
    browser_args: list[str] = Field(
        default_factory=list, description="Chromium switches added to cpraudit's own."
    )
    dialogs: Literal["accept", "dismiss"] = Field(
        default="dismiss", description="How alert, confirm and prompt dialogs are answered."
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
    reuse_login: str | None = Field(
        default=None,
        description='Reuse the login saved by `cpraudit login` (or a run) this long, e.g. "8h".',
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

    @field_validator("start_url", "base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not http_host(value):
            raise ValueError("not an http(s) URL; write it like https://portal.example.dk/")
        if value is not None and credentials_in(value):
            raise ValueError(CREDENTIALS_IN_URL)
        return value

    @field_validator("dns_server")
    @classmethod
    def _dns_server(cls, value: str | None) -> str | None:
        if value is not None:
            dns_server_address(value)
        return value

    @field_validator("treat_as_secure")
    @classmethod
    def _secure(cls, value: list[str]) -> list[str]:
        return _checked(checked_secure_origins, value)

    @field_validator("browser_args")
    @classmethod
    def _args(cls, value: list[str]) -> list[str]:
        return _checked(checked_browser_args, value)

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

    @field_validator("reuse_login")
    @classmethod
    def _reuse(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            duration(value)
            if not info.data.get("logged_in"):
                raise ValueError("needs logged_in: a reused login must be proven like any other")
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
        default=None,
        description="Catalogue of systems the index lists, audited or not, relative to the "
        "config; without it the index lists the audited systems.",
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

    def __init__(
        self,
        config: AuditConfig,
        path: Path,
        resolve: tuple[str, ...] = (),
        environment: str | None = None,
    ) -> None:
        self.config, self.path, self.base = config, path, path.parent
        self.resolve = resolve  # added to every system's rules, e.g. by `cpraudit demo`
        self.environment = environment  # the [environments.NAME] merged in, from --env
        self.overrides: dict[
            str, bool
        ] = {}  # modes switched on for every system from the command line
        self.trace: TraceMode | None = None  # --trace for every system
        self.citizens = {c.id: c for c in config.citizens}

    @property
    def catalogue_path(self) -> Path | None:
        return self.base / self.config.catalogue if self.config.catalogue else None

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

    def system(self, name: str) -> SystemConfig:
        """The system of that name, or BadInput listing them."""
        found = next((s for s in self.config.systems if s.name == name), None)
        if found is None:
            raise BadInput(
                f"{name!r} is not a system of {self.path}; choose from "
                f"{', '.join(s.name for s in self.config.systems)}"
            )
        return found

    def targets(self, system: SystemConfig) -> list[Target]:
        """What to audit of a system: itself, or each of its consent states (`consent`) as a
        variant of its own, audited in its own browser with its own folder and result."""
        target = self.target(system)
        if not system.consent:
            return [target]
        buttons = {"accept": system.consent_accept, "decline": system.consent_decline}
        variants = []
        for state in system.consent:
            name = variant_name(system.name, state)
            variants.append(
                target.model_copy(
                    update={
                        "system": name,
                        "variant_of": system.name,
                        "consent": state,
                        "consent_selector": buttons.get(state),
                        "login_state": self._login_state(system, name),
                    }
                )
            )
        return variants

    def target(self, system: SystemConfig) -> Target:
        """The system as configured (without consent states: see `targets`)."""
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
            fill_forms=system.fill_forms,
            dns_server=system.dns_server,
            endpoints={e.url: e.is_ for e in system.endpoints},
            trace=self.trace or system.trace,
            body_limit=system.body_limit,
            fail_on_unagreed=system.fail_on_unagreed,
            scenario=str(self.base / system.scenario) if system.scenario else None,
            logged_in=_login_check(system.logged_in),
            base_url=system.base_url,
            params=system.params,
            environment=self.environment,
            ignore_https_errors=system.ignore_https_errors,
            ca_file=str(self.base / system.ca_file) if system.ca_file else None,
            treat_as_secure=tuple(system.treat_as_secure),
            browser_args=tuple(system.browser_args),
            dialogs=system.dialogs,
            reuse_login=duration(system.reuse_login) if system.reuse_login else None,
            login_state=self._login_state(system, system.name),
        )

    def _login_state(self, system: SystemConfig, name: str) -> str | None:
        """Where `cpraudit login` keeps this system's (or consent state's) login."""
        if system.reuse_login is None:
            return None
        citizen = system.citizen or self.config.citizens[0].id
        return str(saved_logins.state_path(self.path, name, self.environment, citizen))

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


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> float:
    """ "8h", "30m", "1d", "90s" in seconds."""
    number, unit = text.strip()[:-1], text.strip()[-1:]
    if unit not in _UNITS or not number.isdigit() or int(number) == 0:
        raise ValueError(f'{text!r} is not a duration; write e.g. "8h", "30m" or "1d"')
    return int(number) * _UNITS[unit]


def _checked(check, value: list[str]) -> list[str]:
    try:
        check(value)
    except BadInput as exc:
        raise ValueError(str(exc)) from None
    return value


def _login_check(value: str | LoggedInText | None) -> LoginCheck | None:
    if isinstance(value, LoggedInText):
        return LoginCheck(text=value.text)
    return LoginCheck(selector=value) if value else None


def load(path: Path, env: str | None = None) -> Audit:
    """Read and validate an audit.toml, with environment `env` merged in (see
    `crawler.environments`); BadInput with one line on any problem. Every environment is checked,
    so a mistake in one shows before the night it is used."""
    raw = tomlfile.read(path, "give the path of an audit.toml (see audit.example.toml)")
    for other in environments.names(raw):
        if other != env:
            _validated(path, raw, other)
    audit = Audit(_validated(path, raw, env), path, environment=env)
    for system in audit.config.systems:
        if system.ca_file:
            trust.read_ca(audit.base / system.ca_file)
    return audit


def _validated(path: Path, raw: dict, env: str | None) -> AuditConfig:
    merged, origin = environments.apply(raw, env, path)
    try:
        config = AuditConfig.model_validate(merged)
    except ValidationError as exc:
        raise BadInput(explain(path, exc, origin)) from None
    citizens = {c.id for c in config.citizens}
    for i, system in enumerate(config.systems):
        if system.citizen and system.citizen not in citizens:
            raise BadInput(
                f"{path}: systems[{i}].citizen: no citizen with id {system.citizen!r}; "
                f"use one of {sorted(citizens)}"
            )
    names = [s.name for s in config.systems]
    if dupes := sorted({n for n in names if names.count(n) > 1}):
        raise BadInput(f"{path}: systems: {dupes[0]!r} appears twice; give each system one entry")
    variants = [variant_name(s.name, c) for s in config.systems for c in s.consent]
    _refuse_shared_folders(path, names + variants)
    return config


def _refuse_shared_folders(path: Path, names: list[str]) -> None:
    """Two systems whose names make one folder name would overwrite each other's evidence."""
    by_folder: dict[str, str] = {}
    for name in names:  # a system's consent states among them: named alike is no excuse
        other = by_folder.setdefault(bundle.slug(name), name)
        if other is not name:
            raise BadInput(
                f"{path}: systems: {other!r} and {name!r} would share the report folder "
                f"{bundle.slug(name)!r}; rename one of them"
            )


def explain(path: Path, exc: ValidationError, origin: environments.Origin | None = None) -> str:
    """The first validation error as `file: key.path: problem`, and how many more there are;
    a key an environment set is named where it was written."""
    errors = exc.errors()
    first = errors[0]
    loc = first["loc"]
    if origin and (written := origin.get(tuple(loc[:3]))):  # type: ignore[arg-type]
        loc = (written, *loc[3:])
    key = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    problem = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        problem = "unknown key; check its spelling against audit.example.toml"
    elif first["type"] == "missing":
        problem = "required key is missing; add it"
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{path}: {key}: {problem}{more}"
