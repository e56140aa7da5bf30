"""An idea collection: phones propose ideas in answer to the activity's prompt.

Pure core (activity kind): standard library and core only. Several collections a day are
normal ("what are the challenges?", later "what solutions for priority X?"); each idea
remembers the collection it was proposed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workshop.core.activities.rules import N_, Setting, check_declared

NAME = "ideas"
PHASE = "ideas"  # phones show the idea form while it runs
PHASE_AFTER = "lobby"  # closed: phones go back to the welcome screen
LABEL = N_("Idea collection")
SETTINGS: tuple[Setting, ...] = ()
# Starting the next activity closes a collection on the way: its ideas stay.
CLOSED_BY_NEXT = True
COLLECTS_IDEAS = True
OPENS_ROUND = False
TAKES_ANSWERS = False


def check_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return a collection's complete settings (it has none), or refuse unknown ones."""
    return check_declared(SETTINGS, settings)


def settings_from_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Read a collection's settings from a form (there are none)."""
    return {}


def references(settings: Mapping[str, Any]) -> list[tuple[str, int, str]]:
    """Return the other activities these settings point at (none)."""
    return []
