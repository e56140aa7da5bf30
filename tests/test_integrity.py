"""Ballot integrity under concurrency: the database holds one ballot per participant and
round, concurrent ballots from one phone end as one of them, a retry storm counts once,
and no ballot commits after the round is closed. On SQLite and, when reachable, on
PostgreSQL (the scaled-out setup), through the HTTP layer with real threads."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.conftest import join_phone
from tests.factories import client_id, ids_of, voting_workshop
from tests.support.together import run_together
from workshop import ops
from workshop.core.errors import Refused
from workshop.store import lookups, views
from workshop.store.db import session_for
from workshop.store.models import Ballot, Idea, Receipt


def arrange(app, dots: int = 2):
    with app.app_context(), session_for(app) as db:
        workshop, secret, ideas, vote = voting_workshop(db, dots=dots, cap=1, texts=(
            "Transport", "Logement", "Alimentation", "Internet"))
        return workshop.code, secret, [i.id for i in ideas], vote.id


def same_browser(app, template):
    """A new test client carrying the same session cookie (the same phone, another tab)."""
    twin = app.test_client()
    cookie = template.get_cookie("session")
    twin.set_cookie("session", cookie.value)
    return twin


def test_the_database_itself_refuses_a_second_ballot_or_receipt(app, db):
    workshop, _secret, ideas, vote = voting_workshop(db)
    person, _ = ops.join_workshop(db, workshop)
    ops.cast_ballot(db, ids_of(workshop, person), {ideas[0].id: 1}, "same-client-id")
    db.add(Ballot(round_id=vote.id, participant_id=person.id, content={"1": 1}))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    db.add(Receipt(participant_id=person.id, client_id="same-client-id", kind="ballot",
                   response={}))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    assert db.scalar(select(func.count(Ballot.id))) == 1


def test_concurrent_different_ballots_from_one_phone_end_as_one_consistent_ballot(any_app):
    code, _secret, ideas, round_id = arrange(any_app, dots=2)
    phone = any_app.test_client()
    join_phone(phone, code)
    ballots = [{str(a): 1, str(b): 1} for a in ideas for b in ideas if a < b]  # 6 ballots
    tabs = [same_browser(any_app, phone) for _ in ballots]

    def vote(tab, ballot):
        return lambda: tab.post(f"/j/{code}/ballot", json={"client_id": client_id(),
                                                           "ballot": ballot})

    answers = run_together([vote(tab, ballot) for tab, ballot in zip(tabs, ballots,
                                                                     strict=True)])
    assert all(a.status_code in (200, 503) for a in answers), [a.status_code for a in answers]
    acked = [a.json["ballot"] for a in answers if a.status_code == 200]
    assert acked
    with any_app.app_context(), session_for(any_app) as db:
        rows = db.scalars(select(Ballot).where(Ballot.round_id == round_id)).all()
        assert len(rows) == 1
        # The one ballot left is the one acknowledged last, whole (never a mix of two)...
        last = db.scalars(select(Receipt).where(Receipt.kind == "ballot")
                          .order_by(Receipt.id.desc())).first()
        assert rows[0].content == last.response["ballot"] and rows[0].content in acked
        # ...and within the budget of two dots.
        assert sum(rows[0].content.values()) == 2
    assert phone.get(f"/j/{code}/state").json["ballot"] == rows[0].content


def test_a_retry_storm_with_one_client_id_counts_once(any_app):
    code, _secret, ideas, round_id = arrange(any_app)
    phone = any_app.test_client()
    join_phone(phone, code)
    body = {"client_id": "storm-0001-abcdef", "ballot": {str(ideas[1]): 1}}
    tabs = [same_browser(any_app, phone) for _ in range(16)]
    answers = run_together([lambda t=tab: t.post(f"/j/{code}/ballot", json=body)
                            for tab in tabs])
    assert {a.status_code for a in answers} == {200}
    first = [a.json for a in answers if not a.json.get("duplicate")]
    assert len(first) == 1
    assert all({**a.json, "duplicate": False} == {**first[0], "duplicate": False}
               for a in answers)
    with any_app.app_context(), session_for(any_app) as db:
        assert db.scalar(select(func.count(Ballot.id))
                         .where(Ballot.round_id == round_id)) == 1
        assert db.scalar(select(func.count(Receipt.id))
                         .where(Receipt.client_id == body["client_id"])) == 1


def test_no_ballot_commits_after_the_round_is_closed(any_app):
    code, secret, ideas, round_id = arrange(any_app)
    phones = [any_app.test_client() for _ in range(24)]
    for phone in phones:
        join_phone(phone, code)
    facilitator = any_app.test_client()

    def vote(n):
        return lambda: phones[n].post(f"/j/{code}/ballot", json={
            "client_id": client_id(), "ballot": {str(ideas[n % 4]): 1}})

    jobs = [vote(n) for n in range(24)]
    jobs.insert(12, lambda: facilitator.post(f"/f/{secret}/do/close-round", json={}))
    answers = run_together(jobs)
    closing = answers.pop(12)
    assert closing.status_code == 200
    acked = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code != 200]
    assert all(a.status_code == 409 and a.json["error"] == "round_closed" for a in refused)
    with any_app.app_context(), session_for(any_app) as db:
        vote_round = db.get(views.Round, round_id)
        assert vote_round.status == "closed"
        stored = db.scalars(select(Ballot).where(Ballot.round_id == round_id)).all()
        # Every acknowledged ballot is counted, and nothing else is.
        assert len(stored) == len(acked)
        assert sorted(json.dumps(b.content, sort_keys=True) for b in stored) == \
            sorted(json.dumps(a.json["ballot"], sort_keys=True) for a in acked)
        assert views.tally_round(db, vote_round).voters == len(acked)
    # Later ballots are refused with a clear reason and change nothing.
    late = phones[0].post(f"/j/{code}/ballot", json={"client_id": client_id(),
                                                     "ballot": {str(ideas[0]): 1}})
    assert late.status_code == 409 and late.json["error"] == "round_closed"


def test_an_idea_sent_as_collection_closes_is_refused_not_slipped_in(app, db):
    """The phase is checked again inside the idea's write transaction: a request that read
    the workshop just before the facilitator closed collection is refused."""
    workshop, _secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    person, _ = ops.join_workshop(db, workshop)
    with app.app_context(), session_for(app) as other:
        stale = lookups.get_workshop(other, workshop.code)  # the phone's request read this...
        ops.open_lobby(db, workshop)  # ...then the facilitator closed collection
        with pytest.raises(Refused) as refusal:
            ops.submit_idea(other, stale, other.get(type(person), person.id), "Trop tard",
                            client_id())
    assert refusal.value.code == "ideas_closed"
    db.rollback()
    assert db.scalar(select(func.count(Idea.id))) == 0
