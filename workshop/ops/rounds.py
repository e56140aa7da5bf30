"""Opening a vote, closing it, and deciding when its results show.

Verbs layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workshop.core.errors import Refused
from workshop.core.phases import Phase
from workshop.core.text import clean_text
from workshop.core.voting import DEFAULT_METHOD, BallotError, get_method
from workshop.ops.transactions import commit_and_announce
from workshop.ops.workshops import move_room
from workshop.store.lookups import approved_ideas
from workshop.store.models import TITLE_MAX, Round, Workshop, utcnow
from workshop.store.views import ticket_counts


def open_round(session: Session, workshop: Workshop, *, title: str | None = None,
               method: str = DEFAULT_METHOD, settings: Mapping[str, Any] | None = None,
               show_live: bool = True, require_ticket: bool = False) -> Round:
    """Start a vote on every approved idea, with the method's rules checked first.

    With `require_ticket`, only participants who typed one of the workshop's printed
    tickets may vote (one person, one vote); tickets must have been issued first.
    """
    try:
        module = get_method(method)
    except KeyError as error:
        raise Refused("unknown_method", method=method) from error
    try:
        clean_settings = module.check_settings(dict(settings or {}))
    except BallotError as error:
        raise Refused("bad_setting", **error.params) from error
    options = [idea.id for idea in approved_ideas(session, workshop)]
    if not options:
        raise Refused("no_approved_ideas", 409)
    if require_ticket and ticket_counts(session, workshop)[0] == 0:
        raise Refused("no_tickets", 409)
    move_room(workshop, Phase.VOTE)
    number = (session.scalar(select(func.max(Round.number))
                             .where(Round.workshop_id == workshop.id)) or 0) + 1
    round_title = clean_text(title, TITLE_MAX, "bad_title") if title else None
    vote = Round(workshop_id=workshop.id, number=number, title=round_title or f"Vote {number}",
                 method=method, settings=clean_settings, options=options, status="open",
                 show_live=bool(show_live), require_ticket=bool(require_ticket),
                 revealed=False)
    session.add(vote)
    session.flush()
    workshop.current_round_id = vote.id
    commit_and_announce(session, workshop)
    return vote


def current_round_or_refuse(session: Session, workshop: Workshop) -> Round:
    vote = session.get(Round, workshop.current_round_id) if workshop.current_round_id else None
    if vote is None:
        raise Refused("no_round", 409)
    return vote


def close_round(session: Session, workshop: Workshop) -> Round:
    """Stop the vote: no ballot commits after this one does."""
    vote = current_round_or_refuse(session, workshop)
    if vote.status != "open":
        raise Refused("round_closed", 409)
    move_room(workshop, Phase.RESULTS)
    vote.status = "closed"
    vote.closed_at = utcnow()
    commit_and_announce(session, workshop)
    return vote


def show_live_results(session: Session, workshop: Workshop, show: bool) -> None:
    """Show or hide the live totals on the projector while the vote runs."""
    vote = current_round_or_refuse(session, workshop)
    vote.show_live = bool(show)
    commit_and_announce(session, workshop)


def reveal_results(session: Session, workshop: Workshop, reveal: bool = True) -> None:
    """Show (or hide again) the closed round's results on the projector and phones."""
    vote = current_round_or_refuse(session, workshop)
    if vote.status != "closed":
        raise Refused("round_open", 409)
    vote.revealed = bool(reveal)
    commit_and_announce(session, workshop)
