"""The themes ideas can carry (logement, transport…), so that the wall and the results can
be read by theme.

Pure core: standard library only. Every workshop starts with DEFAULT, in French and plain
words, and edits its own list: one theme per line (or separated by commas or
semicolons), each at most THEME_MAX characters, at most THEMES_MAX of them. A theme is
its label: an idea carries the label, so the list is kept short and the labels whole.
"""

from __future__ import annotations

import re

THEMES_MAX = 20
THEME_MAX = 40
TEXT_MAX = 1000

DEFAULT = ("Logement", "Transport", "Sécurité alimentaire", "Revenu", "Santé", "Emploi")


def read_themes(text: object) -> list[str]:
    """Read a list of themes as the facilitator typed it: spaces folded, blank entries and
    repeats (case aside) dropped, order kept. Raises ValueError on anything else (a
    non-text, too long a text, too long a theme, too many themes): the verb refuses it."""
    if not isinstance(text, str) or len(text) > TEXT_MAX:
        raise ValueError("themes")
    themes: list[str] = []
    seen: set[str] = set()
    for line in re.split(r"[\n,;]", text):
        theme = " ".join(line.split())
        if not theme or theme.casefold() in seen:
            continue
        if len(theme) > THEME_MAX or not theme.isprintable():
            raise ValueError("theme")
        seen.add(theme.casefold())
        themes.append(theme)
    if len(themes) > THEMES_MAX:
        raise ValueError("themes")
    return themes
