"""A vote's Round: freezing its options, ending it, and deciding when its results show.

Verbs layer. A Round is opened and closed by its vote activity (ops/activities.py, which
also keeps the older open_round and close_round verbs); these are the steps they share.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workshop.core.errors import Refused
from workshop.core.text import clean_text
from workshop.ops.transactions import commit_and_announce, one_change
from workshop.store.models import TITLE_MAX, Round, Workshop, utcnow
from workshop.store.views import ticket_counts


def check_round(session: Session, workshop: Workshop, options: list[int],
                require_ticket: bool) -> None:
    """Refuse a vote with nothing to vote on, or needing tickets none were printed for."""
    if not options:
        raise Refused("no_approved_ideas", 409)
    if require_ticket and ticket_counts(session, workshop)[0] == 0:
        raise Refused("no_tickets", 409)


def freeze_round(session: Session, workshop: Workshop, *, title: str | None, method: str,
                 settings: Mapping[str, Any], options: list[int], show_live: bool,
                 require_ticket: bool) -> Round:
    """Create the open Round of a vote on `options` (checked settings) and make it current.

    With `require_ticket`, only participants who typed one of the workshop's printed
    tickets may vote (one person, one vote). The caller commits.
    """
    number = (session.scalar(select(func.max(Round.number))
                             .where(Round.workshop_id == workshop.id)) or 0) + 1
    round_title = clean_text(title, TITLE_MAX, "bad_title") if title else None
    vote = Round(workshop_id=workshop.id, number=number, title=round_title or f"Vote {number}",
                 method=method, settings=dict(settings), options=list(options),
                 status="open", show_live=bool(show_live),
                 require_ticket=bool(require_ticket), revealed=False)
    session.add(vote)
    session.flush()
    workshop.current_round_id = vote.id
    return vote


def end_round(vote: Round) -> None:
    """Mark a Round closed: no ballot commits after the transaction that does this."""
    vote.status = "closed"
    vote.closed_at = utcnow()


def current_round_or_refuse(session: Session, workshop: Workshop) -> Round:
    """Return the round the room is on, or refuse with no_round."""
    vote = session.get(Round, workshop.current_round_id) if workshop.current_round_id else None
    if vote is None:
        raise Refused("no_round", 409)
    return vote

@one_change
def show_live_results(session: Session, workshop: Workshop, show: bool) -> None:
    """Show or hide the live totals on the projector while the vote runs."""
    vote = current_round_or_refuse(session, workshop)
    vote.show_live = bool(show)
    commit_and_announce(session, workshop)


@one_change
def reveal_results(session: Session, workshop: Workshop, reveal: bool = True) -> None:
    """Show (or hide again) the closed round's results on the projector and phones."""
    vote = current_round_or_refuse(session, workshop)
    if vote.status != "closed":
        raise Refused("round_open", 409)
    vote.revealed = bool(reveal)
    commit_and_announce(session, workshop)
