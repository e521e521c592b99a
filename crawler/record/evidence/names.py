"""Where the first-party host names lead: their CNAME chains, looked up once the visit is over
(in contain mode, each as its first request waits, and not again: `Lookups`).

A first-party-looking host whose name is an alias of another organisation's (Adobe's
`smetrics.<site>` -> `<site>.ssl.sc.omtrdc.net`) receives its requests as that organisation:
the analysis judges it by where its chain ends (`crawler.parties`). The lookups are made here,
while recording, so that the evidence says what DNS answered on the day, and re-analysis needs
no network.

They run concurrently (a few threads, each lookup bounded), against the system's resolver or a
`dns_server` for test environments. A lookup that fails or times out is kept with its problem:
an unchecked name is said so in the report, never silently first party. Without a `dns_server`,
names under special-use domains (`.test`, `.localhost`, `.invalid`, `.example`, `.local`) are not
asked: public DNS cannot know them.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import dns.exception
import dns.resolver

from crawler.model import NameChain, dns_server_address

TIMEOUT = 0.8  # seconds for one name's whole chain: all lookups of a system take about this long
MAX_STEPS = 8  # a chain longer than this is a loop or a misconfiguration
WORKERS = 16
SPECIAL_USE = ("test", "localhost", "invalid", "example", "local")


def look_up(hosts: Iterable[str], server: str | None = None) -> tuple[NameChain, ...]:
    """The chain of each host worth asking, in the order given."""
    asked = [h for h in dict.fromkeys(hosts) if server or not _special_use(h)]
    if not asked:
        return ()
    resolver = _resolver(server)
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(asked))) as pool:
        return tuple(pool.map(lambda host: _chain(resolver, host), asked))


class Lookups:
    """One audit's answers, for contain mode, which asks a name's chain before its first request
    leaves: the evidence asks only the names not asked yet, and holds the very answers the
    decisions were made on."""

    def __init__(self, server: str | None = None) -> None:
        self.server = server
        self._asked: dict[str, NameChain] = {}

    def chain_of(self, host: str) -> NameChain:
        """One host's chain, asked now unless it was asked before."""
        if host not in self._asked:
            found = look_up([host], self.server)
            if not found:  # a name not worth asking
                return NameChain(host=host)
            self._asked[host] = found[0]
        return self._asked[host]

    def look_up(self, hosts: Iterable[str]) -> tuple[NameChain, ...]:
        """`look_up` of these hosts, the ones asked before answered as they were then."""
        hosts = list(dict.fromkeys(hosts))
        fresh = {
            c.host: c for c in look_up([h for h in hosts if h not in self._asked], self.server)
        }
        known = self._asked | fresh
        return tuple(known[h] for h in hosts if h in known)


def _special_use(host: str) -> bool:
    return host.rstrip(".").rsplit(".", 1)[-1].lower() in SPECIAL_USE or _address(host)


def _address(host: str) -> bool:
    return host.replace(".", "").isdigit() or ":" in host


def _resolver(server: str | None) -> dns.resolver.Resolver:
    if server is None:
        return dns.resolver.Resolver()
    address, port = dns_server_address(server)
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [address]
    resolver.port = port
    return resolver


def _chain(resolver: dns.resolver.Resolver, host: str) -> NameChain:
    """Follow CNAME records one name at a time (a resolver may answer one step per question)."""
    chain: list[str] = []
    name = host
    try:
        for _ in range(MAX_STEPS):
            answer = resolver.resolve(name, "CNAME", lifetime=TIMEOUT, raise_on_no_answer=False)
            if answer.rrset is None:
                break
            name = str(answer.rrset[0].target).rstrip(".").lower()
            if name in chain or name == host:
                return NameChain(host=host, chain=tuple(chain), problem="a CNAME loop")
            chain.append(name)
    except dns.resolver.NXDOMAIN:
        pass  # the name (or the end of its chain) is not in DNS: no further alias
    except dns.exception.Timeout:
        return NameChain(host=host, chain=tuple(chain), problem="the DNS lookup timed out")
    except dns.exception.DNSException as exc:
        return NameChain(host=host, chain=tuple(chain), problem=f"the DNS lookup failed: {exc}")
    return NameChain(host=host, chain=tuple(chain))
