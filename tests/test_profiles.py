"""Profiles (ADS+): the facilitator's questions, consent, answers, and results by group
read from the database with small groups left out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import client_id, ids_of, participant, voting_workshop
from workshop import ops
from workshop.core.errors import Refused
from workshop.core.groups.template import ADS_QUEBEC, PREFER_NOT
from workshop.store.groups import consent_counts, own_profile, profile_questions, round_breakdowns
from workshop.store.models import ProfileAnswer


def same(text: str) -> str:
    return text


def test_the_template_adds_four_questions_each_ending_with_prefer_not(db):
    workshop, _secret, _ideas, _vote = voting_workshop(db)
    ops.add_template_questions(db, workshop, same)
    questions = profile_questions(db, workshop)
    assert [q.text for q in questions] == [q.text for q in ADS_QUEBEC]
    territory = questions[1]
    assert [c["label"] for c in territory.choices][:8] == [
        "Kamouraska", "Rivière-du-Loup", "Témiscouata", "Les Basques", "Rimouski-Neigette",
        "La Mitis", "La Matapédia", "La Matanie"]
    for question in questions:
        assert question.choices[-1]["key"] == PREFER_NOT
        keys = [c["key"] for c in question.choices]
        assert len(set(keys)) == len(keys)


def test_the_template_is_added_in_the_facilitators_language(app, db):
    from flask_babel import force_locale, gettext

    workshop, _secret, _ideas, _vote = voting_workshop(db)
    with app.test_request_context(), force_locale("fr"):
        ops.add_template_questions(db, workshop, gettext)
    questions = profile_questions(db, workshop)
    assert questions[0].choices[-1]["label"] == "Préfère ne pas répondre"
    assert questions[1].choices[-2]["label"] == "Hors région"
    assert questions[0].text == "Vous êtes\u00a0:"


def test_answers_need_consent_and_declining_erases_them(db):
    workshop, _secret, _ideas, _vote = voting_workshop(db)
    ops.add_template_questions(db, workshop, same)
    ops.open_profiles(db, workshop)
    gender, territory = profile_questions(db, workshop)[:2]
    person = participant(db, workshop)
    with pytest.raises(Refused) as refused:
        ops.answer_profile(db, workshop, person, {gender.id: "c1"})
    assert refused.value.code == "no_consent"
    ops.decide_consent(db, workshop, person, True)
    ops.answer_profile(db, workshop, person, {str(gender.id): "c1", territory.id: "c3"})
    assert own_profile(db, person.id) == (True, {gender.id: "c1", territory.id: "c3"})
    ops.answer_profile(db, workshop, person, {gender.id: None, territory.id: PREFER_NOT})
    assert own_profile(db, person.id) == (True, {territory.id: PREFER_NOT})
    for bad, code in (({gender.id: "c99"}, "bad_choice"), ({"x": "c1"}, "question_not_found"),
                      ({True: "c1"}, "question_not_found"), ({10**30: "c1"}, "question_not_found")):
        with pytest.raises(Refused) as refused:
            ops.answer_profile(db, workshop, person, bad)
        assert refused.value.code == code
    ops.open_profiles(db, workshop, False)
    with pytest.raises(Refused) as refused:  # no new answer once the questions are closed
        ops.answer_profile(db, workshop, person, {gender.id: "c1"})
    assert refused.value.code == "profiles_closed"
    ops.answer_profile(db, workshop, person, {territory.id: None})  # erasing: always
    ops.decide_consent(db, workshop, person, False)
    assert own_profile(db, person.id) == (False, {})
    assert consent_counts(db, workshop) == {"agreed": 0, "declined": 1}


def test_a_question_of_another_workshop_cannot_be_answered_or_edited(db):
    mine, _s, _i, _v = voting_workshop(db)
    other, _s2, _i2, _v2 = voting_workshop(db)
    ops.add_template_questions(db, other, same)
    theirs = profile_questions(db, other)[0]
    ops.add_template_questions(db, mine, same)
    ops.open_profiles(db, mine)
    person = participant(db, mine)
    ops.decide_consent(db, mine, person, True)
    with pytest.raises(Refused) as refused:
        ops.answer_profile(db, mine, person, {theirs.id: "c1"})
    assert refused.value.code == "question_not_found"
    with pytest.raises(Refused) as refused:
        ops.edit_profile_question(db, mine, theirs.id, "Genre", ["F", "H"])
    assert refused.value.code == "question_not_found"


def test_editing_keeps_keys_and_never_drops_a_chosen_choice(db):
    workshop, _secret, _ideas, _vote = voting_workshop(db)
    question = ops.add_profile_question(db, workshop, "Quel âge avez-vous ?",
                                        ["Moins de 30 ans", "30 à 60 ans", "Plus de 60 ans"],
                                        same)
    ops.open_profiles(db, workshop)
    person = participant(db, workshop)
    ops.decide_consent(db, workshop, person, True)
    ops.answer_profile(db, workshop, person, {question.id: "c3"})
    ops.edit_profile_question(db, workshop, question.id, "Votre âge", [
        "Moins de 35 ans", "35 à 64 ans", "65 ans ou plus", "Je ne sais pas"])
    db.refresh(question)
    assert [(c["key"], c["label"]) for c in question.choices] == [
        ("c1", "Moins de 35 ans"), ("c2", "35 à 64 ans"), ("c3", "65 ans ou plus"),
        ("c4", "Je ne sais pas"), (PREFER_NOT, "Prefer not to answer")]
    with pytest.raises(Refused) as refused:
        ops.edit_profile_question(db, workshop, question.id, "Votre âge", ["A", "B"])
    assert refused.value.code == "choice_answered"
    for choices, code in ((["Seul"], "bad_choices"), (["A", "a"], "duplicate_choice"),
                          ("A, B", "bad_choices")):
        with pytest.raises(Refused) as refused:
            ops.edit_profile_question(db, workshop, question.id, "Votre âge", choices)
        assert refused.value.code == code
    ops.remove_profile_question(db, workshop, question.id)
    assert db.scalars(select(ProfileAnswer)).all() == []


def test_the_smallest_group_shown_can_be_raised_never_lowered(db):
    workshop, _secret, _ideas, _vote = voting_workshop(db)
    ops.set_min_group_size(db, workshop, 8)
    assert workshop.min_group_size == 8
    for size in (4, 0, 51, "6", True):
        with pytest.raises(Refused) as refused:
            ops.set_min_group_size(db, workshop, size)
        assert refused.value.code == "bad_group_size"
    assert workshop.min_group_size == 8


def test_profiles_open_only_with_questions(db):
    workshop, _secret, _ideas, _vote = voting_workshop(db)
    with pytest.raises(Refused) as refused:
        ops.open_profiles(db, workshop)
    assert refused.value.code == "no_questions"
    ops.add_template_questions(db, workshop, same)
    ops.open_profiles(db, workshop)
    assert workshop.profiles_open


def test_results_by_group_only_once_the_vote_is_closed_and_small_groups_left_out(db):
    # 8 women each put 3 dots on the first idea, 7 men 3 dots on the second, 2 non-binary
    # people 3 dots on the third, 3 people preferred not to say: hidden with the two, they
    # are five, so women and men are shown and nothing else.
    workshop, _secret, ideas, vote = voting_workshop(db, dots=3, cap=3)
    ops.add_template_questions(db, workshop, same)
    ops.open_profiles(db, workshop)
    gender = profile_questions(db, workshop)[0]
    plan = [("c1", ideas[0])] * 8 + [("c2", ideas[1])] * 7 + [("c3", ideas[2])] * 2 \
        + [(PREFER_NOT, ideas[2])] * 3
    for choice, idea in plan:
        person = participant(db, workshop)
        ops.decide_consent(db, workshop, person, True)
        ops.answer_profile(db, workshop, person, {gender.id: choice})
        ops.cast_ballot(db, ids_of(workshop, person), {idea.id: 3}, client_id())
    assert round_breakdowns(db, workshop, vote) is None  # open: nothing by group
    ops.close_round(db, workshop)
    by_gender = round_breakdowns(db, workshop, vote)[0]
    assert by_gender.question.id == gender.id
    result = by_gender.breakdown
    assert [(g.group, g.voters) for g in result.groups] == [("c1", 8), ("c2", 7)]
    assert result.hidden_voters == 5
    assert [by_gender.labels[g.group] for g in result.groups] == ["A woman", "A man"]
    women = result.groups[0].result
    assert [(s.option, s.score) for s in women.standings][0] == (ideas[0].id, 24)
    # the other questions: nobody answered them, so nothing is shown for them
    assert all(not q.breakdown.groups for q in round_breakdowns(db, workshop, vote)[1:])


def test_a_small_group_raises_with_the_workshops_threshold(db):
    workshop, _secret, ideas, vote = voting_workshop(db, dots=3, cap=3)
    ops.add_template_questions(db, workshop, same)
    ops.set_min_group_size(db, workshop, 8)
    ops.open_profiles(db, workshop)
    gender = profile_questions(db, workshop)[0]
    for choice in ["c1"] * 8 + ["c2"] * 7 + [PREFER_NOT] * 8:
        person = participant(db, workshop)
        ops.decide_consent(db, workshop, person, True)
        ops.answer_profile(db, workshop, person, {gender.id: choice})
        ops.cast_ballot(db, ids_of(workshop, person), {ideas[0].id: 3}, client_id())
    ops.close_round(db, workshop)
    result = round_breakdowns(db, workshop, vote)[0].breakdown
    assert result.k == 8
    assert [g.group for g in result.groups] == ["c1"]  # 7 men are fewer than 8
    assert result.hidden_voters == 15


def test_typed_text_keeps_the_no_break_spaces_of_french_typography():
    from workshop.core.text import clean_text

    typed = "  Vous êtes\u00a0:\t une  femme ? "
    assert clean_text(typed, 50, "c") == "Vous êtes\u00a0: une femme ?"
    assert clean_text("« logement »", 50, "c") == "« logement »"
    with pytest.raises(Refused):
        clean_text(" \u00a0\u202f ", 50, "c")


def test_the_projector_shows_a_question_by_group_only_as_suppressed(db):
    from workshop.store.views import audience_views

    workshop, _secret, ideas, vote = voting_workshop(db, dots=3, cap=3)
    ops.add_template_questions(db, workshop, same)
    ops.open_profiles(db, workshop)
    gender, territory = profile_questions(db, workshop)[:2]
    for n, choice in enumerate(["c1"] * 6 + ["c2"] * 6 + ["c3"] * 2 + [PREFER_NOT] * 3):
        person = participant(db, workshop)
        ops.decide_consent(db, workshop, person, True)
        ops.answer_profile(db, workshop, person, {gender.id: choice})
        ops.cast_ballot(db, ids_of(workshop, person), {ideas[n % 3].id: 3}, client_id())
    with pytest.raises(Refused) as refused:  # open: nothing by group
        ops.project_groups(db, workshop, vote.id, gender.id, "groups")
    assert refused.value.code == "round_open"
    ops.close_round(db, workshop)
    with pytest.raises(Refused) as refused:  # nobody answered: no group to show
        ops.project_groups(db, workshop, vote.id, territory.id, "groups")
    assert refused.value.code == "no_group_shown"
    for bad, code in (((vote.id, gender.id, "everything"), "bad_request"),
                      ((10**20, gender.id, "gaps"), "round_not_found"),
                      ((vote.id, 10**20, "gaps"), "question_not_found")):
        with pytest.raises(Refused) as refused:
            ops.project_groups(db, workshop, *bad)
        assert refused.value.code == code
    ops.project_groups(db, workshop, vote.id, gender.id, "gaps")
    public, screen, facilitator = audience_views(db, workshop, 0)
    assert "groups" not in public
    shown = screen["groups"]
    assert shown["view"] == "gaps" and shown["round"] == vote.id
    assert [g["label"] for g in shown["question"]["groups"]] == ["A woman", "A man"]
    assert "non-binary" not in str(screen) and facilitator["groups"] == shown
    ops.project_groups(db, workshop, vote.id, gender.id, None)
    assert audience_views(db, workshop, 0)[1]["groups"] is None


def test_the_monitor_counts_people_by_group_against_expected_shares(db):
    from workshop.core.groups.template import read_expected_shares
    from workshop.store.room import monitor

    workshop, _secret, ideas, vote = voting_workshop(db, dots=3, cap=3)
    ops.add_template_questions(db, workshop, same)
    ops.open_profiles(db, workshop)
    territory = profile_questions(db, workshop)[1]
    ops.set_expected_shares(db, workshop, territory.id,
                            "Kamouraska\t10,5\nrimouski-neigette;27 %\n\n\"La Mitis\",8")
    people = []
    for n, choice in enumerate(["c1"] * 3 + ["c5"] * 2):
        person = participant(db, workshop)
        people.append(person.id)
        ops.decide_consent(db, workshop, person, True)
        ops.answer_profile(db, workshop, person, {territory.id: choice})
        if n % 2 == 0:
            ops.cast_ballot(db, ids_of(workshop, person), {ideas[0].id: 3}, client_id())
    silent = participant(db, workshop)  # joined, answered nothing
    # connected now: the first and second of Kamouraska, the last of Rimouski, the silent
    here = frozenset({people[0], people[1], people[4], silent.id})
    seen = monitor(db, workshop, lambda: here)
    assert (seen["joined"], seen["present"], seen["profiled"], seen["voters"]) == (6, 4, 5, 3)
    rows = {r["label"]: r for r in seen["questions"][1]["rows"]}
    assert [rows["Kamouraska"][k] for k in ("answered", "present", "voted")] == [3, 2, 2]
    assert [rows["Rimouski-Neigette"][k] for k in ("answered", "present", "voted")] == [2, 1, 1]
    assert (seen["questions"][1]["answered"], seen["questions"][1]["present"]) == (5, 3)
    assert monitor(db, workshop)["present"] == 0  # nobody said connected: nobody counted
    assert [rows[m]["expected"] for m in ("Kamouraska", "Rimouski-Neigette", "La Mitis",
                                          "Témiscouata")] == [10.5, 27.0, 8.0, None]
    assert seen["questions"][1]["answered"] == 5
    # editing the question keeps the shares; a wrong text changes nothing
    ops.edit_profile_question(db, workshop, territory.id, "Votre MRC ?",
                              [c["label"] for c in territory.choices[:-1]])
    for typed, code in (("Québec;5", "unknown_choice"), ("Kamouraska;150", "bad_shares"),
                        ("Kamouraska;60\nLa Mitis;50", "bad_shares"), ("Kamouraska", "bad_shares"),
                        (["x"], "bad_shares")):
        with pytest.raises(Refused) as refused:
            ops.set_expected_shares(db, workshop, territory.id, typed)
        assert refused.value.code == code
    rows = {r["label"]: r for r in monitor(db, workshop)["questions"][1]["rows"]}
    assert rows["Kamouraska"]["expected"] == 10.5
    assert read_expected_shares(["A", "B"], "") == {}
    # a spreadsheet's heading row is left out; a known choice with no number is refused
    assert read_expected_shares(["A", "B"], "MRC;Part de la population\nA;40\nB;60") == \
        {"A": 40.0, "B": 60.0}
    for typed in ("A;beaucoup\nB;60", "B;60\nMRC;Part"):
        with pytest.raises(Refused):
            read_expected_shares(["A", "B"], typed)
