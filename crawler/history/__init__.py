"""History: every run and its leaks, so a report can say new, persisting or no longer found.

`store` keeps the runs (SQLite) with their leaks by fingerprint (`crawler.analyse.fingerprints`),
`read` gives a system's series (its runs in one environment), `series` replays it into new /
persisting / no longer found, `checkpoint` keeps the replay's state between nights,
`third_parties` marks organisations new since the previous run, `apply` gives a run's results
their history, and `timeline` is what `cpraudit history` prints.
"""

from crawler.history.apply import after_run, summary_line

__all__ = ["after_run", "summary_line"]
