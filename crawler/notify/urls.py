"""The notify URLs as audit.toml holds them: Apprise URLs whose secrets are `${VAR}`.

audit.toml is shared: kept in version control, copied to CI runners and shard machines, named
in every report's command line. A password written in it is a password given to everyone who
can read any of those. So a URL names its secrets as `${VAR}`, filled in from the environment
only when a message is sent, and a URL that holds a password or a secret-named parameter
literally is refused when the file loads. What Apprise itself knows to be secret in a service's
URL (a Slack token, a webhook's signature) is checked once the variables are filled in
(`crawler.notify.channels`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated
from urllib.parse import parse_qsl, urlsplit

from pydantic import AfterValidator

# `${NAME}` an environment variable, `$$` a dollar sign; any other `$` is a mistake
_DOLLAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$")
# Query parameters whose value is a credential: ?pass=, ?token=, ?apikey=, +Authorization=
SECRET_NAME = re.compile(r"pass|secret|token|key|auth|sig|cookie|session", re.IGNORECASE)
FIX = "write ${VAR} in its place and export VAR where cpraudit runs"


def references(url: str) -> list[str]:
    """The environment variables the URL names, in order."""
    return [m[1] for m in _DOLLAR.finditer(url) if m[1]]


def expand(url: str, environ: Mapping[str, str]) -> str:
    """The URL with each `${VAR}` replaced by its value, as it is (a value that holds `@`, `/`
    or `:` in a password must be percent-encoded in the variable)."""
    return _DOLLAR.sub(lambda m: environ[m[1]] if m[1] else "$", url)


def checked(url: str) -> str:
    """A notify URL as written, or ValueError naming what is wrong with it: for audit.toml's
    validation, which needs no environment."""
    if not url.strip():
        raise ValueError("empty; give an Apprise URL such as mailtos://user:${SMTP_PASSWORD}@host")
    if any(m[0] == "$" for m in _DOLLAR.finditer(url)):
        raise ValueError("a `$` that is not ${NAME}; write ${NAME} for a variable, $$ for a `$`")
    if not url.startswith("${") and "://" not in url:
        raise ValueError("not an Apprise URL; write it as SERVICE://..., e.g. json://host/path")
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError as exc:
        raise ValueError(f"not a URL ({exc}); check its host and port") from None
    if password and not only_references(password):
        raise ValueError(f"a password is written in the URL; {FIX}")
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if SECRET_NAME.search(name) and value and not only_references(value):
            raise ValueError(f"parameter {name} holds a secret written in the URL; {FIX}")
    return url


def only_references(text: str) -> bool:
    """Nothing but `${VAR}`s: no part of the secret is in the file."""
    return not _DOLLAR.sub(lambda m: "" if m[1] else m[0], text)


NotifyURL = Annotated[str, AfterValidator(checked)]
