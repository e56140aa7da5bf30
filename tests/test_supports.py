"""+1 on ideas during a collection: once per participant and idea (the database says so),
only while a collection that allows it runs, and merges keep every +1 (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

from tests.factories import client_id, participant
from workshop import ops
from workshop.core.errors import Refused
from workshop.store import views
from workshop.store.models import IdeaSupport


def refused_code(call, *args, **kwargs) -> str:
    with pytest.raises(Refused) as info:
        call(*args, **kwargs)
    return info.value.code


def collection(db, texts=("Logement", "Transport", "Revenu", "Santé"), **wanted):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    step = ops.plan_activity(db, workshop, "ideas", title="Défis",
                             settings={"supports": True, **wanted})
    ops.start_activity(db, workshop, step.id)
    ideas = [ops.add_idea(db, workshop, text).id for text in texts]
    return workshop, ideas


def plus_one(db, workshop, person, idea, on=True):
    return ops.support_idea(db, workshop, person, idea, on, client_id())


def test_a_plus_one_counts_once_per_person_and_can_be_taken_back(db):
    workshop, (a, b, *_rest) = collection(db)
    ann, bob = participant(db, workshop), participant(db, workshop)
    assert plus_one(db, workshop, ann, a) == {"ok": True, "idea": a, "supported": True}
    plus_one(db, workshop, ann, a)  # pressed twice: still one
    plus_one(db, workshop, bob, a)
    plus_one(db, workshop, bob, b)
    assert views.support_counts(db, workshop) == {a: 2, b: 1}
    assert views.own_supports(db, workshop, bob.id) == [a, b]
    plus_one(db, workshop, bob, a, on=False)
    plus_one(db, workshop, bob, a, on=False)
    assert views.support_counts(db, workshop) == {a: 1, b: 1}
    # A re-sent command gets its first answer, not a second change.
    again = client_id()
    ops.support_idea(db, workshop, bob, a, True, again)
    plus_one(db, workshop, bob, a, on=False)
    assert ops.support_idea(db, workshop, bob, a, True, again)["duplicate"] is True
    assert views.support_counts(db, workshop) == {a: 1, b: 1}
    facilitator = views.facilitator_view(db, workshop, 0)
    assert [row["supports"] for row in facilitator["most_supported"]] == [1, 1]
    assert views.public_view(db, workshop)["supports"] is True


def test_the_database_refuses_a_second_plus_one(db):
    workshop, (a, *_rest) = collection(db)
    ann = participant(db, workshop)
    plus_one(db, workshop, ann, a)
    db.add(IdeaSupport(idea_id=a, participant_id=ann.id))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_plus_ones_only_while_a_collection_allowing_them_runs(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    plain = ops.plan_activity(db, workshop, "ideas", title="Sans +1")
    ops.start_activity(db, workshop, plain.id)
    idea = ops.add_idea(db, workshop, "Logement").id
    person = participant(db, workshop)
    assert refused_code(plus_one, db, workshop, person, idea) == "supports_closed"
    assert views.public_view(db, workshop)["supports"] is False
    with_supports = ops.plan_activity(db, workshop, "ideas", settings={"supports": True})
    ops.start_activity(db, workshop, with_supports.id)
    pending = ops.submit_idea(db, workshop, person, "En attente", client_id())["idea"]["id"]
    assert refused_code(plus_one, db, workshop, person, pending) == "idea_not_found"
    assert refused_code(plus_one, db, workshop, person, 10**9) == "idea_not_found"
    assert refused_code(ops.support_idea, db, workshop, person, idea, "yes",
                        client_id()) == "bad_request"
    plus_one(db, workshop, person, idea)
    # Counts on the wall only when the collection says so.
    assert views.screen_view(db, workshop, 0)["support_counts"] is None
    ops.close_activity(db, workshop)
    assert refused_code(plus_one, db, workshop, person, idea) == "supports_closed"


def test_the_wall_shows_counts_when_the_collection_says_so(db):
    workshop, (a, *_rest) = collection(db, supports_on_wall=True)
    plus_one(db, workshop, participant(db, workshop), a)
    assert views.screen_view(db, workshop, 0)["support_counts"] == {str(a): 1}
    assert "support_counts" not in views.public_view(db, workshop)


# A day of +1s, merges and unmerges, against a model of what they mean.
steps = st.lists(st.one_of(
    st.tuples(st.just("plus"), st.integers(0, 3), st.integers(0, 4), st.booleans()),
    st.tuples(st.just("merge"), st.integers(0, 4), st.integers(0, 4)),
    st.tuples(st.just("unmerge"), st.integers(0, 4)),
), max_size=25)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_merges_and_unmerges_keep_every_plus_one(app, steps):
    from workshop.store.db import session_for

    with app.app_context(), session_for(app) as db:
        workshop, ideas = collection(db, ("A", "B", "C", "D", "E"))
        people = [participant(db, workshop) for _ in range(4)]
        given_by: dict[int, set[int]] = {idea: set() for idea in ideas}  # idea -> people
        into: dict[int, int | None] = dict.fromkeys(ideas)  # the model of merges
        for step in steps:
            if step[0] == "plus":
                _kind, who, which, on = step
                idea = ideas[which]
                try:
                    plus_one(db, workshop, people[who], idea, on)
                except Refused as error:
                    assert error.code == "idea_not_found" and into[idea] is not None
                    continue
                (given_by[idea].add if on else given_by[idea].discard)(people[who].id)
            elif step[0] == "merge":
                source, target = ideas[step[1]], ideas[step[2]]
                try:
                    ops.merge_ideas(db, workshop, source, target)
                except Refused:
                    continue
                for idea, kept in into.items():
                    if kept == source:
                        into[idea] = target
                into[source] = target
            else:
                idea = ideas[step[1]]
                try:
                    ops.unmerge_idea(db, workshop, idea)
                except Refused:
                    continue
                into[idea] = None
            expected: dict[int, set[int]] = {}
            for idea, people_here in given_by.items():
                expected.setdefault(into[idea] or idea, set()).update(people_here)
            assert views.support_counts(db, workshop) == \
                {idea: len(who) for idea, who in expected.items() if who}


def test_a_purge_keeps_the_counts_without_the_people(db):
    workshop, (a, b, c, *_rest) = collection(db)
    ann, bob = participant(db, workshop), participant(db, workshop)
    for person, idea in ((ann, a), (ann, b), (bob, b), (bob, c)):
        plus_one(db, workshop, person, idea)
    ops.merge_ideas(db, workshop, b, a)  # Ann gave both: she counts once on a
    before = views.support_counts(db, workshop)
    assert before == {a: 2, c: 1}
    ops.close_activity(db, workshop)
    ops.purge_personal_data(db, workshop)
    assert views.support_counts(db, workshop) == before
    assert db.query(IdeaSupport).filter(IdeaSupport.participant_id.is_not(None)).count() == 0


def test_a_phone_gives_and_takes_back_a_plus_one_over_http(app, db, client):
    from tests.conftest import join_phone

    workshop, _secret = ops.create_workshop(db, "Atelier")
    step = ops.plan_activity(db, workshop, "ideas", settings={"supports": True})
    ops.start_activity(db, workshop, step.id)
    idea = ops.add_idea(db, workshop, "Logement <b>abordable</b>").id
    join_phone(client, workshop.code)
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    assert 'data-support-form' in page and 'aria-pressed="false"' in page
    assert "<b>abordable" not in page  # the idea stays text
    answer = client.post(f"/j/{workshop.code}/support", json={
        "idea": idea, "on": True, "client_id": client_id()},
        headers={"Accept": "application/json"})
    assert answer.get_json() == {"ok": True, "idea": idea, "supported": True}
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    assert 'aria-pressed="true"' in page and f'data-supported="{idea}"' in page
    # A form without script: "false" takes it back, and the page comes back.
    answer = client.post(f"/j/{workshop.code}/support", data={
        "idea": str(idea), "on": "false", "client_id": client_id()})
    assert answer.status_code == 302
    assert views.support_counts(db, workshop) == {}
    for wrong in ({"idea": idea, "on": "maybe"}, {"idea": "x", "on": True}):
        refused = client.post(f"/j/{workshop.code}/support", json={
            **wrong, "client_id": client_id()}, headers={"Accept": "application/json"})
        assert refused.status_code == 400, refused.get_data(as_text=True)


def test_the_facilitator_sees_the_counts_most_first(app, db, client):
    workshop, secret = ops.create_workshop(db, "Atelier")
    step = ops.plan_activity(db, workshop, "ideas", settings={"supports": True})
    ops.start_activity(db, workshop, step.id)
    a, b = (ops.add_idea(db, workshop, text).id for text in ("Logement", "Transport"))
    for person in (participant(db, workshop), participant(db, workshop)):
        plus_one(db, workshop, person, b)
    plus_one(db, workshop, participant(db, workshop), a)
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    most = page.split('class="most-supported"', 1)[1].split("</ol>", 1)[0]
    assert most.index("Transport") < most.index("Logement")
    assert "+2" in most and "+1" in most


def test_the_agenda_form_turns_plus_ones_on_and_off(app, db, client):
    workshop, secret = ops.create_workshop(db, "Atelier")
    base = f"/f/{secret}/do"
    client.post(f"{base}/plan-activity", data={"kind": "ideas", "title": "Défis",
                                               "supports_offered": "1", "supports": "1"})
    step = views.facilitator_view(db, workshop, 0)["agenda"][0]
    assert step["settings"] == {"supports": True, "supports_on_wall": False}
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    assert 'name="supports_offered"' in page
    # The edit form sends no box: both off.
    client.post(f"{base}/edit-activity", data={"activity": str(step["id"]), "title": "Défis",
                                               "prompt": "", "supports_offered": "1"})
    db.rollback()
    db.expire_all()
    assert views.facilitator_view(db, workshop, 0)["agenda"][0]["settings"] == {
        "supports": False, "supports_on_wall": False}
