from datetime import date

from crawler.model import NameChain, Owner
from crawler.parties import Parties, host_table, registrable_domain
from crawler.testing import make_exchange


def test_registrable_domain_uses_the_public_suffix_list():
    assert registrable_domain("www.google-analytics.com") == "google-analytics.com"
    assert registrable_domain("a.b.skat.dk") == "skat.dk"
    assert (
        registrable_domain("user.github.io") == "user.github.io"
    )  # a private suffix: its own party
    assert registrable_domain("127.0.0.1") == "127.0.0.1"
    assert registrable_domain("WWW.Example.CO.UK.") == "example.co.uk"


def test_classify_first_processor_third_with_owner():
    parties = Parties(["skat.dk"], {"maxcdn.com": "DBA-1"})
    assert parties.classify("tastselv.skat.dk").kind == "first"
    cdn = parties.classify("cdn.maxcdn.com")
    assert (cdn.kind, cdn.agreement, cdn.entity) == (
        "processor",
        "DBA-1",
        "StackPath, LLC (MaxCDN)",
    )
    ga = parties.classify("www.google-analytics.com")
    assert (ga.kind, ga.entity, ga.country, ga.owner.source) == (
        "third",
        "Google",
        "US",
        "trackerdb",
    )
    assert parties.classify("skat.dk.evil.test").kind == "third"


def test_an_agreement_counts_until_its_last_day_and_not_after():
    def cdn(on: date):
        return Parties(
            ["skat.dk"],
            {"maxcdn.com": "DBA-1"},
            expires={"maxcdn.com": date(2026, 3, 31)},
            on=on,
        ).classify("cdn.maxcdn.com")

    valid = cdn(date(2026, 3, 31))
    assert (valid.kind, valid.agreement, valid.agreement_expires) == (
        "processor",
        "DBA-1",
        date(2026, 3, 31),
    )
    expired = cdn(date(2026, 4, 1))
    assert (expired.kind, expired.agreement, expired.expired_agreement) == ("third", None, "DBA-1")


def test_owners_from_the_configuration_come_first():
    parties = Parties(
        ["skat.dk"], extra_owners=(Owner(name="Skatteforvaltningens CDN", domains=("maxcdn.com",)),)
    )
    assert parties.classify("cdn.maxcdn.com").entity == "Skatteforvaltningens CDN"


def test_host_table_lists_non_first_party_hosts_with_counts():
    parties = Parties(["skat.dk"])
    exchanges = [
        make_exchange(url="https://www.skat.dk/"),
        make_exchange(url="https://t.example.com/a"),
        make_exchange(url="https://t.example.com/b"),
    ]
    rows = host_table(exchanges, parties, [])
    assert [(r.host, r.requests, r.findings) for r in rows] == [("t.example.com", 2, 0)]


def test_a_first_party_name_is_judged_by_where_its_cname_chain_leads():
    names = [
        NameChain(host="smetrics.skat.dk", chain=("skat.dk.ssl.sc.omtrdc.net",)),
        NameChain(host="www.skat.dk", chain=("www.skat.dk.edgekey.net", "e1.a.akamaiedge.net")),
        NameChain(host="m.skat.dk", chain=("collector.nobody-knows.example",)),
        NameChain(host="api.skat.dk", chain=("api-prod.skat.dk",)),
    ]
    parties = Parties(
        ["skat.dk"],
        owners={"omtrdc.net": ("Adobe", "US"), "skat.dk": ("Skattestyrelsen", "DK")},
        extra_owners=(Owner(name="Akamai", domains=("edgekey.net",), category="hosting"),),
        names=names,
    )
    adobe = parties.classify("smetrics.skat.dk")
    assert (adobe.kind, adobe.entity, adobe.domain, adobe.cname) == (
        "third",
        "Adobe",
        "omtrdc.net",
        ("skat.dk.ssl.sc.omtrdc.net",),
    )
    nobody = parties.classify("m.skat.dk")
    assert (nobody.kind, nobody.entity, nobody.domain) == ("third", None, "nobody-knows.example")
    assert parties.classify("api.skat.dk").kind == "first", "a chain within the first party"
    assert parties.classify("skat.dk").entity == "Skattestyrelsen"


def test_a_cname_to_a_hosting_company_serves_the_site_itself():
    parties = Parties(
        ["skat.dk"],
        extra_owners=(Owner(name="Akamai", domains=("edgekey.net",), category="hosting"),),
        names=[NameChain(host="www.skat.dk", chain=("www.skat.dk.edgekey.net", "e1.akamai.x"))],
    )
    www = parties.classify("www.skat.dk")
    assert (www.kind, www.cname) == ("first", ("www.skat.dk.edgekey.net", "e1.akamai.x"))


def test_a_first_party_name_is_looked_up_once_when_first_classified_and_only_it():
    """Contain mode has no chains from the visit yet: it asks for a first-party name's chain as
    it first meets the name, and judges the request by it."""
    asked = []

    def look_up(host: str) -> NameChain:
        asked.append(host)
        chain = ("skat.dk.ssl.sc.omtrdc.net",) if host == "smetrics.skat.dk" else ()
        return NameChain(host=host, chain=chain)

    parties = Parties(["skat.dk"], look_up=look_up)
    assert parties.classify("smetrics.skat.dk").kind == "third"
    assert parties.classify("smetrics.skat.dk").domain == "omtrdc.net"
    assert parties.classify("www.skat.dk").kind == "first"
    assert parties.classify("www.google-analytics.com").kind == "third"
    assert asked == ["smetrics.skat.dk", "www.skat.dk"]
