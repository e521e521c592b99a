"""`cpraudit setup`: what audits need besides the Python package, installed or found: a Chromium
(Playwright's, the system's, or Debian's package installed as root), and the npm packages read at
run time (the owner database and autoconsent, `crawler.npm`). What `make setup` runs, and what a
pip-installed cpraudit, a CI job or a container runs once."""

from __future__ import annotations

import argparse
import shutil

from crawler import npm
from crawler.errors import BadInput
from crawler.record.browser import chromium


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "setup",
        help="install or find what audits need: a Chromium, and the owner database and "
        "autoconsent (npm, into $CPRAUDIT_DATA or ~/.local/share/cpraudit)",
    )
    p.add_argument(
        "--no-browser", action="store_true", help="leave the browser alone (find or install none)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.no_browser and chromium.ensure() != 0:
        raise BadInput(chromium.HOW_TO_GET_ONE)
    folder = npm.install()
    print(f"Owner database and autoconsent: {folder}")
    if shutil.which("certutil") is None:
        print(
            "certutil not found: ca_file (a test CA) needs it (Debian/Ubuntu: apt-get install "
            "libnss3-tools); everything else works without"
        )
    return 0
