"""Finding a workshop, a participant or a phone's ids: the reads every edge and verb shares.

Read side of the infra layer: SQLAlchemy and the pure core only; writes nothing.
`find_*` may return None, `get_*` refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from workshop.core import tokens
from workshop.core.errors import Refused
from workshop.core.ids import bounded_id
from workshop.store.models import (
    FACILITATOR_LINK_KINDS,
    Activity,
    Device,
    Idea,
    Participant,
    ProfileQuestion,
    Round,
    Ticket,
    Workshop,
)


def find_workshop(session: Session, code: str) -> Workshop | None:
    """Return the workshop with this join code, or None."""
    canonical = tokens.normalise_code(code)
    if canonical is None:
        return None
    return session.scalar(select(Workshop).where(Workshop.code == canonical))


def get_workshop(session: Session, code: str) -> Workshop:
    """Return the workshop with this join code, or refuse with not_found."""
    workshop = find_workshop(session, code)
    if workshop is None:
        raise Refused("workshop_not_found", 404)
    return workshop


def find_workshop_by_secret(session: Session, secret: str) -> Workshop | None:
    """Return the workshop a facilitator secret opens, or None."""
    if not tokens.looks_like_secret(secret):
        return None
    return session.scalar(
        select(Workshop).where(Workshop.facilitator_digest == tokens.digest(secret)))


def find_facilitator_link(session: Session, secret: object) -> tuple[Workshop, str] | None:
    """Return the workshop a facilitator link opens and the link's role: "facilitator"
    (the workshop's own link), "cofacilitator" or "moderator" (links it handed out and has
    not revoked); None for anything else. One digest, at most two indexed lookups."""
    if not tokens.looks_like_secret(secret):
        return None
    digest = tokens.digest(str(secret))
    workshop = session.scalar(select(Workshop).where(Workshop.facilitator_digest == digest))
    if workshop is not None:
        return workshop, "facilitator"
    row = session.execute(
        select(Device.kind, Workshop).join(Workshop, Workshop.id == Device.workshop_id)
        .where(Device.digest == digest, Device.kind.in_(FACILITATOR_LINK_KINDS),
               Device.revoked_at.is_(None))).first()
    return None if row is None else (row[1], row[0])


def own_idea_statuses(session: Session, participant_id: int) -> list[dict[str, Any]]:
    """Return the status of each idea one participant proposed (their phone's list; at
    most IDEA_STATUS_MAX, the newest)."""
    rows = session.execute(select(Idea.id, Idea.status).where(
        Idea.participant_id == participant_id).order_by(Idea.id.desc())
        .limit(IDEA_STATUS_MAX)).all()
    return [{"id": idea, "status": status} for idea, status in rows]


IDEA_STATUS_MAX = 100


def find_participant(session: Session, workshop: Workshop, secret: str | None
                     ) -> Participant | None:
    """Return the participant a cookie secret names in this workshop, or None."""
    if not secret or not tokens.looks_like_secret(secret):
        return None
    return session.scalar(select(Participant).where(
        Participant.secret_digest == tokens.digest(secret),
        Participant.workshop_id == workshop.id))


@dataclass(frozen=True)
class ParticipantIds:
    """A participant as the ballot writer needs it: ids only, found with one query and no
    ORM objects.

    A ballot is the command a whole hall sends within seconds; looking the workshop and
    the participant up as ORM objects cost more than the rest of the request together
    (docs/performance.md), and the writer needs only these ids.
    """

    workshop_id: int
    code: str
    participant_id: int
    channel: str

    @classmethod
    def of(cls, workshop: Workshop, participant: Participant) -> ParticipantIds:
        """Return the ids of a participant already loaded as a row."""
        return cls(workshop.id, workshop.code, participant.id, participant.channel)


_PARTICIPANT_IDS_QUERY = (
    select(Workshop.id, Workshop.code, Participant.id, Participant.channel)
    .join(Participant, Participant.workshop_id == Workshop.id)
    .where(Workshop.code == bindparam("code"),
           Participant.secret_digest == bindparam("digest")))


def find_participant_ids(session: Session, code: str, secret: object) -> ParticipantIds | None:
    """Return the participant a cookie secret names in the workshop with this code, or None
    (no such workshop, or this browser has not joined it)."""
    canonical = tokens.normalise_code(code)
    if canonical is None or not tokens.looks_like_secret(secret):
        return None
    # On the session's connection, not through the ORM: no objects, half the CPU.
    row = session.connection().execute(
        _PARTICIPANT_IDS_QUERY, {"code": canonical, "digest": tokens.digest(str(secret))}).first()
    return ParticipantIds(*row) if row is not None else None


def holds_ticket(session: Session, participant: Participant) -> bool:
    """Say whether a participant has typed one of their workshop's tickets."""
    return session.scalar(select(Ticket.id).where(
        Ticket.participant_id == participant.id)) is not None

def agenda(session: Session, workshop: Workshop) -> list[Activity]:
    """Return a workshop's activities in agenda order."""
    return list(session.scalars(select(Activity).where(Activity.workshop_id == workshop.id)
                                .order_by(Activity.position, Activity.id)))

def open_activity(session: Session, workshop: Workshop) -> Activity | None:
    """Return the activity running now, if any (at most one runs at a time)."""
    return session.scalar(select(Activity).where(Activity.workshop_id == workshop.id,
                                                 Activity.status == "open")
                          .order_by(Activity.position).limit(1))

def _owned(session: Session, workshop: Workshop, model: type[Any], row_id: object,
           missing: str) -> Any:
    """Return the row of `model` with this id if it belongs to this workshop, else refuse
    with `missing` (404): ids sent by a client are never trusted to be the workshop's, nor
    to fit the table's id column (`bounded_id`)."""
    row = session.get(model, bounded_id(row_id, missing, 404))
    if row is None or row.workshop_id != workshop.id:
        raise Refused(missing, 404)
    return row


def get_round(session: Session, workshop: Workshop, round_id: object) -> Round:
    """Return one of this workshop's votes (rounds), or refuse with round_not_found."""
    return _owned(session, workshop, Round, round_id, "round_not_found")


def get_activity(session: Session, workshop: Workshop, activity_id: object) -> Activity:
    """Return one of this workshop's activities, or refuse with activity_not_found."""
    return _owned(session, workshop, Activity, activity_id, "activity_not_found")


def get_profile_question(session: Session, workshop: Workshop, question_id: object
                         ) -> ProfileQuestion:
    """Return one of this workshop's profile questions, or refuse with question_not_found."""
    return _owned(session, workshop, ProfileQuestion, question_id, "question_not_found")


def get_idea(session: Session, workshop: Workshop, idea_id: object) -> Idea:
    """Return one of this workshop's ideas, or refuse with idea_not_found."""
    return _owned(session, workshop, Idea, idea_id, "idea_not_found")


def find_device(session: Session, token: object, kind: str) -> tuple[Device, Workshop] | None:
    """Return the kiosk or helper link a token opens, with its workshop; None if the token
    is unknown, of the other kind, or revoked."""
    if not tokens.looks_like_secret(token):
        return None
    row = session.execute(
        select(Device, Workshop).join(Workshop, Workshop.id == Device.workshop_id)
        .where(Device.digest == tokens.digest(str(token)), Device.kind == kind,
               Device.revoked_at.is_(None))).first()
    return None if row is None else (row[0], row[1])
