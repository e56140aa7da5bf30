"""Serialise the ballots file and the recount's JSON; the one CSV writer is `day.to_csv`.

Pure core: standard library only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workshop.core.export.cells import FORMULA_STARTS, safe_cell, unformula
from workshop.core.export.day import to_csv
from workshop.core.export.recount import ballots_table

__all__ = ["FORMULA_STARTS", "render_ballots", "safe_cell", "to_csv", "to_json", "unformula"]


def to_json(rounds: Iterable[Mapping[str, Any]]) -> str:
    """Write the recount's result: one object per round, its rules, voters and ranking."""
    body = [{"number": r["number"], "title": r["title"], "method": r["method"],
             **({"explanation": r["explanation"]} if "explanation" in r else {}),
             "settings": r["settings"], "status": r["status"], "voters": r["voters"],
             "ranking": [{"rank": s["rank"], "text": s["text"], "score": s["score"],
                          "supporters": s["supporters"]} for s in r["ranking"]]}
            for r in rounds]
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def render_ballots(rounds: Sequence[Mapping[str, Any]]) -> str:
    """Return the anonymised ballots of every round as CSV (what `workshop recount` reads)."""
    return to_csv(*ballots_table(rounds))
