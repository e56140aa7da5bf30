"""A multiple-choice question: one answer (or several) among the choices the facilitator
wrote; the results count each choice, in the choices' order.

Pure core (activity kind): standard library and core only; shared reading and tallies in
core/activities/poll.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workshop.core.activities import poll
from workshop.core.activities.rules import N_, Setting, check_declared
from workshop.core.errors import Refused
from workshop.core.voting.reading import ticked

NAME = "choice"
PHASE = poll.PHASE
PHASE_AFTER = poll.PHASE_AFTER
LABEL = N_("Multiple choice")
SETTINGS: tuple[Setting, ...] = (
    Setting("choices", list, []),
    Setting("multiple", bool, False),  # several answers each
)
CLOSED_BY_NEXT = True
COLLECTS_IDEAS = False
OPENS_ROUND = False
TAKES_ANSWERS = True
# Answers people write (the facilitator reads them and may hide one) or pick.
ANSWERS_ARE_TEXT = False


def check_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return the settings with 2 to CHOICES_MAX distinct, cleaned choices, or refuse."""
    clean = check_declared(SETTINGS, settings)
    choices = [poll.check_label(text, "choices", poll.CHOICE_MAX) for text in clean["choices"]]
    choices = [text for text in choices if text]
    if not 2 <= len(choices) <= poll.CHOICES_MAX or len(set(choices)) != len(choices):
        raise Refused("bad_activity_setting", setting="choices", low=2, high=poll.CHOICES_MAX)
    clean["choices"] = choices
    return clean


def settings_from_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Read the form: `choices` one per line (or a list, in JSON), `multiple` a tick box."""
    raw = fields.get("choices", [])
    if isinstance(raw, str):
        raw = raw.splitlines()
    return {"choices": raw, "multiple": ticked(fields.get("multiple"))}


def references(settings: Mapping[str, Any]) -> list[tuple[str, int, str]]:
    """A question points at no other activity."""
    return []


def read_answer(settings: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return one phone's answer read from its fields, or refuse it (bad_answer)."""
    return poll.read_choice(settings["choices"], settings["multiple"], fields)


def tally(settings: Mapping[str, Any], answers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Count the current answers per choice."""
    return poll.tally_choice(settings["choices"], answers)
