"""The agenda through the verbs: plan the day, run it in order, keep the old commands."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import client_id, ids_of, participant
from workshop import ops
from workshop.core.errors import Refused
from workshop.store import lookups, views
from workshop.store.models import Activity, Idea, ProfileQuestion, Round


def refused_code(call, *args, **kwargs) -> str:
    with pytest.raises(Refused) as info:
        call(*args, **kwargs)
    return info.value.code


def propose(db, workshop, person, *texts) -> list[int]:
    ids = [ops.submit_idea(db, workshop, person, text, client_id())["idea"]["id"]
           for text in texts]
    for idea in ids:
        ops.approve_idea(db, workshop, idea)
    return ids


def test_a_whole_day_runs_in_agenda_order(db):
    workshop, _secret = ops.create_workshop(db, "Atelier régional")
    challenges = ops.plan_activity(db, workshop, "ideas", title="Défis",
                                   prompt="Quels sont les défis?")
    vote = ops.plan_activity(db, workshop, "vote", title="Priorités",
                             settings={"collection": challenges.id,
                                       "method_settings": {"dots": 3, "max_per_option": 3}})
    runoff = ops.plan_activity(db, workshop, "vote", title="Second tour",
                               settings={"source": "top", "of": vote.id, "count": 2,
                                         "method": "approval"})
    solutions = ops.plan_activity(db, workshop, "ideas", title="Solutions",
                                  prompt="Quelles solutions pour la priorité 1?")
    assert [a.position for a in lookups.agenda(db, workshop)] == [1, 2, 3, 4]
    people = [participant(db, workshop) for _ in range(3)]

    assert ops.start_next_activity(db, workshop).id == challenges.id
    assert workshop.phase == "ideas"
    public = views.public_view(db, workshop)
    assert public["activity"] == {"id": challenges.id, "kind": "ideas", "title": "Défis",
                                  "prompt": "Quels sont les défis?", "status": "open",
                                  "position": 1}
    a, b, c, d = propose(db, workshop, people[0], "Transport", "Logement", "Emploi",
                         "Santé")
    ops.start_next_activity(db, workshop)  # the vote: the collection closes on the way
    assert db.get(Activity, challenges.id).status == "closed"
    assert workshop.phase == "vote" and workshop.current_activity_id == vote.id
    first = db.get(Round, db.get(Activity, vote.id).round_id)
    assert first.options == [a, b, c, d] and workshop.current_round_id == first.id
    assert (first.title, first.settings) == ("Priorités", {"dots": 3, "max_per_option": 3})
    # Logement and Emploi tie for second place: both go to the runoff.
    for person, ballot in zip(people, ({a: 3}, {b: 2, d: 1}, {c: 2}), strict=True):
        ops.cast_ballot(db, ids_of(workshop, person), ballot, client_id())
    assert refused_code(ops.start_next_activity, db, workshop) == "runoff_source_open"
    ops.close_activity(db, workshop)
    assert (workshop.phase, db.get(Round, first.id).status) == ("results", "closed")

    ops.start_next_activity(db, workshop)
    second = db.get(Round, db.get(Activity, runoff.id).round_id)
    assert second.method == "approval" and second.options == [a, b, c]
    assert workshop.current_round_id == second.id
    ops.close_round(db, workshop)  # the older command closes the vote activity too
    assert db.get(Activity, runoff.id).status == "closed"

    ops.start_next_activity(db, workshop)
    late = propose(db, workshop, people[1], "Navette régionale")
    assert db.get(Idea, late[0]).activity_id == solutions.id
    assert {i.id: i.activity_id for i in db.scalars(select(Idea))} == {
        a: challenges.id, b: challenges.id, c: challenges.id, d: challenges.id,
        late[0]: solutions.id}
    assert views.public_view(db, workshop)["activity"]["prompt"] == \
        "Quelles solutions pour la priorité 1?"
    assert refused_code(ops.start_next_activity, db, workshop) == "no_planned_activity"
    agenda = views.facilitator_view(db, workshop, 0)["agenda"]
    assert [(s["status"], s["round"]) for s in agenda] == [
        ("closed", None), ("closed", first.id), ("closed", second.id), ("open", None)]


def test_a_vote_on_one_collection_only_takes_its_ideas(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    person = participant(db, workshop)
    ops.open_ideas(db, workshop)
    early = propose(db, workshop, person, "Avant")
    second = ops.plan_activity(db, workshop, "ideas")
    ops.start_activity(db, workshop, second.id)
    later = propose(db, workshop, person, "Après")
    vote = ops.plan_activity(db, workshop, "vote", settings={"collection": second.id})
    ops.start_activity(db, workshop, vote.id)
    assert db.get(Round, db.get(Activity, vote.id).round_id).options == later
    assert early[0] not in db.get(Round, workshop.current_round_id).options


def test_a_runoff_needs_its_vote_closed_first(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    ops.add_idea(db, workshop, "Transport")
    vote = ops.plan_activity(db, workshop, "vote")
    runoff = ops.plan_activity(db, workshop, "vote",
                               settings={"source": "top", "of": vote.id, "count": 1})
    assert refused_code(ops.start_activity, db, workshop, runoff.id) == "runoff_source_open"
    assert db.get(Activity, runoff.id).status == "planned" and workshop.phase == "lobby"


def test_planning_checks_the_kind_and_what_the_settings_point_at(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    other, _ = ops.create_workshop(db, "Ailleurs")
    theirs = ops.plan_activity(db, other, "ideas")
    collection = ops.plan_activity(db, workshop, "ideas")
    assert refused_code(ops.plan_activity, db, workshop, "quiz") == "unknown_activity_kind"
    assert refused_code(ops.plan_activity, db, workshop, "vote",
                        settings={"collection": theirs.id}) == "bad_activity_reference"
    assert refused_code(ops.plan_activity, db, workshop, "vote", settings={
        "source": "top", "of": collection.id}) == "bad_activity_reference"
    assert refused_code(ops.plan_activity, db, workshop, "ideas", prompt="x" * 281) == \
        "bad_prompt"
    assert refused_code(ops.start_activity, db, workshop, theirs.id) == "activity_not_found"
    assert [a.id for a in lookups.agenda(db, workshop)] == [collection.id]


def test_edit_move_and_remove_only_planned_steps(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    one = ops.plan_activity(db, workshop, "ideas", title="Un")
    two = ops.plan_activity(db, workshop, "vote", title="Deux")
    three = ops.plan_activity(db, workshop, "ideas", title="Trois")
    ops.move_activity(db, workshop, three.id, "up")
    assert [a.title for a in lookups.agenda(db, workshop)] == ["Un", "Trois", "Deux"]
    assert refused_code(ops.move_activity, db, workshop, one.id, "up") == "cannot_move"
    assert refused_code(ops.move_activity, db, workshop, one.id, "sideways") == "bad_request"
    ops.edit_activity(db, workshop, two.id, title="Priorités",
                      settings={"method": "points"})
    assert db.get(Activity, two.id).settings["method_settings"] == {"points": 100}
    runoff = ops.plan_activity(db, workshop, "vote", settings={"source": "top",
                                                               "of": two.id})
    assert refused_code(ops.remove_activity, db, workshop, two.id) == "activity_referenced"
    ops.remove_activity(db, workshop, runoff.id)
    ops.remove_activity(db, workshop, three.id)
    assert [(a.title, a.position) for a in lookups.agenda(db, workshop)] == [
        ("Un", 1), ("Priorités", 2)]
    ops.start_activity(db, workshop, one.id)
    assert refused_code(ops.edit_activity, db, workshop, one.id, title="X") == \
        "activity_not_planned"
    assert refused_code(ops.remove_activity, db, workshop, one.id) == "activity_not_planned"
    assert refused_code(ops.start_activity, db, workshop, one.id) == "activity_not_planned"


def test_the_older_commands_are_activities(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    planned = ops.plan_activity(db, workshop, "ideas", prompt="Quels défis?")
    ops.open_ideas(db, workshop)  # starts the planned collection
    assert workshop.current_activity_id == planned.id
    assert refused_code(ops.open_ideas, db, workshop) == "bad_phase_move"
    ops.add_idea(db, workshop, "Transport")
    vote = ops.open_round(db, workshop, title="Priorités")
    steps = lookups.agenda(db, workshop)
    assert [(s.kind, s.status, s.round_id) for s in steps] == [
        ("ideas", "closed", None), ("vote", "open", vote.id)]
    assert refused_code(ops.open_lobby, db, workshop) == "bad_phase_move"
    assert refused_code(ops.open_round, db, workshop) == "bad_phase_move"
    assert len(lookups.agenda(db, workshop)) == 2  # the refused vote left nothing behind
    ops.close_round(db, workshop)
    later = ops.plan_activity(db, workshop, "vote")
    ops.open_ideas(db, workshop)  # no collection planned: a new one, before the plan
    assert [(s.kind, s.status) for s in lookups.agenda(db, workshop)] == [
        ("ideas", "closed"), ("vote", "closed"), ("ideas", "open"), ("vote", "planned")]
    ops.open_lobby(db, workshop)
    assert lookups.open_activity(db, workshop) is None
    assert db.get(Activity, later.id).position == 4
    assert refused_code(ops.close_activity, db, workshop) == "no_open_activity"


def test_the_ready_made_agenda_runs_from_challenges_to_solutions(db):
    workshop, _secret = ops.create_workshop(db, "Journée régionale")
    ops.plan_activity(db, workshop, "ideas", title="Accueil")  # what was planned stays first
    steps = ops.plan_ready_agenda(db, workshop, lambda text: f"«{text}»")
    agenda = lookups.agenda(db, workshop)
    assert [a.title for a in agenda] == ["Accueil", "«Challenges»", "«Priorities»", "«Top 5»",
                                         "«Solutions»"]
    challenges, priorities, top, solutions = steps
    assert challenges.prompt == "«What are the challenges in our region?»"
    assert priorities.settings["collection"] == challenges.id
    assert (top.settings["source"], top.settings["of"], top.settings["count"],
            top.settings["method"]) == ("top", priorities.id, 5, "ranking")
    ops.remove_activity(db, workshop, agenda[0].id)
    # the day itself: 7 challenges, dots, the five first ranked, then solutions
    ops.start_next_activity(db, workshop)
    person = participant(db, workshop)
    ideas = propose(db, workshop, person, *[f"Défi {n}" for n in range(4)])
    ideas += propose(db, workshop, participant(db, workshop), *[f"Défi {n}" for n in range(4, 7)])
    dots = ops.start_next_activity(db, workshop)
    vote = db.get(Round, db.get(Activity, dots.id).round_id)
    assert sorted(vote.options) == sorted(ideas) and vote.method == "dots"
    ops.cast_ballot(db, ids_of(workshop, person), {ideas[n]: 1 for n in range(5)}, client_id())
    ops.close_activity(db, workshop)
    ranking = ops.start_next_activity(db, workshop)
    runoff = db.get(Round, db.get(Activity, ranking.id).round_id)
    assert sorted(runoff.options) == sorted(ideas[:5]) and runoff.method == "ranking"
    ops.close_activity(db, workshop)
    last = ops.start_next_activity(db, workshop)
    assert last.id == solutions.id and workshop.phase == "ideas"


def test_a_copy_of_a_workshop_has_its_agenda_and_questions_and_nobody(db, client):
    source, secret = ops.create_workshop(db, "Journée 2026")
    ops.plan_ready_agenda(db, source, lambda text: text)
    ops.add_template_questions(db, source, lambda text: text)
    ops.set_min_group_size(db, source, 8)
    ops.start_next_activity(db, source)
    person = participant(db, source)
    propose(db, source, person, "Logement")
    answer = client.post(f"/f/{secret}/duplicate", json={})
    assert answer.status_code == 200 and answer.json["code"] != source.code
    db.rollback()
    copy = lookups.get_workshop(db, answer.json["code"])
    assert copy.title == "Journée 2026 (copie)" and copy.min_group_size == 8
    assert copy.phase == "lobby"
    steps, originals = lookups.agenda(db, copy), lookups.agenda(db, source)
    assert [(a.kind, a.title, a.prompt, a.status) for a in steps] == \
        [(a.kind, a.title, a.prompt, "planned") for a in originals]
    mapping = {old.id: new.id for old, new in zip(originals, steps, strict=True)}
    assert steps[1].settings["collection"] == mapping[originals[0].id]
    assert steps[2].settings["of"] == mapping[originals[1].id]
    assert len(views.approved_wall(db, copy)) == 0
    questions = db.scalars(select(ProfileQuestion).where(ProfileQuestion.workshop_id == copy.id)
                           .order_by(ProfileQuestion.position)).all()
    originals_q = db.scalars(select(ProfileQuestion).where(
        ProfileQuestion.workshop_id == source.id).order_by(ProfileQuestion.position)).all()
    assert [(q.text, q.choices) for q in questions] == [(q.text, q.choices) for q in originals_q]
    # the copy runs its own day
    ops.start_next_activity(db, copy)
    assert copy.phase == "ideas"
    page = client.post(f"/f/{secret}/duplicate", data={})  # a form: the new page opens
    assert page.status_code in (302, 400)


def test_solutions_are_asked_for_each_priority_of_a_votes_top(db, client):
    workshop, secret = ops.create_workshop(db, "Journée")
    ops.open_ideas(db, workshop)
    people = [participant(db, workshop) for _ in range(3)]
    ideas = propose(db, workshop, people[0], "Logement", "Transport", "Épicerie") + \
        propose(db, workshop, people[1], "Garderies")
    vote = ops.open_round(db, workshop, settings={"dots": 2, "max_per_option": 1})
    ops.cast_ballot(db, ids_of(workshop, people[0]), {ideas[0]: 1, ideas[1]: 1}, client_id())
    ops.cast_ballot(db, ids_of(workshop, people[1]), {ideas[0]: 1, ideas[2]: 1}, client_id())
    ops.cast_ballot(db, ids_of(workshop, people[2]), {ideas[0]: 1, ideas[3]: 1}, client_id())
    step = db.scalar(select(Activity).where(Activity.round_id == vote.id))
    assert refused_code(ops.plan_solutions, db, workshop, step.id, 2,
                        lambda t: (t, t)) == "runoff_source_open"
    ops.close_round(db, workshop)
    # Logement 3, then three tied at 1: a top 2 takes all four, ties are never cut
    answer = client.post(f"/f/{secret}/do/plan-solutions",
                         json={"activity": step.id, "count": 2})
    assert answer.status_code == 200 and len(answer.json["activities"]) == 4
    db.rollback()
    planned = [db.get(Activity, a) for a in answer.json["activities"]]
    assert planned[0].title == "Solutions\u00a0: Logement"
    assert planned[0].prompt == "Quelles solutions pour «\u00a0Logement\u00a0»\u00a0?"
    assert {a.kind for a in planned} == {"ideas"} and {a.status for a in planned} == {"planned"}
    assert sorted(a.title for a in planned[1:]) == ["Solutions\u00a0: Garderies",
                                                    "Solutions\u00a0: Transport",
                                                    "Solutions\u00a0: Épicerie"]
    assert refused_code(ops.plan_solutions, db, workshop, step.id, 11,
                        lambda t: (t, t)) == "bad_activity_setting"
    assert client.post(f"/f/{secret}/do/plan-solutions",
                       json={"activity": step.id, "count": "beaucoup"}).status_code == 400
