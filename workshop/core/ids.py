"""Ids that come from outside: the one place anything sent becomes a row id, or is refused.

Pure core: standard library only. An id arrives as a form field's suffix (`dots-12`), a
JSON key or number, a socket payload or a facilitator command's field. Each of those used
to be turned into an int its own way, and each way let something through: digits of other
scripts (`"١٢"` is `str.isdigit()` and `int()` reads it as 12), thousands of digits (past
Python's 4,300-digit limit `int()` raises ValueError, below it the number reaches the
database, which cannot hold it: an OverflowError, a 500), `True` (equal to 1 in Python),
`14.0` (equal to 14, and stored as a float). `bounded_id` is the only reading of an id.
"""

from __future__ import annotations

from typing import Any

from workshop.core.errors import Refused

# Row ids are `integer` columns: PostgreSQL holds 2^31 - 1 at most (SQLite 2^63 - 1), and
# a number past the column's range is a database error, not "not found".
MAX_ID = 2**31 - 1
_DIGITS = len(str(MAX_ID))


def bounded_id(value: object, code: str = "bad_request", status: int = 400,
               **params: Any) -> int:
    """Return the row id `value` names: an int, a float without a fraction, or a string of
    ASCII digits in canonical form (no sign, space or leading zero), from 1 to MAX_ID.

    Anything else is refused with `Refused(code, status, **params)`, and nothing else is
    ever raised: a bool, a float with a fraction (or NaN, infinity), another script's
    digits, a list, an object, None. A long string is refused by its length before any
    conversion, so a 4,400-digit key costs no more than a short one.
    """
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        number = int(value) if value.is_integer() and abs(value) <= MAX_ID else None
    elif isinstance(value, str) and _canonical_digits(value):
        number = int(value)
    if number is None or not 1 <= number <= MAX_ID:
        raise Refused(code, status, **params)
    return number


def _canonical_digits(text: str) -> bool:
    """Say whether `text` is how `str()` writes a positive id: at most as many ASCII
    digits as MAX_ID has, the first not 0."""
    return 0 < len(text) <= _DIGITS and text.isascii() and text.isdigit() and text[0] != "0"


JSON_DIGITS = 100  # the longest integer literal a JSON reader turns into an int


def json_integer(digits: str) -> int | str:
    """Read a JSON integer literal (`json.loads(..., parse_int=json_integer)`): an int up
    to JSON_DIGITS digits, else the digits as a string, which no reader takes for an id
    or a count. Reading one of thousands of digits is slow, and Python refuses past 4,300
    with a ValueError that would drop the whole message, its answer included."""
    return int(digits) if len(digits.lstrip("-")) <= JSON_DIGITS else digits
