"""How the browser meets a test environment: an https host with a test CA's certificate, plain
http that is no secure context, switches added to Chromium's; each stated in the report."""

from __future__ import annotations

import shutil

import pytest

from crawler.analyse.system import analyse_system
from crawler.model import Citizen, CrawlSettings, Target
from crawler.record.browser.setup import insecure
from crawler.record.browser.trust import CERTUTIL
from crawler.record.session import record
from crawler.testing import Response, SiteServer
from crawler.testing.tls import CertificateAuthority

pytestmark = pytest.mark.browser  # every test here starts Chromium

CPR = "0707614285"
SECURE = "secure.portal.test"
PAGE = (
    "<!doctype html><title>x</title><p id=ok>hej</p>"
    "<script>new Image().src = '/p?secure=' + isSecureContext + "
    "'&sw=' + ('serviceWorker' in navigator)</script>"
)


def pixels(server: SiteServer, host: str) -> list[str]:
    """What the page reported, each once, in order."""
    return list(dict.fromkeys(r.path for r in server.received_by(host) if r.path.startswith("/p?")))


def audit(tmp_path, server_rules, **settings):
    target = Target(
        system="portal",
        start_url=settings.pop("start_url", f"https://{SECURE}/"),
        first_party=("portal.test",),
        resolve=tuple(server_rules),
        crawl=CrawlSettings(depth=0, dwell=0.5),
        **settings,
    )
    result, _ = analyse_system(record(target, Citizen(cpr=CPR), tmp_path), Citizen(cpr=CPR))
    return result


@pytest.fixture
def https_host(tmp_path):
    ca = CertificateAuthority.make(tmp_path / "ca")
    tls = SiteServer({f"{SECURE}/": Response(PAGE)}, tls=ca.server_context([SECURE]))
    with tls, SiteServer({}) as plain:
        yield ca, [f"{SECURE}=127.0.0.1:{tls.port}", *plain.resolve_rules()], tls


def test_a_test_hosts_certificate_is_inconclusive_until_checks_are_off_and_that_is_said(
    https_host, tmp_path
):
    _, rules, server = https_host
    refused = audit(tmp_path / "refused", rules)
    assert refused.verdict == "inconclusive"
    assert any("ERR_CERT_AUTHORITY_INVALID" in e for e in refused.errors)
    accepted = audit(tmp_path / "accepted", rules, ignore_https_errors=True)
    assert accepted.verdict == "clean" and accepted.setup.certificate_checks == "off"
    assert any(n.startswith("Certificate checks were off") for n in accepted.notes)
    assert pixels(server, SECURE) == ["/p?secure=true&sw=true"], "it loaded and ran"


@pytest.mark.skipif(
    shutil.which(CERTUTIL) is None,
    reason="ca_file needs certutil (Debian: apt-get install libnss3-tools; make setup does)",
)
def test_a_trusted_test_ca_lets_its_host_in_and_keeps_checking_the_rest(https_host, tmp_path):
    ca, rules, server = https_host
    result = audit(tmp_path / "ca", rules, ca_file=str(ca.ca_file))
    assert result.verdict == "clean" and result.setup.certificate_checks == "test CA"
    assert result.setup.test_ca.startswith("CN=cpraudit test CA (SHA-256 ")
    assert any(n.startswith("The browser trusted a test CA") for n in result.notes)
    assert pixels(server, SECURE) == ["/p?secure=true&sw=true"]
    other = CertificateAuthority.make(tmp_path / "other")
    refused = audit(tmp_path / "other-ca", rules, ca_file=str(other.ca_file))
    assert refused.verdict == "inconclusive", "another CA's certificate is still refused"


def test_plain_http_is_an_insecure_context_unless_treated_as_secure(tmp_path):
    with SiteServer({"www.portal.test/": Response(PAGE)}) as server:
        start = {"start_url": "http://www.portal.test/"}
        plain = audit(tmp_path / "plain", server.resolve_rules(), **start)
        secure = audit(
            tmp_path / "secure",
            server.resolve_rules(),
            treat_as_secure=("http://www.portal.test",),
            browser_args=("--lang=da",),
            **start,
        )
        seen = pixels(server, "www.portal.test")
    assert seen == ["/p?secure=false&sw=false", "/p?secure=true&sw=true"]
    assert plain.setup.insecure_pages == ("http://www.portal.test/",)
    assert any("audited in an insecure context" in n for n in plain.notes)
    assert secure.setup.insecure_pages == () and secure.setup.browser_args == ("--lang=da",)
    assert not any("insecure context" in n for n in secure.notes)
    assert any(n == "Chromium ran with added switches: --lang=da." for n in secure.notes)


def test_which_urls_chromium_gives_an_insecure_context():
    assert insecure("http://portal.test/x")
    assert not insecure("https://portal.test/x") and not insecure("http://localhost:8080/")
    assert not insecure("http://127.0.0.1/") and not insecure("http://[::1]/")
    assert not insecure("http://a.portal.test/", ["http://*.portal.test"])
    assert insecure("http://portal.test:8080/", ["http://portal.test"]), "the port is the origin's"
