"""Spreadsheet cells that show text and never run it: the one neutralisation every cell
of every spreadsheet export (the ranking CSV, the ballots CSV) goes through.

Pure core: standard library only. A spreadsheet runs a cell that starts with `=`, `+`,
`-` or `@` as a formula (`=HYPERLINK(...)`, `=cmd|...`): a participant's idea must never
become one on the facilitator's laptop. A leading `'` makes a cell text in every
spreadsheet, which does not show it; `unformula` takes it off again, for the recount.
The JSON export is data, not a sheet: its text stays exactly as typed.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from workshop.core.text import BLANK_LETTERS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# What a spreadsheet may take for the start of a formula once it has normalised the cell:
# the full-width and small forms (＝ ＋ － ＠, ﹦ ﹢ ﹣ ﹫) fold to = + - @ under NFKC, as
# some spreadsheets and input methods fold them; the minus sign does not fold but reads
# as one.
_FORMULA_SIGNS = frozenset("=+-@\u2212")
# A leading `'` is what marks a neutralised cell: a text that starts with one gets one
# more, so that removing exactly one (`unformula`) always gives the text back.
_QUOTE = "'"


def _invisible(char: str) -> bool:
    """Say whether a character may come before a formula's sign without being seen:
    spaces, control and format characters (zero-width spaces and joiners, the byte-order
    mark, bidirectional controls, tags), combining marks and blank letters."""
    category = unicodedata.category(char)
    return char.isspace() or category in ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me") \
        or char in BLANK_LETTERS


def needs_quote(text: str) -> bool:
    """Say whether a text cell could start a formula in a spreadsheet, or already starts
    with the quote that marks a neutralised cell.

    A tab or line break at the start counts (some spreadsheets split on them), and so does
    a sign after anything invisible: a zero-width space or a byte-order mark before `=`
    hides the sign from a plain look at the first character, not from every spreadsheet.
    """
    if text.startswith(FORMULA_STARTS) or text.startswith(_QUOTE):
        return True
    for char in text:
        if _invisible(char):
            continue
        return unicodedata.normalize("NFKC", char)[:1] in _FORMULA_SIGNS
    return False


def safe_cell(value: Any) -> Any:
    """Return a cell a spreadsheet will show as text, never run as a formula: the one
    neutralisation every cell of every spreadsheet export goes through.

    A text that could start a formula (`needs_quote`) gets a leading `'`, which
    spreadsheets take as "this is text" and do not show; `unformula` takes it off again.
    Numbers and other values are left as they are.
    """
    if isinstance(value, str) and needs_quote(value):
        return _QUOTE + value
    return value


def unformula(cell: str) -> str:
    """Return the text a cell written by `safe_cell` holds (its one leading `'` off)."""
    return cell.removeprefix(_QUOTE)
