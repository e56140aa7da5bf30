"""Creating a workshop, renaming it, and the rule for moving the room between phases.

Verbs layer. The moves themselves are made by the agenda's activities (ops/activities.py).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workshop.core import tokens
from workshop.core.errors import Refused
from workshop.core.phases import Phase, PhaseError, check_move
from workshop.core.text import clean_text
from workshop.ops.transactions import commit_and_announce, one_change
from workshop.store.models import TITLE_MAX, Workshop


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


@one_change
def rename_workshop(session: Session, workshop: Workshop, title: str) -> None:
    """Change the title shown on every screen."""
    workshop.title = clean_text(title, TITLE_MAX, "bad_title")
    commit_and_announce(session, workshop)


def move_room(workshop: Workshop, target: Phase) -> None:
    """Move the room to another phase, or refuse a move the room cannot make."""
    try:
        workshop.phase = check_move(workshop.phase, target)
    except PhaseError as error:
        raise Refused("bad_phase_move", 409, current=str(error.current),
                      target=str(error.target)) from error
