"""The demo portal's logins and planted pages, without a browser: plain HTTP to the loopback
server with the invented host in the `Host` header."""

from __future__ import annotations

import http.client
import socket
from urllib.parse import urlencode

import pytest

from crawler.demo.portal import CPR, DEMO_CITIZEN, DEMO_SYSTEMS, demo_server


@pytest.fixture(scope="module")
def server():
    with demo_server() as s:
        yield s


def request(server, host, path, method="GET", body=None, cookie=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Host": host, "Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read().decode("utf-8")
    finally:
        conn.close()


def login(server, host, password=None):
    body = urlencode({"cpr": CPR, "password": password or DEMO_CITIZEN.secret("password")})
    status, headers, html = request(server, host, "/login", "POST", body)
    cookie = headers.get("Set-Cookie", "").split(";")[0]
    return status, headers.get("Location"), cookie, html


def test_every_system_has_a_login_form_on_its_start_url(server):
    for system in DEMO_SYSTEMS:
        status, _, html = request(server, system.host, "/")
        assert status == 200 and 'action="/login"' in html and CPR not in html, system.name


def test_tastselv_login_sets_a_random_session_and_lands_on_a_url_with_the_cpr(server):
    status, location, cookie, _ = login(server, "tastselv.skat.test")
    assert (status, location) == (302, f"/borger/oversigt?cpr={CPR}")
    assert cookie.startswith("session=") and len(cookie) > 30
    assert login(server, "tastselv.skat.test")[2] != cookie, "a new token per login"
    status, _, html = request(server, "tastselv.skat.test", location, cookie=cookie)
    assert status == 200 and 'id="welcome"' in html and 'content="unsafe-url"' in html
    for planted in (
        "http://www.analytics.test/analytics.js",
        "http://metrics.marketingcloud.test/appmeasurement.js",
        "http://cdn.democdn.test/bootstrap.min.css",
        f'href="/borger/aarsopgoerelse/{CPR}"',
        'href="/logout"',
    ):
        assert planted in html
    status, _, html = request(
        server, "tastselv.skat.test", f"/borger/aarsopgoerelse/{CPR}", cookie=cookie
    )
    assert status == 200 and "Årsopgørelse 2019" in html


@pytest.mark.parametrize(
    "host, path",
    [
        ("tastselv.skat.test", f"/borger/oversigt?cpr={CPR}"),
        ("tastselv.skat.test", f"/borger/aarsopgoerelse/{CPR}"),
        ("skattekontoen.skat.test", "/konto"),
        ("forskud.skat.test", "/forskud"),
        ("forskud.skat.test", "/api/forskud"),
        ("letlon.skat.test", "/loen"),
    ],
)
def test_pages_behind_login_redirect_to_the_login_page(server, host, path):
    for cookie in (None, "session=forged"):
        status, headers, _ = request(server, host, path, cookie=cookie)
        assert (status, headers["Location"]) == (302, "/")


def test_a_session_is_valid_on_its_own_host_only_and_ends_at_logout(server):
    _, _, cookie, _ = login(server, "forskud.skat.test")
    assert request(server, "forskud.skat.test", "/forskud", cookie=cookie)[0] == 200
    assert request(server, "skattekontoen.skat.test", "/konto", cookie=cookie)[0] == 302
    assert request(server, "forskud.skat.test", "/logout", cookie=cookie)[0] == 302
    assert request(server, "forskud.skat.test", "/forskud", cookie=cookie)[0] == 302


def test_wrong_password_is_refused(server):
    status, location, cookie, html = login(server, "forskud.skat.test", password="wrong")
    assert (status, location, cookie) == (401, None, "") and "Forkert" in html


def test_skattekontoen_keeps_the_cpr_out_of_urls_but_gives_it_to_the_chat_widget(server):
    status, location, cookie, _ = login(server, "skattekontoen.skat.test")
    assert (status, location) == (302, "/konto")
    _, _, html = request(server, "skattekontoen.skat.test", location, cookie=cookie)
    assert 'id="welcome"' in html and 'customer: "070761-4285"' in html
    assert "http://chat.supportwidget.test/widget.js" in html
    _, _, widget = request(server, "chat.supportwidget.test", "/widget.js")
    assert "ws://chat.supportwidget.test/socket" in widget


def test_forskud_sends_the_cpr_to_its_own_api_and_analytics_a_clean_location(server):
    _, location, cookie, _ = login(server, "forskud.skat.test")
    _, _, html = request(server, "forskud.skat.test", location, cookie=cookie)
    assert 'id="welcome"' in html and 'content="strict-origin-when-cross-origin"' in html
    assert "location.origin + location.pathname" in html and 'fetch("/api/forskud"' in html
    assert (
        request(server, "forskud.skat.test", "/api/forskud", "POST", f'{{"cpr": "{CPR}"}}', cookie)[
            0
        ]
        == 200
    )


def test_letlon_login_is_broken(server):
    status, _, cookie, html = login(server, "letlon.skat.test")
    assert (status, cookie) == (503, "") and "Service unavailable" in html


def test_the_demo_portal_can_be_served_for_trying_adhoc_on_it(tmp_path):
    import signal
    import subprocess
    import sys
    import urllib.request

    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = subprocess.Popen(
        [sys.executable, "-m", "crawler", "demo", "--serve", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = served.stdout.readline()
        assert f"127.0.0.1:{port}" in first
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/", headers={"Host": "tastselv.skat.test"}
        )
        assert "Log ind" in urllib.request.urlopen(request, timeout=10).read().decode()
    finally:
        served.send_signal(signal.SIGTERM)
        assert served.wait(timeout=10) == 0
