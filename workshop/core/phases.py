"""The phases a workshop room moves through, and which moves are allowed.

Pure core: standard library only. The facilitator moves the room; a move that is not
listed here is refused rather than leaving the room in a state nobody planned.
"""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    """Where the room is: what every phone shows."""

    LOBBY = "lobby"
    IDEAS = "ideas"
    VOTE = "vote"
    RESULTS = "results"
    POLL = "poll"  # a question (multiple choice, scale, word cloud, open question)


ALLOWED = {
    Phase.LOBBY: {Phase.IDEAS, Phase.VOTE, Phase.POLL},
    Phase.IDEAS: {Phase.LOBBY, Phase.VOTE, Phase.POLL},
    Phase.VOTE: {Phase.RESULTS},
    Phase.RESULTS: {Phase.LOBBY, Phase.IDEAS, Phase.VOTE, Phase.POLL},
    # a question is followed by anything but a vote's results, another question too
    Phase.POLL: {Phase.LOBBY, Phase.IDEAS, Phase.VOTE, Phase.POLL},
}


class PhaseError(ValueError):
    """A move between phases that the room cannot make."""

    def __init__(self, current: Phase, target: Phase) -> None:
        super().__init__(f"cannot move from {current} to {target}")
        self.current = current
        self.target = target


def check_move(current: Phase | str, target: Phase | str) -> Phase:
    """Return the target phase if the room may move there, else raise PhaseError."""
    here, there = Phase(current), Phase(target)
    if there not in ALLOWED[here]:
        raise PhaseError(here, there)
    return there
