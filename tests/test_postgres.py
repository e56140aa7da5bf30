"""The same workshop on PostgreSQL (DATABASE_URL), as the scaled-out setup runs it."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from tests.factories import client_id, ids_of
from workshop import ops
from workshop.core.errors import Refused
from workshop.core.voting import pairwise
from workshop.core.voting.rules import step_seed
from workshop.ops.ballots import BallotWriter
from workshop.store import lookups, views
from workshop.store.db import session_for
from workshop.store.models import Idea, Round, Workshop
from workshop.store.report import day_report


def test_migrations_and_the_whole_loop_run_on_postgresql(pg_app):
    with pg_app.app_context(), session_for(pg_app) as db:
        assert db.get_bind().dialect.name == "postgresql"
        workshop, secret = ops.create_workshop(db, "Atelier provincial")
        ops.open_ideas(db, workshop)
        person, _ = ops.join_workshop(db, workshop)
        idea = ops.submit_idea(db, workshop, person, "Transport", client_id())["idea"]["id"]
        ops.approve_idea(db, workshop, idea)
        other = ops.add_idea(db, workshop, "Logement")
        ops.open_round(db, workshop, settings={"dots": 2, "max_per_option": 1})
        ops.cast_ballot(db, ids_of(workshop, person), {idea: 1, other.id: 1}, client_id())
        ops.close_round(db, workshop)
        [exported] = day_report(db, workshop)["votes"]
        assert exported["voters"] == 1
        assert [r["score"] for r in exported["ranking"]] == [1, 1]
        assert [r["rank"] for r in exported["ranking"]] == [1, 1]


def test_concurrent_ballots_from_one_phone_end_as_one_ballot(pg_app):
    with pg_app.app_context(), session_for(pg_app) as db:
        workshop, _secret = ops.create_workshop(db, "Atelier")
        ideas = [ops.add_idea(db, workshop, f"Idée {n}") for n in range(4)]
        ops.open_round(db, workshop, settings={"dots": 1, "max_per_option": 1})
        person, _ = ops.join_workshop(db, workshop)
        code, person_id = workshop.code, person.id

    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def vote(n: int) -> None:
        with pg_app.app_context(), session_for(pg_app) as session:
            here = lookups.get_workshop(session, code)
            me = session.get(type(person), person_id)
            start.wait()
            try:
                ops.cast_ballot(session, ids_of(here, me), {ideas[n % 4].id: 1}, client_id())
            except Refused as error:  # "busy" would be acceptable, a crash would not
                errors.append(error)

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with pg_app.app_context(), session_for(pg_app) as db:
        workshop = lookups.get_workshop(db, code)
        result = views.tally_round(db, views.current_round(db, workshop))
        assert result.voters == 1
        assert sum(s.score for s in result.standings) == 1


def test_pairwise_steps_sent_at_once_from_two_tabs_count_once_each(pg_app):
    """One phone's judgement of the pair it was served, sent at once from four tabs (or
    two server processes): it counts once, the other tabs are told the pair changed, and
    each next step builds on the last: none overwrites another."""
    key = pg_app.config["SECRET_KEY"]
    with pg_app.app_context(), session_for(pg_app) as db:
        workshop, _secret = ops.create_workshop(db, "Atelier")
        ideas = [ops.add_idea(db, workshop, f"Idée {n}") for n in range(6)]
        vote = ops.open_round(db, workshop, method="pairwise", settings={"pairs": 20})
        phone = ids_of(workshop, ops.join_workshop(db, workshop)[0])
    options, seed = [idea.id for idea in ideas], step_seed(key, vote.id, phone.participant_id)
    # Two writers, as two server processes have: each groups its own ballots.
    writers = [BallotWriter(pg_app.extensions["workshop.engine"], key) for _ in range(2)]
    done: list[tuple] = []
    for _step in range(4):
        left, right = pairwise.next_step(options, done, seed)
        judgement = (left, right, left)
        start = threading.Barrier(4)
        answers: list[object] = []

        def send(n, judgement=judgement, start=start, answers=answers):
            start.wait()
            try:
                answers.append(writers[n % 2].cast(phone, judgement, client_id())["judged"])
            except Refused as refusal:
                answers.append(refusal.code)

        threads = [threading.Thread(target=send, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(answers, key=str) == [len(done) + 1] + ["pair_changed"] * 3
        done.append(judgement)
    with pg_app.app_context(), session_for(pg_app) as db:
        assert views.own_ballot(db, vote, phone.participant_id) == [list(j) for j in done]


def test_two_facilitator_tabs_starting_the_next_vote_at_once_start_it_once(pg_app):
    """A double click (or two tabs) on "start next": the workshop row is locked for each
    command, so the second sees the vote already running instead of opening a second
    round beside it."""
    with pg_app.app_context(), session_for(pg_app) as db:
        workshop, _secret = ops.create_workshop(db, "Atelier")
        for n in range(3):
            ops.add_idea(db, workshop, f"Idée {n}")
        ops.plan_activity(db, workshop, "vote", title="Priorités")
        workshop_id = workshop.id
    start = threading.Barrier(2)
    answers: list[object] = []

    def click():
        with pg_app.app_context(), session_for(pg_app) as session:
            here = session.get(Workshop, workshop_id)
            start.wait()
            try:
                answers.append(ops.start_next_activity(session, here).id)
            except Refused as error:
                answers.append(error.code)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with pg_app.app_context(), session_for(pg_app) as db:
        assert db.scalar(select(func.count(Round.id))) == 1, answers
        steps = lookups.agenda(db, db.get(Workshop, workshop_id))
        assert [step.status for step in steps] == ["open"]


def test_one_phones_ideas_sent_at_once_stop_at_its_pending_bound(pg_app):
    """Ten ideas from one phone at the same moment, on PostgreSQL where transactions run
    side by side: five wait for the facilitator, five are refused (the participant's row
    is locked while its waiting ideas are counted)."""
    with pg_app.app_context(), session_for(pg_app) as db:
        workshop, _secret = ops.create_workshop(db, "Atelier")
        ops.open_ideas(db, workshop)
        person, _ = ops.join_workshop(db, workshop)
        code, person_id = workshop.code, person.id

    answers: list[str] = []
    start = threading.Barrier(10)

    def send(n: int) -> None:
        with pg_app.app_context(), session_for(pg_app) as session:
            here = lookups.get_workshop(session, code)
            me = session.get(type(person), person_id)
            start.wait()
            try:
                ops.submit_idea(session, here, me, f"Idée {n}", client_id())
                answers.append("ok")
            except Refused as error:
                answers.append(error.code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["ok"] * 5 + ["too_many_pending_ideas"] * 5
    with pg_app.app_context(), session_for(pg_app) as db:
        assert db.scalar(select(func.count(Idea.id))) == 5
