"""audit.toml: citizens and systems to audit, validated before any browser starts.

Credentials never live in the file: a citizen names the environment variables (or a secrets
file) that hold them. `load` reads it (`load`), checks every key against the schema (`schema`;
a system's keys are crawler/model/options.py's `TargetOptions`), merges an environment
(`environments`), and gives an `Audit` (`audit`) whose targets the run audits. Nothing here
imports the browser or the record stage.
"""

from crawler.config.audit import Audit, Modes, target_of
from crawler.config.load import acceptances, explain, load
from crawler.config.schema import Accepted, AuditConfig, CitizenConfig, SystemConfig

__all__ = [
    "Accepted",
    "Audit",
    "AuditConfig",
    "CitizenConfig",
    "Modes",
    "SystemConfig",
    "acceptances",
    "explain",
    "load",
    "target_of",
]
