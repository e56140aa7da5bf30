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
from sqlalchemy import select

from tests.factories import client_id, ids_of, voting_workshop
from tests.support.phones import PhoneGroup
from tests.support.room import Spec, app_half
from workshop import ops
from workshop.core.errors import Refused
from workshop.ops import ballots
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
    # pushes carry what the pages show: nobody reads it again over HTTP
    assert figures["pulls_after_push"] == 0
    assert figures["facilitator_fetches"] == 0
    assert figures["facilitator_lag_p95_ms"] is not None


@pytest.mark.server
@pytest.mark.parametrize("method", ["ranking", "pairwise"])
def test_a_small_room_votes_by_ranking_and_by_pairs_and_nothing_is_lost(method):
    """The same room with a ranked vote (every phone its own ranking) and a pairwise one
    (each phone judges the pairs its socket serves it, one after the other)."""
    spec = Spec(scenario="small", method=method, pairs=3, phones=60, window=4.0, workers=0,
                saturate_seconds=0.0, ceiling=False, converge_timeout=60.0)
    figures = asyncio.run(app_half(spec))
    assert figures["connected_ratio"] == 1.0, figures["connect_errors"]
    assert figures["failed_commands"] == 0
    assert figures["acked"] == 60 * (3 if method == "pairwise" else 1)
    assert figures["lost"] == 0 and figures["duplicated"] == 0
    assert figures["counted"] == figures["counted_expected"] == 60 == figures["export_voters"]
    assert figures["converged"] is True and figures["lag_never_seen"] == 0
    assert figures["phones_reached_ratio"] == 1.0
    assert figures["pulls_after_push"] == 0 and figures["facilitator_fetches"] == 0


def test_the_bench_counts_a_phone_that_pulls_after_a_push_without_its_panel():
    """The simulated phone does what phone.js does: a new view with its panel is shown at
    once; one without (the code before issue 13) makes it GET its panel, counted."""
    group = PhoneGroup([0], ["http://127.0.0.1:9"], "ABCDEF")  # nothing listens there
    phone = group.phones[0]
    vote = {"phase": "vote", "round": {"id": 1, "method": "dots", "status": "open"}}

    async def pushes() -> None:
        assert group._pushed(phone, {**vote, "panel": "<div></div>"}) is None
        assert phone.vote_seen_at is not None and phone.pulls == 0
        assert group._pushed(phone, {**vote, "panel": "<div></div>"}) is None  # same view
        closed = {"phase": "results", "round": {**vote["round"], "status": "closed"}}
        await group._pushed(phone, closed)
        assert group._pushed(phone, closed) is None  # the same view: nothing to draw
        if group.http is not None:
            await group.http.close()

    asyncio.run(pushes())
    assert phone.pulls == 1


def test_ballots_sent_at_once_from_many_threads_count_once_each(any_app, any_db):
    """The production path (`ops.cast_ballot`, grouped by the writer) from 12 threads, each
    command sent three times at once: one ballot and one receipt per person."""
    app, db = any_app, any_db
    workshop, _secret, ideas, vote = voting_workshop(db)
    people = [ops.join_workshop(db, workshop)[0] for _ in range(12)]
    commands = []
    for n, person in enumerate(people):
        ballot = {ideas[n % len(ideas)].id: 1}
        cid = client_id()
        commands += [(ids_of(workshop, person), ballot, cid)] * 3  # each sent three times
    answers: list[dict] = []
    lock = threading.Lock()
    with app.app_context():
        writer = ballots.current_writer()
        before = writer.ballots

    def send(command):
        voter, ballot, cid = command
        with app.app_context():
            answer = ops.cast_ballot(None, voter, ballot, cid)
        with lock:
            answers.append(answer)

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(send, commands))
    assert all(a["ok"] for a in answers)
    assert sum(1 for a in answers if not a.get("duplicate")) == len(people)
    with session_for(app) as check:
        assert check.query(Ballot).filter(Ballot.round_id == vote.id).count() == len(people)
        assert check.query(Receipt).filter(Receipt.kind == "ballot").count() == len(people)
    assert writer.ballots - before == len(commands)


def test_the_writer_refuses_and_replaces_as_the_rules_say(any_app, any_db):
    app, db = any_app, any_db
    workshop, _secret, ideas, vote = voting_workshop(db)
    person, _ = ops.join_workshop(db, workshop)
    voter = ids_of(workshop, person)
    with app.app_context():
        with pytest.raises(Refused) as bad:
            ops.cast_ballot(db, voter, {999999: 1}, client_id())
        assert bad.value.code == "bad_ballot"
        with pytest.raises(Refused) as bad_id:
            ops.cast_ballot(db, voter, {ideas[0].id: 1}, "x")
        assert bad_id.value.code == "bad_client_id"
        first = ops.cast_ballot(db, voter, {ideas[0].id: 1}, "same-id-123")
        replaced = ops.cast_ballot(db, voter, {ideas[1].id: 1}, client_id())
        assert first["ok"] and replaced["ballot"] == {str(ideas[1].id): 1}
        again = ops.cast_ballot(db, voter, {ideas[2].id: 1}, "same-id-123")
        assert again == {**first, "duplicate": True}  # a re-send changes nothing
        ops.close_round(db, workshop)
        with pytest.raises(Refused) as closed:
            ops.cast_ballot(db, voter, {ideas[0].id: 1}, client_id())
        assert closed.value.code == "round_closed"
    with session_for(app) as check:
        [stored] = check.query(Ballot).filter(Ballot.round_id == vote.id).all()
        assert stored.content == {str(ideas[1].id): 1}


def test_a_group_that_fails_is_tried_again_alone_and_says_so(app, db, caplog, monkeypatch):
    """A failed group's ballots are each written again as a group of their own, with a
    warning, so a group that never works cannot go unnoticed; a ballot that keeps failing
    is answered "busy" (nothing was written, the phone may send it again)."""
    workshop, _secret, ideas, vote = voting_workshop(db)
    person, _ = ops.join_workshop(db, workshop)
    voter = ids_of(workshop, person)
    writer = ballots.current_writer()
    real_commit = writer._commit
    failures = [1]

    def flaky(group):
        if failures[0]:
            failures[0] -= 1
            raise RuntimeError("disk I/O error\nmore detail")
        return real_commit(group)

    monkeypatch.setattr(writer, "_commit", flaky)
    with caplog.at_level("WARNING", logger="workshop.ops.ballots"):
        answer = ops.cast_ballot(db, voter, {ideas[0].id: 1}, client_id())
    assert answer["ok"] is True
    assert [r.getMessage() for r in caplog.records] == [
        "a group of 1 ballots is tried again one by one: disk I/O error"]
    assert db.scalar(select(Ballot.content).where(Ballot.round_id == vote.id)) == \
        {str(ideas[0].id): 1}
    failures[0] = 1 + ballots.ALONE_TRIES
    with pytest.raises(Refused) as busy:
        ops.cast_ballot(db, voter, {ideas[1].id: 1}, client_id())
    assert (busy.value.code, busy.value.status) == ("busy", 503)
