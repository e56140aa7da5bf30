"""An idea collection: phones propose ideas in answer to the activity's prompt.

Pure core (activity kind): standard library and core only. Several collections a day are
normal ("what are the challenges?", later "what solutions for priority X?"); each idea
remembers the collection it was proposed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workshop.core.activities.rules import N_, Setting, check_declared
from workshop.core.voting.reading import ticked

NAME = "ideas"
PHASE = "ideas"  # phones show the idea form while it runs
PHASE_AFTER = "lobby"  # closed: phones go back to the welcome screen
LABEL = N_("Idea collection")
SETTINGS: tuple[Setting, ...] = (
    # Phones may "+1" the approved ideas while it runs, to pre-sort a long list before
    # the vote; the projector's wall shows the counts only with `supports_on_wall`.
    Setting("supports", bool, False),
    Setting("supports_on_wall", bool, False),
)
# Starting the next activity closes a collection on the way: its ideas stay.
CLOSED_BY_NEXT = True
COLLECTS_IDEAS = True
OPENS_ROUND = False
TAKES_ANSWERS = False


def check_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return a collection's complete settings, defaults filled in, or refuse."""
    return check_declared(SETTINGS, settings)


def settings_from_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Read a collection's settings from a form or JSON. A box not ticked sends nothing:
    a form that offers the boxes says so (`supports_offered`), and then a box it does
    not send is off."""
    offered = "supports_offered" in fields
    return {name: ticked(fields.get(name)) for name in ("supports", "supports_on_wall")
            if offered or name in fields}


def references(settings: Mapping[str, Any]) -> list[tuple[str, int, str]]:
    """Return the other activities these settings point at (none)."""
    return []
