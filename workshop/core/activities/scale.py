"""A 1–5 scale ("how much do you agree?"): one point each, the results a distribution
with the mean and the median.

Pure core (activity kind): standard library and core only; shared reading and tallies in
core/activities/poll.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workshop.core.activities import poll
from workshop.core.activities.rules import N_, Setting, check_declared

NAME = "scale"
PHASE = poll.PHASE
PHASE_AFTER = poll.PHASE_AFTER
LABEL = N_("Scale from 1 to 5")
SETTINGS: tuple[Setting, ...] = (
    Setting("low_label", str, ""),  # what 1 means ("pas du tout d'accord"); "" none
    Setting("high_label", str, ""),  # what 5 means
)
CLOSED_BY_NEXT = True
COLLECTS_IDEAS = False
OPENS_ROUND = False
TAKES_ANSWERS = True
# Answers people write (the facilitator reads them and may hide one) or pick.
ANSWERS_ARE_TEXT = False


def check_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return the settings with their labels cleaned, or refuse."""
    clean = check_declared(SETTINGS, settings)
    for name in ("low_label", "high_label"):
        clean[name] = poll.check_label(clean[name], name, poll.LABEL_MAX)
    return clean


def settings_from_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Read the form's two labels."""
    return {name: fields.get(name) or "" for name in ("low_label", "high_label")}


def references(settings: Mapping[str, Any]) -> list[tuple[str, int, str]]:
    """A question points at no other activity."""
    return []


def read_answer(settings: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return one phone's point on the scale, or refuse it (bad_answer)."""
    return poll.read_scale(fields)


def tally(settings: Mapping[str, Any], answers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Count each point, with the mean and the median."""
    return poll.tally_scale(answers)
