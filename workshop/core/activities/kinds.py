"""The registry of activity kinds an agenda can hold.

Pure core. Each kind is a module exposing NAME, PHASE (the room phase phones show while it
runs) and PHASE_AFTER (once closed), LABEL (an English text marked for translation),
SETTINGS, check_settings, settings_from_fields, references, and the flags CLOSED_BY_NEXT,
COLLECTS_IDEAS, OPENS_ROUND and TAKES_ANSWERS that the verbs act on; a kind that takes
answers (the questions: multiple choice, scale, word cloud, open question) also has
read_answer and tally. Adding a kind means writing such a module, its templates, and
listing it here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from workshop.core.activities import choice, ideas, open_question, scale, vote, wordcloud
from workshop.core.errors import Refused

KINDS: dict[str, ModuleType] = {module.NAME: module for module in (
    ideas, vote, choice, scale, wordcloud, open_question)}
AUDIENCES = ("phone", "plan", "results")  # results: the kinds that take answers


def get_kind(name: object) -> ModuleType:
    """Return the kind module called `name`, or refuse with unknown_activity_kind."""
    module = KINDS.get(name) if isinstance(name, str) else None
    if module is None:
        raise Refused("unknown_activity_kind", kind=str(name)[:40])
    return module


def template(kind: str, audience: str) -> str:
    """Return a kind's template for one audience: templates/activity/<kind>_<audience>.html."""
    if audience not in AUDIENCES:
        raise ValueError(audience)
    return f"activity/{get_kind(kind).NAME}_{audience}.html"


def settings_from_fields(kind: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Read one kind's settings from form or JSON fields (checked later, by the kind)."""
    return get_kind(kind).settings_from_fields(fields)


def kind_with(flag: str) -> str:
    """Return the name of the first kind with a flag set (COLLECTS_IDEAS, OPENS_ROUND).

    The room's older commands (open-ideas, open-round) start the kind that does that job.
    """
    return next(name for name, module in KINDS.items() if getattr(module, flag))
