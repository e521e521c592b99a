"""Which cookies a paused request would carry: contain mode searches them. Chromium writes its
own Cookie header into the pause; the partitioned cookies it leaves out are read from its
store."""

from crawler.record.capture.cookies import as_sent, partitioned, top_sites

FIRST = {"skat.test"}
UNDER_THE_PORTAL = {"topLevelSite": "https://skat.test"}


def cookie(name: str, domain: str, **more) -> dict:
    return {"name": name, "value": "v", "domain": domain, "path": "/", **more}


def chip(name: str, domain: str, **more) -> dict:
    return cookie(name, domain, partitionKey=UNDER_THE_PORTAL, **more)


def test_chromiums_cookie_header_stays_and_the_partitioned_cookies_are_added_to_it():
    store = [chip("chat", ".tracker.test", sameSite="None"), cookie("plain", ".tracker.test")]
    url, headers = "http://t.tracker.test/p", {"Accept": "*/*", "cookie": "id=1"}
    assert as_sent(url, headers, store, FIRST, False) == {"Accept": "*/*", "Cookie": "id=1; chat=v"}
    assert as_sent(url, {"Accept": "*/*"}, store, FIRST, False) == {
        "Accept": "*/*",
        "Cookie": "chat=v",
    }
    assert as_sent(url, {"Accept": "*/*"}, store[1:], FIRST, False) == {"Accept": "*/*"}, (
        "an unpartitioned cookie is Chromium's to choose"
    )


def test_domain_cookies_go_below_their_domain_host_only_ones_to_their_host():
    store = [chip("wide", ".skat.test"), chip("own", "www.skat.test")]
    assert partitioned("http://metrics.skat.test/p", store, FIRST) == ["wide=v"]
    assert partitioned("http://www.skat.test/p", store, FIRST) == ["wide=v", "own=v"]
    assert partitioned("http://skat.test/p", store, FIRST) == ["wide=v"]
    assert partitioned("http://notskat.test/p", store, FIRST) == []


def test_path_and_secure_are_honoured():
    store = [chip("api", ".skat.test", path="/api"), chip("tls", ".skat.test", secure=True)]
    assert partitioned("http://www.skat.test/api/x", store, FIRST) == ["api=v"]
    assert partitioned("http://www.skat.test/apix", store, FIRST) == []
    assert partitioned("https://www.skat.test/", store, FIRST) == ["tls=v"]


def test_a_cross_site_request_gets_samesite_none_and_lax_only_on_a_navigation():
    store = [
        chip("none", ".tracker.test", sameSite="None"),
        chip("lax", ".tracker.test", sameSite="Lax"),
        chip("unset", ".tracker.test"),
        chip("strict", ".tracker.test", sameSite="Strict"),
    ]
    assert partitioned("http://t.tracker.test/p", store, FIRST) == ["none=v"]
    navigation = partitioned("http://t.tracker.test/p", store, FIRST, navigation=True)
    assert navigation == ["none=v", "lax=v", "unset=v"]


def test_a_partitioned_cookie_goes_only_under_the_portal():
    elsewhere = {"topLevelSite": "https://x.test"}
    store = [
        chip("here", ".tracker.test", sameSite="None"),
        cookie("there", ".tracker.test", sameSite="None", partitionKey=elsewhere),
    ]
    assert partitioned("http://t.tracker.test/p", store, FIRST) == ["here=v"]


def test_where_the_page_is_not_known_every_partition_is_read():
    """A request only the interception saw, from a frame the capture cannot place: searched for
    every partitioned cookie it may have carried, never fewer."""
    elsewhere = {"topLevelSite": "https://x.test"}
    store = [
        chip("here", ".tracker.test", sameSite="Strict"),
        cookie("there", ".tracker.test", partitionKey=elsewhere),
        cookie("plain", ".tracker.test", sameSite="None"),
    ]
    assert partitioned("http://t.tracker.test/p", store, None) == ["here=v", "there=v"]
    assert top_sites("https://www.x.test/page") == {"x.test"}
    assert top_sites("about:blank") is None and top_sites(None) is None
