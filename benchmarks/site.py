"""A generated portal for the capture benchmarks: pages of ~37 requests each, 22 of them to
third parties (pixels, scripts, fetch and sendBeacon beacons, an iframe), one pixel a page
carrying the CPR, all served from one loopback server.
"""

from __future__ import annotations

from crawler.testing.sites import Response, SiteServer

CPR = "0707614285"
GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c000000000100010000020144003b"
)
SCRIPT = "window.loaded = (window.loaded || 0) + 1;"


def host(system: int = 0) -> str:
    return f"portal{system}.bench.test"


def page_urls(pages: int, system: int = 0) -> list[str]:
    """The start page first; it links to all the others (one crawl level reaches them)."""
    return [f"http://{host(system)}/"] + [
        f"http://{host(system)}/side/{i}" for i in range(1, pages)
    ]


def portal(pages: int, systems: int = 1) -> SiteServer:
    routes: dict = {}
    for system in range(systems):
        urls = page_urls(pages, system)
        for i, url in enumerate(urls):
            links = urls[1:] if i == 0 else []
            routes[url.removeprefix("http://")] = Response(_page(i, links))
    routes["cdn.scripts.test/lib.js"] = Response(SCRIPT, "application/javascript")
    routes["fonts.fontvendor.test/f.css"] = Response("body{margin:0}", "text/css")
    for name in ("static/site.css",):
        for system in range(systems):
            routes[f"{host(system)}/{name}"] = Response("p{color:#222}", "text/css")
    return SiteServer(routes, fallback=Response(GIF, "image/gif"))


def _page(i: int, links: list[str]) -> str:
    """15 first-party requests (the page, a stylesheet, 3 scripts, 6 images, 3 fetches, a POST)
    and 22 to third parties."""
    first = [
        '<link rel="stylesheet" href="/static/site.css">',
        *(f'<script src="/static/app-{n}.js?p={i}"></script>' for n in range(3)),
        *(f'<img src="/img/{n}.gif?p={i}">' for n in range(6)),
    ]
    third = [
        *(
            f'<img src="http://px{n % 4}.tracker{"ab"[n % 2]}.test/p.gif?page={i}&n={n}">'
            for n in range(7)
        ),
        f'<img src="http://px0.trackera.test/id.gif?uid={CPR}&page={i}">',
        *(f'<script src="http://cdn.scripts.test/lib.js?v={n}&p={i}"></script>' for n in range(4)),
        '<link rel="stylesheet" href="http://fonts.fontvendor.test/f.css">',
        f'<iframe src="http://ads.advendor.test/frame?p={i}" width=10 height=10></iframe>',
    ]
    script = f"""<script>
for (let n = 0; n < 3; n++) fetch("/api/data?n=" + n + "&p={i}");
fetch("/api/log", {{method: "POST", body: JSON.stringify({{page: {i}}})}});
for (let n = 0; n < 4; n++) fetch("http://collect.analytics.test/c?n=" + n,
  {{method: "POST", mode: "no-cors", body: JSON.stringify({{page: location.pathname, n}})}});
navigator.sendBeacon("http://beacon.analytics.test/b", "page={i}");
navigator.sendBeacon("http://beacon.analytics.test/blob",
  new Blob([JSON.stringify({{page: {i}}})], {{type: "text/plain"}}));
for (let n = 0; n < 2; n++) fetch("http://api.widget.test/w?n=" + n, {{mode: "no-cors"}});
</script>"""
    anchors = "".join(f'<a href="{url}">side</a> ' for url in links)
    return f"<!doctype html><title>Side {i}</title>{''.join(first + third)}{anchors}{script}"
