"""The idea flood of issue 12, by hand: one address mints participants that send ideas as
fast as they can into one workshop while another room votes. Prints one JSON object: joins,
ideas accepted and refused (by code), the facilitator's page size and time to answer once
the flood is in, and the other room's ballot latencies before and during the flood.

    python bench/flood.py [--participants 250] [--ideas 10] [--threads 32] [--voters 5]
                          [--approved 50] [--code DIR]

`--code DIR` serves another checkout (its `workshop` package, templates and compiled
catalogs, e.g. `git archive main` unpacked) to measure before a change. The figures are in
docs/security.md ("Idea flood") and docs/reliability.md. Times depend on the machine; on a
shared one, run the before and after back to back.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import start_server, stop_server  # noqa: E402
from tests.support.flood import run_flood  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=250)
    parser.add_argument("--ideas", type=int, default=10, help="ideas sent by each participant")
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--voters", type=int, default=5)
    parser.add_argument("--approved", type=int, default=50,
                        help="ideas on the flooded room's wall before the flood")
    parser.add_argument("--code", type=Path, help="serve this checkout instead of this one")
    args = parser.parse_args()
    extra = {"PYTHONPATH": str(args.code.resolve())} if args.code else None
    if args.code:  # `python -m workshop` puts its working folder first on the path
        os.chdir(args.code)
    with tempfile.TemporaryDirectory() as work:
        server = start_server(Path(work) / "instance", extra_env=extra,
                              args=("--host", "127.0.0.1"))
        try:
            report = run_flood(server.url, args.participants, args.ideas, args.threads,
                               args.voters, approved=args.approved)
        finally:
            stop_server(server)
    report.pop("panel_html")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
