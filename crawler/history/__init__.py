"""History: every run and its leaks, so a report can say new, persisting or no longer found.

`store` keeps the runs (SQLite) with their leaks by fingerprint (`crawler.analyse.fingerprints`),
`series` replays a system's runs into new / persisting / no longer found, `third_parties` marks
organisations new since the previous run, `apply` gives a run's results their history, and
`timeline` is what `cpraudit history` prints.
"""

from crawler.history.apply import after_run, summary_line

__all__ = ["after_run", "summary_line"]
