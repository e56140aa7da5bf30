"""Points allocation: each voter spreads a budget of points (100 by default) over priorities.

Pure core: standard library only. A voter may spend less than the whole budget (unspent
points simply count for nothing) but never more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workshop.voting.result import BallotError, Option, Result, rank_by_score

NAME = "points"
DEFAULT_SETTINGS = {"points": 100}
LIMITS = {"points": (1, 10000)}


def check_settings(settings: Mapping[str, Any]) -> dict[str, int]:
    """Return complete, valid settings for a points round, or raise BallotError."""
    merged = {**DEFAULT_SETTINGS, **{k: v for k, v in settings.items() if v is not None}}
    clean: dict[str, int] = {}
    for key, (low, high) in LIMITS.items():
        value = merged[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise BallotError("bad_setting", f"{key} must be a whole number from {low} to {high}",
                              setting=key, low=low, high=high)
        clean[key] = value
    return clean


def validate(ballot: Mapping[Any, Any], options: Sequence[Option],
             settings: Mapping[str, Any]) -> dict[Option, int]:
    """Return the ballot as {option: points>0}, or raise BallotError saying which rule fails."""
    rules = check_settings(settings)
    if not isinstance(ballot, Mapping):
        raise BallotError("bad_ballot", "a points ballot maps priorities to points")
    allowed = set(options)
    clean: dict[Option, int] = {}
    for option, count in ballot.items():
        if option not in allowed:
            raise BallotError("unknown_option", "this priority is not part of the round",
                              option=option)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise BallotError("bad_count", "points must be whole numbers, zero or more",
                              option=option)
        if count:
            clean[option] = count
    if sum(clean.values()) > rules["points"]:
        raise BallotError("over_budget", "more points than allowed", budget=rules["points"])
    return {option: clean[option] for option in options if option in clean}


def tally(ballots: Iterable[Mapping[Option, int]], options: Sequence[Option],
          settings: Mapping[str, Any]) -> Result:
    """Add up the points of valid ballots: score is total points, supporters gave it any."""
    scores = {option: 0 for option in options}
    supporters = {option: 0 for option in options}
    voters = 0
    for ballot in ballots:
        voters += 1
        for option, count in ballot.items():
            if count:
                scores[option] += count
                supporters[option] += 1
    return Result(NAME, check_settings(settings), voters,
                  rank_by_score(scores, supporters, list(options)))
