"""The same workshop on PostgreSQL (DATABASE_URL), as the scaled-out setup runs it."""

from __future__ import annotations

import threading

from tests.factories import client_id, ids_of
from workshop import ops
from workshop.core.errors import Refused
from workshop.store import lookups, views
from workshop.store.db import session_for


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
        [exported] = views.export_rounds(db, workshop)
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
