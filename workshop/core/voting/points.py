"""Points allocation: each voter spreads a budget of points (100 by default) over priorities.

Pure core: standard library only. A voter may spend less than the whole budget (unspent
points simply count for nothing) but never more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workshop.core.voting.result import BallotError, Option, Result
from workshop.core.voting.rules import add_up, counts, each_once, whole_settings

NAME = "points"
DEFAULT_SETTINGS = {"points": 100}
LIMITS = {"points": (1, 10000)}


def check_settings(settings: Mapping[str, Any]) -> dict[str, int]:
    """Return complete, valid settings for a points round, or raise BallotError."""
    return whole_settings(settings, DEFAULT_SETTINGS, LIMITS)


def validate(ballot: Mapping[Any, Any], options: Sequence[Option],
             settings: Mapping[str, Any]) -> dict[Option, int]:
    """Return the ballot as {option: points>0}, or raise BallotError saying which rule fails."""
    rules = check_settings(settings)
    clean = counts(ballot, options, "a points ballot maps priorities to points", "points")
    if sum(clean.values()) > rules["points"]:
        raise BallotError("over_budget", "more points than allowed", budget=rules["points"])
    return {option: clean[option] for option in options if option in clean}


def tally(ballots: Iterable[Mapping[Option, int]], options: Sequence[Option],
          settings: Mapping[str, Any]) -> Result:
    """Add up the points of valid ballots: score is total points, supporters gave it any."""
    return tally_counted(each_once(ballots), options, settings)


def tally_counted(counted: Iterable[tuple[Mapping[Option, int], int]],
                  options: Sequence[Option], settings: Mapping[str, Any]) -> Result:
    """Tally ballots given once each with how many voters cast them (equal ballots
    grouped, as the projector's pushes read them)."""
    voters, standings = add_up(counted, options)
    return Result(NAME, check_settings(settings), voters, standings)
