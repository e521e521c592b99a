"""Who owns a third-party domain: organisation, country, category, and where each came from.

Three sources, asked in order; the first that knows a host (or a domain above it) answers:
`[[owners]]` in audit.toml, cpraudit's short bundled list (`data/owners.toml`: what the
database lacks), and Ghostery's TrackerDB (`trackerdb`). An organisation has one identity (its
name, case aside) across them, so the auditor's "Google" and the database's are one party.
"""

from crawler.owners.book import OwnerBook, book_for, given
from crawler.owners.eea import third_country

__all__ = ["OwnerBook", "book_for", "given", "third_country"]
