"""What a voting method declares about itself: its settings, its texts, its phone behaviour.

Pure core: standard library only. The facilitator's form, the refusal messages, the
projector's labels and the phone page are all derived from these declarations, so a new
method is one module here, one phone template and one line in the registry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def N_(text: str) -> str:  # noqa: N802 - the marker gettext's extractor knows
    """Mark an English text for translation where it is declared; the edge translates it."""
    return text


@dataclass(frozen=True)
class Setting:
    """One whole-number setting of a method, as the facilitator's form asks for it.

    `default` None means "no limit" (the form's field may stay blank); `label` is the
    form's label and `described` how a refusal names the setting, both English msgids.
    """

    name: str
    default: int | None
    low: int
    high: int
    label: str
    described: str


@dataclass(frozen=True)
class Texts:
    """How a method is named and explained (facilitator page, projector, exports)."""

    name: str
    explanation: str
    unit: str


def defaults(settings: Sequence[Setting]) -> dict[str, Any]:
    """Return each setting's default, by name."""
    return {setting.name: setting.default for setting in settings}


def bounds(settings: Sequence[Setting]) -> dict[str, tuple[int, int]]:
    """Return each setting's (lowest, highest) allowed value, by name."""
    return {setting.name: (setting.low, setting.high) for setting in settings}


def described(settings: Sequence[Setting]) -> Mapping[str, str]:
    """Return how refusals name each setting, by name."""
    return {setting.name: setting.described for setting in settings}
