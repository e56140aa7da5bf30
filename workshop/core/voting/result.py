"""Ranked results and the shared-rank rule every voting method uses.

Pure core: standard library only.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

Option = Hashable


class BallotError(ValueError):
    """A ballot that breaks its round's rules; `code` is stable, for clients and translations."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Standing:
    """One priority's place in a result: ties share the same rank."""

    option: Option
    score: float
    supporters: int
    rank: int


@dataclass(frozen=True)
class Result:
    """A round's outcome: standings best first, plus method-specific details."""

    method: str
    settings: Mapping[str, Any]
    voters: int
    standings: tuple[Standing, ...]
    details: Mapping[str, Any] = field(default_factory=dict)

    def rank_of(self, option: Option) -> int:
        """Return the rank of one option."""
        for standing in self.standings:
            if standing.option == option:
                return standing.rank
        raise KeyError(option)


def rank_by_score(
    scores: Mapping[Option, float],
    supporters: Mapping[Option, int],
    order: list[Option] | None = None,
) -> tuple[Standing, ...]:
    """Rank options by descending score; equal scores share a rank (1, 2, 2, 4).

    `order` fixes how tied options are listed (not ranked): it defaults to the order of
    `scores`, so display is stable and never hides that a tie is a tie.
    """
    listed = list(order) if order is not None else list(scores)
    position = {option: i for i, option in enumerate(listed)}
    ordered = sorted(listed, key=lambda o: (-scores[o], position[o]))
    standings: list[Standing] = []
    for i, option in enumerate(ordered):
        if i and scores[option] == scores[ordered[i - 1]]:
            rank = standings[-1].rank
        else:
            rank = i + 1
        standings.append(Standing(option, scores[option], supporters.get(option, 0), rank))
    return tuple(standings)
