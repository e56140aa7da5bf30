"""Tables for export: plain rows built from per-round results.

Pure core. A round is a dict with keys number, title, method, settings, status, voters and
ranking (a list of dicts with rank, text, score, supporters), as views.export_rounds
(workshop/store/views.py) builds it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

RANKING_HEADERS = ("round", "round_title", "method", "settings", "status", "voters",
                   "rank", "text", "score", "supporters", "method_note")


def ranking_table(rounds: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, ...], list[list[Any]]]:
    """Return the ranked priorities of every round as (headers, rows), best first."""
    rows: list[list[Any]] = []
    for vote in rounds:
        settings = json.dumps(vote["settings"], sort_keys=True)
        for standing in vote["ranking"]:
            rows.append([vote["number"], vote["title"], vote["method"], settings,
                         vote["status"], vote["voters"], standing["rank"], standing["text"],
                         standing["score"], standing["supporters"],
                         vote.get("explanation", "")])
    return RANKING_HEADERS, rows
