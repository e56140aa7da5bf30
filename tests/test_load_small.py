"""The load benchmark's room, small: 200 phones against a real server, checked for correctness.

bench/load.py measures; this runs the same room (tests/support/room.py, the app's half of
the benchmark) with 200 phones and asserts only what must always hold, never a time: every
phone connects, every acknowledged ballot is in the database exactly once, and every
projector ends on the final totals. Plus the group commit
that the server uses for ballots, driven from many threads at once.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import client_id, voting_workshop
from tests.support.room import Spec, app_half
from workshop import ops
from workshop.core.errors import Refused
from workshop.ops.groupcommit import GroupCommit
from workshop.store.db import session_for
from workshop.store.models import Ballot, Receipt


@pytest.fixture
def any_db(any_app):  # the group commit writes some SQL by hand: both engines
    with any_app.app_context(), session_for(any_app) as session:
        yield session


@pytest.mark.server
def test_two_hundred_phones_every_acknowledged_ballot_is_counted_once():
    spec = Spec(scenario="small", phones=200, window=5.0, workers=0, saturate_phones=40,
                saturate_seconds=2.0, ceiling=False, converge_timeout=60.0)
    figures = asyncio.run(app_half(spec))
    assert figures["connected_ratio"] == 1.0, figures["connect_errors"]
    assert figures["failed_commands"] == 0
    assert figures["acked"] == 200
    assert figures["lost"] == 0 and figures["duplicated"] == 0
    assert figures["counted"] == figures["counted_expected"] == 200
    assert figures["export_voters"] == 200
    assert figures["converged"] is True  # every projector shows the database's totals
    assert figures["lag_never_seen"] == 0
    assert figures["phones_reached_ratio"] == 1.0  # every phone got the vote's push
    assert figures["disconnections"] == 0 and figures["projector_disconnections"] == 0
    assert figures["connected_on_projector"] == 200
    assert figures["server_alive"] is True


def test_group_commit_counts_each_command_once_from_many_threads(any_app, any_db):
    app, db = any_app, any_db
    workshop, _secret, ideas, vote = voting_workshop(db)
    people = [ops.join_workshop(db, workshop)[0] for _ in range(12)]
    group = GroupCommit(app.extensions.get("workshop.writer") or
                        app.extensions["workshop.engine"])
    commands = []
    for n, person in enumerate(people):
        ballot = {ideas[n % len(ideas)].id: 1}
        cid = client_id()
        commands += [(person, ballot, cid)] * 3  # each sent three times, at once
    answers: list[dict] = []
    lock = threading.Lock()

    def send(command):
        person, ballot, cid = command
        with app.app_context():
            answer = group.cast(workshop.id, person.id, person.channel, ballot, cid)
        with lock:
            answers.append(answer)

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(send, commands))
    assert all(a is not None and a["ok"] for a in answers)
    assert sum(1 for a in answers if not a.get("duplicate")) == len(people)
    with session_for(app) as check:
        assert check.query(Ballot).filter(Ballot.round_id == vote.id).count() == len(people)
        assert check.query(Receipt).filter(Receipt.kind == "ballot").count() == len(people)
    assert group.ballots == len(commands)


def test_group_commit_refuses_what_the_one_by_one_path_refuses(any_app, any_db):
    app, db = any_app, any_db
    workshop, _secret, ideas, vote = voting_workshop(db)
    person, _ = ops.join_workshop(db, workshop)
    group = GroupCommit(app.extensions.get("workshop.writer") or
                        app.extensions["workshop.engine"])
    with pytest.raises(Refused) as bad:
        group.cast(workshop.id, person.id, "phone", {999999: 1}, client_id())
    assert bad.value.code == "bad_ballot"
    with pytest.raises(Refused) as bad_id:
        group.cast(workshop.id, person.id, "phone", {ideas[0].id: 1}, "x")
    assert bad_id.value.code == "bad_client_id"
    first = group.cast(workshop.id, person.id, "phone", {ideas[0].id: 1}, "same-id-123")
    replaced = group.cast(workshop.id, person.id, "phone", {ideas[1].id: 1}, client_id())
    assert first["ok"] and replaced["ballot"] == {str(ideas[1].id): 1}
    again = group.cast(workshop.id, person.id, "phone", {ideas[2].id: 1}, "same-id-123")
    assert again == {**first, "duplicate": True}  # a re-send changes nothing
    ops.close_round(db, workshop)
    with pytest.raises(Refused) as closed:
        group.cast(workshop.id, person.id, "phone", {ideas[0].id: 1}, client_id())
    assert closed.value.code == "round_closed"
    with session_for(app) as check:
        [stored] = check.query(Ballot).filter(Ballot.round_id == vote.id).all()
        assert stored.content == {str(ideas[1].id): 1}


def test_a_group_that_fails_is_redone_one_by_one_and_says_so(app, db, caplog, monkeypatch):
    """A failed group hands its ballots back (cast returns None: the caller redoes each one
    by one) and leaves a warning, so a group that never works cannot go unnoticed."""
    workshop, _secret, ideas, _vote = voting_workshop(db)
    person, _ = ops.join_workshop(db, workshop)
    group = GroupCommit(app.extensions.get("workshop.writer") or
                        app.extensions["workshop.engine"])

    def broken(_group):
        raise RuntimeError("disk I/O error\nmore detail")

    monkeypatch.setattr(group, "_commit", broken)
    with caplog.at_level("WARNING", logger="workshop.ops.groupcommit"):
        assert group.cast(workshop.id, person.id, "phone", {ideas[0].id: 1}, client_id()) is None
    assert [r.getMessage() for r in caplog.records] == [
        "a group of 1 ballots is redone one by one: disk I/O error"]
    answer = ops.cast_ballot(db, workshop, person, {ideas[0].id: 1}, client_id())
    assert answer["ok"] is True  # the one-by-one path still takes it
