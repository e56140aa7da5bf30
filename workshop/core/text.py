"""Cleaning the text people type: titles, ideas.

Pure core: standard library only. Text is stored as typed, minus what no screen should
show (control characters, runs of spaces, the explicit bidirectional controls), and
refused when empty, too long, or when nothing of it would show.
"""

from __future__ import annotations

import re
import unicodedata

from workshop.core.errors import Refused

# Control characters, lone surrogates, and the explicit bidirectional embeddings,
# overrides and isolates (LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI): nobody types
# them on a phone, and one left open turns the text after it around (an idea could show
# reversed on the projector). The implicit marks (LRM, RLM, ALM) stay: some keyboards of
# right-to-left languages insert them. The zero-width joiners stay too: emoji sequences
# and several scripts need them.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
# Runs of white space become one space, except the no-break spaces French typography puts
# before : ; ! ? and inside « »: they are kept as typed.
_SPACES = re.compile("[^\\S\u00a0\u202f]+")
# Letters and symbols that draw nothing (fillers of Hangul, the blank braille pattern): a
# text made of them alone is as blank as one made of spaces.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def shows_something(text: str) -> bool:
    """Say whether any character of `text` draws something a reader can see.

    Spaces, format characters (zero-width spaces and joiners, bidirectional marks, the
    byte-order mark, tag characters), combining marks alone and blank letters draw
    nothing: a card of them is a blank card.
    """
    return any(_shows(char) for char in text)


def _shows(char: str) -> bool:
    """Say whether one character draws something: a letter, digit, punctuation mark or
    symbol that is not a blank letter. (Private-use characters draw nothing in most
    fonts; spacing marks only with the letter they belong to.)"""
    if char in BLANK_LETTERS:
        return False
    return unicodedata.category(char)[0] in "LNPS"


def clean_text(value: object, limit: int, code: str) -> str:
    """Return stripped single-spaced text within `limit` characters, or refuse.

    Control characters (NUL, escape, ...) are dropped and so are lone surrogates, which a
    JSON body can carry ("\\ud800") but no database can store as UTF-8, and the explicit
    bidirectional controls. A text with nothing left that shows (only zero-width or
    format characters, say) is refused as an empty one is.
    """
    if not isinstance(value, str):
        raise Refused(code, limit=limit)
    text = _SPACES.sub(" ", _UNPRINTABLE.sub("", _SPACES.sub(" ", value))).strip(" ")
    if not text or len(text) > limit or not shows_something(text):
        raise Refused(code, limit=limit)
    return text
