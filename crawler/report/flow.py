"""The data-flow picture: the audited pages on the left, the third-party organisations on the
right, an edge wherever a page's requests went to an organisation, marked where they carried
the CPR. Laid out here; drawn as inline SVG by templates/_flow.html (no script, prints)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

from crawler.model import Exchange, SystemResult, ThirdParty, without_fragment

MAX_NODES = 12  # a side; the rest become one "and N more" node, so the picture stays legible
ROW = 54  # px between node centres
WIDTH, BOX = 960, 300  # the picture, and each column of boxes
LABEL_CHARS = 44


@dataclass(eq=False)  # nodes are told apart by identity
class Node:
    label: str  # shortened for the box
    full: str  # in the node's tooltip
    x: float = 0.0
    y: float = 0.0
    below: list[str] = field(default_factory=list)  # a page's steps, an organisation's hosts
    cpr: bool = False  # a page whose URL carries the CPR; an organisation that received it
    more: int = 0  # for the "and N more" node: how many it stands for
    key: str = ""  # an organisation's ThirdParty.key


@dataclass
class Edge:
    source: Node
    target: Node
    requests: int = 0
    cpr: int = 0  # requests and websocket frames carrying the CPR

    @property
    def leak(self) -> bool:
        return self.cpr > 0


@dataclass(frozen=True)
class Flow:
    pages: list[Node]
    parties: list[Node]
    edges: list[Edge]
    width: int = WIDTH
    box: int = BOX

    @property
    def height(self) -> float:
        return ROW * max(len(self.pages), len(self.parties)) + 8


class _Sent(NamedTuple):
    seq: int
    host: str
    page_url: str | None
    step: str | None
    request: bool  # False for a websocket frame


def flow(result: SystemResult, exchanges: Sequence[Exchange]) -> Flow | None:
    """None when no request went to a third party: there is nothing to draw."""
    owner = {host: t for t in result.third_parties for host in t.hosts}
    carried = {f.exchange_seq for f in result.findings}
    cpr_pages = {d.page_url for d in result.design}
    pages: dict[str, Node] = {}
    parties: dict[str, Node] = {}
    edges: dict[tuple[str, str], Edge] = {}
    for sent in _sent(result, exchanges):
        if (party := owner.get(sent.host)) is None:
            continue
        url = without_fragment(sent.page_url or "")
        page = pages.setdefault(url, Node(_short(url), url, cpr=url in cpr_pages))
        if (sent.step or "") not in page.below:
            page.below.append(sent.step or "")
        target = parties.setdefault(party.key, _party_node(party))
        edge = edges.setdefault((url, party.key), Edge(page, target))
        edge.requests += sent.request
        edge.cpr += sent.seq in carried
        target.cpr = target.cpr or sent.seq in carried
    if not edges:
        return None
    order = [t.key for t in result.third_parties]  # the inventory's: the CPR's receivers first
    left = _fold(list(pages.values()))
    right = _fold(sorted(parties.values(), key=lambda n: order.index(n.key)))
    return Flow(
        _place(left, 0), _place(right, WIDTH - BOX), _fold_edges(edges.values(), left, right)
    )


def _sent(result: SystemResult, exchanges: Sequence[Exchange]) -> Iterator[_Sent]:
    """Every recorded exchange, then each finding whose exchange the record lacks (a request
    only the network witness saw), so that no leak goes undrawn."""
    seen = set()
    for ex in exchanges:
        seen.add(ex.seq)
        yield _Sent(ex.seq, ex.host, ex.page_url, ex.step, ex.kind == "request")
    for f in result.findings:
        if f.exchange_seq not in seen:
            seen.add(f.exchange_seq)
            yield _Sent(f.exchange_seq, f.host, f.page_url, f.step, True)


def _party_node(party: ThirdParty) -> Node:
    """Its name; below it, its hosts."""
    hosts = [_cut(", ".join(party.hosts))]
    return Node(_cut(party.organisation), party.organisation, below=hosts, key=party.key)


def _short(url: str) -> str:
    """The page as its path and query: the host is the system's own ("" for no page: a
    worker's request, or one only the network witness saw)."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return _cut(path or url)


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _fold(nodes: list[Node]) -> list[Node]:
    """Up to MAX_NODES, the CPR's first; the rest as one node."""
    nodes.sort(key=lambda n: not n.cpr)  # stable: otherwise in the order first seen
    if len(nodes) <= MAX_NODES:
        return nodes
    kept, rest = nodes[: MAX_NODES - 1], nodes[MAX_NODES - 1 :]
    more = Node("", "\n".join(n.full for n in rest), cpr=any(n.cpr for n in rest), more=len(rest))
    return kept + [more]


def _place(nodes: list[Node], x: float) -> list[Node]:
    for i, node in enumerate(nodes):
        node.x, node.y = x, ROW * i + ROW / 2 + 4
    return nodes


def _fold_edges(edges, left: list[Node], right: list[Node]) -> list[Edge]:
    """Edges to folded nodes are summed into one edge per pair of drawn nodes."""
    drawn: dict[tuple[int, int], Edge] = {}
    for e in edges:
        source = e.source if e.source in left else left[-1]
        target = e.target if e.target in right else right[-1]
        merged = drawn.setdefault((id(source), id(target)), Edge(source, target))
        merged.requests += e.requests
        merged.cpr += e.cpr
    return list(drawn.values())
