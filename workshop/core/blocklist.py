"""The blocklist of automatic approval: which word keeps an idea off the wall.

Pure core: standard library only. When a workshop approves ideas as they arrive, an idea
holding a word of its blocklist waits for the facilitator instead, who sees the word.
Words are compared whole, after folding case and accents ("Enculé" holds "encule", and
"con" is not found in "contrat" or "conseil"); an entry of several words is found when
those words follow each other. Nothing here judges an idea: a match only means "a person
reads it first".

The default list is short and plain on purpose (insults and slurs in French and English,
a few written the way people type them without accents); every workshop edits its own.
"""

from __future__ import annotations

import re
import unicodedata

# One entry per line (or separated by commas) in the facilitator's form.
ENTRIES_MAX = 300
ENTRY_MAX = 60
TEXT_MAX = 6000

DEFAULT = (
    # French (Québec and elsewhere)
    "con", "conne", "connard", "connasse", "salaud", "salope", "pute", "putain",
    "encule", "enfoire", "tabarnak", "osti", "ostie", "criss", "crisse", "calisse",
    "pede", "tapette", "fif", "negre", "retarde", "mongol", "gouine", "bougnoule",
    # English
    "fuck", "fucking", "shit", "bitch", "asshole", "cunt", "whore", "slut", "faggot",
    "fag", "retard", "nigger", "nigga", "dyke",
)

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower-case `text` and drop its accents (« Élevé » → « eleve »)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    """The folded words of a text, in order (digits count as letters do)."""
    return _WORD.findall(fold(text))


def read_entries(text: object) -> list[str]:
    """Read a blocklist as the facilitator typed it: one entry per line or comma, folded,
    each at most ENTRY_MAX characters, at most ENTRIES_MAX entries, duplicates dropped.
    Raises ValueError on anything else (the verb refuses it)."""
    if not isinstance(text, str) or len(text) > TEXT_MAX:
        raise ValueError("blocklist")
    entries: list[str] = []
    for line in re.split(r"[\n,;]", text):
        entry = " ".join(words(line))
        if not entry:
            continue
        if len(entry) > ENTRY_MAX:
            raise ValueError("entry")
        if entry not in entries:
            entries.append(entry)
    if len(entries) > ENTRIES_MAX:
        raise ValueError("entries")
    return entries


def first_match(text: str, entries: list[str] | tuple[str, ...]) -> str | None:
    """Return the first entry of the list found in `text` as whole words, or None."""
    found = words(text)
    if not found:
        return None
    padded = " " + " ".join(found) + " "
    for entry in entries:
        if f" {entry} " in padded:
            return entry
    return None
