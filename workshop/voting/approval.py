"""Approval voting: each voter ticks the priorities they can live with, optionally at most K.

Pure core: standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workshop.voting.result import BallotError, Option, Result, rank_by_score

NAME = "approval"
DEFAULT_SETTINGS: dict[str, Any] = {"max_approvals": None}
LIMITS = {"max_approvals": (1, 1000)}
BALLOT_TYPES = (list, tuple, set, frozenset)


def check_settings(settings: Mapping[str, Any]) -> dict[str, int | None]:
    """Return complete, valid settings for an approval round, or raise BallotError."""
    merged = {**DEFAULT_SETTINGS, **{k: v for k, v in settings.items() if v is not None}}
    low, high = LIMITS["max_approvals"]
    value = merged["max_approvals"]
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
    ):
        raise BallotError("bad_setting",
                          f"max_approvals must be empty or a whole number from {low} to {high}",
                          setting="max_approvals", low=low, high=high)
    return {"max_approvals": value}


def validate(ballot: Iterable[Any], options: Sequence[Option],
             settings: Mapping[str, Any]) -> list[Option]:
    """Return the approved options in round order, or raise BallotError saying which rule fails."""
    rules = check_settings(settings)
    if not isinstance(ballot, BALLOT_TYPES):
        raise BallotError("bad_ballot", "an approval ballot is a list of priorities")
    allowed = set(options)
    chosen: set[Option] = set()
    for option in ballot:
        if option not in allowed:
            raise BallotError("unknown_option", "this priority is not part of the round",
                              option=option)
        if option in chosen:
            raise BallotError("duplicate_option", "a priority is approved only once",
                              option=option)
        chosen.add(option)
    cap = rules["max_approvals"]
    if cap is not None and len(chosen) > cap:
        raise BallotError("too_many", "more priorities approved than allowed", cap=cap)
    return [option for option in options if option in chosen]


def tally(ballots: Iterable[Iterable[Option]], options: Sequence[Option],
          settings: Mapping[str, Any]) -> Result:
    """Count approvals of valid ballots: score and supporters are both the approvals."""
    scores = {option: 0 for option in options}
    voters = 0
    for ballot in ballots:
        voters += 1
        for option in ballot:
            scores[option] += 1
    return Result(NAME, check_settings(settings), voters,
                  rank_by_score(scores, scores, list(options)))
