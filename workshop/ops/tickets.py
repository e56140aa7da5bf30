"""Printed single-use ballot tickets: issuing them and spending one on a phone.

Verbs layer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workshop.core import tokens
from workshop.core.errors import Refused
from workshop.live import broadcast
from workshop.ops.transactions import commit_and_announce, one_change
from workshop.store.db import begin_write
from workshop.store.models import Participant, Ticket, Workshop, utcnow
from workshop.store.views import ticket_counts

TICKETS_PER_BATCH = 500

TICKETS_PER_WORKSHOP = 5000

BATCH_KEY_MAX = 32  # the print form's key: a client id, stored with each ticket


@one_change
def issue_tickets(session: Session, workshop: Workshop, count: object,
                  batch: str | None = None) -> list[str]:
    """Draw `count` new single-use ticket codes for printing; return them in clear.

    This is the only moment the codes exist outside the paper: only their digests are
    stored, so a lost printout is replaced by issuing more, never by showing them again.
    `batch` is the key of the print form (a client id): a browser reloading the printed
    page sends the same form again, and a key already used draws nothing
    (`tickets_already_printed`) instead of a second batch nobody asked for.
    """
    if isinstance(count, bool) or not isinstance(count, int) \
            or not 1 <= count <= TICKETS_PER_BATCH:
        raise Refused("bad_ticket_count", limit=TICKETS_PER_BATCH)
    if batch is not None:
        if not tokens.valid_client_id(batch) or len(batch) > BATCH_KEY_MAX:
            raise Refused("bad_request")
        if session.scalar(select(Ticket.id).where(Ticket.workshop_id == workshop.id,
                                                  Ticket.batch == batch).limit(1)):
            raise Refused("tickets_already_printed", 409)
    issued, _claimed = ticket_counts(session, workshop)
    if issued + count > TICKETS_PER_WORKSHOP:
        raise Refused("too_many_tickets", 409, limit=TICKETS_PER_WORKSHOP)
    while True:
        codes: list[str] = []
        digests: set[str] = set()
        while len(codes) < count:
            code = tokens.new_ticket()
            key = tokens.ticket_digest(workshop.id, code.replace("-", ""))
            if key not in digests:
                digests.add(key)
                codes.append(code)
        # A repeat of an earlier ticket (about 1 in 10^11): draw the batch again.
        if session.scalar(select(Ticket.id).where(Ticket.digest.in_(digests)).limit(1)) is None:
            break
    session.add_all(Ticket(workshop_id=workshop.id, digest=key, batch=batch)
                    for key in sorted(digests))
    commit_and_announce(session, workshop)
    return codes


def claim_ticket(session: Session, workshop: Workshop, participant: Participant,
                 code: object) -> dict[str, Any]:
    """Spend a printed ticket for this participant, who may then vote in ticket rounds.

    Single use: the ticket row is taken with one conditional UPDATE, so two phones typing
    the same code at once cannot both get it. Typing one's own ticket again (a re-sent
    form) is fine; a second ticket for someone who already holds one is refused, since
    it would give them nothing and take a ballot away from the person it was meant for.
    """
    clean = tokens.normalise_ticket(code)
    if clean is None:
        raise Refused("bad_ticket")
    key = tokens.ticket_digest(workshop.id, clean)
    begin_write(session)
    mine = session.scalar(select(Ticket.digest).where(Ticket.participant_id == participant.id))
    if mine is not None:
        session.rollback()
        if mine == key:
            return {"ok": True, "ticket": True}
        raise Refused("ticket_already_held", 409)
    taken = session.execute(
        update(Ticket)
        .where(Ticket.digest == key, Ticket.workshop_id == workshop.id,
               Ticket.participant_id.is_(None))
        .values(participant_id=participant.id, claimed_at=utcnow())
        .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        session.rollback()
        raise Refused("bad_ticket")
    try:
        session.commit()
    except IntegrityError as error:  # the same participant claimed another at this moment
        session.rollback()
        raise Refused("ticket_already_held", 409) from error
    broadcast.changed(workshop.code)
    return {"ok": True, "ticket": True}
