from crawler.record.redaction import MASK, Redactor
from crawler.testing import make_exchange


def test_secrets_and_first_party_session_cookies_never_reach_the_record():
    redactor = Redactor(["hunter 2&x"], {"skat.test"})
    login = make_exchange(
        url="http://www.skat.test/login?pw=hunter+2%26x",
        method="POST",
        headers=(("Cookie", "session=abc123; lang=da"), ("Authorization", "Bearer tok")),
        body=b"user=jens&password=hunter+2%26x",
    )
    clean = redactor.exchange(login)
    assert clean.url == f"http://www.skat.test/login?pw={MASK}"
    assert clean.body == f"user=jens&password={MASK}".encode()
    assert dict(clean.headers) == {"Cookie": f"session={MASK}; lang={MASK}", "Authorization": MASK}


def test_third_party_cookies_are_kept_as_evidence():
    redactor = Redactor([], {"skat.test"})
    beacon = make_exchange(url="http://t.tracker.test/c", headers=(("Cookie", "uid=0707614285"),))
    assert redactor.exchange(beacon).headers == (("Cookie", "uid=0707614285"),)
