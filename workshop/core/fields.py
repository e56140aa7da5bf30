"""Reading ballots and round settings from HTML forms and JSON bodies, per voting method.

Edge layer helper: turns the strings a browser sends into the plain values the voting core
validates. It decides nothing about validity beyond "is this a number"; the core does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workshop.core.errors import Refused

SETTING_FIELDS = {
    "dots": ("dots", "max_per_option"),
    "approval": ("max_approvals",),
    "points": ("points",),
    "ranking": ("top",),
    "pairwise": ("pairs",),
}


def whole_number(value: Any, code: str = "bad_request") -> int:
    """Return a whole number given as int or digits, or refuse."""
    if isinstance(value, bool):
        raise Refused(code)
    if isinstance(value, int):
        return value
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise Refused(code)
    return int(text)


def settings_from_fields(method: str, fields: Mapping[str, Any]) -> dict[str, int | None]:
    """Pick the settings of one method from a form; a blank field means the default."""
    settings: dict[str, int | None] = {}
    for name in SETTING_FIELDS.get(method, ()):
        value = fields.get(name)
        settings[name] = None if value in (None, "") else whole_number(value, "bad_setting")
    return settings


def _numbered(form: Mapping[str, Any], prefix: str) -> dict[int, int]:
    """Read fields named <prefix>-<idea id> holding whole numbers (blank is zero)."""
    found: dict[int, int] = {}
    for name, value in form.items():
        if not name.startswith(prefix + "-"):
            continue
        key = name.removeprefix(prefix + "-")
        if not key.isdigit():
            raise Refused("bad_request")
        text = str(value).strip()
        found[int(key)] = 0 if text == "" else whole_number(text, "bad_ballot")
    return found


def ballot_from_form(method: str, form: Mapping[str, Any]) -> Any:
    """Read a ballot from the phone page's plain form fields."""
    if method == "dots":
        return _numbered(form, "dots")
    if method == "points":
        return _numbered(form, "points")
    if method == "approval":
        return sorted(idea for idea, ticked in _numbered(form, "approve").items() if ticked)
    if method == "ranking":
        positions = {idea: place for idea, place in _numbered(form, "rank").items() if place}
        if len(set(positions.values())) != len(positions):
            raise Refused("bad_ballot", reason="duplicate_rank")
        return sorted(positions, key=positions.__getitem__)
    if method == "pairwise":
        return judgement_from_fields(form)
    raise Refused("unknown_method")


def judgement_from_fields(fields: Mapping[str, Any]) -> tuple[int, int, int | None]:
    """Read one pairwise judgement: the pair shown and the choice (blank: can't decide)."""
    left = whole_number(fields.get("left"), "bad_ballot")
    right = whole_number(fields.get("right"), "bad_ballot")
    choice = fields.get("choice")
    return left, right, None if choice in (None, "", "none") else whole_number(choice,
                                                                               "bad_ballot")


def _id_keys(ballot: Mapping[Any, Any]) -> dict[Any, Any]:
    return {int(k) if isinstance(k, str) and k.isdigit() else k: v for k, v in ballot.items()}


def ballot_from_json(method: str, body: Mapping[str, Any]) -> Any:
    """Read a ballot from a JSON command; shapes per method are in docs/protocol.md."""
    if method == "pairwise":
        judgement = body.get("judgement")
        if not isinstance(judgement, list | tuple) or len(judgement) != 3:
            raise Refused("bad_ballot", reason="bad_judgement")
        return tuple(judgement)
    ballot = body.get("ballot")
    if ballot is None:
        raise Refused("bad_request")
    if isinstance(ballot, Mapping):
        return _id_keys(ballot)
    return ballot


@dataclass(frozen=True)
class UnreadBallot:
    """A ballot as the phone sent it, read only once the round's method is known.

    The verbs read it inside the ballot's write transaction, with the method of the round
    it is actually cast in: a ballot sent from a page drawn for the previous round is
    refused, never read by the wrong method's rules; and the caller need not look the
    round up first.
    """

    fields: Mapping[str, Any]
    form: bool  # the phone page's form fields, or a JSON body ({ballot} or {judgement})

    def read(self, method: str) -> Any:
        """Return the ballot in the shape `method` validates."""
        if self.form:
            return ballot_from_form(method, self.fields)
        return ballot_from_json(method, self.fields)
