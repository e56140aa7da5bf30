"""Is every group heard? Each group's share of the room beside its expected share.

Pure core. The representativeness monitor counts, for each answer of a profile question,
the people who gave it, those of them with a phone connected and those who voted in the
current vote. Which of the three to compare with the population depends on the moment:
while a vote is open and has voters, they are who decides; before, the people present
are who can still be invited to speak; with nobody connected (a paper or kiosk day), the
people who answered.

A group is "under-heard" when its share is below UNDER_HEARD times its expected share:
far enough below that one more or one fewer person in a room of 150 does not flip it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

UNDER_HEARD = 0.75
BASES = ("voted", "present", "answered")  # the counts a share can be taken of, by priority


def basis(totals: Mapping[str, int]) -> str:
    """Return the count to take shares of: the first of BASES with anyone in it
    ("answered" when nobody answered at all, and every share is then unknown)."""
    return next((name for name in BASES if totals.get(name, 0) > 0), BASES[-1])


def shares(rows: Sequence[Mapping[str, Any]], counted: str) -> list[dict[str, Any]]:
    """Return each row's share of the `counted` total (None when the total is 0) and
    whether it is under-heard against its `expected` percent (None: not entered)."""
    total = sum(row[counted] for row in rows)
    found = []
    for row in rows:
        share = row[counted] / total if total else None
        expected = row.get("expected")
        under = share is not None and expected is not None and \
            share * 100 < expected * UNDER_HEARD
        found.append({"share": share, "under": under})
    return found
