"""Casting a ballot: the one path every ballot takes, whatever it came through.

Verbs layer. A ballot over HTTP, over the phone's socket, in a ticket round (and from the
kiosk and paper entries to come) is cast by `cast_ballot`, which reads it with the method
of the round it lands in, checks it, and writes it, with one list of checks (`_check`).

It writes in groups: in a hall everyone votes within seconds, and one transaction per
ballot makes each ballot pay a commit (an fsync on SQLite, which also stalls a gevent
server's only thread) and the ORM's unit of work. The first ballot to arrive leads: it
lets the ballots already on their way queue behind it, then checks and writes all of them
in one write transaction with a few set-wise statements, commits once, and wakes the
others with their answers. A ballot that arrives alone is a group of one. Whoever arrives
during a commit waits for the next group, led by the first of them.

Inside the write transaction: the round must be open (on PostgreSQL the round row is read
FOR SHARE, so `close_round` and a group exclude each other); a ticket round needs a held
ticket; the ballot is read and validated by its method; a client id already carried out
gets its first answer back with "duplicate": true. The answer is given only after the
commit. If a group's transaction fails as a whole (a unique-key race with another process,
say), each of its ballots is tried again as a group of its own.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    TextClause,
    bindparam,
    cast,
    func,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from workshop.core import tokens
from workshop.core.errors import Refused
from workshop.core.fields import UnreadBallot
from workshop.core.phases import Phase
from workshop.core.voting import BallotError, get_method
from workshop.core.voting.rules import step_seed
from workshop.live import broadcast
from workshop.store.db import WRITE_OPTION, writing_engine
from workshop.store.lookups import ParticipantIds
from workshop.store.models import Ballot, Receipt, Round, Ticket, Workshop, utcnow
from workshop.store.views import step_key

MAX_GROUP = 256
ALONE_TRIES = 3  # a ballot retried alone after its group failed: a race, then it settles
_log = logging.getLogger(__name__)


def cast_ballot(session: Session | None, voter: ParticipantIds, ballot: Any,
                client_id: object) -> dict[str, Any]:
    """Record or replace a phone's ballot (or add one step of a stepwise ballot) in its
    workshop's open round; answer only after the commit.

    `ballot` is an `UnreadBallot` (read by the method of the round it lands in) or a value
    already in the method's shape. `session`, when the caller has one open, is ended first:
    the writer uses its own connection, and the caller then reads what was written.
    """
    if not tokens.valid_client_id(client_id):
        raise Refused("bad_client_id")
    if session is not None:
        session.rollback()
    answer = current_writer().cast(voter, ballot, str(client_id))
    broadcast.changed(voter.code)
    return answer


_WRITERS: weakref.WeakKeyDictionary[Engine, BallotWriter] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()


def current_writer() -> BallotWriter:
    """Return the ballot writer of this app's writing engine (one per database)."""
    engine = writing_engine()
    writer = _WRITERS.get(engine)
    if writer is None:
        with _WRITERS_LOCK:
            writer = _WRITERS.setdefault(engine, BallotWriter(engine, step_key()))
    return writer


# The statements a group runs, built once: building a SQLAlchemy statement costs more CPU
# than running it on SQLite, and a hall's ballots run these hundreds of times a second.
_STATES = (select(Workshop.id, Workshop.phase, Round.id, Round.status, Round.method,
                  Round.options, Round.settings, Round.require_ticket)
           .join(Round, Round.id == Workshop.current_round_id)
           .where(Workshop.id.in_(bindparam("workshops", expanding=True))))
# PostgreSQL: FOR SHARE of the round row. An inner join, as PostgreSQL cannot lock the
# nullable side of an outer one; a workshop without a round has no row: round_closed.
_STATES_LOCKED = _STATES.with_for_update(read=True, of=Round)
_HOLDERS = (select(Ticket.participant_id)
            .where(Ticket.participant_id.in_(bindparam("asking", expanding=True))))
_STORED = (select(Ballot.round_id, Ballot.participant_id, Ballot.content)
           .where(tuple_(Ballot.round_id, Ballot.participant_id)
                  .in_(bindparam("pairs", expanding=True))))
_ADD_RECEIPTS = Receipt.__table__.insert()
_STEP_LOCK = select(func.pg_advisory_xact_lock(cast(bindparam("round"), Integer),
                                                cast(bindparam("participant"), Integer)))


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


def _upsert(dialect: str) -> Any:
    """Return the statement that inserts ballots or replaces a participant's ballot."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise RuntimeError(f"ballots need SQLite or PostgreSQL, not {dialect}")
    statement = insert(Ballot.__table__)
    return statement.on_conflict_do_update(
        index_elements=["round_id", "participant_id"],
        set_={"content": statement.excluded.content, "cast_at": statement.excluded.cast_at})


@dataclass(eq=False)  # each pending ballot is itself: compared by identity
class _Pending:
    voter: ParticipantIds
    ballot: Any
    client_id: str
    done: threading.Event = field(default_factory=threading.Event)
    response: dict[str, Any] | None = None
    error: Refused | None = None
    lead: bool = False
    failed: bool = False  # its group's transaction failed: try again alone


@dataclass
class _Round:
    """What a group needs to know of one workshop's current round."""

    id: int
    open: bool
    method: str
    options: list[int]
    settings: dict[str, Any]
    require_ticket: bool

    @functools.cached_property
    def rules(self) -> ModuleType:
        """The round's voting method, looked up once per group, not once per ballot."""
        return get_method(self.method)


class BallotWriter:
    """Queues ballots and writes them in groups (one writer per database).

    `key` is the app's secret, which seeds what a stepwise round serves each phone
    (`views.next_step_for`): the writer derives the same step to accept only that one.
    """

    def __init__(self, engine: Engine, key: str | bytes) -> None:
        self.engine = engine
        self.key = key
        self._lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._busy = False
        self.groups = 0
        self.ballots = 0
        self._postgres = engine.dialect.name == "postgresql"
        self._upsert = _upsert(engine.dialect.name)

    def cast(self, voter: ParticipantIds, ballot: Any, client_id: str) -> dict[str, Any]:
        """Write this ballot with whoever else is voting now; return its answer."""
        pending = _Pending(voter, ballot, client_id)
        with self._lock:
            self._queue.append(pending)
            pending.lead = not self._busy
            self._busy = True
        if not pending.lead:
            try:
                pending.done.wait()
            except BaseException:  # this waiter is going away (its greenlet killed)
                self._abandon(pending)
                raise
        if pending.lead and pending.response is None and pending.error is None \
                and not pending.failed:
            self._lead()
        if pending.failed:
            self._alone(pending)
        if pending.error is not None:
            raise pending.error
        if pending.response is None:  # never expected: say "try again", not crash
            raise Refused("busy", 503)
        return pending.response

    def _abandon(self, pending: _Pending) -> None:
        """Take a waiter that goes away out of the queue; if it was to lead the next group,
        hand that to the next waiter, so that the writer never waits for the dead."""
        with self._lock:
            if pending not in self._queue:
                return  # already in a group being written: its leader answers for it
            self._queue.remove(pending)
            if pending.lead:
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].done.set()
                else:
                    self._busy = False

    def _lead(self) -> None:
        time.sleep(0)  # let the ballots already on their way join this group
        with self._lock:
            group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
        try:
            self._commit(group)
        except BaseException as error:
            # Expected rarely (two processes writing the same receipt at once); a message
            # on every group would mean groups never work on this database.
            _log.warning("a group of %d ballots is tried again one by one: %s", len(group),
                         str(error).splitlines()[0] if str(error) else type(error).__name__)
            for pending in group:
                pending.response = pending.error = None
                pending.failed = True
            if not isinstance(error, Exception):
                raise  # this greenlet is being stopped: the others retry on their own
        finally:
            with self._lock:
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].done.set()  # the next group's leader
                else:
                    self._busy = False
            for pending in group:
                pending.done.set()

    def _alone(self, pending: _Pending) -> None:
        """Write a ballot whose group failed, as a group of its own, a few times at most."""
        for _attempt in range(ALONE_TRIES):
            pending.response = pending.error = None
            try:
                self._commit([pending])
                return
            except Refused:
                raise
            except Exception:  # another process won the same race: the next try sees it
                _log.warning("a ballot written alone failed; trying again", exc_info=True)
        pending.error = Refused("busy", 503)

    def _commit(self, group: list[_Pending]) -> None:
        with self.engine.connect() as plain:
            connection = plain.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                rounds = self._rounds(connection, group)
                holders = self._ticket_holders(connection, rounds, group)
                done = self._receipts(connection, group)
                stored = self._stored_steps(connection, rounds, group, self._postgres)
                ballots: dict[tuple[int, int], dict[str, Any]] = {}
                receipts: list[dict[str, Any]] = []
                answered: dict[tuple[int, str], dict[str, Any]] = {}
                now = utcnow()
                for pending in group:
                    voter = pending.voter
                    key = (voter.participant_id, pending.client_id)
                    first = done.get(key, answered.get(key))
                    if first is not None:
                        pending.response = {**first, "duplicate": True}
                        continue
                    try:
                        vote = _check(rounds.get(voter.workshop_id), holders, voter)
                        content, response = _read(vote, stored, voter, pending.ballot,
                                                  self.key)
                    except Refused as refusal:
                        pending.error = refusal
                        continue
                    answered[key] = pending.response = response
                    ballots[(vote.id, voter.participant_id)] = {
                        "round_id": vote.id, "participant_id": voter.participant_id,
                        "content": content, "channel": voter.channel, "cast_at": now}
                    receipts.append({"participant_id": voter.participant_id,
                                     "client_id": pending.client_id,
                                     "kind": "pair" if vote.rules.STEPWISE
                                     else "ballot",
                                     "response": response, "created_at": now})
                if ballots:
                    connection.execute(self._upsert, list(ballots.values()))
                    connection.execute(_ADD_RECEIPTS, receipts)
        self.groups += 1
        self.ballots += len(group)

    def _rounds(self, connection: Connection, group: list[_Pending]) -> dict[int, _Round]:
        """Return the current round of each workshop the group votes in."""
        rows = connection.execute(_STATES_LOCKED if self._postgres else _STATES,
                                  {"workshops": list({p.voter.workshop_id for p in group})})
        return {wid: _Round(rid, status == "open" and phase == Phase.VOTE, method,
                            options, settings, needs_ticket)
                for wid, phase, rid, status, method, options, settings, needs_ticket in rows}

    @staticmethod
    def _ticket_holders(connection: Connection, rounds: dict[int, _Round],
                        group: list[_Pending]) -> set[int]:
        """Return which of the group's voters hold a ticket, asked only for ticket rounds.

        A held ticket is never given back, so reading this in the group's transaction is
        as good as reading it at the moment of each ballot.
        """
        asking = {p.voter.participant_id for p in group
                  if (vote := rounds.get(p.voter.workshop_id)) is not None
                  and vote.require_ticket}
        if not asking:
            return set()
        return set(connection.scalars(_HOLDERS, {"asking": list(asking)}))

    @staticmethod
    def _receipts(connection: Connection, group: list[_Pending]
                  ) -> dict[tuple[int, str], dict[str, Any]]:
        """Return the first answers of the group's commands already carried out."""
        asked = {(p.voter.participant_id, p.client_id) for p in group}
        values: dict[str, Any] = {}
        for n, (participant_id, client_id) in enumerate(asked):
            values[f"p{n}"], values[f"c{n}"] = participant_id, client_id
        return {(row[0], row[1]): row[2]
                for row in connection.execute(_receipts_of(len(asked)), values)}

    @staticmethod
    def _stored_steps(connection: Connection, rounds: dict[int, _Round],
                      group: list[_Pending], postgres: bool) -> dict[tuple[int, int], Any]:
        """Return the stored ballots a stepwise round's new steps add to.

        On PostgreSQL, where two processes may each hold a step of one phone (two tabs),
        each (round, participant) is first locked until the commit, in a fixed order, so
        that the second adds to what the first wrote instead of overwriting it.
        """
        pairs = {(vote.id, p.voter.participant_id) for p in group
                 if (vote := rounds.get(p.voter.workshop_id)) is not None
                 and vote.rules.STEPWISE}
        if not pairs:
            return {}
        if postgres:
            for round_id, participant_id in sorted(pairs):
                connection.execute(_STEP_LOCK, {"round": round_id, "participant": participant_id})
        return {(rid, pid): content
                for rid, pid, content in connection.execute(_STORED, {"pairs": list(pairs)})}


def _check(vote: _Round | None, holders: set[int], voter: ParticipantIds) -> _Round:
    """Return the round a ballot lands in, or refuse: closed, or a ticket is needed."""
    if vote is None or not vote.open:
        raise Refused("round_closed", 409)
    if vote.require_ticket and voter.participant_id not in holders:
        raise Refused("ticket_needed", 403)
    return vote


def _read(vote: _Round, stored: dict[tuple[int, int], Any], voter: ParticipantIds,
          ballot: Any, key: str | bytes) -> tuple[Any, dict[str, Any]]:
    """Read and validate a ballot by its round's method; return it stored and the answer.

    A stepwise method's step is added to what the phone already sent (`stored` is updated
    so that a second step in the same group builds on the first), and must be the step
    that was served to this phone after those (`check_step`: a pairwise judgement on the
    pair shown, `pair_changed` otherwise). Whatever a malformed ballot makes a method
    raise refuses that ballot only, never its group.
    """
    method = vote.rules
    if isinstance(ballot, UnreadBallot):
        drawn_for = ballot.drawn_for()
        if drawn_for is not None and drawn_for != vote.id:
            raise Refused("round_changed", 409, round=vote.id)
    previous = stored.get((vote.id, voter.participant_id))
    try:
        value = ballot.read(vote.method) if isinstance(ballot, UnreadBallot) else ballot
        if method.STEPWISE:
            value = method.add_step(previous, value)
        valid = method.validate(value, vote.options, vote.settings)
        if method.STEPWISE:
            method.check_step(previous, valid, vote.options,
                              step_seed(key, vote.id, voter.participant_id))
        clean = _storable(valid)
    except BallotError as error:
        raise Refused("bad_ballot", reason=error.code, method=vote.method,
                      **error.params) from error
    except Refused as refusal:  # the method's reader: say which method read it, as above
        if refusal.code != "bad_ballot":
            raise
        raise Refused("bad_ballot", refusal.status, **{"reason": "bad_ballot", **refusal.params,
                                                       "method": vote.method}) from refusal
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as error:
        raise Refused("bad_ballot", reason="bad_ballot", method=vote.method) from error
    if method.STEPWISE:
        stored[(vote.id, voter.participant_id)] = clean
        return clean, {"ok": True, "round": vote.id, **method.step_answer(clean, vote.settings)}
    return clean, {"ok": True, "round": vote.id, "ballot": clean}


def _storable(clean: Any) -> Any:
    """Return a validated ballot in JSON form (object keys become strings, tuples lists)."""
    if isinstance(clean, Mapping):
        return {str(key): value for key, value in clean.items()}
    if isinstance(clean, list | tuple):
        return [_storable(item) for item in clean]
    return clean
