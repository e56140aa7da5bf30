"""The rate limits' in-memory counters, swept without a timer thread (RoomMemoryStorage).

Edge layer helper; imports only the `limits` library. Used by Flask-Limiter when no Redis
is configured (and as its fallback when Redis goes away) and by every socket throttle.
"""

from __future__ import annotations

import time

from limits.storage import MemoryStorage


class RoomMemoryStorage(MemoryStorage):
    """The limits library's in-memory counters, swept for expiry at most once a second.

    The library sweeps every key 100 times a second while requests keep coming, each
    sweep on a new timer thread; with a 2,000-phone room that sweep alone slowed each
    ballot several times over. Here the sweep runs inline, on the first call after a
    second has passed, with no timer: under gevent a timer thread could be taken for
    finished while it still waited (is_alive() false), so a new one was started on
    nearly every request and the server swept about 120 times a second (found by
    profiling `bench/load.py --scenario day`). Expired counters are also dropped when
    they are read, so a slower sweep changes no decision, only how soon memory is given
    back.
    """

    # Defining the class registers this scheme: Flask-Limiter's "workshopmemory://".
    STORAGE_SCHEME = ["workshopmemory"]
    SWEEP_EVERY = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the library's first sweep timer: no timers here
        self._next_sweep = time.monotonic() + self.SWEEP_EVERY
        self.sweeps = 0

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - overrides a private hook
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_EVERY
            self.sweeps += 1
            self._MemoryStorage__expire_events()
