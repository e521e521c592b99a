"""The owner book: the sources of owner facts, asked in order (see the package)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol

from crawler.model import Owner, OwnerInfo, OwnerSource
from crawler.owners import trackerdb


class Source(Protocol):
    def get(self, domain: str, /) -> OwnerInfo | None: ...


@dataclass(frozen=True)
class OwnerBook:
    """Owner sources by domain, most trusted first; `database` names the tracker database
    used and its licence, `problem` why there is none."""

    sources: tuple[Source, ...]
    database: str = ""
    problem: str | None = None

    def owner(self, host: str) -> OwnerInfo | None:
        for source in self.sources:
            for name in _host_and_parents(host):
                if found := source.get(name):
                    return found
        return None


def _host_and_parents(host: str) -> Iterator[str]:
    """a.b.example.com, b.example.com, example.com: a database may list a host or its domain."""
    labels = host.lower().rstrip(".").split(".")
    for i in range(max(1, len(labels) - 1)):
        yield ".".join(labels[i:])


def book_for(extra: Iterable[Owner] = ()) -> OwnerBook:
    """The configuration's owners, then the bundled list, then the installed database."""
    db = trackerdb.database()
    sources: tuple[Source, ...] = (by_domain(extra, "audit.toml"), bundled())
    if isinstance(db, str):
        return OwnerBook(sources, problem=db)
    return OwnerBook((*sources, db), database=db.name)


def given(owners: Mapping[str, tuple[str, str | None]]) -> OwnerBook:
    """Only these owners (domain -> (name, country)): for tests and tools that bring their own."""
    infos = {
        d: OwnerInfo(key=name.casefold(), name=name, country=country, source="given")
        for d, (name, country) in owners.items()
    }
    return OwnerBook((infos,))


@lru_cache(maxsize=1)
def bundled() -> Mapping[str, OwnerInfo]:
    text = resources.files("crawler.data").joinpath("owners.toml").read_text("utf-8")
    return by_domain(
        (Owner.model_validate(org) for org in tomllib.loads(text)["organisation"]), "bundled"
    )


def by_domain(owners: Iterable[Owner], source: OwnerSource) -> dict[str, OwnerInfo]:
    out: dict[str, OwnerInfo] = {}
    for owner in owners:
        info = OwnerInfo(
            key=owner.name.casefold(),
            name=owner.name,
            country=owner.country,
            category=owner.category,
            website=owner.website,
            source=source,
        )
        out.update({d.lower().rstrip("."): info for d in owner.domains})
    return out
