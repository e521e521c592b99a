"""The bare Playwright script the capture benchmark compares cpraudit with: the same Chromium
visits the same pages, `dwell` seconds each, and keeps every request with `all_headers()`.

    python -m benchmarks.bare RESOLVE DWELL URL...
"""

from __future__ import annotations

import sys

from playwright.sync_api import Request, sync_playwright

from crawler.record.browser.chromium import find_chromium


def main(resolve: str, dwell: float, urls: list[str]) -> None:
    seen: list[tuple[str, str, dict[str, str], bytes | None]] = []

    def keep(request: Request) -> None:
        seen.append((request.method, request.url, request.all_headers(), request.post_data_buffer))

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=find_chromium(pw),
            args=[f"--host-resolver-rules=MAP {resolve.replace('=', ' ')}"],
        )
        context = browser.new_context()
        context.on("request", keep)
        page = context.new_page()
        for url in urls:
            page.goto(url)
            page.wait_for_timeout(dwell * 1000)
        browser.close()
    print(len(seen))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), sys.argv[3:])
