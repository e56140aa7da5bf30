"""The registry of voting methods a round can use.

Pure core. Each method is a module exposing NAME, DEFAULT_SETTINGS, check_settings,
validate, tally and tally_counted (the same tally, with equal ballots given once each with
their count); adding a method means writing such a module and listing it here.
"""

from __future__ import annotations

from types import ModuleType

from workshop.core.voting import approval, dots, pairwise, points, ranking

METHODS: dict[str, ModuleType] = {
    module.NAME: module for module in (dots, approval, points, ranking, pairwise)
}


def get_method(name: str) -> ModuleType:
    """Return the method module called `name`, or raise KeyError."""
    return METHODS[name]
