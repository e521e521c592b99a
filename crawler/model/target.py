"""What an audit is of: the test citizen and the system as audit.toml configures it."""

from __future__ import annotations

from pydantic import Field, SecretStr

from crawler.model.base import ConsentChoice, Frozen
from crawler.model.options import TargetOptions


class Citizen(Frozen):
    """The synthetic test citizen whose identifiers an audit looks for."""

    id: str = "citizen"
    cpr: str = Field(description="Ten digits, DDMMYYSSSS.")
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    credentials: dict[str, SecretStr] = Field(
        default_factory=dict,
        exclude=True,
        repr=False,
        description="Login secrets for scenarios; never written to any output.",
    )

    def secret(self, name: str) -> str:
        """A credential for a scenario's login form, e.g. citizen.secret("password")."""
        if name not in self.credentials:
            raise KeyError(
                f"citizen {self.id} has no credential {name!r}: add it to the citizen's "
                "credentials or secrets file in audit.toml"
            )
        return self.credentials[name].get_secret_value()

    def totp(self, name: str) -> str:
        """The one-time code of a two-step login (RFC 6238) from the TOTP secret stored as
        credential `name` (base32, as in the authenticator's QR code), e.g.
        citizen.totp("totp")."""
        from crawler.totp import current_code  # pyotp only where a scenario asks for a code

        return current_code(self.secret(name), name)


_STATE = " (consent: "


def variant_name(system: str, consent: str) -> str:
    """A consent state of a system, as its result and its folder are named."""
    return f"{system}{_STATE}{consent})"


def names(given: str, system: str) -> bool:
    """The one rule every command names systems by: a system's name (case aside) names the
    system and each of its consent states; a state's own name, "MinSide (consent: decline)",
    names that state alone. `system` is a result's name, a state's included."""
    wanted = given.strip().casefold()
    return wanted in (system.casefold(), system.split(_STATE)[0].casefold())


class Owner(Frozen):
    """An organisation that owns third-party domains, as in data/owners.toml."""

    name: str = Field(description="The organisation's name, as reports show it.")
    country: str | None = Field(
        default=None,
        description="ISO 3166 alpha-2 code of its seat; outside the EU/EEA is a third country.",
    )
    domains: tuple[str, ...] = Field(description="Its domains; their subdomains are its too.")
    category: str | None = Field(
        default=None, description='What it does, in TrackerDB\'s terms, e.g. "hosting".'
    )
    website: str | None = Field(default=None, description="Where its facts can be checked.")


class Target(TargetOptions):
    """One system to audit, as its audit runs: the options of audit.toml (paths resolved,
    command-line modes applied) and what the run adds."""

    system: str = Field(description="The system's name, or one of its consent states'.")
    owners: tuple[Owner, ...] = Field(default=(), description="Owners added to the bundled list.")
    environment: str | None = Field(default=None, description="The [environments.NAME] used.")
    consent: ConsentChoice | None = Field(default=None, description="This audit's consent state.")
    consent_selector: str | None = Field(
        default=None, description="audit.toml's selector for this state's button."
    )
    variant_of: str | None = Field(default=None, description="The system as configured.")
    login_state: str | None = Field(
        default=None, description="Where this system's saved login is kept (outside reports)."
    )
    login_by_hand: bool = Field(
        default=False,
        description="A person logs in by hand in a visible browser, recorded, before the audit "
        "goes on by itself (adhoc --login manual).",
    )
    storage_state: str | None = Field(
        default=None,
        description="A saved login the audit starts with, whatever its age (adhoc "
        "--storage-state); never changed or removed.",
    )
