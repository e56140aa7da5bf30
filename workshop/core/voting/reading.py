"""Reading the strings a browser sends into the plain values a method validates.

Pure core: standard library only. It decides nothing about validity beyond "is this a
whole number"; each method's `validate` does the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workshop.core.errors import Refused
from workshop.core.ids import bounded_id


def whole_number(value: Any, code: str = "bad_request") -> int:
    """Return a whole number given as an int, a float without a fraction (JSON's `14.0`,
    returned as the int 14, so it is never stored as a float) or up to 9 ASCII digits;
    else refuse. Bounds are each caller's: a count's, a setting's.
    """
    if isinstance(value, bool):
        raise Refused(code)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, int):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise Refused(code)
    return int(text)


def ticked(value: Any) -> bool:
    """Say whether a checkbox or a JSON flag says yes (an unticked box sends nothing)."""
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "on", "yes")


def numbered(form: Mapping[str, Any], prefix: str) -> dict[int, int]:
    """Read fields named <prefix>-<idea id> holding whole numbers (blank is zero).

    A suffix that is not an id (`bounded_id`) is `bad_request`, as a field the form never
    had; a value that is not a whole number, `bad_ballot`.
    """
    found: dict[int, int] = {}
    start = prefix + "-"
    for name, value in form.items():
        if not isinstance(name, str) or not name.startswith(start):
            continue
        idea = bounded_id(name[len(start):], "bad_request")
        blank = isinstance(value, str) and value.strip() == ""
        found[idea] = 0 if blank else whole_number(value, "bad_ballot")
    return found


def idea_id(value: Any, reason: str = "unknown_option") -> int:
    """Return an idea id a JSON ballot names, or refuse the ballot: something that is not
    an id names no priority of the round (`reason`)."""
    return bounded_id(value, "bad_ballot", reason=reason)


def _count(value: Any) -> Any:
    """Return a JSON count as an int when it is a whole number (`14.0` is 14); anything
    else is left for the method's rules to refuse by name (`bad_count`)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def json_ballot(body: Mapping[str, Any]) -> Any:
    """Read the `ballot` member of a JSON command: an object's keys and a list's items are
    idea ids (JSON keys are strings), an object's values counts."""
    ballot = body.get("ballot")
    if ballot is None:
        raise Refused("bad_request")
    if isinstance(ballot, Mapping):
        return {idea_id(key): _count(value) for key, value in ballot.items()}
    if isinstance(ballot, list):
        return [idea_id(item) for item in ballot]
    return ballot
