"""Reading the strings a browser sends into the plain values a method validates.

Pure core: standard library only. It decides nothing about validity beyond "is this a
whole number"; each method's `validate` does the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workshop.core.errors import Refused


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


def ticked(value: Any) -> bool:
    """Say whether a checkbox or a JSON flag says yes (an unticked box sends nothing)."""
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "on", "yes")


def numbered(form: Mapping[str, Any], prefix: str) -> dict[int, int]:
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


def id_keys(ballot: Mapping[Any, Any]) -> dict[Any, Any]:
    """Return a JSON object's keys as the idea ids they spell (JSON keys are strings)."""
    return {int(k) if isinstance(k, str) and k.isdigit() else k: v for k, v in ballot.items()}


def json_ballot(body: Mapping[str, Any]) -> Any:
    """Read the `ballot` member of a JSON command (object keys as idea ids)."""
    ballot = body.get("ballot")
    if ballot is None:
        raise Refused("bad_request")
    if isinstance(ballot, Mapping):
        return id_keys(ballot)
    return ballot
