"""A DNS server on loopback for tests and demos: it answers CNAME questions from a table, one
step per question, as an authoritative server does, and NXDOMAIN for every other name. Its
address is what `dns_server` in audit.toml (or `--dns-server`) takes."""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import TracebackType

from dnslib import CNAME, QTYPE, RCODE, RR, DNSRecord
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class _Table(BaseResolver):
    def __init__(self, cnames: Mapping[str, str], delay: float) -> None:
        self.cnames = {k.lower().rstrip("."): v for k, v in cnames.items()}
        self.delay = delay
        self.asked: list[str] = []

    def resolve(self, request: DNSRecord, handler) -> DNSRecord:
        time.sleep(self.delay)
        reply = request.reply()
        name = str(request.q.qname).lower().rstrip(".")
        self.asked.append(name)
        if name in self.cnames:
            target = self.cnames[name]
            if request.q.qtype in (QTYPE.CNAME, QTYPE.A, QTYPE.ANY):
                reply.add_answer(RR(name, QTYPE.CNAME, rdata=CNAME(target), ttl=60))
        else:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class CnameServer:
    """`with CnameServer({"smetrics.skat.test": "skat.test.sc.omtrdc.test"}) as dns: dns.address`;
    `delay` seconds before each answer, as a resolver across a network takes."""

    def __init__(self, cnames: Mapping[str, str], delay: float = 0.0) -> None:
        self.table = _Table(cnames, delay)
        quiet = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)
        self._server = DNSServer(self.table, port=0, address="127.0.0.1", logger=quiet)
        self._server.server.daemon_threads = True

    @property
    def address(self) -> str:
        host, port = self._server.server.server_address[:2]
        return f"{host}:{port}"

    def __enter__(self) -> CnameServer:
        self._server.start_thread()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.stop()
