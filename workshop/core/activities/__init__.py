"""Activities: the kinds of step an agenda is made of (an idea collection, a vote, ...).

Pure core: imports only the standard library and the rest of the core. Each kind is a
registry entry, like a voting method: its settings and their checks, its texts, its page
templates and the room phase phones show while it runs.
"""

from workshop.core.activities.kinds import KINDS, get_kind, settings_from_fields, template
from workshop.core.activities.rules import N_, Setting

__all__ = ["KINDS", "N_", "Setting", "get_kind", "settings_from_fields", "template"]
