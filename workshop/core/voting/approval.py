"""Approval voting: each voter ticks the priorities they can live with, optionally at most K.

Pure core: standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workshop.core.voting.declare import N_, Setting, Texts, bounds, defaults
from workshop.core.voting.reading import json_ballot, numbered
from workshop.core.voting.result import BallotError, Option, Result, rank_by_score
from workshop.core.voting.rules import distinct_options, each_once, whole_settings

NAME = "approval"
SETTINGS = (
    Setting("max_approvals", None, 1, 1000, N_("Most ticks per person (blank: any number)"),
            N_("the number of priorities one can tick")),
)
TEXTS = Texts(
    name=N_("Approval voting"),
    explanation=N_("Each person ticks every priority they support; the priorities ticked by "
                   "the most people come first."),
    unit=N_("approvals"))
PHONE = "approval"
STEPWISE = False
DEFAULT_SETTINGS: dict[str, Any] = defaults(SETTINGS)
LIMITS = bounds(SETTINGS)
BALLOT_TYPES = (list, tuple, set, frozenset)


def check_settings(settings: Mapping[str, Any]) -> dict[str, int | None]:
    """Return complete, valid settings for an approval round, or raise BallotError."""
    return whole_settings(settings, DEFAULT_SETTINGS, LIMITS)


def validate(ballot: Iterable[Any], options: Sequence[Option],
             settings: Mapping[str, Any]) -> list[Option]:
    """Return the approved options in round order, or raise BallotError saying which rule fails."""
    rules = check_settings(settings)
    chosen = set(distinct_options(ballot, options, BALLOT_TYPES,
                                  "an approval ballot is a list of priorities"))
    cap = rules["max_approvals"]
    if cap is not None and len(chosen) > cap:
        raise BallotError("too_many", "more priorities approved than allowed", cap=cap)
    return [option for option in options if option in chosen]


def tally(ballots: Iterable[Iterable[Option]], options: Sequence[Option],
          settings: Mapping[str, Any]) -> Result:
    """Count approvals of valid ballots: score and supporters are both the approvals."""
    return tally_counted(each_once(ballots), options, settings)


def tally_counted(counted: Iterable[tuple[Iterable[Option], int]], options: Sequence[Option],
                  settings: Mapping[str, Any]) -> Result:
    """Tally ballots given once each with how many voters cast them (equal ballots
    grouped, as the projector's pushes read them)."""
    scores = {option: 0 for option in options}
    voters = 0
    for ballot, many in counted:
        voters += many
        for option in ballot:
            scores[option] += many
    return Result(NAME, check_settings(settings), voters,
                  rank_by_score(scores, scores))  # ties in round order, as scores is


def read_form(fields: Mapping[str, Any]) -> list[int]:
    """Read the phone form's ticked boxes: `approve-<idea id>` fields."""
    return sorted(idea for idea, ticked in numbered(fields, "approve").items() if ticked)


def read_json(body: Mapping[str, Any]) -> Any:
    """Read a JSON command's `ballot`: a list of idea ids."""
    return json_ballot(body)
