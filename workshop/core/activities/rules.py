"""What every activity kind shares: declared settings, their checks, the text marker.

Pure core: the standard library, core.errors and the voting texts' marker. A kind declares
its settings as `Setting`s; `check_declared` merges them over their defaults and refuses
any value of the wrong type or out of bounds with one stable code, `bad_activity_setting`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workshop.core.errors import Refused
from workshop.core.voting.declare import N_  # noqa: F401 - the kinds' marker too


@dataclass(frozen=True)
class Setting:
    """One setting of a kind: its type, default, and bounds (numbers) or choices (text)."""

    name: str
    kind: type
    default: Any
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False  # None is a valid value (e.g. "no collection chosen")

    def check(self, value: Any) -> Any:
        """Return the value if it is valid for this setting, else refuse."""
        if value is None and self.optional:
            return None
        if self.kind is dict:
            if not isinstance(value, Mapping):
                raise self.refuse()
            return dict(value)
        if self.kind is list:  # its items are the kind's to check
            if not isinstance(value, list | tuple):
                raise self.refuse()
            return list(value)
        if self.kind is bool:
            if not isinstance(value, bool):
                raise self.refuse()
            return value
        if self.kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise self.refuse()
            if (self.low is not None and value < self.low) or \
                    (self.high is not None and value > self.high):
                raise self.refuse()
            return value
        if not isinstance(value, str) or (self.choices and value not in self.choices):
            raise self.refuse()
        return value

    def refuse(self) -> Refused:
        """Return the refusal for a bad value of this setting."""
        params: dict[str, Any] = {"setting": self.name}
        if self.low is not None:
            params.update(low=self.low, high=self.high)
        return Refused("bad_activity_setting", **params)


def check_declared(declared: tuple[Setting, ...], settings: Mapping[str, Any]
                   ) -> dict[str, Any]:
    """Return settings merged over the declared defaults and checked; refuse unknown ones."""
    if not isinstance(settings, Mapping):
        raise Refused("bad_activity_setting", setting="settings")
    names = {setting.name for setting in declared}
    for name in settings:
        if name not in names:
            raise Refused("bad_activity_setting", setting=str(name)[:40])
    return {s.name: s.check(settings.get(s.name, s.default)) for s in declared}
