"""A word cloud: a few words each; words that differ only by case, accents or punctuation
are merged, and the cloud shows the most given ones biggest.

Pure core (activity kind): standard library and core only; shared reading and tallies in
core/activities/poll.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workshop.core.activities import poll
from workshop.core.activities.rules import N_, Setting, check_declared
from workshop.core.errors import Refused
from workshop.core.voting.reading import whole_number

NAME = "wordcloud"
PHASE = poll.PHASE
PHASE_AFTER = poll.PHASE_AFTER
LABEL = N_("Word cloud")
SETTINGS: tuple[Setting, ...] = (
    Setting("max_words", int, 3, low=1, high=poll.WORDS_MAX),  # entries per person
)
CLOSED_BY_NEXT = True
COLLECTS_IDEAS = False
OPENS_ROUND = False
TAKES_ANSWERS = True
# Answers people write (the facilitator reads them and may hide one) or pick.
ANSWERS_ARE_TEXT = True


def check_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return the settings checked, or refuse."""
    return check_declared(SETTINGS, settings)


def settings_from_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Read the form's number of words per person (blank: the default)."""
    value = fields.get("max_words")
    if value in (None, ""):
        return {}
    try:
        return {"max_words": whole_number(value)}
    except Refused as error:
        raise Refused("bad_activity_setting", setting="max_words") from error


def references(settings: Mapping[str, Any]) -> list[tuple[str, int, str]]:
    """A question points at no other activity."""
    return []


def read_answer(settings: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return one phone's words, or refuse them (bad_answer)."""
    return poll.read_words(settings["max_words"], fields)


def tally(settings: Mapping[str, Any], answers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Merge and count the words, most given first."""
    return poll.tally_words(answers)
