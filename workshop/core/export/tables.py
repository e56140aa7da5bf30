"""Tables for export: plain rows built from per-round results.

Pure core. A round is a dict with keys number, title, method, settings, status, voters and
ranking (a list of dicts with rank, text, score, supporters), as views.export_rounds
(workshop/store/views.py) builds it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from workshop.core.voting.declare import N_

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


GROUPS_HEADERS = (N_("round"), N_("round_title"), N_("question"), N_("group"),
                  N_("group_voters"), N_("rank"), N_("priority"), N_("lowest_group_support"))


def groups_table(votes: Iterable[Mapping[str, Any]], everyone: str, equal: str
                 ) -> list[list[Any]]:
    """Return results by group as rows (GROUPS_HEADERS), from the views
    `store.groups.closed_vote_views` builds, where small groups are already left out.

    One row per priority for everyone (with its lowest share of support among the groups
    shown, when two or more are), for each group shown, and for the ranking where each
    group counts equally; `everyone` and `equal` name those two in the reader's language.
    """
    rows: list[list[Any]] = []
    for vote in votes:
        for question in vote["questions"]:
            if not question["groups"]:
                continue
            for row in question["rows"]:
                rows.append([vote["round"], vote["title"], question["text"], everyone,
                             question["voters"], row["rank"], row["text"],
                             "" if row["consensus"] is None else row["consensus"]])
            for n, group in enumerate(question["groups"]):
                for row in sorted(question["rows"], key=lambda r, n=n: r["groups"][n]):
                    rows.append([vote["round"], vote["title"], question["text"],
                                 group["label"], group["voters"], row["groups"][n],
                                 row["text"], ""])
            if question["equal_groups"]:
                for row in sorted(question["rows"], key=lambda r: r["equal_rank"]):
                    rows.append([vote["round"], vote["title"], question["text"], equal,
                                 question["voters"], row["equal_rank"], row["text"], ""])
    return rows
