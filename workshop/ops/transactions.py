"""How every verb ends: commit, then announce; and commands carried out once per client id.

Verbs layer. A push must never show what the database does not hold, and a re-sent
command (a phone retrying after a lost answer) must get its first answer back, not be
carried out twice.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workshop.core import tokens
from workshop.core.errors import Refused
from workshop.live import broadcast
from workshop.store.db import begin_write
from workshop.store.models import Participant, Receipt, Workshop

V = TypeVar("V", bound=Callable[..., Any])


def one_change(verb: V) -> V:
    """Run a facilitator's verb as one write transaction that the verb owns.

    The transaction begins before the verb reads anything: SQLite's BEGIN IMMEDIATE, and
    the workshop row reloaded and, on PostgreSQL, locked FOR UPDATE, so two commands on one
    workshop (a double click, two tabs) run one after the other and what the verb checks
    is what it writes on. The verb commits and announces at its end
    (`commit_and_announce`); a refusal or any error rolls everything back. A verb never
    calls another (the inner commit would end the outer transaction half-way): that raises.
    """
    @functools.wraps(verb)
    def run(session: Session, workshop: Workshop, *args: Any, **kwargs: Any) -> Any:
        if session.info.get("one_change"):
            raise RuntimeError(f"{verb.__name__} called from inside another verb")
        begin_write(session)
        session.refresh(workshop, with_for_update=True)
        session.info["one_change"] = True
        try:
            return verb(session, workshop, *args, **kwargs)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.info["one_change"] = False

    return run  # type: ignore[return-value]


def commit_and_announce(session: Session, workshop: Workshop) -> None:
    """Commit the verb's change, then tell the room's screens it changed."""
    session.commit()
    broadcast.changed(workshop.code)


def once_per_client_id(session: Session, participant: Participant, client_id: str, kind: str,
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
