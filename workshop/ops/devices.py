"""Kiosk and helper links, and the ballots they bring: a shared tablet's voters and paper.

Verbs layer. A kiosk gives every person who votes on it a new anonymous participant
(channel "kiosk"); a paper sheet's number gives its own participant (channel "paper") in
its vote. Both cast through `ops.cast_ballot`, the one ballot path, so the same checks,
the same storage and the same tally apply as for phones. Their participants' secrets are
derived (from the kiosk and the form's client id, or from the vote and the sheet number),
never handed out: a re-sent kiosk form or the same sheet typed twice finds the same
participant, and the unique digest settles two helpers saving one number at once.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workshop.core import paper, tokens
from workshop.core.errors import Refused
from workshop.core.fields import UnreadBallot
from workshop.core.ids import bounded_id
from workshop.core.phases import Phase
from workshop.core.voting import get_method
from workshop.core.voting.reading import ticked
from workshop.live import broadcast
from workshop.ops.ballots import cast_ballot
from workshop.ops.profiles import answer_profile, decide_consent
from workshop.ops.transactions import commit_and_announce, one_change
from workshop.store.db import begin_write
from workshop.store.lookups import ParticipantIds
from workshop.store.models import (
    DEVICE_KINDS,
    Device,
    PaperEntry,
    Participant,
    ProfileConsent,
    Receipt,
    Round,
    Workshop,
    utcnow,
)

DEVICES_PER_WORKSHOP = 50
LABEL_MAX = 60
_PIN = re.compile(r"^[0-9]{4,8}$")
# What a paper entry keeps of the form (a review shows it): ballot and profile fields only.
_KEPT = re.compile(r"^((dots|approve|points|rank|q)-[0-9]{1,12}|consent)$")
KEPT_MAX = 300


def _pin_digest(device_id: int, pin: str) -> str:
    return tokens.digest(f"pin:{device_id}:{pin}")


@one_change
def issue_device(session: Session, workshop: Workshop, kind: object, label: object = "",
                 pin: object = None) -> tuple[Device, str]:
    """Create a kiosk link (with its exit PIN, 4 to 8 digits) or a helper link; return it
    and its token in clear, shown once: only the token's digest is stored."""
    if kind not in DEVICE_KINDS:
        raise Refused("bad_request")
    label = label.strip() if isinstance(label, str) else ""
    if len(label) > LABEL_MAX:
        raise Refused("bad_label", limit=LABEL_MAX)
    if kind == "kiosk" and not (isinstance(pin, str) and _PIN.match(pin)):
        raise Refused("bad_pin")
    count = len(session.scalars(select(Device.id).where(
        Device.workshop_id == workshop.id)).all())
    if count >= DEVICES_PER_WORKSHOP:
        raise Refused("too_many_devices", 409, limit=DEVICES_PER_WORKSHOP)
    token = tokens.new_secret()
    device = Device(workshop_id=workshop.id, kind=kind, label=label,
                    digest=tokens.digest(token))
    session.add(device)
    session.flush()
    if kind == "kiosk":
        device.pin_digest = _pin_digest(device.id, str(pin))
    commit_and_announce(session, workshop)
    return device, token


@one_change
def revoke_device(session: Session, workshop: Workshop, device_id: object) -> None:
    """Close a kiosk or helper link for good (its ballots stay counted)."""
    device = session.get(Device, bounded_id(device_id, "device_not_found", 404))
    if device is None or device.workshop_id != workshop.id:
        raise Refused("device_not_found", 404)
    if device.revoked_at is None:
        device.revoked_at = utcnow()
    commit_and_announce(session, workshop)


def pin_matches(device: Device, pin: object) -> bool:
    """Say whether a typed PIN is this kiosk's exit PIN (constant-time comparison)."""
    if device.pin_digest is None or not isinstance(pin, str) or not _PIN.match(pin):
        return False
    return hmac.compare_digest(_pin_digest(device.id, pin), device.pin_digest)


def _derived_participant(session: Session, workshop: Workshop, key: str, channel: str
                         ) -> Participant:
    """Return the participant whose secret is derived from `key`, making it if new."""
    digest = tokens.digest(key)
    found = session.scalar(select(Participant).where(Participant.secret_digest == digest))
    if found is not None:
        session.rollback()
        return found
    begin_write(session)
    try:
        person = Participant(workshop_id=workshop.id, secret_digest=digest, channel=channel)
        session.add(person)
        session.commit()
        return person
    except IntegrityError:  # made by a concurrent request at this moment: take that one
        session.rollback()
        return session.scalars(select(Participant).where(
            Participant.secret_digest == digest)).one()


def _open_vote(session: Session, workshop: Workshop) -> Round:
    """Return the workshop's open vote, or refuse; a stepwise one is voted on phones only."""
    session.refresh(workshop)
    vote = session.get(Round, workshop.current_round_id) if workshop.current_round_id else None
    if vote is None or vote.status != "open" or workshop.phase != Phase.VOTE:
        raise Refused("round_closed", 409)
    if get_method(vote.method).STEPWISE:
        raise Refused("phones_only", 409, method=vote.method)
    return vote


def _profile(session: Session, workshop: Workshop, person: Participant,
             fields: Mapping[str, Any], first: bool) -> None:
    """Record the profile part of a kiosk or paper ballot: answers only with the consent
    box ticked and while the questions are asked; untick it on a correction to erase."""
    agreed = ticked(fields.get("consent"))
    if agreed and workshop.profiles_open:
        decide_consent(session, workshop, person, True)
        answers = {key[2:]: value for key, value in fields.items()
                   if isinstance(key, str) and key.startswith("q-") and value}
        if answers:
            answer_profile(session, workshop, person, answers)
    elif not agreed and not first and session.get(ProfileConsent, person.id) is not None:
        decide_consent(session, workshop, person, False)
    session.rollback()


def kiosk_vote(session: Session, device: Device, workshop: Workshop,
               fields: Mapping[str, Any]) -> dict[str, Any]:
    """Record one person's ballot (and profile answers) from a kiosk: a new participant
    per kiosk form (its client id), so a re-sent form is recognised, not counted twice."""
    client_id = fields.get("client_id")
    if not tokens.valid_client_id(client_id):
        raise Refused("bad_client_id")
    _open_vote(session, workshop)
    session.rollback()
    person = _derived_participant(session, workshop, f"kiosk:{device.id}:{client_id}",
                                  channel="kiosk")
    answer = cast_ballot(session, ParticipantIds.of(workshop, person),
                         UnreadBallot(fields, form=True), client_id)
    if not answer.get("duplicate"):
        _profile(session, workshop, person, fields, first=True)
    return answer


@one_change
def print_paper(session: Session, workshop: Workshop, count: object
                ) -> tuple[Round, list[str]]:
    """Number `count` more paper ballots for the open vote; return it and their numbers."""
    if isinstance(count, bool) or not isinstance(count, int) \
            or not 1 <= count <= paper.PAPER_PER_BATCH:
        raise Refused("bad_paper_count", limit=paper.PAPER_PER_BATCH)
    vote = session.get(Round, workshop.current_round_id) if workshop.current_round_id else None
    if vote is None or vote.status != "open":
        raise Refused("round_closed", 409)
    if vote.method not in paper.METHODS:
        raise Refused("phones_only", 409, method=vote.method)
    if vote.paper_printed + count > paper.PAPER_PER_VOTE:
        raise Refused("too_many_paper", 409, limit=paper.PAPER_PER_VOTE)
    first = vote.paper_printed + 1
    vote.paper_printed += count
    numbers = [paper.format_number(vote.number, n) for n in range(first, first + count)]
    commit_and_announce(session, workshop)
    return vote, numbers


def _kept(fields: Mapping[str, Any]) -> dict[str, str]:
    kept = {key: str(value)[:20] for key, value in fields.items()
            if isinstance(key, str) and _KEPT.match(key) and value not in (None, "")}
    if len(kept) > KEPT_MAX:
        raise Refused("bad_request")
    return kept


def enter_paper(session: Session, device: Device, workshop: Workshop,
                fields: Mapping[str, Any]) -> dict[str, Any]:
    """Save what a paper ballot says, as a helper typed it.

    The first save of a sheet number in the open vote is counted, through the one ballot
    path. Saving the same number again is kept for review and counts for nothing, unless
    the helper says it corrects the entry (`correct` ticked): then the sheet's ballot is
    replaced. A re-sent form (same client id) gets its first answer back.
    """
    client_id = fields.get("client_id")
    if not tokens.valid_client_id(client_id):
        raise Refused("bad_client_id")
    vote = _open_vote(session, workshop)
    sequence = paper.read_number(fields.get("number"), vote.number, vote.paper_printed)
    if sequence is None:
        session.rollback()
        raise Refused("bad_paper_number")
    number = paper.format_number(vote.number, sequence)
    kept = _kept(fields)
    correct = ticked(fields.get("correct"))
    session.rollback()
    person = _derived_participant(session, workshop, f"paper:{vote.id}:{sequence}",
                                  channel="paper")
    voter = ParticipantIds.of(workshop, person)
    resent = session.scalar(select(Receipt.id).where(
        Receipt.participant_id == person.id, Receipt.client_id == client_id))
    if resent is not None:
        session.rollback()
        return {**cast_ballot(session, voter, UnreadBallot(fields, form=True), client_id),
                "number": number}
    begin_write(session)
    counted = session.scalar(select(PaperEntry).where(PaperEntry.participant_id == person.id))
    claimed = False
    if counted is None:
        try:
            counted = PaperEntry(round_id=vote.id, number=sequence, status="counted",
                                 participant_id=person.id, device_id=device.id, fields=kept)
            session.add(counted)
            session.commit()
            claimed = True
        except IntegrityError:  # another helper saved this number at this moment
            session.rollback()
            begin_write(session)
            counted = None
    if not claimed and not correct:
        session.add(PaperEntry(round_id=vote.id, number=sequence, status="review",
                               participant_id=None, device_id=device.id, fields=kept))
        session.commit()
        broadcast.changed(workshop.code)
        return {"ok": True, "review": True, "number": number}
    session.rollback()
    try:
        answer = cast_ballot(session, voter, UnreadBallot(fields, form=True), client_id)
    except Refused:
        if claimed:  # nothing counted: the number is free again
            begin_write(session)
            session.execute(PaperEntry.__table__.delete().where(
                PaperEntry.participant_id == person.id, PaperEntry.status == "counted"))
            session.commit()
        raise
    if not claimed:
        begin_write(session)
        session.execute(update(PaperEntry).where(PaperEntry.participant_id == person.id)
                        .values(fields=kept, device_id=device.id, updated_at=utcnow()))
        session.execute(update(PaperEntry).where(
            PaperEntry.round_id == vote.id, PaperEntry.number == sequence,
            PaperEntry.status == "review").values(status="resolved", updated_at=utcnow()))
        session.commit()
    _profile(session, workshop, person, fields, first=claimed)
    broadcast.changed(workshop.code)
    return {**answer, "number": number, "corrected": not claimed}
