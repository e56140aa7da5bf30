"""Serialise export tables to CSV and JSON.

Pure core: standard library only.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workshop.core.export.cells import FORMULA_STARTS, safe_cell, unformula
from workshop.core.export.recount import ballots_table
from workshop.core.export.tables import ranking_table

__all__ = ["FORMATS", "FORMULA_STARTS", "render", "render_ballots", "safe_cell", "to_csv",
           "to_json", "unformula"]


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Write a table as CSV text (UTF-8 with a BOM so spreadsheets read accents right),
    every cell through `safe_cell`."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in headers])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def to_json(rounds: Iterable[Mapping[str, Any]]) -> str:
    """Write one object per round: title, method, settings, voters (and by channel: phone,
    kiosk, paper) and its ranking."""
    body = [{"number": r["number"], "title": r["title"], "method": r["method"],
             **({"explanation": r["explanation"]} if "explanation" in r else {}),
             "settings": r["settings"], "status": r["status"], "voters": r["voters"],
             **({"channels": dict(r["channels"])} if "channels" in r else {}),
             "ranking": [{"rank": s["rank"], "text": s["text"], "score": s["score"],
                          "supporters": s["supporters"]} for s in r["ranking"]]}
            for r in rounds]
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def render(rounds: Sequence[Mapping[str, Any]], fmt: str) -> tuple[str, str]:
    """Return (body, mimetype) of the ranking export in one format."""
    if fmt == "csv":
        return to_csv(*ranking_table(rounds)), FORMATS[fmt]
    if fmt == "json":
        return to_json(rounds), FORMATS[fmt]
    raise ValueError(fmt)


def render_ballots(rounds: Sequence[Mapping[str, Any]]) -> str:
    """Return the anonymised ballots of every round as CSV (what `workshop recount` reads)."""
    return to_csv(*ballots_table(rounds))
