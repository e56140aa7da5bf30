"""Points allocation: each voter spreads a budget of points (100 by default) over priorities.

Pure core: standard library only. A voter may spend less than the whole budget (unspent
points simply count for nothing) but never more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workshop.core.voting.declare import N_, Setting, Texts, bounds, defaults
from workshop.core.voting.reading import json_ballot, numbered
from workshop.core.voting.result import BallotError, Option, Result
from workshop.core.voting.rules import add_up, counts, each_once, whole_settings

NAME = "points"
SETTINGS = (
    Setting("points", 100, 1, 10000, N_("Points per person"),
            N_("the number of points per person")),
)
TEXTS = Texts(
    name=N_("Points allocation"),
    explanation=N_("Each person shares out a budget of points between priorities; the "
                   "priorities with the most points come first."),
    unit=N_("points"))
PHONE = "budget"
STEPWISE = False
# Refusals worded for points rather than the dots the shared wording speaks of.
REASONS = {
    "over_budget": N_("You gave more points than you have (%(budget)s)."),
    "bad_count": N_("Points must be whole numbers."),
}
DEFAULT_SETTINGS = defaults(SETTINGS)
LIMITS = bounds(SETTINGS)


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


def read_form(fields: Mapping[str, Any]) -> dict[int, int]:
    """Read the phone form's fields: `points-<idea id>` holding points."""
    return numbered(fields, "points")


def read_json(body: Mapping[str, Any]) -> Any:
    """Read a JSON command's `ballot`: {idea id: points}."""
    return json_ballot(body)
