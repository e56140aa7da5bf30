"""A ballot as a phone sent it, and a vote's settings as the facilitator's form sent them.

Pure core: the reading itself belongs to each voting method (`read_form`, `read_json`);
this module only holds the sent fields until the method that must read them is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workshop.core.ids import bounded_id
from workshop.core.voting import get_method
from workshop.core.voting.reading import whole_number

__all__ = ["UnreadBallot", "settings_from_fields", "whole_number"]


def settings_from_fields(method: str, fields: Mapping[str, Any]) -> dict[str, int | None]:
    """Pick the settings a method declares from a form; a blank field means the default."""
    settings: dict[str, int | None] = {}
    for setting in get_method(method).SETTINGS:
        value = fields.get(setting.name)
        settings[setting.name] = None if value in (None, "") else whole_number(value,
                                                                                "bad_setting")
    return settings


@dataclass(frozen=True)
class UnreadBallot:
    """A ballot as the phone sent it, read only once the round's method is known.

    The ballot writer reads it inside the ballot's write transaction, with the method of
    the round it is actually cast in: a ballot sent from a page drawn for the previous
    round is refused, never read by the wrong method's rules; and the caller need not
    look the round up first.
    """

    fields: Mapping[str, Any]
    form: bool  # the phone page's form fields, or a JSON body ({ballot} or {judgement})
    # Fields beside the ballot itself: `client_id`, and `round` (see drawn_for).

    def drawn_for(self) -> int | None:
        """Return the round the phone's page drew this ballot for, if it says (`round`).

        A page still showing an earlier round (a runoff reuses its ideas and method) must
        not have its ballot counted in the next one.
        """
        value = self.fields.get("round")
        return None if value is None or value == "" else bounded_id(value, "bad_request")

    def read(self, method: str) -> Any:
        """Return the ballot in the shape `method` validates."""
        module = get_method(method)
        return module.read_form(self.fields) if self.form else module.read_json(self.fields)
