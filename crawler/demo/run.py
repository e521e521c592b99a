"""`cpraudit demo`: the bundled portal, audited through the same path as `cpraudit run`.

A demonstration, not a verdict: it succeeds when the audit found exactly what the portal
plants (two leaking systems, a clean one, one whose login breaks), and fails when the demo
itself is broken.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from crawler import config
from crawler.demo.portal import DEMO_CITIZEN, DEMO_SYSTEMS, demo_server
from crawler.errors import BadInput
from crawler.proof.signing import Ed25519PrivateKey
from crawler.report import DEFAULT_REPORT, ReportOptions
from crawler.run.runner import RunOptions, run_audit

DEMO_CONFIG = Path(__file__).resolve().with_name("scenarios") / "audit.toml"
EXPECTED = {s.name: s.verdict for s in DEMO_SYSTEMS}
TYPED_RECEIVER = "forms.forminsights.test"  # the form-analytics script of Skattekontoen


def audit_demo(
    run_dir: Path,
    jobs: int,
    progress=None,
    key: Ed25519PrivateKey | None = None,
    report: ReportOptions = DEFAULT_REPORT,
):
    """The four demo systems audited on a fresh demo portal: the `run_audit` outcome."""
    os.environ.setdefault("CPRAUDIT_DEMO_PASSWORD", DEMO_CITIZEN.secret("password"))
    with demo_server() as server:
        loaded = config.load(DEMO_CONFIG)
        audit = config.Audit(loaded.config, loaded.path, resolve=tuple(server.resolve_rules()))
        say = progress or (lambda text: None)
        say(f"Demo portal on 127.0.0.1:{server.port}; auditing {len(EXPECTED)} systems ...")
        return run_audit(
            audit,
            run_dir,
            [],
            jobs,
            "cpraudit demo",
            quiet=progress is None,
            progress=say,
            options=RunOptions(sign_key=key, report=report),
        )


def run_demo(
    run_dir: Path,
    jobs: int,
    print_summary,
    key: Ed25519PrivateKey | None = None,
    report: ReportOptions = DEFAULT_REPORT,
) -> int:
    outcome = audit_demo(run_dir, jobs, lambda text: print(text, flush=True), key, report)
    print_summary(outcome.results, run_dir, outcome.index)
    got = {r.system: r.verdict for r, _ in outcome.results}
    if got != EXPECTED:
        print(f"demo broken: expected {EXPECTED}, got {got}")
        return 1
    typed = {f.host for r, _ in outcome.results for f in r.findings if f.typed_into}
    if typed != {TYPED_RECEIVER}:
        print(
            f"demo broken: expected what the citizen typed to reach {TYPED_RECEIVER}, got {typed}"
        )
        return 1
    print(
        "Demo as expected: TastSelv and Skattekontoen leak (Skattekontoen also what the citizen "
        "typed, before any submit), Forskud is clean, LetLøn is inconclusive (its login breaks). "
        "Open the index above in a browser."
    )
    return 0


def serve(port: int) -> int:
    """The demo portal on 127.0.0.1:`port` until Ctrl-C: every demo host is reached by mapping
    it there (`--resolve '*.test=127.0.0.1:PORT'`)."""
    try:
        server = demo_server(port)
    except OSError as exc:
        raise BadInput(
            f"cannot serve on 127.0.0.1:{port} ({exc.strerror}); choose another port"
        ) from None
    rule = f"*.test=127.0.0.1:{server.port}"
    tries = (
        f"  cpraudit adhoc http://{host}/ --cpr 070761-4285 --resolve '{rule}'"
        for host in ("tastselv.skat.test", "skattekontoen.skat.test")
    )
    said = "\n".join(
        [
            f"The demo portal answers on 127.0.0.1:{server.port} for every *.test host. Try:",
            *tries,
            "(Ctrl-C stops it; the systems' logins need the password demo-password.)",
        ]
    )
    with server:
        try:  # from its first line on, Ctrl-C (or SIGTERM) is how it is meant to stop
            print(said, flush=True)
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0
