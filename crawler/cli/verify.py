"""`cpraudit verify FOLDER`: is a run folder still exactly as the run sealed it?"""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler.errors import printable
from crawler.proof import Verification, verify
from crawler.proof.signing import load_public

INTACT, NOT_INTACT = 0, 1  # bad input (no manifest, a bad key) is 2, as everywhere


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify",
        help="recompute a run folder's manifest.json: name every changed, missing or added file "
        "(exit 0 intact, 1 not, 2 no manifest)",
    )
    p.add_argument("folder", help="a run folder (it holds manifest.json)")
    p.add_argument(
        "--key",
        metavar="PUB",
        help="Ed25519 public key (PEM, OpenSSH or raw 32 bytes): also require manifest.sig to be "
        "its valid signature of manifest.json",
    )
    p.add_argument(
        "--allow-added",
        action="store_true",
        help="files added after the seal are named but do not fail the check "
        "(the sealed files must still be intact)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    key = load_public(Path(args.key)) if args.key else None
    checked = verify(Path(args.folder), key)
    for line in lines(checked, args.allow_added):
        print(printable(line))
    return INTACT if checked.intact(args.allow_added) else NOT_INTACT


def lines(checked: Verification, allow_added: bool) -> list[str]:
    m = checked.manifest
    out = [f"sealed {m.finished} by cpraudit {m.tool_version}: {m.command}"]
    out += [f"read     {name}  sha256 {e.sha256}" for name, e in m.inputs.items()]
    out += [f"changed  {name}" for name in checked.changed]
    out += [f"missing  {name}" for name in checked.missing]
    out += [f"added    {name}  (not part of the sealed evidence)" for name in checked.added]
    out.append(f"signature: {checked.signature}")
    if checked.intact(allow_added):
        out.append(f"INTACT: {len(m.files)} files as sealed")
    else:
        out.append(
            f"NOT INTACT: {len(checked.changed)} changed, {len(checked.missing)} missing, "
            f"{len(checked.added)} added"
            + (", signature invalid" if checked.signature.startswith("invalid") else "")
        )
    return out
