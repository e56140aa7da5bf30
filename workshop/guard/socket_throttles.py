"""Socket throttles: how often one socket may join, one address may join, one phone may vote
over its socket, and one socket may send events nobody handles.

Edge layer: imports the core, the store (to tell a known join code from a guess), the live
layer's Socket.IO server, and the guard's keys, counter storage and join-code guesses.
Each throttle is a token bucket per key, in memory, per process (a socket lives on one
process); docs/security.md says why not the `limits` library's strategies, with figures.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, request, session

from workshop.core import tokens
from workshop.guard.http_limits import count_guess, guesses_exhausted
from workshop.guard.keys import address
from workshop.live.sockets import socketio
from workshop.store import lookups
from workshop.store.db import session_for

# Defaults, each overridable in the app config: (burst, per second).
DEFAULTS = {
    # Socket joins: per socket, a burst then a steady rate; per address, a whole hall
    # reconnecting at once after a Wi-Fi hiccup.
    "SOCKET_JOIN_PER_SOCKET": (20, 1.0),
    "SOCKET_JOIN_PER_ADDRESS": (3000, 100.0),
    # Ballots over a phone's socket, per participant: as RATELIMIT_BALLOTS over HTTP
    # (60 a minute), as a burst of 60 then one a second.
    "SOCKET_BALLOTS": (60, 1.0),
    # Events nobody handles: a socket sending more than this burst is disconnected.
    "SOCKET_UNKNOWN_EVENTS": (50, 1.0),
}


@dataclass
class SocketThrottle:
    """Token buckets, one per key: `burst` at once, then `rate` a second.

    In memory, per process (a socket lives on one process). Buckets that have refilled are
    dropped as others are used, so memory follows the active sockets. Hand-written rather
    than the `limits` library's strategies, which cost five times as much per check under
    gevent and four times the memory per key, on the busiest event there is
    (`python bench/throttles.py`; docs/security.md, "Socket throttles").
    """

    burst: float
    rate: float
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _calls: int = 0

    def allow(self, key: str, now: float | None = None) -> bool:
        """Take one token for `key`; say whether it had one."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            allowed = tokens >= 1
            self._buckets[key] = (tokens - 1 if allowed else tokens, now)
            self._calls += 1
            if self._calls % 1024 == 0:
                self._sweep(now)
            return allowed

    def wait(self, key: str, now: float | None = None) -> int:
        """Seconds until `key` has a token again (0: now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        return 0 if tokens >= 1 else max(1, math.ceil((1 - tokens) / self.rate))

    def active_keys(self) -> int:
        """Return how many keys hold a bucket that has not refilled yet (or not swept)."""
        with self._lock:
            return len(self._buckets)

    def _sweep(self, now: float) -> None:
        full = [k for k, (tokens, last) in self._buckets.items()
                if tokens + (now - last) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]


def _throttles(app: Flask) -> dict[str, SocketThrottle]:
    return app.extensions["workshop.socket_throttles"]


def socket_ballot_wait(participant_id: int) -> int:
    """Seconds a participant must wait before another ballot over a socket (0: go on)."""
    throttle = _throttles(current_app._get_current_object())["ballots"]  # type: ignore[attr-defined]
    key = f"participant:{participant_id}"
    return 0 if throttle.allow(key) else throttle.wait(key)


def check_socket_join(data: Any) -> dict[str, Any] | None:
    """Refuse a socket `join` sent too often, or asking for too many unknown codes.

    Called at the top of events.on_join; None means "go on". A refusal names how long to
    wait, so the page can say so.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    throttles = _throttles(app)
    sid = getattr(request, "sid", "")
    who = address()
    for name, key in (("join_socket", sid), ("join_address", who)):
        if not throttles[name].allow(key):
            return {"ok": False, "error": "rate_limited",
                    "retry_after": throttles[name].wait(key)}
    code = tokens.normalise_code(data.get("code")) if isinstance(data, dict) else None
    if code is None:
        return None
    with session_for(app) as db:
        known = lookups.find_workshop(db, code) is not None
    if known and not guesses_exhausted(who):
        return None
    if not known:
        waited = guesses_exhausted(who)
        if waited:
            return {"ok": False, "error": "rate_limited", "retry_after": waited}
        count_guess(who)
        return None
    # A known code from an address that guessed too much: only a browser that joined it.
    if session.get("participants", {}).get(code):
        return None
    return {"ok": False, "error": "rate_limited", "retry_after": guesses_exhausted(who)}


def _unknown_event_guard(app: Flask, server: Any) -> Callable[..., None]:
    """Return the handler of events nobody handles: ignore them, disconnect a flooder.

    Registered on the python-socketio server itself, which calls it with (event, sid, data)
    or, for an event literally named "*", with (sid, data): Flask-SocketIO's wrapper
    mistakes the second form and raises, so it is not used here.
    """
    def guard(*args: Any) -> None:
        if not args:
            return
        sid = args[0] if server.manager.is_connected(args[0], "/") else \
            (args[1] if len(args) > 1 else None)
        if isinstance(sid, str):
            count_unknown_event(app, server, sid)

    return guard


def count_unknown_event(app: Flask, server: Any, sid: str) -> None:
    """Count one event from `sid` that nobody handles; disconnect the socket that floods.

    Also used for "connect" and "disconnect" sent by a client as ordinary events:
    python-socketio hands those to their handlers instead of to the "*" guard.
    """
    if not _throttles(app)["unknown"].allow(sid):
        server.disconnect(sid)


def init_app(app: Flask) -> None:
    """Install the socket throttles and the guard against events nobody handles."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    app.extensions["workshop.socket_throttles"] = {
        "join_socket": SocketThrottle(*app.config["SOCKET_JOIN_PER_SOCKET"]),
        "join_address": SocketThrottle(*app.config["SOCKET_JOIN_PER_ADDRESS"]),
        "unknown": SocketThrottle(*app.config["SOCKET_UNKNOWN_EVENTS"]),
        "ballots": SocketThrottle(*app.config["SOCKET_BALLOTS"]),
    }
    # On this app's Socket.IO server (events.init_app has just made it), not on the shared
    # SocketIO object's list, so that building several apps never stacks handlers.
    socketio.server.on("*", _unknown_event_guard(app, socketio.server))
