"""Exports of ranked priorities: built once as (headers, rows), serialised per format.

Pure core: standard library only. Text typed by participants is neutralised for
spreadsheets in the one place every CSV cell passes through (`cells.safe_cell`, called by
`formats.to_csv`).
"""

from workshop.core.export.cells import unformula
from workshop.core.export.formats import (
    FORMATS,
    render,
    render_ballots,
    safe_cell,
    to_csv,
    to_json,
)
from workshop.core.export.recount import ballots_table, recount
from workshop.core.export.tables import ranking_table

__all__ = ["FORMATS", "ballots_table", "ranking_table", "recount", "render", "render_ballots",
           "safe_cell", "to_csv", "to_json", "unformula"]
