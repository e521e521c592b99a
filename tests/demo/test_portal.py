"""The demo portal's logins, without a browser."""

from __future__ import annotations

import http.client

import pytest

from crawler.demo.portal import CPR, DEMO_CITIZEN, demo_server


@pytest.fixture(scope="module")
def server():
    with demo_server() as s:
        yield s


def request(server, host, path, method="GET", body=None, cookie=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Host": host, "Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    return resp.status, dict(resp.getheaders()), resp.read().decode("utf-8")


def login(server, host, password=None):
    body = f"cpr={CPR}&password={password or DEMO_CITIZEN.secret('password')}"
    return request(server, host, "/login", "POST", body)


def test_tastselv_login_lands_on_a_url_with_the_cpr(server):
    status, headers, _ = login(server, "tastselv.skat.test")
    assert status == 302 and headers["Location"] == f"/borger/oversigt?cpr={CPR}"
    cookie = headers["Set-Cookie"].split(";")[0]
    status, _, html = request(server, "tastselv.skat.test", f"/borger/oversigt?cpr={CPR}", cookie=cookie)
    assert status == 200 and 'id="welcome"' in html and 'content="unsafe-url"' in html


def test_pages_behind_login_need_the_session(server):
    status, headers, _ = request(server, "tastselv.skat.test", f"/borger/oversigt?cpr={CPR}", cookie="session=forged")
    assert (status, headers["Location"]) == (302, "/")
    assert login(server, "forskud.skat.test", password="wrong")[0] == 403


def test_letlon_login_is_broken(server):
    assert login(server, "letlon.skat.test")[0] == 503
