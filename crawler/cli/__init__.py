"""`cpraudit`: record a portal's traffic as a synthetic citizen and report CPR leaks.

Exit codes: 0 every audited system clean; 1 a leak was found; 2 inconclusive or error.
"""

from crawler.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
