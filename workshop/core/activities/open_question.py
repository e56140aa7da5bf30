"""An open question: a sentence each. The answers are participants' text: the projector
and the phones show them only once the facilitator, who reads them first on the console,
reveals them (and always as text).

Pure core (activity kind): standard library and core only; shared reading and tallies in
core/activities/poll.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workshop.core.activities import poll
from workshop.core.activities.rules import N_, Setting, check_declared

NAME = "open_question"
PHASE = poll.PHASE
PHASE_AFTER = poll.PHASE_AFTER
LABEL = N_("Open question")
SETTINGS: tuple[Setting, ...] = ()
CLOSED_BY_NEXT = True
COLLECTS_IDEAS = False
OPENS_ROUND = False
TAKES_ANSWERS = True
# Answers people write (the facilitator reads them and may hide one) or pick.
ANSWERS_ARE_TEXT = True


def check_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return the settings (there are none), or refuse unknown ones."""
    return check_declared(SETTINGS, settings)


def settings_from_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """There is nothing to read: the question is the activity's prompt."""
    return {}


def references(settings: Mapping[str, Any]) -> list[tuple[str, int, str]]:
    """A question points at no other activity."""
    return []


def read_answer(settings: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return one phone's text, or refuse it (bad_answer)."""
    return poll.read_text(fields)


def tally(settings: Mapping[str, Any], answers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """List the answers, oldest first."""
    return poll.tally_text(answers)
