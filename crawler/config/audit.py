"""A loaded audit.toml: the targets to audit, each with its citizen, paths resolved and the
command line's modes applied."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from pydantic import Field, SecretStr

from crawler import tomlfile
from crawler.config.logins import state_path
from crawler.config.schema import AuditConfig, CitizenConfig, SystemConfig
from crawler.errors import BadInput
from crawler.model import (
    Citizen,
    Frozen,
    Target,
    TargetOptions,
    TraceMode,
    names,
    option_help,
    variant_name,
)


class Modes(Frozen):
    """What the command line switches for every system of a run: each one of audit.toml's
    options, described there (`option_help`)."""

    contain: bool = Field(default=False, description=option_help("contain"))
    legacy_referrer: bool = Field(default=False, description=option_help("legacy_referrer"))
    witness: bool = Field(default=True, description=option_help("witness"))
    trace: TraceMode | None = Field(default=None, description=option_help("trace"))

    def applied(self, options: TargetOptions) -> dict[str, object]:
        """A system's options as the modes change them: switched on, never off."""
        return {
            "contain": options.contain or self.contain,
            "legacy_referrer": options.legacy_referrer or self.legacy_referrer,
            "witness": options.witness and self.witness,
            "trace": self.trace or options.trace,
        }


NO_MODES = Modes()


def target_of(options: TargetOptions, modes: Modes = NO_MODES, **run: object) -> Target:
    """What an audit runs on: a system's options, the command line's modes applied, and what
    the run adds (`run`: its name, paths resolved, ...)."""
    given = {name: getattr(options, name) for name in TargetOptions.model_fields}
    return Target.model_validate(given | modes.applied(options) | run)


class Audit:
    """A loaded configuration: targets with their citizens, paths resolved."""

    def __init__(
        self,
        config: AuditConfig,
        path: Path,
        resolve: tuple[str, ...] = (),
        environment: str | None = None,
        modes: Modes = NO_MODES,
    ) -> None:
        self.config, self.path, self.base = config, path, path.parent
        self.resolve = resolve  # added to every system's rules, e.g. by `cpraudit demo`
        self.environment = environment  # the [environments.NAME] merged in, from --env
        self.modes = modes
        self.citizens = {c.id: c for c in config.citizens}

    @property
    def catalogue(self) -> str | None:
        """The catalogue as audit.toml names it: a bundled one's name, or its file's path."""
        name = self.config.catalogue
        if name is None or name.startswith("cpraudit:"):
            return name
        return str((self.base / name).resolve())

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

    def secrets_here(self) -> list[str]:
        """Every citizen's credentials that this machine holds (a secrets file it can read, a
        variable that is set): what a merge, which logs in nowhere, must still not let out."""
        return [
            value.get_secret_value()
            for citizen in self.config.citizens
            for value in self._credentials(citizen, strict=False).values()
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

    def chosen(
        self, given: Sequence[str] = (), option: str = "--system"
    ) -> list[tuple[SystemConfig, Target]]:
        """What a run audits: every system (each consent state apart), or those `given` names
        (`crawler.model.names`: a system's name names all its states); BadInput for a name that
        names none."""
        every = [(s, t) for s in self.config.systems for t in self.targets(s)]
        if unknown := [n for n in given if not any(names(n, t.system) for _, t in every)]:
            raise BadInput(
                f"{option} {unknown[0]!r} is not a system of {self.path}; choose from "
                f"{', '.join(s.name for s in self.config.systems)} (or one of their consent "
                "states)"
            )
        return [(s, t) for s, t in every if not given or any(names(n, t.system) for n in given)]

    def targets(self, system: SystemConfig) -> list[Target]:
        """What to audit of a system: itself, or each of its consent states (`consent`) as a
        variant of its own, audited in its own browser with its own folder and result."""
        target = self.target(system)
        if not system.consent:
            return [target]
        buttons = {"accept": system.consent_accept, "decline": system.consent_decline}
        return [
            target.model_copy(
                update={
                    "system": variant_name(system.name, state),
                    "variant_of": system.name,
                    "consent": state,
                    "consent_selector": buttons.get(state),
                    "login_state": self._login_state(system, variant_name(system.name, state)),
                }
            )
            for state in system.consent
        ]

    def target(self, system: SystemConfig) -> Target:
        """The system as configured (without consent states: see `targets`)."""
        return target_of(
            system,
            self.modes,
            system=system.name,
            resolve=system.resolve + self.resolve,
            scenario=str(self.base / system.scenario) if system.scenario else None,
            ca_file=str(self.base / system.ca_file) if system.ca_file else None,
            owners=tuple(self.config.owners),
            environment=self.environment,
            login_state=self._login_state(system, system.name),
        )

    def _login_state(self, system: SystemConfig, name: str) -> str | None:
        """Where `cpraudit login` keeps this system's (or consent state's) login."""
        if system.reuse_login is None:
            return None
        citizen = system.citizen or self.config.citizens[0].id
        return str(state_path(self.path, name, self.environment, citizen))

    def _credentials(self, citizen: CitizenConfig, strict: bool = True) -> dict[str, SecretStr]:
        """The citizen's credentials; `strict`: all of them, or BadInput naming what is missing."""
        values: dict[str, str] = {}
        if citizen.secrets_file:
            try:
                values.update(self._secrets_file(citizen))
            except BadInput:
                if strict:
                    raise
        for name, variable in citizen.credentials.items():
            if variable not in os.environ:
                if not strict:
                    continue
                raise BadInput(
                    f"{self.path}: citizens.{citizen.id}.credentials.{name}: environment variable "
                    f"{variable} is not set; export it before the run"
                )
            values[name] = os.environ[variable]
        return {name: SecretStr(value) for name, value in values.items()}

    def _secrets_file(self, citizen: CitizenConfig) -> dict[str, str]:
        path = self.base / str(citizen.secrets_file)
        fix = f"give a TOML file with a [{citizen.id}] table of credentials"
        table = tomlfile.read(path, fix).get(citizen.id, {})
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise BadInput(f"{path}: [{citizen.id}] is not a table of text values; {fix}")
        return table
