"""Cost of a socket throttle check: workshop's SocketThrottle (the `limits` library's
sliding window counter) against a plain token bucket, the hand-written kind the throttles
used before. Prints a table, then one JSON line (microseconds per `allow`).

    python bench/throttles.py [--calls 200000] [--keys 5000]
"""

from __future__ import annotations

import argparse
import json
import random
import time
import tracemalloc
from collections.abc import Callable

from workshop.guard.socket_throttles import SocketThrottle


class TokenBucket:
    """The reference: one (tokens, last time) pair per key, refilled on each call."""

    def __init__(self, burst: float, rate: float) -> None:
        self.burst, self.rate = burst, rate
        self.buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str) -> bool:
        """Take one token for `key`; say whether it had one."""
        now = time.monotonic()
        tokens, last = self.buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        self.buckets[key] = (tokens - 1 if tokens >= 1 else tokens, now)
        return tokens >= 1


def measure(make: Callable[[float, float], object], limit: tuple[float, float],
            keys: list[str]) -> tuple[float, float]:
    """Return microseconds per call (the best of three fresh throttles, as the machine may
    be shared) and the share of calls refused."""
    best = float("inf")
    for _ in range(3):
        allow = make(*limit).allow  # type: ignore[attr-defined]
        refused = 0
        began = time.perf_counter()
        for key in keys:
            refused += not allow(key)
        best = min(best, 1e6 * (time.perf_counter() - began) / len(keys))
    return best, refused / len(keys)


def kilobytes_per_key(make: Callable[[], object], keys: int) -> float:
    """Return the memory one active key holds (allocated while `keys` keys hit once)."""
    tracemalloc.start()
    throttle = make()
    before = tracemalloc.get_traced_memory()[0]
    for n in range(keys):
        throttle.allow(f"participant:{n}")  # type: ignore[attr-defined]
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / keys / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--keys", type=int, default=5_000)
    args = parser.parse_args()
    rng = random.Random(1)
    keys = [f"participant:{rng.randrange(args.keys)}" for _ in range(args.calls)]
    figures: dict[str, float | int] = {"calls": args.calls, "keys": args.keys}
    # Ballots' default (a burst of 60, then one a second): nearly every call allowed; and a
    # tight one (a burst of 3, then one in 1000 s): nearly every call refused.
    for name, make in (("token_bucket", TokenBucket), ("limits_sliding_window", SocketThrottle)):
        for case, limit in (("allowed", (60, 1.0)), ("refused", (3, 0.001))):
            micros, share = measure(make, limit, keys)
            figures[f"{name}_{case}_us"] = round(micros, 2)
            print(f"{name:<22} {case:<8} {micros:7.2f} µs per call "
                  f"({share:.0%} refused)")
        figures[f"{name}_kib_per_key"] = round(
            kilobytes_per_key(lambda make=make: make(60, 1.0), args.keys), 2)
        print(f"{name:<22} memory   {figures[f'{name}_kib_per_key']:7.2f} KiB per active key")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
