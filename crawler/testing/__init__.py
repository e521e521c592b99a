"""What tests (ours and a supplier's) need: loopback sites that play many hosts, test portals,
and factories for data that needs no browser."""

from crawler.testing.factories import make_exchange, make_finding, make_key_pair
from crawler.testing.sites import Handler, Received, Response, SiteServer

__all__ = [
    "Handler",
    "Received",
    "Response",
    "SiteServer",
    "make_exchange",
    "make_finding",
    "make_key_pair",
]
