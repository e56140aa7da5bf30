"""Creating a workshop, renaming it, and the rule for moving the room between phases.

Verbs layer. The moves themselves are made by the agenda's activities (ops/activities.py).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workshop.core import tokens
from workshop.core.activities import get_kind
from workshop.core.errors import Refused
from workshop.core.phases import Phase, PhaseError, check_move
from workshop.core.text import clean_text
from workshop.ops.transactions import commit_and_announce, one_change
from workshop.store import lookups
from workshop.store.models import TITLE_MAX, Activity, ProfileQuestion, Workshop


def create_workshop(session: Session, title: str) -> tuple[Workshop, str]:
    """Create a workshop; return it and its facilitator secret (shown once, stored hashed)."""
    clean = clean_text(title, TITLE_MAX, "bad_title")
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


def duplicate_workshop(session: Session, source: Workshop,
                       retitle: Callable[[str], str]) -> tuple[Workshop, str]:
    """Start a new workshop from an earlier one, for next year's day or another region:
    its agenda planned again (every step, titles, questions to phones and settings, the
    steps' references to each other pointing at the new steps), its profile questions
    with their expected shares, its smallest group shown, its retention and its themes.
    Nothing of the people: no idea, ballot, participant, ticket or answer. `retitle`
    names the copy from the source's title. Returns the new workshop and its facilitator secret."""
    steps = lookups.agenda(session, source)
    questions = session.scalars(select(ProfileQuestion).where(
        ProfileQuestion.workshop_id == source.id).order_by(ProfileQuestion.position)).all()
    title = clean_text(retitle(source.title)[:TITLE_MAX], TITLE_MAX, "bad_title")
    secret = tokens.new_secret()
    for _attempt in range(10):
        workshop = Workshop(code=tokens.new_code(), title=title,
                            facilitator_digest=tokens.digest(secret), phase=Phase.LOBBY,
                            min_group_size=source.min_group_size,
                            retention_days=source.retention_days,
                            auto_approve=source.auto_approve, blocklist=source.blocklist,
                            themes=source.themes, wall_by_theme=source.wall_by_theme)
        session.add(workshop)
        try:
            session.flush()
        except IntegrityError:  # the random code was taken: draw another
            session.rollback()
            continue
        copies = {step.id: Activity(workshop_id=workshop.id, position=step.position,
                                    kind=step.kind, title=step.title, prompt=step.prompt,
                                    settings=dict(step.settings), status="planned",
                                    timer_seconds=step.timer_seconds,
                                    auto_close=step.auto_close)
                  for step in steps}
        session.add_all(copies.values())
        session.flush()  # the copies' ids, for the references between them
        for copy in copies.values():
            kind = get_kind(copy.kind)
            settings = dict(copy.settings)
            for name, step_id, _kind in kind.references(settings):
                settings[name] = copies[step_id].id
            copy.settings = kind.check_settings(settings)
        session.add_all(ProfileQuestion(workshop_id=workshop.id, position=question.position,
                                        text=question.text, choices=list(question.choices))
                        for question in questions)
        session.commit()
        return workshop, secret
    raise Refused("code_exhausted", 503)


@one_change
def rotate_facilitator_link(session: Session, workshop: Workshop) -> str:
    """Give the workshop a new facilitator link and return it (shown once, only its digest
    is stored): the old one opens nothing from now on, for a holder who leaked it. The
    co-facilitator and moderator links it handed out stay open (each is revoked on its
    own)."""
    secret = tokens.new_secret()
    workshop.facilitator_digest = tokens.digest(secret)
    commit_and_announce(session, workshop)
    return secret


@one_change
def rename_workshop(session: Session, workshop: Workshop, title: str,
                    place: object = None) -> None:
    """Change the title shown on every screen and, when given, the place of the day
    (the report's first lines; an empty place says none)."""
    workshop.title = clean_text(title, TITLE_MAX, "bad_title")
    if place is not None:
        workshop.place = "" if place == "" else clean_text(place, TITLE_MAX, "bad_place")
    commit_and_announce(session, workshop)


def move_room(workshop: Workshop, target: Phase) -> None:
    """Move the room to another phase, or refuse a move the room cannot make."""
    try:
        workshop.phase = check_move(workshop.phase, target)
    except PhaseError as error:
        raise Refused("bad_phase_move", 409, current=str(error.current),
                      target=str(error.target)) from error
