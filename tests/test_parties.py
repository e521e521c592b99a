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
    assert (ga.kind, ga.entity, ga.country) == ("third", "Google LLC", "US")
    assert parties.classify("skat.dk.evil.test").kind == "third"


def test_host_table_lists_non_first_party_hosts_with_counts():
    parties = Parties(["skat.dk"])
    exchanges = [
        make_exchange(url="https://www.skat.dk/"),
        make_exchange(url="https://t.example.com/a"),
        make_exchange(url="https://t.example.com/b"),
    ]
    rows = host_table(exchanges, parties, [])
    assert [(r.host, r.requests, r.findings) for r in rows] == [("t.example.com", 2, 0)]
