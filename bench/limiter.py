"""Cost of the rate limiter's in-memory counters with a big room: the library's own sweep
against workshop's slower one. Prints a table, then one JSON line (ms of CPU per hit).

    python bench/limiter.py [--participants 2000] [--seconds 4]
"""

from __future__ import annotations

import argparse
import json
import random
import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from workshop.guard.limiter_storage import RoomMemoryStorage


def measure(storage_class: type, participants: int, seconds: float) -> float:
    """Return CPU milliseconds per limiter hit at about 250 hits a second."""
    limiter = MovingWindowRateLimiter(storage_class())
    item = parse("30 per minute")
    keys = [f"participant-{i}" for i in range(participants)]
    for key in keys:
        limiter.hit(item, key)
    rng = random.Random(1)
    cpu, wall, hits = time.process_time(), time.monotonic(), 0
    while time.monotonic() - wall < seconds:
        limiter.hit(item, rng.choice(keys))
        hits += 1
        time.sleep(0.004)
    return 1000 * (time.process_time() - cpu) / hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    figures = {"participants": args.participants}
    for name, storage in (("library_ms_per_hit", MemoryStorage),
                          ("workshop_ms_per_hit", RoomMemoryStorage)):
        figures[name] = round(measure(storage, args.participants, args.seconds), 3)
        print(f"{storage.__name__:<20} {figures[name]:>8.3f} ms of CPU per hit")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
