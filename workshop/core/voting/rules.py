"""Checks every voting method shares: whole-number settings and the shape of a ballot.

Pure core: standard library only. Each method states its own rules (budgets, caps); the
common groundwork lives here so that a setting or an unknown priority is refused the same
way, with the same code, whatever the method.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from workshop.core.voting.result import BallotError, Option, Standing, rank_by_score


def whole_settings(settings: Mapping[str, Any], defaults: Mapping[str, Any],
                   limits: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
    """Return settings merged over defaults, each a whole number within its limits.

    A setting whose default is None ("no limit") may stay None; a None given for any
    other setting means "use the default". A None given is dropped before the merge, so
    a value is None only where its default is.
    """
    merged = {**defaults, **{k: v for k, v in settings.items() if v is not None}}
    clean: dict[str, Any] = {}
    for key, (low, high) in limits.items():
        value = merged[key]
        if value is None:
            clean[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise BallotError("bad_setting", f"{key} must be a whole number from {low} to {high}",
                              setting=key, low=low, high=high)
        clean[key] = value
    return clean


def known(option: Any, allowed: set[Option]) -> Option:
    """Return the option if it belongs to the round, else refuse the ballot.

    A priority is named by its id: `True` is not idea 1 and `1.0` is not either (though
    both equal 1 in Python: a float would be stored and exported as a float), and a list
    or an object names no priority at all (and cannot even be looked up). The refusal
    names the option only when it is a short number or text: never a number of
    thousands of digits echoed back.
    """
    try:
        found = not isinstance(option, bool | float) and option in allowed
    except TypeError:  # unhashable, even inside a "hashable" tuple
        found = False
    if not found:
        raise BallotError("unknown_option", "this priority is not part of the round",
                          option=option if _nameable(option) else None)
    return option


def _nameable(option: Any) -> bool:
    """Say whether a refused option may be echoed in the refusal's params."""
    if isinstance(option, bool):
        return False
    if isinstance(option, int):
        return -(10**18) < option < 10**18
    return isinstance(option, str) and len(option) <= 40


def distinct_options(ballot: Any, options: Sequence[Option], kinds: tuple[type, ...],
                     shape: str) -> list[Option]:
    """Return a ballot listing priorities, each of the round and listed once, in its order."""
    if not isinstance(ballot, kinds):
        raise BallotError("bad_ballot", shape)
    allowed = set(options)
    seen: list[Option] = []
    for option in ballot:
        if known(option, allowed) in seen:
            raise BallotError("duplicate_option", "a priority is listed only once",
                              option=option)
        seen.append(option)
    return seen


def counts(ballot: Any, options: Sequence[Option], shape: str, unit: str) -> dict[Option, int]:
    """Return a ballot mapping priorities of the round to whole numbers, zeros dropped."""
    if not isinstance(ballot, Mapping):
        raise BallotError("bad_ballot", shape)
    allowed = set(options)
    clean: dict[Option, int] = {}
    for option, count in ballot.items():
        known(option, allowed)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise BallotError("bad_count", f"{unit} must be whole numbers, zero or more",
                              option=option)
        if count:
            clean[option] = count
    return clean


def each_once(ballots: Iterable[Any]) -> Iterator[tuple[Any, int]]:
    """Pair each ballot with the count 1, so `tally` can be `tally_counted` of its ballots."""
    return ((ballot, 1) for ballot in ballots)


def add_up(counted: Iterable[tuple[Mapping[Option, int], int]], options: Sequence[Option]
           ) -> tuple[int, tuple[Standing, ...]]:
    """Sum count ballots, each given with how many voters cast it: score is the total
    given, supporters those who gave any."""
    scores = dict.fromkeys(options, 0)
    supporters = dict.fromkeys(options, 0)
    voters = 0
    for ballot, many in counted:
        voters += many
        for option, count in ballot.items():
            if count:
                scores[option] += count * many
                supporters[option] += many
    return voters, rank_by_score(scores, supporters)  # ties listed in round order


def step_seed(key: str | bytes, round_id: int, participant_id: int) -> str:
    """Return the seed of what a stepwise round serves one participant (`next_step`).

    Keyed with the server's secret: the schedule must be the same in every process and
    after a restart, yet nobody holding the ballots export may recompute it from a
    participant id (ids follow the order people joined) and so tell whose ballot a row is.
    """
    secret = key.encode() if isinstance(key, str) else key
    return hmac.new(secret, f"step:{round_id}:{participant_id}".encode(),
                    hashlib.sha256).hexdigest()
