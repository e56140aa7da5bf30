"""Cleaning the text people type: titles, ideas.

Pure core: standard library only. Text is stored as typed, minus what no screen should
show (control characters, runs of spaces), and refused when empty or too long.
"""

from __future__ import annotations

import re

from workshop.core.errors import Refused

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Runs of white space become one space, except the no-break spaces French typography puts
# before : ; ! ? and inside « »: they are kept as typed.
_SPACES = re.compile("[^\\S\u00a0\u202f]+")


def clean_text(value: object, limit: int, code: str) -> str:
    """Return stripped single-spaced text within `limit` characters, or refuse.

    Control characters (NUL, escape, ...) are dropped and so are lone surrogates, which a
    JSON body can carry ("\\ud800") but no database can store as UTF-8.
    """
    if not isinstance(value, str):
        raise Refused(code, limit=limit)
    text = _SPACES.sub(" ", _UNPRINTABLE.sub("", _SPACES.sub(" ", value))).strip(" ")
    if not text.strip() or len(text) > limit:  # strip(): no-break spaces alone are blank
        raise Refused(code, limit=limit)
    return text
