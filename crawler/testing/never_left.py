"""Pages of requests that the browser refused to send, and of requests that left although their
answer was refused: a CPR in the first is an attempt, in the second a leak.

- /csp: the page's Content-Security-Policy allows images from itself only; a third-party pixel
  with the CPR is blocked before it is sent.
- /orb: a third-party "script" with the CPR in its URL is sent; its JSON answer is then blocked
  by the browser (ORB). The request left: a leak.
- /preflight: a PUT with the CPR in its URL and body needs a CORS preflight, which the vendor
  does not allow: only the OPTIONS request, with the URL, leaves; the body never does.
"""

from __future__ import annotations

from crawler.testing.holes import CPR, PORTAL
from crawler.testing.sites import Response, SiteServer

CSP = f"""<!doctype html>
<meta http-equiv="Content-Security-Policy" content="img-src 'self'">
<p>Velkommen</p><img src="http://px.cspvendor.test/p.gif?cpr={CPR}">"""
ORB = f"""<!doctype html><p>Velkommen</p>
<script src="http://api.orbvendor.test/profile.json?cpr={CPR}"></script>"""
PREFLIGHT = f"""<!doctype html><p>Velkommen</p><script>
fetch("http://api.corsvendor.test/save?cpr={CPR}", {{method: "PUT",
  headers: {{"Content-Type": "application/json"}}, body: JSON.stringify({{person: "{CPR}"}})}})
  .catch(() => document.title = "refused");
</script>"""


def routes() -> dict:
    return {
        f"{PORTAL}/csp": Response(CSP),
        f"{PORTAL}/orb": Response(ORB),
        "api.orbvendor.test/profile.json": Response(
            '{"name": "Jens"}', "application/json", headers=(("X-Content-Type-Options", "nosniff"),)
        ),
        f"{PORTAL}/preflight": Response(PREFLIGHT),
    }


def never_left() -> SiteServer:
    return SiteServer(routes())
