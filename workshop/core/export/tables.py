"""Results by group as a table, for the CSV, the workbook and the report.

Pure core.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workshop.core.voting.declare import N_

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
