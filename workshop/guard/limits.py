"""Abuse limits: how often one phone, one address, one facilitator link or one socket may ask.

Edge layer helper. HTTP commands are limited with Flask-Limiter (ENDPOINT_LIMITS, applied
to the view functions when the app is built, so that every limit is in this one table and
tests/test_limits.py can check that no command lacks one). Socket events have their own
token buckets (SocketThrottle). Every limit answers a legitimate person with a clear
message and how long to wait (`rate_limited`, HTTP 429 with Retry-After).

A whole hall shares one address behind the venue's NAT: per-address limits only bound what
no hall does (creating workshops, creating hundreds of participants a minute, guessing
join codes); everything a phone does often is limited per participant instead.
See docs/security.md for the figures and the reasons.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, current_app, render_template, request, session
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage

from workshop.core import tokens
from workshop.core.errors import Refused
from workshop.store import lookups

# Defaults, each overridable in the app config. "N per minute;M per hour" as limits parses.
DEFAULTS = {
    # New participants from one address: a hall of 500 phones behind one NAT joins in
    # a minute or two, so this only stops a script minting voters by the thousand.
    "RATELIMIT_JOIN": "1200 per minute;6000 per hour",
    # Unknown join codes asked from one address (HTTP pages, /join, socket joins).
    "RATELIMIT_GUESS": "60 per minute;600 per hour",
    # Workshops created from one address.
    "RATELIMIT_NEW_WORKSHOP": "30 per hour",
    # Per participant (their cookie secret): ideas and ballots (a pairwise vote sends
    # one request per comparison, and a retry after a lost answer counts too).
    "RATELIMIT_IDEAS": "10 per minute;120 per hour",
    "RATELIMIT_BALLOTS": "60 per minute;1000 per hour",
    # Ticket codes typed: per participant (typos happen, guessing does not pay), and per
    # address, above a whole hall of 500 typing theirs in the same minute.
    "RATELIMIT_TICKET": "10 per minute;60 per hour",
    "RATELIMIT_TICKET_ADDRESS": "600 per minute;3000 per hour",
    # Per facilitator link: commands and exports.
    "RATELIMIT_FACILITATOR": "300 per minute",
    "RATELIMIT_EXPORT": "60 per minute",
    # Socket joins: per socket, a burst then a steady rate; per address, a whole hall
    # reconnecting at once after a Wi-Fi hiccup.
    "SOCKET_JOIN_PER_SOCKET": (20, 1.0),  # (burst, per second)
    "SOCKET_JOIN_PER_ADDRESS": (3000, 100.0),
    # Ballots over a phone's socket, per participant: as RATELIMIT_BALLOTS over HTTP
    # (60 a minute), as a burst of 60 then one a second.
    "SOCKET_BALLOTS": (60, 1.0),
    # Events nobody handles: a socket sending more than this burst is disconnected.
    "SOCKET_UNKNOWN_EVENTS": (50, 1.0),
}


# --- who is asking --------------------------------------------------------------------

def address() -> str:
    """The caller's network address (the venue's NAT address for a whole hall)."""
    return request.remote_addr or "unknown"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:32]


def participant_key() -> str:
    """The participant a phone is in the workshop of the URL, else its address."""
    code = tokens.normalise_code((request.view_args or {}).get("code"))
    secret = session.get("participants", {}).get(code) if code else None
    if isinstance(secret, str) and secret:
        return "participant:" + _digest(secret)
    return "address:" + address()


def facilitator_key() -> str:
    """The facilitator link used (never the secret itself: only a digest is kept)."""
    secret = (request.view_args or {}).get("secret")
    return "link:" + _digest(secret if isinstance(secret, str) else "")


def already_joined() -> bool:
    """Whether this browser already is a participant of the workshop in the URL."""
    code = tokens.normalise_code((request.view_args or {}).get("code"))
    return bool(code and session.get("participants", {}).get(code))


@dataclass(frozen=True)
class EndpointLimit:
    """One Flask-Limiter limit on one endpoint: the config name of its rates, and by whom."""

    setting: str
    key: Callable[[], str]
    exempt_when: Callable[[], bool] | None = None
    shared: str | None = None  # a scope counted across every endpoint naming it


# --- new participants: pages never make one; the join POST and a first command do ------

def not_joined() -> bool:
    """Whether this browser is not yet a participant of the workshop in the URL."""
    return not already_joined()


# The command that makes a browser a participant counts as a new participant from its
# address; the per-participant limits count only joined browsers, as a hall's first ideas
# would otherwise share one address's bucket behind the venue's NAT.
FIRST_COMMAND = EndpointLimit("RATELIMIT_JOIN", address, already_joined, "new-participant")


# Every state-changing endpoint must have a row (tests/test_limits.py checks the url_map).
# An empty list says "limited elsewhere": /join counts unknown codes (GUESS_ENDPOINTS).
ENDPOINT_LIMITS: dict[str, list[EndpointLimit]] = {
    "participant.join_by_code": [],
    "participant.create_workshop": [EndpointLimit("RATELIMIT_NEW_WORKSHOP", address)],
    "participant.submit_idea": [EndpointLimit("RATELIMIT_IDEAS", participant_key, not_joined),
                                FIRST_COMMAND],
    "participant.cast_ballot": [EndpointLimit("RATELIMIT_BALLOTS", participant_key, not_joined),
                                FIRST_COMMAND],
    "participant.claim_ticket": [EndpointLimit("RATELIMIT_TICKET", participant_key, not_joined),
                                 EndpointLimit("RATELIMIT_TICKET_ADDRESS", address),
                                 FIRST_COMMAND],
    "participant.join": [FIRST_COMMAND],
    "facilitator.run_command": [EndpointLimit("RATELIMIT_FACILITATOR", facilitator_key)],
    "facilitator.download": [EndpointLimit("RATELIMIT_EXPORT", facilitator_key)],
    "facilitator.download_ballots": [EndpointLimit("RATELIMIT_EXPORT", facilitator_key)],
    "facilitator.issue_tickets": [EndpointLimit("RATELIMIT_EXPORT", facilitator_key)],
}

# Endpoints that look a workshop up by its join code: a 404 there is a wrong guess.
GUESS_ENDPOINTS = ("participant.join_by_code", "participant.phone", "participant.phone_panel",
                   "participant.phone_state", "participant.submit_idea",
                   "participant.cast_ballot", "participant.claim_ticket", "screen.projector",
                   "participant.join")


def _rates(setting: str) -> list[RateLimitItem]:
    return list(parse_many(current_app.config[setting]))


# --- HTTP -----------------------------------------------------------------------------

def _limiter() -> Limiter:
    return current_app.extensions["workshop.limiter"]


def _prefix() -> str:
    return current_app.config.get("RATELIMIT_KEY_PREFIX") or "workshop"


def _wait(items: list[RateLimitItem], *identifiers: str) -> int:
    """Seconds until every one of `items` allows another hit (0 if none is exhausted)."""
    strategy = _limiter().limiter
    wait = 0.0
    for item in items:
        if not strategy.test(item, _prefix(), *identifiers):
            reset, _remaining = strategy.get_window_stats(item, _prefix(), *identifiers)
            wait = max(wait, reset - time.time())
    return max(1, math.ceil(wait)) if wait else 0


def guesses_exhausted(who: str) -> int:
    """Seconds `who` must wait before asking for another join code (0: may ask now)."""
    return _wait(_rates("RATELIMIT_GUESS"), "guess", who)


def count_guess(who: str) -> None:
    """Count one unknown join code asked by `who`."""
    strategy = _limiter().limiter
    for item in _rates("RATELIMIT_GUESS"):
        strategy.hit(item, _prefix(), "guess", who)


def _check_guesses() -> Response | None:
    if request.endpoint not in GUESS_ENDPOINTS or already_joined():
        return None
    seconds = guesses_exhausted(address())
    return rate_limited_answer(seconds) if seconds else None


def _count_guesses(response: Response) -> Response:
    if request.endpoint in GUESS_ENDPOINTS and response.status_code == 404:
        count_guess(address())
    return response


def _back() -> str | None:
    """Where a plain form goes back to after a refusal: its own page."""
    args = request.view_args or {}
    if "secret" in args:
        return f"/f/{args['secret']}"
    code = tokens.normalise_code(args.get("code"))
    return f"/j/{code}" if code else "/"


def rate_limited_answer(seconds: int) -> Response:
    """The answer to a caller over a limit: a clear message and when to try again."""
    from workshop.web.answers import refused, wants_json
    from workshop.web.i18n import refusal_message

    error = Refused("rate_limited", 429, seconds=seconds)
    if request.method == "GET" and not wants_json():
        page = render_template("error.html", message=refusal_message(error), status=429)
        answer = current_app.make_response((page, 429))
    else:
        answer = refused(error, None if request.method == "GET" else _back())
    if isinstance(answer, tuple):
        answer = current_app.make_response(answer)
    answer.headers["Retry-After"] = str(seconds)
    return answer


def _on_limit(error: RateLimitExceeded) -> Response:
    limit = _limiter().current_limit
    seconds = max(1, math.ceil(limit.reset_at - time.time())) if limit is not None else 60
    return rate_limited_answer(seconds)


# --- sockets --------------------------------------------------------------------------

@dataclass
class SocketThrottle:
    """Token buckets, one per key: `burst` at once, then `rate` a second.

    In memory, per process (a socket lives on one process). Buckets that have refilled
    are dropped as others are used, so memory follows the active sockets.
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
            tokens_, last = self._buckets.get(key, (self.burst, now))
            tokens_ = min(self.burst, tokens_ + (now - last) * self.rate)
            allowed = tokens_ >= 1
            self._buckets[key] = (tokens_ - 1 if allowed else tokens_, now)
            self._calls += 1
            if self._calls % 1024 == 0:
                self._sweep(now)
            return allowed

    def wait(self, key: str, now: float | None = None) -> int:
        """Seconds until `key` has a token again."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens_, last = self._buckets.get(key, (self.burst, now))
        tokens_ = min(self.burst, tokens_ + (now - last) * self.rate)
        return 0 if tokens_ >= 1 else max(1, math.ceil((1 - tokens_) / self.rate))

    def _sweep(self, now: float) -> None:
        full = [k for k, (t, last) in self._buckets.items()
                if t + (now - last) * self.rate >= self.burst]
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
    from workshop.store.db import session_for

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


# --- wiring ---------------------------------------------------------------------------

def trust_proxies(app: Flask) -> None:
    """Take the caller's address from X-Forwarded-For, set by TRUSTED_PROXIES proxies.

    Behind nginx every request comes from the proxy's address: per-address limits would
    then count the whole world as one caller. Only the address is taken (not the host or
    scheme, which the Socket.IO origin check compares); without the setting the header is
    ignored, so that nobody can pick their own address to dodge a limit.
    """
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=0, x_host=0,
                                x_port=0, x_prefix=0)  # type: ignore[method-assign]


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


def _limited(limiter: Limiter, rule: EndpointLimit) -> Callable[[Any], Any]:
    """The Flask-Limiter decorator of one row (its rates read from the config per request)."""
    def rates() -> str:
        return current_app.config[rule.setting]

    if rule.shared:
        return limiter.shared_limit(rates, rule.shared, key_func=rule.key,
                                    exempt_when=rule.exempt_when)
    return limiter.limit(rates, key_func=rule.key, exempt_when=rule.exempt_when)


def init_app(app: Flask) -> None:
    """Install the HTTP limits (after the blueprints) and the socket throttles."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    trust_proxies(app)
    if app.config.get("REDIS_URL") and not app.config.get("RATELIMIT_STORAGE_URI"):
        # Several processes share the counts; if Redis goes away, each process counts
        # alone in memory until it is back (never refuse everyone for want of a counter).
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    if not app.config.get("RATELIMIT_KEY_PREFIX"):
        app.config["RATELIMIT_KEY_PREFIX"] = "workshop-" + _digest(app.config["DATABASE_URL"])
    limiter = Limiter(key_func=address, strategy="moving-window",
                      storage_uri=app.config.get("RATELIMIT_STORAGE_URI") or "workshopmemory://",
                      key_prefix=app.config["RATELIMIT_KEY_PREFIX"],
                      in_memory_fallback_enabled=True, headers_enabled=False)
    limiter.init_app(app)
    app.extensions["workshop.limiter"] = limiter
    for endpoint, rules in ENDPOINT_LIMITS.items():
        view = app.view_functions.get(endpoint)
        if view is None:
            raise RuntimeError(f"ENDPOINT_LIMITS names an unknown endpoint: {endpoint}")
        for rule in rules:
            view = _limited(limiter, rule)(view)
        app.view_functions[endpoint] = view
    app.before_request(_check_guesses)
    app.after_request(_count_guesses)
    app.register_error_handler(RateLimitExceeded, _on_limit)
    app.extensions["workshop.socket_throttles"] = {
        "join_socket": SocketThrottle(*app.config["SOCKET_JOIN_PER_SOCKET"]),
        "join_address": SocketThrottle(*app.config["SOCKET_JOIN_PER_ADDRESS"]),
        "unknown": SocketThrottle(*app.config["SOCKET_UNKNOWN_EVENTS"]),
        "ballots": SocketThrottle(*app.config["SOCKET_BALLOTS"]),
    }
    from workshop.live.sockets import socketio

    # On this app's Socket.IO server (events.init_app has just made it), not on the shared
    # SocketIO object's list, so that building several apps never stacks handlers.
    socketio.server.on("*", _unknown_event_guard(app, socketio.server))
