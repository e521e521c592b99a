"""Which of the browser's cookies a paused request would carry: contain mode searches them."""

from crawler.record.addons.cookies import header

FIRST = {"skat.test"}


def cookie(name: str, domain: str, **more) -> dict:
    return {"name": name, "value": "v", "domain": domain, "path": "/", **more}


def test_domain_cookies_go_below_their_domain_host_only_ones_to_their_host():
    store = [cookie("wide", ".skat.test"), cookie("own", "www.skat.test")]
    assert header("http://metrics.skat.test/p", store, FIRST) == "wide=v"
    assert header("http://www.skat.test/p", store, FIRST) == "wide=v; own=v"
    assert header("http://skat.test/p", store, FIRST) == "wide=v"
    assert header("http://notskat.test/p", store, FIRST) is None


def test_path_and_secure_are_honoured():
    store = [cookie("api", ".skat.test", path="/api"), cookie("tls", ".skat.test", secure=True)]
    assert header("http://www.skat.test/api/x", store, FIRST) == "api=v"
    assert header("http://www.skat.test/apix", store, FIRST) is None
    assert header("https://www.skat.test/", store, FIRST) == "tls=v"


def test_a_cross_site_request_gets_samesite_none_and_lax_only_on_a_navigation():
    store = [
        cookie("none", ".tracker.test", sameSite="None"),
        cookie("lax", ".tracker.test", sameSite="Lax"),
        cookie("unset", ".tracker.test"),
        cookie("strict", ".tracker.test", sameSite="Strict"),
    ]
    assert header("http://t.tracker.test/p", store, FIRST) == "none=v"
    navigation = header("http://t.tracker.test/p", store, FIRST, navigation=True)
    assert navigation == "none=v; lax=v; unset=v"


def test_a_partitioned_cookie_goes_only_under_the_portal():
    store = [
        cookie(
            "here",
            ".tracker.test",
            sameSite="None",
            partitionKey={"topLevelSite": "https://skat.test"},
        ),
        cookie(
            "there",
            ".tracker.test",
            sameSite="None",
            partitionKey={"topLevelSite": "https://x.test"},
        ),
    ]
    assert header("http://t.tracker.test/p", store, FIRST) == "here=v"
