"""Every change a person can make to a workshop: one function per intention.

Verbs layer: the only code that writes. Each function validates through the pure core,
commits, and only then announces the change, so a push never shows what the database
does not hold and an acknowledgement is never sent before the commit. May import the
models, the pure core, broadcast and the read-side snapshots; never the Flask edges.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workshop import broadcast, groupcommit, tokens
from workshop.db import begin_write, get_session
from workshop.errors import Refused
from workshop.forms import UnreadBallot
from workshop.models import (
    IDEA_MAX,
    TITLE_MAX,
    Ballot,
    Idea,
    Participant,
    Receipt,
    Round,
    Ticket,
    Workshop,
    utcnow,
)
from workshop.phases import Phase, PhaseError, check_move
from workshop.snapshots import ticket_counts
from workshop.voting import BallotError, get_method

T = TypeVar("T")
IDEA_STATUSES = ("pending", "approved", "hidden", "merged")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


# --- reading helpers the verbs share --------------------------------------------------

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


def find_participant(session: Session, workshop: Workshop, secret: str | None
                     ) -> Participant | None:
    """Return the participant a cookie secret names in this workshop, or None."""
    if not secret or not tokens.looks_like_secret(secret):
        return None
    return session.scalar(select(Participant).where(
        Participant.secret_digest == tokens.digest(secret),
        Participant.workshop_id == workshop.id))


@dataclass(frozen=True)
class Voter:
    """A phone as its commands need it: ids only, found with one query and no ORM objects.

    A ballot is the command a whole hall sends within seconds; looking the workshop, the
    participant and the current round up as ORM objects cost more than the rest of the
    request together (docs/performance.md), and the group commit needs only these ids.
    """

    workshop_id: int
    code: str
    participant_id: int
    channel: str
    method: str | None  # the current round's method, None before the first round


_VOTER_QUERY = (
    select(Workshop.id, Workshop.code, Participant.id, Participant.channel, Round.method)
    .join(Participant, Participant.workshop_id == Workshop.id)
    .outerjoin(Round, Round.id == Workshop.current_round_id)
    .where(Workshop.code == bindparam("code"),
           Participant.secret_digest == bindparam("digest")))


def find_voter(session: Session, code: str, secret: object) -> Voter | None:
    """Return the participant a cookie secret names in the workshop with this code, or None
    (no such workshop, or this browser has not joined it)."""
    canonical = tokens.normalise_code(code)
    if canonical is None or not tokens.looks_like_secret(secret):
        return None
    # On the session's connection, not through the ORM: no objects, half the CPU.
    row = session.connection().execute(
        _VOTER_QUERY, {"code": canonical, "digest": tokens.digest(str(secret))}).first()
    return Voter(*row) if row is not None else None


def _clean_text(value: object, limit: int, code: str) -> str:
    """Return stripped single-spaced text within `limit` characters, or refuse.

    Control characters (NUL, escape, ...) are dropped and so are lone surrogates, which a
    JSON body can carry ("\\ud800") but no database can store as UTF-8.
    """
    if not isinstance(value, str):
        raise Refused(code, limit=limit)
    text = " ".join(_UNPRINTABLE.sub("", " ".join(value.split())).split())
    if not text or len(text) > limit:
        raise Refused(code, limit=limit)
    return text


def _commit_and_announce(session: Session, workshop: Workshop) -> None:
    session.commit()
    broadcast.changed(workshop.code)


# --- workshops and phases -------------------------------------------------------------

def create_workshop(session: Session, title: str) -> tuple[Workshop, str]:
    """Create a workshop; return it and its facilitator secret (shown once, stored hashed)."""
    clean = _clean_text(title, TITLE_MAX, "bad_title")
    secret = tokens.new_secret()
    for _attempt in range(10):
        workshop = Workshop(code=tokens.new_code(), title=clean,
                            facilitator_digest=tokens.digest(secret), phase=Phase.LOBBY)
        session.add(workshop)
        try:
            session.commit()
            return workshop, secret
        except IntegrityError:  # the random code was taken: draw another
            session.rollback()
    raise Refused("code_exhausted", 503)


def rename_workshop(session: Session, workshop: Workshop, title: str) -> None:
    """Change the title shown on every screen."""
    workshop.title = _clean_text(title, TITLE_MAX, "bad_title")
    _commit_and_announce(session, workshop)


def _move(workshop: Workshop, target: Phase) -> None:
    try:
        workshop.phase = check_move(workshop.phase, target)
    except PhaseError as error:
        raise Refused("bad_phase_move", 409, current=str(error.current),
                      target=str(error.target)) from error


def open_lobby(session: Session, workshop: Workshop) -> None:
    """Send every phone back to the welcome screen."""
    _move(workshop, Phase.LOBBY)
    _commit_and_announce(session, workshop)


def open_ideas(session: Session, workshop: Workshop) -> None:
    """Let phones submit ideas."""
    _move(workshop, Phase.IDEAS)
    _commit_and_announce(session, workshop)


def approved_ideas(session: Session, workshop: Workshop) -> list[Idea]:
    """Return the ideas approved for voting, oldest first."""
    return list(session.scalars(select(Idea).where(
        Idea.workshop_id == workshop.id, Idea.status == "approved").order_by(Idea.id)))


def open_round(session: Session, workshop: Workshop, *, title: str | None = None,
               method: str = "dots", settings: Mapping[str, Any] | None = None,
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
    _move(workshop, Phase.VOTE)
    number = (session.scalar(select(func.max(Round.number))
                             .where(Round.workshop_id == workshop.id)) or 0) + 1
    round_title = _clean_text(title, TITLE_MAX, "bad_title") if title else None
    vote = Round(workshop_id=workshop.id, number=number, title=round_title or f"Vote {number}",
                 method=method, settings=clean_settings, options=options, status="open",
                 show_live=bool(show_live), require_ticket=bool(require_ticket),
                 revealed=False)
    session.add(vote)
    session.flush()
    workshop.current_round_id = vote.id
    _commit_and_announce(session, workshop)
    return vote


def _current_round(session: Session, workshop: Workshop) -> Round:
    vote = session.get(Round, workshop.current_round_id) if workshop.current_round_id else None
    if vote is None:
        raise Refused("no_round", 409)
    return vote


def close_round(session: Session, workshop: Workshop) -> Round:
    """Stop the vote: no ballot commits after this one does."""
    vote = _current_round(session, workshop)
    if vote.status != "open":
        raise Refused("round_closed", 409)
    _move(workshop, Phase.RESULTS)
    vote.status = "closed"
    vote.closed_at = utcnow()
    _commit_and_announce(session, workshop)
    return vote


def show_live_results(session: Session, workshop: Workshop, show: bool) -> None:
    """Show or hide the live totals on the projector while the vote runs."""
    vote = _current_round(session, workshop)
    vote.show_live = bool(show)
    _commit_and_announce(session, workshop)


def reveal_results(session: Session, workshop: Workshop, reveal: bool = True) -> None:
    """Show (or hide again) the closed round's results on the projector and phones."""
    vote = _current_round(session, workshop)
    if vote.status != "closed":
        raise Refused("round_open", 409)
    vote.revealed = bool(reveal)
    _commit_and_announce(session, workshop)


# --- participants and their commands --------------------------------------------------

def join_workshop(session: Session, workshop: Workshop, channel: str = "phone"
                  ) -> tuple[Participant, str]:
    """Register a new anonymous participant; return it and its cookie secret."""
    secret = tokens.new_secret()
    participant = Participant(workshop_id=workshop.id, secret_digest=tokens.digest(secret),
                              channel=channel)
    session.add(participant)
    session.commit()
    return participant, secret


def _once(session: Session, participant: Participant, client_id: str, kind: str,
          work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `work` once per client id: a re-sent command gets the first answer again."""
    if not tokens.valid_client_id(client_id):
        raise Refused("bad_client_id")
    for _attempt in range(5):
        begin_write(session)
        done = session.scalar(select(Receipt).where(
            Receipt.participant_id == participant.id, Receipt.client_id == client_id))
        if done is not None:
            session.rollback()
            return {**done.response, "duplicate": True}
        try:
            response = work()
            session.add(Receipt(participant_id=participant.id, client_id=client_id,
                                kind=kind, response=response))
            session.commit()
            return response
        except IntegrityError:
            # Another request with the same id, or a concurrent ballot, won the race:
            # look again, the answer is now in the database.
            session.rollback()
        except Exception:
            session.rollback()
            raise
    raise Refused("busy", 503)


def submit_idea(session: Session, workshop: Workshop, participant: Participant,
                text: str, client_id: str) -> dict[str, Any]:
    """Propose an idea; it waits for the facilitator's approval."""
    if workshop.phase != Phase.IDEAS:
        raise Refused("ideas_closed", 409)
    clean = _clean_text(text, IDEA_MAX, "bad_idea")

    def work() -> dict[str, Any]:
        session.refresh(workshop)  # checked again inside the write transaction
        if workshop.phase != Phase.IDEAS:
            raise Refused("ideas_closed", 409)
        idea = Idea(workshop_id=workshop.id, participant_id=participant.id, text=clean,
                    status="pending")
        session.add(idea)
        session.flush()
        return {"ok": True, "idea": {"id": idea.id, "text": idea.text, "status": idea.status}}

    response = _once(session, participant, client_id, "idea", work)
    broadcast.changed(workshop.code)
    return response


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

    response = _once(session, participant, client_id, "ballot", work)
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

    response = _once(session, participant, client_id, "pair", work)
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


# --- printed ballot tickets -------------------------------------------------------------

TICKETS_PER_BATCH = 500
TICKETS_PER_WORKSHOP = 5000


def issue_tickets(session: Session, workshop: Workshop, count: object) -> list[str]:
    """Draw `count` new single-use ticket codes for printing; return them in clear.

    This is the only moment the codes exist outside the paper: only their digests are
    stored, so a lost printout is replaced by issuing more, never by showing them again.
    """
    if isinstance(count, bool) or not isinstance(count, int) \
            or not 1 <= count <= TICKETS_PER_BATCH:
        raise Refused("bad_ticket_count", limit=TICKETS_PER_BATCH)
    issued, _claimed = ticket_counts(session, workshop)
    if issued + count > TICKETS_PER_WORKSHOP:
        raise Refused("too_many_tickets", 409, limit=TICKETS_PER_WORKSHOP)
    codes: list[str] = []
    digests: set[str] = set()
    while len(codes) < count:
        code = tokens.new_ticket()
        key = tokens.ticket_digest(workshop.id, code.replace("-", ""))
        if key not in digests:
            digests.add(key)
            codes.append(code)
    taken = set(session.scalars(select(Ticket.digest).where(Ticket.digest.in_(digests))))
    if taken:  # a repeat of an earlier ticket (about 1 in 10^11): draw the batch again
        session.rollback()
        return issue_tickets(session, workshop, count)
    session.add_all(Ticket(workshop_id=workshop.id, digest=key) for key in sorted(digests))
    session.commit()
    broadcast.changed(workshop.code)
    return codes


def holds_ticket(session: Session, participant: Participant) -> bool:
    """Say whether a participant has typed one of their workshop's tickets."""
    return session.scalar(select(Ticket.id).where(
        Ticket.participant_id == participant.id)) is not None


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


# --- moderation -----------------------------------------------------------------------

def _get_idea(session: Session, workshop: Workshop, idea_id: object) -> Idea:
    if isinstance(idea_id, bool) or not isinstance(idea_id, int):
        raise Refused("idea_not_found", 404)
    idea = session.get(Idea, idea_id)
    if idea is None or idea.workshop_id != workshop.id:
        raise Refused("idea_not_found", 404)
    return idea


def _refuse_if_in_open_round(session: Session, workshop: Workshop, idea: Idea) -> None:
    if workshop.current_round_id is None:
        return
    vote = session.get(Round, workshop.current_round_id)
    if vote is not None and vote.status == "open" and idea.id in vote.options:
        raise Refused("idea_in_open_round", 409)


def add_idea(session: Session, workshop: Workshop, text: str) -> Idea:
    """Add an already-approved idea as the facilitator (e.g. read out from the floor)."""
    idea = Idea(workshop_id=workshop.id, text=_clean_text(text, IDEA_MAX, "bad_idea"),
                status="approved")
    session.add(idea)
    _commit_and_announce(session, workshop)
    return idea


def approve_idea(session: Session, workshop: Workshop, idea_id: int) -> None:
    """Put an idea on the wall and in the next vote."""
    idea = _get_idea(session, workshop, idea_id)
    if idea.status == "merged":
        raise Refused("idea_merged", 409)
    idea.status = "approved"
    _commit_and_announce(session, workshop)


def hide_idea(session: Session, workshop: Workshop, idea_id: int) -> None:
    """Take an idea off the wall (kept in the database, never deleted)."""
    idea = _get_idea(session, workshop, idea_id)
    _refuse_if_in_open_round(session, workshop, idea)
    idea.status = "hidden"
    _commit_and_announce(session, workshop)


def edit_idea(session: Session, workshop: Workshop, idea_id: int, text: str) -> None:
    """Correct an idea's wording (a typo, a clearer phrase)."""
    idea = _get_idea(session, workshop, idea_id)
    idea.text = _clean_text(text, IDEA_MAX, "bad_idea")
    _commit_and_announce(session, workshop)


def merge_ideas(session: Session, workshop: Workshop, source_id: int, target_id: int) -> None:
    """Fold a duplicate idea into another: the duplicate leaves the wall and the vote."""
    source = _get_idea(session, workshop, source_id)
    target = _get_idea(session, workshop, target_id)
    if source.id == target.id:
        raise Refused("merge_into_itself")
    if target.status in ("merged", "hidden"):
        raise Refused("merge_target_unavailable", 409)
    _refuse_if_in_open_round(session, workshop, source)
    source.status = "merged"
    source.merged_into_id = target.id
    if target.status == "pending":
        target.status = "approved"
    _commit_and_announce(session, workshop)
