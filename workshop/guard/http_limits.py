"""HTTP limits: the one table of per-endpoint limits, Flask-Limiter, and join-code guesses.

Edge layer (Flask): imports the core, the guard's keys and counter storage, and the web
layer's answers. Every limit is in ENDPOINT_LIMITS, applied to the view
functions when the app is built, so that tests/test_limits.py can check that no command
lacks one. Every limit answers a legitimate person with a clear message and how long to
wait (`rate_limited`, HTTP 429 with Retry-After).

A whole hall shares one address behind the venue's NAT: per-address limits only bound what
no hall does (creating workshops, creating hundreds of participants a minute, guessing
join codes); everything a phone does often is limited per participant instead.
See docs/security.md for the figures and the reasons.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, render_template, request, session
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from limits import RateLimitItem, parse_many

from workshop.core.errors import Refused
from workshop.guard import limiter_storage  # noqa: F401 - registers "workshopmemory://"
from workshop.guard.keys import (
    address,
    already_joined,
    device_key,
    digest,
    facilitator_key,
    participant_key,
    trust_proxies,
)
from workshop.web.answers import form_page, refused, wants_json
from workshop.web.i18n import refusal_message

# Defaults, each overridable in the app config. "N per minute;M per hour" as limits parses.
DEFAULTS = {
    # New participants from one address: a hall of 500 phones behind one NAT (or four
    # rooms of 150) joins at once with room to spare, latecomers and a second session in
    # the hour too; a script gets no more than a hall (docs/security.md, "Idea flood").
    "RATELIMIT_JOIN": "750 per 10 minutes;1500 per hour",
    # Unknown join codes asked from one address (HTTP pages, /join, socket joins).
    "RATELIMIT_GUESS": "60 per minute;600 per hour",
    # Workshops created from one address.
    "RATELIMIT_NEW_WORKSHOP": "30 per hour",
    # Per participant (their cookie secret): ideas and ballots (a pairwise vote sends
    # one request per comparison, and a retry after a lost answer counts too).
    "RATELIMIT_IDEAS": "10 per minute;120 per hour",
    "RATELIMIT_BALLOTS": "60 per minute;1000 per hour",
    # Profile answers and consent, per participant: a few taps each.
    "RATELIMIT_PROFILE": "30 per minute;300 per hour",
    # Ticket codes typed: per participant (typos happen, guessing does not pay), and per
    # address, above a whole hall of 500 typing theirs in the same minute.
    "RATELIMIT_TICKET": "10 per minute;60 per hour",
    "RATELIMIT_TICKET_ADDRESS": "600 per minute;3000 per hour",
    # Per facilitator link: commands and exports.
    "RATELIMIT_FACILITATOR": "300 per minute",
    "RATELIMIT_EXPORT": "60 per minute",
    # Per kiosk or helper link: a person votes at a kiosk in 20 s or more, a helper types
    # a sheet in 10 s or more; wrong exit PINs (every try counts) stop a guesser at once.
    "RATELIMIT_KIOSK": "10 per minute;300 per hour",
    "RATELIMIT_PAPER": "60 per minute;1500 per hour",
    "RATELIMIT_PIN": "5 per minute;20 per hour",
}


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


def no_device() -> bool:
    """Whether the call names no kiosk or helper link (it is answered 404, a guess)."""
    return not ((request.view_args or {}).get("token") or session.get("kiosk"))


# The command that makes a browser a participant counts as a new participant from its
# address; the per-participant limits count only joined browsers, as a hall's first ideas
# would otherwise share one address's bucket behind the venue's NAT.
FIRST_COMMAND = EndpointLimit("RATELIMIT_JOIN", address, already_joined, "new-participant")


# Every state-changing endpoint must have a row (tests/test_limits.py checks the url_map).
# An empty list says "limited elsewhere": /join counts unknown codes (GUESS_ENDPOINTS).
ENDPOINT_LIMITS: dict[str, list[EndpointLimit]] = {
    "participant.join_by_code": [],
    "participant.create_workshop": [EndpointLimit("RATELIMIT_NEW_WORKSHOP", address,
                                                  shared="new-workshop")],
    "participant.submit_idea": [EndpointLimit("RATELIMIT_IDEAS", participant_key, not_joined),
                                FIRST_COMMAND],
    "participant.cast_ballot": [EndpointLimit("RATELIMIT_BALLOTS", participant_key, not_joined),
                                FIRST_COMMAND],
    # answers to questions: a few taps each, counted with the ballots
    "participant.submit_answer": [EndpointLimit("RATELIMIT_BALLOTS", participant_key,
                                                not_joined), FIRST_COMMAND],
    # +1s on the wall's ideas: a phone taps through a long list, as fast as ballots.
    "participant.support_idea": [EndpointLimit("RATELIMIT_BALLOTS", participant_key,
                                               not_joined), FIRST_COMMAND],
    "participant.claim_ticket": [EndpointLimit("RATELIMIT_TICKET", participant_key, not_joined),
                                 EndpointLimit("RATELIMIT_TICKET_ADDRESS", address),
                                 FIRST_COMMAND],
    "participant.join": [FIRST_COMMAND],
    "profiles.consent": [EndpointLimit("RATELIMIT_PROFILE", participant_key, not_joined),
                         FIRST_COMMAND],
    "profiles.answer": [EndpointLimit("RATELIMIT_PROFILE", participant_key, not_joined),
                        FIRST_COMMAND],
    "facilitator.run_command": [EndpointLimit("RATELIMIT_FACILITATOR", facilitator_key)],
    "facilitator.download": [EndpointLimit("RATELIMIT_EXPORT", facilitator_key)],
    "facilitator.download_ballots": [EndpointLimit("RATELIMIT_EXPORT", facilitator_key)],
    "facilitator.issue_tickets": [EndpointLimit("RATELIMIT_EXPORT", facilitator_key)],
    # a copy is a new workshop: counted with /new's, per address
    "facilitator.duplicate": [EndpointLimit("RATELIMIT_NEW_WORKSHOP", address,
                                            shared="new-workshop")],
    "facilitator.groups_export": [EndpointLimit("RATELIMIT_EXPORT", facilitator_key)],
    "facilitator.groups_spreadsheet": [EndpointLimit("RATELIMIT_EXPORT", facilitator_key)],
    "facilitator.issue_kiosk": [EndpointLimit("RATELIMIT_EXPORT", facilitator_key)],
    "facilitator.issue_helper": [EndpointLimit("RATELIMIT_EXPORT", facilitator_key)],
    # co-facilitator and moderator links, and replacing the own link: as kiosk links
    "facilitator.issue_link": [EndpointLimit("RATELIMIT_EXPORT", facilitator_key)],
    "facilitator.rotate": [EndpointLimit("RATELIMIT_EXPORT", facilitator_key)],
    "facilitator.print_paper": [EndpointLimit("RATELIMIT_EXPORT", facilitator_key)],
    "devices.kiosk_start": [],
    "devices.kiosk_ballot": [EndpointLimit("RATELIMIT_KIOSK", device_key, no_device)],
    "devices.kiosk_leave": [EndpointLimit("RATELIMIT_PIN", device_key, no_device)],
    "devices.helper_entry": [EndpointLimit("RATELIMIT_PAPER", device_key, no_device)],
}

# Endpoints that look a workshop up by its join code: a 404 there is a wrong guess.
GUESS_ENDPOINTS = ("participant.join_by_code", "participant.phone", "participant.phone_panel",
                   "participant.phone_state", "participant.submit_idea",
                   "participant.cast_ballot", "participant.submit_answer",
                   "participant.claim_ticket", "screen.projector",
                   "participant.join", "profiles.profile", "profiles.consent",
                   "profiles.answer", "devices.kiosk_start_page", "devices.kiosk_start",
                   "devices.kiosk", "devices.kiosk_ballot", "devices.kiosk_leave",
                   "devices.helper", "devices.helper_entry")


def _rates(setting: str) -> list[RateLimitItem]:
    return list(parse_many(current_app.config[setting]))


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


# --- join-code guesses (counted here for pages, and by the socket throttles for joins) ---

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


# --- the answer -------------------------------------------------------------------------

def rate_limited_answer(seconds: int) -> Response:
    """The answer to a caller over a limit: a clear message and when to try again."""
    error = Refused("rate_limited", 429, seconds=seconds)
    if request.method == "GET" and not wants_json():
        page = render_template("error.html", message=refusal_message(error), status=429)
        answer = current_app.make_response((page, 429))
    else:
        answer = refused(error, None if request.method == "GET" else form_page())
    if isinstance(answer, tuple):
        answer = current_app.make_response(answer)
    answer.headers["Retry-After"] = str(seconds)
    return answer


def _on_limit(error: RateLimitExceeded) -> Response:
    limit = _limiter().current_limit
    seconds = max(1, math.ceil(limit.reset_at - time.time())) if limit is not None else 60
    return rate_limited_answer(seconds)


# --- wiring -------------------------------------------------------------------------------

def _limited(limiter: Limiter, rule: EndpointLimit) -> Callable[[Any], Any]:
    """The Flask-Limiter decorator of one row (its rates read from the config per request)."""
    def rates() -> str:
        return current_app.config[rule.setting]

    if rule.shared:
        return limiter.shared_limit(rates, rule.shared, key_func=rule.key,
                                    exempt_when=rule.exempt_when)
    return limiter.limit(rates, key_func=rule.key, exempt_when=rule.exempt_when)


def init_app(app: Flask) -> None:
    """Install the HTTP limits on the views (call it after registering the blueprints)."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    trust_proxies(app)
    if app.config.get("REDIS_URL") and not app.config.get("RATELIMIT_STORAGE_URI"):
        # Several processes share the counts; if Redis goes away, each process counts
        # alone in memory until it is back (never refuse everyone for want of a counter).
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    if not app.config.get("RATELIMIT_KEY_PREFIX"):
        app.config["RATELIMIT_KEY_PREFIX"] = "workshop-" + digest(app.config["DATABASE_URL"])
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
