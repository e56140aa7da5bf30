"""Group commit for ballots: the ballots that arrive together are written in one transaction.

Verbs layer, the write half of `operations.cast_ballot` when the app runs with
BALLOT_GROUP_COMMIT (as `workshop serve` does). In a hall everyone votes within seconds;
one transaction per ballot makes each ballot pay a commit (an fsync on SQLite, which also
stalls a gevent server's only thread) and the ORM's unit of work. Here the first ballot to
arrive leads: it lets the ballots already on their way queue up behind it, then checks and
writes all of them in one write transaction with a few set-wise statements, commits once,
and wakes the others with their answers. Whoever arrives during that commit waits for the
next group, led by the first of them.

Same rules as the one-by-one path, checked inside the write transaction: the round must be
open (on PostgreSQL the round row is read FOR SHARE, so `close_round` and a group exclude
each other); each ballot is validated by its method; a client id already carried out gets
its first answer back with "duplicate": true; an acknowledgement is sent only after the
commit. If the group's transaction fails as a whole (a unique-key race with another
process, say), every ballot in it is redone one by one on the ordinary path.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, TextClause, bindparam, select, text

from workshop.core import tokens
from workshop.core.errors import Refused
from workshop.core.phases import Phase
from workshop.store.db import WRITE_OPTION
from workshop.store.models import Ballot, Receipt, Round, Ticket, Workshop, utcnow

MAX_GROUP = 256
_log = logging.getLogger(__name__)

# The statements a group runs, built once: building a SQLAlchemy statement costs more CPU
# than running it on SQLite, and a hall's ballots run these hundreds of times a second.
_STATES = (select(Workshop.id, Workshop.phase, Round.id, Round.status, Round.method,
                  Round.options, Round.settings, Round.require_ticket)
           .join(Round, Round.id == Workshop.current_round_id)
           .where(Workshop.id.in_(bindparam("workshops", expanding=True))))
# PostgreSQL: FOR SHARE of the round row. An inner join, as PostgreSQL cannot lock the
# nullable side of an outer one; a workshop without a round has no row: round_closed.
_STATES_LOCKED = _STATES.with_for_update(read=True, of=Round)


@functools.lru_cache(maxsize=MAX_GROUP)
def _receipts_of(pairs: int) -> TextClause:
    """Return the look-up of a group's receipts, one index search per (participant, client
    id) pair: two IN lists (participants, client ids) made the database search every
    combination of them, a group's size squared."""
    asked = ", ".join(f"(:p{n}, :c{n})" for n in range(pairs))
    table = Receipt.__table__
    # Only numbered placeholders are written into the SQL; the values are bound.
    return text(f"WITH asked (participant_id, client_id) AS (VALUES {asked}) "  # noqa: S608
                "SELECT r.participant_id, r.client_id, r.response FROM asked "
                "JOIN receipts AS r ON r.participant_id = asked.participant_id "
                "AND r.client_id = asked.client_id"
                ).columns(table.c.participant_id, table.c.client_id, table.c.response)


_HOLDERS = (select(Ticket.participant_id)
            .where(Ticket.participant_id.in_(bindparam("asking", expanding=True))))
_ADD_RECEIPTS = Receipt.__table__.insert()


def _upsert(dialect: str) -> Any:
    """Return the statement that inserts ballots or replaces a participant's ballot."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(Ballot.__table__)
    return statement.on_conflict_do_update(
        index_elements=["round_id", "participant_id"],
        set_={"content": statement.excluded.content, "cast_at": statement.excluded.cast_at})


@dataclass
class _Pending:
    workshop_id: int
    participant_id: int
    channel: str
    ballot: Any
    client_id: str
    done: threading.Event = field(default_factory=threading.Event)
    response: dict[str, Any] | None = None
    error: Refused | None = None
    lead: bool = False
    alone: bool = False


class GroupCommit:
    """Queues ballots and commits them in groups (one per app)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._busy = False
        self.groups = 0
        self.ballots = 0
        self._postgres = engine.dialect.name == "postgresql"
        self._upsert = _upsert(engine.dialect.name) if self.supported() else None

    def supported(self) -> bool:
        """Say whether this database has the upsert the group uses."""
        return self.engine.dialect.name in ("sqlite", "postgresql")

    def cast(self, workshop_id: int, participant_id: int, channel: str, ballot: Any,
             client_id: str) -> dict[str, Any] | None:
        """Commit this ballot with whoever else is voting now; return its answer, or None
        when it must be redone alone (the caller then takes the one-by-one path)."""
        if not tokens.valid_client_id(client_id):
            raise Refused("bad_client_id")
        pending = _Pending(workshop_id, participant_id, channel, ballot, client_id)
        with self._lock:
            self._queue.append(pending)
            pending.lead = not self._busy
            self._busy = True
        if not pending.lead:
            pending.done.wait()
        if pending.lead and pending.response is None and pending.error is None \
                and not pending.alone:
            self._lead()
        if pending.alone:
            return None
        if pending.error is not None:
            raise pending.error
        return pending.response

    def _lead(self) -> None:
        time.sleep(0)  # let the ballots already on their way join this group
        with self._lock:
            group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
        try:
            self._commit(group)
        except Exception as error:
            # Expected rarely (two processes writing the same receipt at once); a message
            # on every group would mean the group never works on this database.
            _log.warning("a group of %d ballots is redone one by one: %s", len(group),
                         str(error).splitlines()[0] if str(error) else type(error).__name__)
            for pending in group:
                pending.alone = True
        finally:
            with self._lock:
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].done.set()  # the next group's leader
                else:
                    self._busy = False
            for pending in group:
                pending.done.set()

    def _commit(self, group: list[_Pending]) -> None:
        with self.engine.connect() as plain:
            connection = plain.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                states = {row[0]: row for row in connection.execute(
                    _STATES_LOCKED if self._postgres else _STATES,
                    {"workshops": list({p.workshop_id for p in group})})}
                holders = self._ticket_holders(connection, states, group)
                asked = {(p.participant_id, p.client_id) for p in group}
                values: dict[str, Any] = {}
                for n, (participant_id, client_id) in enumerate(asked):
                    values[f"p{n}"], values[f"c{n}"] = participant_id, client_id
                done = {(row[0], row[1]): row[2]
                        for row in connection.execute(_receipts_of(len(asked)), values)}
                ballots: dict[tuple[int, int], dict[str, Any]] = {}
                receipts: list[dict[str, Any]] = []
                answered: dict[tuple[int, str], dict[str, Any]] = {}
                now = utcnow()
                for pending in group:
                    key = (pending.participant_id, pending.client_id)
                    if key in done:
                        pending.response = {**done[key], "duplicate": True}
                        continue
                    if key in answered:
                        pending.response = {**answered[key], "duplicate": True}
                        continue
                    try:
                        response, content, round_id = self._check(states, holders, pending)
                    except Refused as refusal:
                        pending.error = refusal
                        continue
                    answered[key] = response
                    ballots[(round_id, pending.participant_id)] = {
                        "round_id": round_id, "participant_id": pending.participant_id,
                        "content": content, "channel": pending.channel, "cast_at": now}
                    receipts.append({"participant_id": pending.participant_id,
                                     "client_id": pending.client_id, "kind": "ballot",
                                     "response": response, "created_at": now})
                if ballots:
                    connection.execute(self._upsert, list(ballots.values()))
                    connection.execute(_ADD_RECEIPTS, receipts)
            for pending in group:
                key = (pending.participant_id, pending.client_id)
                if pending.response is None and key in answered:
                    pending.response = answered[key]
        self.groups += 1
        self.ballots += len(group)

    @staticmethod
    def _ticket_holders(connection: Any, states: dict[int, Any], group: list[_Pending]
                        ) -> set[int]:
        """Return which of the group's voters hold a ticket, asked only for ticket rounds.

        A held ticket is never given back, so reading this in the group's transaction is
        as good as reading it at the moment of each ballot.
        """
        asking = {p.participant_id for p in group
                  if (state := states.get(p.workshop_id)) is not None and state[7]}
        if not asking:
            return set()
        return set(connection.scalars(_HOLDERS, {"asking": list(asking)}))

    @staticmethod
    def _check(states: dict[int, Any], holders: set[int], pending: _Pending
               ) -> tuple[dict[str, Any], Any, int]:
        state = states.get(pending.workshop_id)
        if state is None or state[2] is None or state[3] != "open" or state[1] != Phase.VOTE:
            raise Refused("round_closed", 409)
        _wid, _phase, round_id, _status, method, options, settings, needs_ticket = state
        if needs_ticket and pending.participant_id not in holders:
            raise Refused("ticket_needed", 403)
        from workshop.ops.ballots import validated_ballot

        content = validated_ballot(method, options, settings, pending.ballot)
        return {"ok": True, "round": round_id, "ballot": content}, content, round_id


def current() -> GroupCommit | None:
    """Return the app's group commit when it is switched on and usable, else None.

    Asks for no database session: a ballot that goes through the group never needs one
    (opening an ORM session costs about as much as the group's work for one ballot).
    """
    from flask import current_app, has_app_context

    if not has_app_context() or not current_app.config.get("BALLOT_GROUP_COMMIT"):
        return None
    group = current_app.extensions.get("workshop.ops.groupcommit")
    if group is None:
        writer = current_app.extensions.get("workshop.writer")  # SQLite: the one writer
        group = GroupCommit(writer if writer is not None
                            else current_app.extensions["workshop.engine"])
        current_app.extensions["workshop.ops.groupcommit"] = group
    return group if group.supported() else None
