"""A portal whose third parties hide under its own name. On /cloaked, its analytics beacon goes to
`smetrics.skat.test`, a CNAME of an analytics vendor (as Adobe's "first-party data collection"
is), its metrics to `metrics.skat.test`, a CNAME of a collector nobody names, and its stylesheet
comes from `static.skat.test`, a CNAME of its CDN, which serves the site itself. Each request
carries the CPR. The DNS server that knows the chains is `crawler.testing.dns.CnameServer`. On
/tagged, a server-side tag manager at `sst.skat.test` receives Google Analytics 4's protocol
and a self-hosted Matomo at `stats.skat.test` its own, both with the CPR. On /cookie, the CPR is
in a cookie of the portal's whole domain, which goes to `metrics.skat.test` with a pixel.
"""

from __future__ import annotations

from crawler.testing.holes import CPR, PORTAL
from crawler.testing.sites import Response, SiteServer

CNAMES = {
    "smetrics.skat.test": "skat.test.ssl.sc.omtrdc.test",  # two steps, as Adobe's are
    "skat.test.ssl.sc.omtrdc.test": "edge.sc.omtrdc.test",
    "metrics.skat.test": "collector.unnamedvendor.test",
    "static.skat.test": "skat.cdnvendor.test",
}
OWNERS = """
[[owners]]
name = "Analytics Cloud Inc."
country = "US"
category = "site_analytics"
domains = ["omtrdc.test"]

[[owners]]
name = "Edge CDN Inc."
country = "US"
category = "hosting"
domains = ["cdnvendor.test"]
"""
PAGE = f"""<!doctype html><p>Velkommen</p>
<link rel="stylesheet" href="http://static.skat.test/site.css?cpr={CPR}">
<img src="http://smetrics.skat.test/b/ss/skat/1?g=cpr%3D{CPR}">
<img src="http://metrics.skat.test/m.gif?u={CPR}">"""


TAGGED = f"""<!doctype html><p>Velkommen</p><script>
const here = encodeURIComponent("http://{PORTAL}/borger?cpr={CPR}");
navigator.sendBeacon("http://sst.skat.test/g/collect?v=2&tid=G-DEMO1&en=page_view&dl=" + here);
new Image().src = "http://stats.skat.test/matomo.php?idsite=3&rec=1&url=" + here;
</script>"""


# The portal keeps the CPR in a cookie of its whole domain, which its CNAME'd collector gets too
COOKIE = "<!doctype html><p>Velkommen</p><img src='http://metrics.skat.test/c.gif'>"
SET_COOKIE = ("Set-Cookie", f"borger={CPR}; Domain=skat.test; Path=/")


def routes() -> dict:
    return {
        f"{PORTAL}/cloaked": Response(PAGE),
        f"{PORTAL}/tagged": Response(TAGGED),
        f"{PORTAL}/cookie": Response(COOKIE, headers=(SET_COOKIE,)),
    }


def cloaked() -> SiteServer:
    return SiteServer(routes())
