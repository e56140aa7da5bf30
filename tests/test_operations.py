"""Domain rules, through the operations layer on a real (SQLite) database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import client_id, ids_of, participant, voting_workshop, workshop_with_ideas
from workshop import ops
from workshop.core import tokens
from workshop.core.errors import Refused
from workshop.store import lookups, views
from workshop.store.models import Activity, Ballot, Idea, Workshop


def refused_code(call, *args, **kwargs) -> str:
    with pytest.raises(Refused) as info:
        call(*args, **kwargs)
    return info.value.code


def test_create_workshop_stores_only_the_digest_of_its_secret(db):
    workshop, secret = ops.create_workshop(db, "Atelier régional")
    assert len(secret) >= 43  # 256 bits, URL-safe
    assert workshop.facilitator_digest == tokens.digest(secret)
    assert secret not in {workshop.facilitator_digest, workshop.code}
    assert lookups.find_workshop_by_secret(db, secret).id == workshop.id
    altered = secret[:-1] + ("B" if secret.endswith("A") else "A")  # one character off
    assert altered != secret and lookups.find_workshop_by_secret(db, altered) is None
    assert tokens.normalise_code(workshop.code) == workshop.code


def test_workshop_title_is_required_and_length_limited(db):
    assert refused_code(ops.create_workshop, db, "   ") == "bad_title"
    assert refused_code(ops.create_workshop, db, "x" * 121) == "bad_title"
    assert db.scalar(select(func.count(Workshop.id))) == 0


def test_ideas_are_refused_outside_idea_collection(db):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    person = participant(db, workshop)
    assert refused_code(ops.submit_idea, db, workshop, person, "Idée", client_id()) == \
        "ideas_closed"


def test_submitted_idea_waits_for_approval_and_resend_is_not_duplicated(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    person = participant(db, workshop)
    cid = client_id()
    first = ops.submit_idea(db, workshop, person, "  Du   transport  ", cid)
    again = ops.submit_idea(db, workshop, person, "  Du   transport  ", cid)
    assert first["idea"]["text"] == "Du transport"
    assert again["idea"] == first["idea"] and again["duplicate"] is True
    assert db.scalar(select(func.count(Idea.id))) == 1
    assert views.public_view(db, workshop)["ideas"] == []


def test_idea_length_is_limited(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    person = participant(db, workshop)
    assert refused_code(ops.submit_idea, db, workshop, person, "x" * 281, client_id()) == \
        "bad_idea"
    assert refused_code(ops.submit_idea, db, workshop, person, "", client_id()) == "bad_idea"
    assert refused_code(ops.submit_idea, db, workshop, person, ["list"], client_id()) == \
        "bad_idea"


def test_moderation_approve_edit_hide_and_merge(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    person = participant(db, workshop)
    a = ops.submit_idea(db, workshop, person, "Transprot", client_id())["idea"]["id"]
    b = ops.submit_idea(db, workshop, person, "Transport en commun", client_id())["idea"]["id"]
    c = ops.submit_idea(db, workshop, person, "Publicité", client_id())["idea"]["id"]
    ops.approve_idea(db, workshop, a)
    ops.edit_idea(db, workshop, a, "Transport")
    ops.merge_ideas(db, workshop, b, a)
    ops.hide_idea(db, workshop, c)
    wall = views.public_view(db, workshop)["ideas"]
    assert wall == [{"id": a, "text": "Transport", "theme": None}]
    merged = db.get(Idea, b)
    assert (merged.status, merged.merged_into_id) == ("merged", a)
    assert refused_code(ops.merge_ideas, db, workshop, a, a) == "merge_into_itself"
    assert refused_code(ops.merge_ideas, db, workshop, a, c) == "merge_target_unavailable"
    assert refused_code(ops.approve_idea, db, workshop, b) == "idea_merged"


def test_moderation_cannot_reach_another_workshops_idea(db):
    mine, _s, _ideas = workshop_with_ideas(db)
    _other, _s2, theirs = workshop_with_ideas(db, ("Autre",))
    assert refused_code(ops.hide_idea, db, mine, theirs[0].id) == "idea_not_found"
    assert db.get(Idea, theirs[0].id).status == "approved"


def test_vote_needs_an_approved_idea(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    assert refused_code(ops.open_round, db, workshop) == "no_approved_ideas"
    assert workshop.phase == "lobby"


def test_round_settings_are_checked(db):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    assert refused_code(ops.open_round, db, workshop, settings={"dots": 0}) == "bad_setting"
    assert refused_code(ops.open_round, db, workshop, settings={"dots": "5"}) == "bad_setting"
    assert refused_code(ops.open_round, db, workshop, method="magic") == "unknown_method"


def test_round_freezes_its_options_and_defaults_to_five_dots_one_per_idea(db):
    workshop, _secret, ideas = workshop_with_ideas(db)
    vote = ops.open_round(db, workshop)
    assert vote.settings == {"dots": 5, "max_per_option": 1}
    assert vote.options == [i.id for i in ideas]
    late = ops.add_idea(db, workshop, "Arrivée tardive")
    assert late.id not in db.get(type(vote), vote.id).options


def test_ballot_over_budget_or_cap_is_refused_and_nothing_is_stored(db):
    workshop, _secret, ideas, _vote = voting_workshop(db, dots=2, cap=1)
    person = participant(db, workshop)
    a, b, c = (i.id for i in ideas)
    assert refused_code(ops.cast_ballot, db, ids_of(workshop, person), {a: 2}, client_id()) == \
        "bad_ballot"
    assert refused_code(ops.cast_ballot, db, ids_of(workshop, person), {a: 1, b: 1, c: 1},
                        client_id()) == "bad_ballot"
    assert refused_code(ops.cast_ballot, db, ids_of(workshop, person), {999: 1}, client_id()) == \
        "bad_ballot"
    assert refused_code(ops.cast_ballot, db, ids_of(workshop, person), {a: 1}, "short") == \
        "bad_client_id"
    assert db.scalar(select(func.count(Ballot.id))) == 0


def test_ballot_only_counts_approved_ideas_of_the_round(db):
    workshop, _secret, ideas, _vote = voting_workshop(db)
    hidden = ops.add_idea(db, workshop, "Ajoutée après l'ouverture")
    person = participant(db, workshop)
    with pytest.raises(Refused) as info:
        ops.cast_ballot(db, ids_of(workshop, person), {hidden.id: 1}, client_id())
    assert info.value.params["reason"] == "unknown_option"


def test_changing_a_ballot_replaces_it_and_resend_counts_once(db):
    workshop, _secret, ideas, vote = voting_workshop(db, dots=3, cap=3)
    person = participant(db, workshop)
    a, b, _c = (i.id for i in ideas)
    first_id = client_id()
    ops.cast_ballot(db, ids_of(workshop, person), {a: 3}, first_id)
    ops.cast_ballot(db, ids_of(workshop, person), {b: 2}, client_id())
    late_retry = ops.cast_ballot(db, ids_of(workshop, person), {a: 3}, first_id)
    assert late_retry["duplicate"] is True
    result = views.tally_round(db, vote)
    assert result.voters == 1
    assert {s.option: s.score for s in result.standings}[b] == 2
    assert {s.option: s.score for s in result.standings}[a] == 0


def test_no_ballot_after_the_round_closes(db):
    workshop, _secret, ideas, vote = voting_workshop(db)
    person = participant(db, workshop)
    ops.close_round(db, workshop)
    assert refused_code(ops.cast_ballot, db, ids_of(workshop, person), {ideas[0].id: 1},
                        client_id()) == "round_closed"
    assert views.tally_round(db, vote).voters == 0


def test_phase_moves_that_make_no_sense_are_refused(db):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    assert refused_code(ops.close_round, db, workshop) == "no_round"
    ops.open_round(db, workshop)
    assert refused_code(ops.open_ideas, db, workshop) == "bad_phase_move"
    assert refused_code(ops.reveal_results, db, workshop) == "round_open"
    ops.close_round(db, workshop)
    assert refused_code(ops.close_round, db, workshop) == "round_closed"
    ops.reveal_results(db, workshop)
    assert workshop.phase == "results"


def test_live_totals_hidden_from_projector_but_not_from_facilitator(db):
    workshop, _secret, ideas, _vote = voting_workshop(db)
    person = participant(db, workshop)
    ops.cast_ballot(db, ids_of(workshop, person), {ideas[1].id: 1}, client_id())
    ops.show_live_results(db, workshop, False)
    screen = views.screen_view(db, workshop, connected=3)
    assert screen["results"] is None and screen["voted"] == 1 and screen["connected"] == 3
    facilitator = views.facilitator_view(db, workshop, connected=3)
    assert facilitator["live_results"]["ranking"][0]["idea"] == ideas[1].id
    assert views.public_view(db, workshop)["results"] is None
    ops.close_round(db, workshop)
    assert views.screen_view(db, workshop, 3)["results"] is None
    ops.reveal_results(db, workshop)
    assert views.public_view(db, workshop)["results"]["voters"] == 1


def test_hiding_an_idea_of_the_open_round_is_refused(db):
    workshop, _secret, ideas, _vote = voting_workshop(db)
    assert refused_code(ops.hide_idea, db, workshop, ideas[0].id) == "idea_in_open_round"
    assert refused_code(ops.merge_ideas, db, workshop, ideas[0].id, ideas[1].id) == \
        "idea_in_open_round"


def test_a_refused_verb_owns_its_transaction_and_leaves_nothing_behind(db):
    """open_round plans its vote activity before it finds nothing to vote on: the verb's
    own transaction rolls that back, so no later commit of the same session stores it."""
    workshop, _secret = ops.create_workshop(db, "Atelier")
    assert refused_code(ops.open_round, db, workshop) == "no_approved_ideas"
    assert not db.in_transaction()
    db.commit()  # whatever the caller commits next
    assert db.scalar(select(func.count(Activity.id))) == 0


def test_an_idea_resent_after_the_collection_closed_gets_its_first_answer(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    person = participant(db, workshop)
    cid = client_id()
    first = ops.submit_idea(db, workshop, person, "Du transport", cid)
    ops.open_lobby(db, workshop)
    assert ops.submit_idea(db, workshop, person, "Du transport", cid) == \
        {**first, "duplicate": True}
    assert refused_code(ops.submit_idea, db, workshop, person, "Autre", client_id()) == \
        "ideas_closed"
