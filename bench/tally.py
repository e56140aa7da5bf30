"""Time the pure tally engine on workshop-sized and oversized rounds.

Run: python bench/tally.py. Prints a table, then, as the last line, one JSON object with
the best-of-3 seconds per method, for scripts to read.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workshop.core.voting import approval, dots, pairwise, points, ranking  # noqa: E402

SEED = 20240611
REPEATS = 3
OPTIONS = list(range(1, 101))


def best_of(run: Callable[[], object]) -> float:
    """Return the fastest of REPEATS runs, so a busy shared machine skews less."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def ranking_ballots(rng: random.Random, voters: int) -> list[list[int]]:
    """Full rankings drawn around a noisy consensus, like a real room."""
    ballots = []
    for _ in range(voters):
        keyed = sorted(OPTIONS, key=lambda o: o + rng.gauss(0, 30))
        ballots.append(keyed)
    return ballots


def approval_ballots(rng: random.Random, voters: int) -> list[list[int]]:
    """Each voter approves 1 to 20 priorities."""
    return [approval.validate(rng.sample(OPTIONS, rng.randint(1, 20)), OPTIONS, {})
            for _ in range(voters)]


def points_ballots(rng: random.Random, voters: int) -> list[dict[int, int]]:
    """Each voter spreads 100 points over up to 10 priorities."""
    ballots = []
    for _ in range(voters):
        chosen = rng.sample(OPTIONS, rng.randint(1, 10))
        cuts = sorted(rng.randint(0, 100) for _ in range(len(chosen) - 1))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        ballots.append(points.validate(dict(zip(chosen, shares, strict=True)), OPTIONS, {}))
    return ballots


def dots_ballots(rng: random.Random, voters: int) -> list[dict[int, int]]:
    """Each voter places 5 dots, at most 2 on one priority."""
    settings = {"dots": 5, "max_per_option": 2}
    ballots = []
    for _ in range(voters):
        ballot: dict[int, int] = {}
        for option in rng.choices(OPTIONS, k=5):
            if ballot.get(option, 0) < 2:
                ballot[option] = ballot.get(option, 0) + 1
        ballots.append(dots.validate(ballot, OPTIONS, settings))
    return ballots


def pairwise_ballots(rng: random.Random, voters: int, pairs: int) -> list[list[tuple]]:
    """Each voter judges `pairs` random pairs, picking by a hidden Bradley–Terry strength."""
    strength = {o: 2 ** (o / 25) for o in OPTIONS}
    ballots = []
    for _ in range(voters):
        judgements = []
        for _ in range(pairs):
            a, b = rng.sample(OPTIONS, 2)
            if rng.random() < 0.1:
                choice = None
            else:
                choice = a if rng.random() < strength[a] / (strength[a] + strength[b]) else b
            judgements.append((a, b, choice))
        ballots.append(pairwise.validate(judgements, OPTIONS, {"pairs": pairs}))
    return ballots


def main() -> None:
    """Build the rounds with a fixed seed, time each tally and print table and JSON."""
    rng = random.Random(SEED)
    cases = [
        ("ranking", "10,000 full rankings of 100 (Borda + Schulze)", ranking,
         ranking_ballots(rng, 10_000), {}),
        ("approval", "10,000 ballots, 1-20 approvals of 100", approval,
         approval_ballots(rng, 10_000), {}),
        ("points", "10,000 ballots, 100 points over up to 10 of 100", points,
         points_ballots(rng, 10_000), {}),
        ("dots", "10,000 ballots, 5 dots over 100", dots, dots_ballots(rng, 10_000),
         {"dots": 5, "max_per_option": 2}),
        ("dots_100k", "100,000 ballots, 5 dots over 100", dots, dots_ballots(rng, 100_000),
         {"dots": 5, "max_per_option": 2}),
        ("pairwise", "10,000 voters x 10 judgements over 100 (Bradley-Terry)", pairwise,
         pairwise_ballots(rng, 10_000, 10), {"pairs": 10}),
    ]
    seconds: dict[str, float] = {}
    notes: dict[str, str] = {}
    for key, label, method, ballots, settings in cases:
        seconds[key] = round(best_of(lambda m=method, b=ballots, s=settings:
                                     m.tally(b, OPTIONS, s)), 4)
        notes[key] = label
    result = pairwise.tally(cases[-1][3], OPTIONS, {"pairs": 10})
    notes["pairwise"] += f", {result.details['iterations']} MM steps"

    def pick_many() -> None:
        done: list[tuple] = []
        for n in range(10_000):
            left, right = pairwise.next_step(OPTIONS, done, f"bench:{n // 10}")
            done = [] if n % 10 == 9 else [*done, (left, right, None)]

    seconds["next_pair_10k"] = round(best_of(pick_many), 4)
    notes["next_pair_10k"] = "10,000 next_step pairs over 100 options (1,000 phones x 10)"

    print(f"{'method':<14} {'seconds':>8}  round")
    print(f"{'-' * 14} {'-' * 8}  {'-' * 50}")
    for key, value in seconds.items():
        print(f"{key:<14} {value:>8.4f}  {notes[key]}")
    print(json.dumps(seconds))


if __name__ == "__main__":
    main()
