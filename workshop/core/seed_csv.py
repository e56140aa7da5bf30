"""Reading the priorities of an earlier consultation from a spreadsheet's CSV.

Pure core: standard library only. Organisers bring last year's list, or a survey's, as a
CSV from Excel (French Excel writes `;` and Windows-1252), LibreOffice or a form tool
(`,`, UTF-8 with or without a byte-order mark). The priorities are taken from the column
whose heading names them (priorité, idée, texte, priority, idea, text...), else from the
first column; blank rows and repeats (same words, see near_duplicates) are left out. A
file that cannot be read, or a priority too long for the wall, refuses the whole import
with the row to fix: nothing is half imported.
"""

from __future__ import annotations

import csv
import io
import unicodedata

from workshop.core.errors import Refused
from workshop.core.near_duplicates import matching_key
from workshop.core.text import clean_text

IMPORT_MAX = 300  # priorities in one import: a long consultation's list, not a database
HEADINGS = frozenset({"priorite", "priorites", "idee", "idees", "texte", "libelle",
                      "enonce", "proposition", "priority", "priorities", "idea", "ideas",
                      "text", "label", "statement"})


def _plain(cell: str) -> str:
    decomposed = unicodedata.normalize("NFKD", cell.strip().casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def decode(data: bytes) -> str:
    """Return the file's text: UTF-8 (a byte-order mark dropped), else Windows-1252, the
    encoding of a CSV saved by French Excel."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_priorities(text: str, limit: int) -> list[str]:
    """Return the priorities of a CSV text, cleaned, in file order, without repeats.

    `limit` is the longest priority allowed (the wall's). Refusals: `bad_import` (no
    priority in the file, or more than IMPORT_MAX), `import_row_too_long` with the row
    number (1 is the file's first line).
    """
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ";,\t")
    except csv.Error:
        dialect = csv.excel  # one column: no delimiter to find
    rows = list(csv.reader(io.StringIO(text), dialect))
    column, start = 0, 0
    if rows:
        named = [i for i, cell in enumerate(rows[0]) if _plain(cell) in HEADINGS]
        if named:
            column, start = named[0], 1
    found: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(rows[start:], start + 1):
        cell = row[column] if column < len(row) else ""
        if not cell.strip():
            continue
        try:
            clean = clean_text(cell, limit, "bad_import")
        except Refused as error:
            if len(" ".join(cell.split())) > limit:
                raise Refused("import_row_too_long", row=number, limit=limit) from error
            continue  # nothing that shows (only invisible characters)
        key = matching_key(clean) or clean
        if key in seen:
            continue
        seen.add(key)
        found.append(clean)
    if not found or len(found) > IMPORT_MAX:
        raise Refused("bad_import", limit=IMPORT_MAX)
    return found
