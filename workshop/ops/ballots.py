"""Casting a ballot: the verbs every phone's vote goes through.

Verbs layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop.core.errors import Refused
from workshop.core.fields import UnreadBallot
from workshop.core.phases import Phase
from workshop.core.voting import BallotError, get_method
from workshop.live import broadcast
from workshop.ops import groupcommit
from workshop.ops.transactions import once
from workshop.store.db import get_session
from workshop.store.lookups import Voter, holds_ticket
from workshop.store.models import Ballot, Participant, Round, Workshop, utcnow


def cast_ballot(session: Session, workshop: Workshop, participant: Participant,
                ballot: Any, client_id: str) -> dict[str, Any]:
    """Record or replace this participant's ballot in the open round; answer after commit."""
    voter = Voter(workshop.id, workshop.code, participant.id, participant.channel, None)
    return cast_ballot_as(session, voter, ballot, client_id)

def cast_ballot_as(session: Session | None, voter: Voter, ballot: Any, client_id: str
                   ) -> dict[str, Any]:
    """Record or replace a ballot for a phone known by its ids (`find_voter`).

    The phone's route comes here with ids only: the group commit needs nothing more, and
    the ORM objects are loaded only on the one-by-one path. The phone's socket has no
    session open (`session` None): the request's session is opened only if the ballot
    takes the one-by-one path, since opening one costs as much as a grouped ballot.
    """
    group = groupcommit.current()
    if group is not None:  # committed together with the ballots arriving at the same time
        if session is not None:
            session.rollback()  # hand the connection back while the group commits
        answer = group.cast(voter.workshop_id, voter.participant_id, voter.channel, ballot,
                            client_id)
        if answer is not None:
            broadcast.changed(voter.code)
            return answer
    if session is None:
        session = get_session()
    workshop, participant = _rows_of(session, voter)

    def work() -> dict[str, Any]:
        vote = _locked_open_round(session, workshop)
        _check_ticket(session, vote, participant)
        content = _validated(vote, ballot)
        _store_ballot(session, vote, participant, _own_ballot(session, vote, participant),
                      content)
        return {"ok": True, "round": vote.id, "ballot": content}

    response = once(session, participant, client_id, "ballot", work)
    broadcast.changed(voter.code)
    return response

def _rows_of(session: Session, voter: Voter) -> tuple[Workshop, Participant]:
    """Load the workshop and participant a `Voter` names (the one-by-one paths need them)."""
    workshop = session.get(Workshop, voter.workshop_id)
    participant = session.get(Participant, voter.participant_id)
    if workshop is None or participant is None:
        raise Refused("not_joined", 403)
    return workshop, participant

def compare_pair_as(session: Session, voter: Voter, judgement: Any, client_id: str
                    ) -> dict[str, Any]:
    """`compare_pair` for a phone known by its ids (`find_voter`, or its socket's join)."""
    return compare_pair(session, *_rows_of(session, voter), judgement, client_id)

def compare_pair(session: Session, workshop: Workshop, participant: Participant,
                 judgement: Any, client_id: str) -> dict[str, Any]:
    """Add one "which matters more?" answer to this participant's pairwise ballot."""

    def work() -> dict[str, Any]:
        vote = _locked_open_round(session, workshop)
        if vote.method != "pairwise":
            raise Refused("bad_ballot", reason="bad_ballot")
        _check_ticket(session, vote, participant)
        existing = _own_ballot(session, vote, participant)
        judged = list(existing.content) if existing is not None else []
        answer = judgement.read(vote.method) if isinstance(judgement, UnreadBallot) \
            else judgement
        content = _validated(vote, [*judged, answer])
        _store_ballot(session, vote, participant, existing, content)
        return {"ok": True, "round": vote.id, "judged": len(content),
                "pairs": vote.settings["pairs"]}

    response = once(session, participant, client_id, "pair", work)
    broadcast.changed(workshop.code)
    return response

def _locked_open_round(session: Session, workshop: Workshop) -> Round:
    """Return the room's open round, locked so that it cannot close under this ballot."""
    session.refresh(workshop)
    vote = session.scalar(select(Round).where(Round.id == workshop.current_round_id)
                          .with_for_update(read=True))
    if vote is None or vote.status != "open" or workshop.phase != Phase.VOTE:
        raise Refused("round_closed", 409)
    return vote

def _check_ticket(session: Session, vote: Round, participant: Participant) -> None:
    if vote.require_ticket and not holds_ticket(session, participant):
        raise Refused("ticket_needed", 403)

def _validated(vote: Round, ballot: Any) -> Any:
    return validated_ballot(vote.method, vote.options, vote.settings, ballot)

def validated_ballot(method: str, options: list[int], settings: dict[str, Any],
                     ballot: Any) -> Any:
    """Return a ballot checked against a round's method and rules, in JSON form, or refuse.

    An `UnreadBallot` is read by the round's method first.
    """
    if isinstance(ballot, UnreadBallot):
        ballot = ballot.read(method)
    try:
        clean = get_method(method).validate(ballot, options, settings)
    except BallotError as error:
        raise Refused("bad_ballot", reason=error.code, method=method,
                      **error.params) from error
    return _storable(clean)

def _own_ballot(session: Session, vote: Round, participant: Participant) -> Ballot | None:
    return session.scalar(select(Ballot).where(
        Ballot.round_id == vote.id, Ballot.participant_id == participant.id))

def _store_ballot(session: Session, vote: Round, participant: Participant,
                  existing: Ballot | None, content: Any) -> None:
    """Insert the participant's ballot, or replace the one they had (one per round)."""
    if existing is None:
        session.add(Ballot(round_id=vote.id, participant_id=participant.id,
                           content=content, channel=participant.channel))
    else:
        existing.content = content
        existing.cast_at = utcnow()
    session.flush()

def _storable(clean: Any) -> Any:
    """Return a validated ballot in JSON form (object keys become strings)."""
    if isinstance(clean, Mapping):
        return {str(key): value for key, value in clean.items()}
    if isinstance(clean, list | tuple):
        return [_storable(item) for item in clean]
    return clean
