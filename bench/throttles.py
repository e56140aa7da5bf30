"""Cost of a socket throttle check: workshop's SocketThrottle (a hand-written token bucket)
against the `limits` library's sliding window counter, the library strategy a socket
throttle could use instead. Prints a table, then one JSON line (microseconds per `allow`).

    python bench/throttles.py [--calls 200000] [--keys 5000] [--gevent]

With --gevent the standard library is patched first, as `workshop serve` runs.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import tracemalloc
from collections.abc import Callable


class LibraryWindow:
    """The alternative: the `limits` library's sliding window counter, `burst` hits per
    `burst / rate` seconds, on the same in-memory storage as the HTTP limits."""

    def __init__(self, burst: float, rate: float) -> None:
        from limits import RateLimitItemPerSecond
        from limits.strategies import SlidingWindowCounterRateLimiter

        from workshop.guard.limiter_storage import RoomMemoryStorage

        self.item = RateLimitItemPerSecond(max(1, int(burst)), max(1, round(burst / rate)))
        self.limiter = SlidingWindowCounterRateLimiter(RoomMemoryStorage())

    def allow(self, key: str) -> bool:
        """Count one hit for `key`; say whether it was within the limit."""
        return self.limiter.hit(self.item, key)


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
    if "--gevent" in sys.argv:
        from gevent import monkey

        monkey.patch_all()
    from workshop.guard.socket_throttles import SocketThrottle

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--keys", type=int, default=5_000)
    parser.add_argument("--gevent", action="store_true", help="patch as workshop serve does")
    args = parser.parse_args()
    rng = random.Random(1)
    keys = [f"participant:{rng.randrange(args.keys)}" for _ in range(args.calls)]
    figures: dict[str, float | int] = {"calls": args.calls, "keys": args.keys}
    # Ballots' default (a burst of 60, then one a second): nearly every call allowed; and a
    # tight one (a burst of 3, then one in 1000 s): nearly every call refused.
    for name, make in (("token_bucket", SocketThrottle), ("limits_sliding_window", LibraryWindow)):
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
