"""The projector's tally reads ballots as raw JSON text and decodes each distinct text once
(views._tally_form): it must count exactly what the stored ballots say, and tallying
must never change the shared decoded forms."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.factories import client_id, ids_of, voting_workshop, workshop_with_ideas
from workshop import ops
from workshop.core.voting import get_method
from workshop.store import views
from workshop.store.models import Ballot

picks = st.lists(st.lists(st.integers(0, 4), min_size=1, max_size=3, unique=True),
                 max_size=20)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks)
@example([[0, 1], [0], [2, 0]])  # idea 0: 3 dots (rank 1), ideas 1 and 2: 1 (rank 2), 3 and 4: 0
def test_the_tally_counts_what_the_stored_ballots_say(app, db, chosen):
    workshop, _secret, ideas, vote = voting_workshop(
        db, dots=3, cap=1, texts=[f"Idée {n}" for n in range(5)])
    for pick in chosen:
        person, _ = ops.join_workshop(db, workshop)
        ops.cast_ballot(db, ids_of(workshop, person), {ideas[n].id: 1 for n in pick},
                        client_id())
    # Counted here by hand, not by the engine: one dot per idea picked, one voter per ballot.
    dots = {ideas[n].id: sum(n in pick for pick in chosen) for n in range(5)}
    ranks = {idea: 1 + sum(other > score for other in dots.values())
             for idea, score in dots.items()}
    shared = copy.deepcopy(views._TALLY_FORMS)
    for result in (views.tally_round(db, vote), views.tally_round(db, vote)):  # decoded, cached
        assert result.voters == len(chosen)
        assert {s.option: s.score for s in result.standings} == dots
        assert {s.option: s.supporters for s in result.standings} == dots  # cap 1
        assert {s.option: s.rank for s in result.standings} == ranks
    assert all(views._TALLY_FORMS[text] == form for text, form in shared.items())


def test_the_decoded_forms_are_bounded(app, db, monkeypatch):
    monkeypatch.setattr(views, "_TALLY_FORMS", {})
    monkeypatch.setattr(views, "_TALLY_FORMS_MAX", 2)
    workshop, _secret, ideas, vote = voting_workshop(db, dots=1, cap=1)
    for idea in ideas:  # three distinct ballots
        person, _ = ops.join_workshop(db, workshop)
        ops.cast_ballot(db, ids_of(workshop, person), {idea.id: 1}, client_id())
    result = views.tally_round(db, vote)
    assert result.voters == 3 and sorted(s.score for s in result.standings) == [1, 1, 1]
    assert len(views._TALLY_FORMS) <= 2


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.permutations(range(4)).map(lambda order: order[:3]), max_size=15))
def test_a_ranking_round_is_tallied_from_its_grouped_ballots(app, db, rankings):
    workshop, _secret, ideas = workshop_with_ideas(db, texts=[f"Idée {n}" for n in range(4)])
    vote = ops.open_round(db, workshop, method="ranking")
    for order in rankings:
        person, _ = ops.join_workshop(db, workshop)
        ops.cast_ballot(db, ids_of(workshop, person), [ideas[n].id for n in order], client_id())
    db.expire_all()
    stored = list(db.scalars(select(Ballot.content).where(Ballot.round_id == vote.id)
                             .order_by(Ballot.id)))
    assert views.tally_round(db, vote) == get_method("ranking").tally(
        stored, vote.options, vote.settings)
