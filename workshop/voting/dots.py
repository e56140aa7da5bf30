"""Dot voting: each voter spreads K dots, at most M on one priority.

Pure core: standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workshop.voting.result import BallotError, Option, Result, rank_by_score

NAME = "dots"
DEFAULT_SETTINGS = {"dots": 5, "max_per_option": 1}
LIMITS = {"dots": (1, 100), "max_per_option": (1, 100)}


def check_settings(settings: Mapping[str, Any]) -> dict[str, int]:
    """Return complete, valid settings for a dot round, or raise BallotError."""
    merged = {**DEFAULT_SETTINGS, **{k: v for k, v in settings.items() if v is not None}}
    clean: dict[str, int] = {}
    for key, (low, high) in LIMITS.items():
        value = merged[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise BallotError("bad_setting", f"{key} must be a whole number from {low} to {high}",
                              setting=key, low=low, high=high)
        clean[key] = value
    if clean["max_per_option"] > clean["dots"]:
        clean["max_per_option"] = clean["dots"]
    return clean


def validate(ballot: Mapping[Any, Any], options: Sequence[Option],
             settings: Mapping[str, Any]) -> dict[Option, int]:
    """Return the ballot as {option: dots>0}, or raise BallotError saying which rule it breaks."""
    rules = check_settings(settings)
    if not isinstance(ballot, Mapping):
        raise BallotError("bad_ballot", "a dot ballot maps priorities to dots")
    allowed = set(options)
    clean: dict[Option, int] = {}
    for option, count in ballot.items():
        if option not in allowed:
            raise BallotError("unknown_option", "this priority is not part of the round",
                              option=option)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise BallotError("bad_count", "dots must be whole numbers, zero or more",
                              option=option)
        if count > rules["max_per_option"]:
            raise BallotError("over_cap", "too many dots on one priority",
                              option=option, cap=rules["max_per_option"])
        if count:
            clean[option] = count
    if sum(clean.values()) > rules["dots"]:
        raise BallotError("over_budget", "more dots than allowed", budget=rules["dots"])
    return clean


def tally(ballots: Iterable[Mapping[Option, int]], options: Sequence[Option],
          settings: Mapping[str, Any]) -> Result:
    """Add up the dots of valid ballots: score is total dots, supporters counts voters."""
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
