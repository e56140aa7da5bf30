"""Dot voting: each voter spreads K dots, at most M on one priority.

Pure core: standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workshop.core.voting.declare import N_, Setting, Texts, bounds, defaults
from workshop.core.voting.reading import json_ballot, numbered
from workshop.core.voting.result import BallotError, Option, Result
from workshop.core.voting.rules import add_up, counts, each_once, whole_settings

NAME = "dots"
SETTINGS = (
    Setting("dots", 5, 1, 100, N_("Dots per person"), N_("the number of dots per person")),
    Setting("max_per_option", 1, 1, 100, N_("At most on one priority"),
            N_("the number of dots on one priority")),
)
TEXTS = Texts(
    name=N_("Dot voting"),
    explanation=N_("Each person places a few dots on the priorities they find most important; "
                   "the priorities with the most dots come first."),
    unit=N_("dots"))
PHONE = "budget"  # the phone page's behaviour (static/js/phone.js): steppers within a budget
STEPWISE = False
DEFAULT_SETTINGS = defaults(SETTINGS)
LIMITS = bounds(SETTINGS)


def check_settings(settings: Mapping[str, Any]) -> dict[str, int]:
    """Return complete, valid settings for a dot round, or raise BallotError."""
    clean = whole_settings(settings, DEFAULT_SETTINGS, LIMITS)
    clean["max_per_option"] = min(clean["max_per_option"], clean["dots"])
    return clean


def validate(ballot: Mapping[Any, Any], options: Sequence[Option],
             settings: Mapping[str, Any]) -> dict[Option, int]:
    """Return the ballot as {option: dots>0}, or raise BallotError saying which rule it breaks."""
    rules = check_settings(settings)
    clean = counts(ballot, options, "a dot ballot maps priorities to dots", "dots")
    for option, count in clean.items():
        if count > rules["max_per_option"]:
            raise BallotError("over_cap", "too many dots on one priority",
                              option=option, cap=rules["max_per_option"])
    if sum(clean.values()) > rules["dots"]:
        raise BallotError("over_budget", "more dots than allowed", budget=rules["dots"])
    return clean


def tally(ballots: Iterable[Mapping[Option, int]], options: Sequence[Option],
          settings: Mapping[str, Any]) -> Result:
    """Add up the dots of valid ballots: score is total dots, supporters counts voters."""
    return tally_counted(each_once(ballots), options, settings)


def tally_counted(counted: Iterable[tuple[Mapping[Option, int], int]],
                  options: Sequence[Option], settings: Mapping[str, Any]) -> Result:
    """Tally ballots given once each with how many voters cast them (equal ballots
    grouped, as the projector's pushes read them)."""
    voters, standings = add_up(counted, options)
    return Result(NAME, check_settings(settings), voters, standings)


def read_form(fields: Mapping[str, Any]) -> dict[int, int]:
    """Read the phone form's steppers: `dots-<idea id>` fields holding counts."""
    return numbered(fields, "dots")


def read_json(body: Mapping[str, Any]) -> Any:
    """Read a JSON command's `ballot`: {idea id: dots}."""
    return json_ballot(body)
