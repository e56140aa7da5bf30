"""Chaos on the command line: SIGKILL the server at random moments of a vote burst; no
acknowledged ballot is lost, none is counted twice, and phones resync.

    python bench/chaos.py                          # 500 phones, 10 kills (as CI runs it)
    python bench/chaos.py --phones 1000 --kills 30 --runs 5     # the long variant

Prints one line per run, then one JSON object with the totals (the last line). The run
itself is tests/support/chaos.py (what happens, what is checked), shared with
tests/test_durability.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.chaos import run  # noqa: E402


def main() -> None:
    """Run the chaos run `--runs` times and print the totals; exit 1 unless all held."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--sockets", type=int, default=10)
    args = parser.parse_args()
    reports = []
    with tempfile.TemporaryDirectory(prefix="workshop-chaos-") as tmp:
        for n in range(args.runs):
            reports.append(run(Path(tmp) / f"run-{n}", phones=args.phones, kills=args.kills,
                               seed=args.seed + n, sockets=args.sockets))
    totals = {key: sum(getattr(r, key) for r in reports) for key in (
        "phones", "kills", "commands_sent", "acknowledged", "ballots_counted", "lost",
        "duplicated", "mismatched", "retries", "sockets", "sockets_resynced")}
    totals["runs"] = len(reports)
    totals["all_ok"] = all(r.ok() for r in reports)
    print(json.dumps({"totals": totals, "runs": [asdict(r) for r in reports]}))
    sys.exit(0 if totals["all_ok"] else 1)


if __name__ == "__main__":
    main()
