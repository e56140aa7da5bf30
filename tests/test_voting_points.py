"""Points allocation: ballot rules, tallies and the properties every recount relies on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from workshop.core.voting import BallotError, points

PROPERTY = hsettings(max_examples=150, deadline=None)
OPTIONS = ["a", "b", "c"]


def code_of(ballot, settings=None, options=OPTIONS):
    """Return the BallotError code a ballot raises."""
    with pytest.raises(BallotError) as caught:
        points.validate(ballot, options, settings or {})
    return caught.value.code


@st.composite
def rounds(draw, min_options=1, max_options=6):
    """Draw (options, settings, valid ballots) for a points round."""
    options = draw(st.lists(st.integers(-1000, 1000), min_size=min_options,
                            max_size=max_options, unique=True))
    budget = draw(st.integers(1, 100))
    settings = {"points": budget}
    ballots = []
    for _ in range(draw(st.integers(0, 10))):
        left = budget
        ballot = {}
        for option in draw(st.permutations(options)):
            given_points = draw(st.integers(0, left))
            ballot[option] = given_points
            left -= given_points
        ballots.append(points.validate(ballot, options, settings))
    return options, settings, ballots


def scores_of(result):
    """Return {option: score} from a result."""
    return {s.option: s.score for s in result.standings}


def ranks_of(result):
    """Return {option: rank} from a result."""
    return {s.option: s.rank for s in result.standings}


def test_points_settings_default_to_a_budget_of_100():
    assert points.check_settings({}) == {"points": 100}
    assert points.check_settings({"points": 10}) == {"points": 10}


@pytest.mark.parametrize("bad", [0, 10001, True, 10.0, "10"])
def test_points_bad_settings_are_rejected(bad):
    with pytest.raises(BallotError) as caught:
        points.check_settings({"points": bad})
    assert caught.value.code == "bad_setting"


@pytest.mark.parametrize("ballot", [["a"], "a", None])
def test_points_ballot_that_is_not_a_mapping_is_rejected(ballot):
    assert code_of(ballot) == "bad_ballot"


def test_points_for_an_unknown_priority_are_rejected():
    assert code_of({"z": 1}) == "unknown_option"


@pytest.mark.parametrize("count", [-1, 0.5, False, "3", None])
def test_points_that_are_not_whole_non_negative_numbers_are_rejected(count):
    assert code_of({"a": count}) == "bad_count"


def test_points_over_budget_are_rejected():
    assert code_of({"a": 60, "b": 41}) == "over_budget"


def test_points_may_spend_exactly_or_less_than_the_budget_and_zeros_are_dropped():
    assert points.validate({"b": 60, "a": 40}, OPTIONS, {}) == {"a": 40, "b": 60}
    assert points.validate({"c": 1, "a": 0}, OPTIONS, {}) == {"c": 1}
    assert points.validate({}, OPTIONS, {}) == {}


def test_points_tally_adds_points_and_counts_voters_who_gave_any():
    result = points.tally([{"a": 70, "b": 30}, {"b": 40}, {}], OPTIONS, {})
    assert result.voters == 3
    assert scores_of(result) == {"a": 70, "b": 70, "c": 0}
    assert {s.option: s.supporters for s in result.standings} == {"a": 1, "b": 2, "c": 0}
    assert ranks_of(result) == {"a": 1, "b": 1, "c": 3}


@PROPERTY
@given(rounds(), st.data())
def test_points_scores_do_not_depend_on_option_names_or_ballot_order(case, data):
    options, settings, ballots = case
    names = data.draw(st.lists(st.text(max_size=3), min_size=len(options),
                               max_size=len(options), unique=True))
    rename = dict(zip(options, names, strict=True))
    shuffled = data.draw(st.permutations(ballots))
    listed = data.draw(st.permutations(options))
    base = points.tally(ballots, options, settings)
    moved = points.tally([{rename[o]: c for o, c in b.items()} for b in shuffled],
                         [rename[o] for o in listed], settings)
    assert {rename[o]: s for o, s in scores_of(base).items()} == scores_of(moved)
    assert {rename[o]: r for o, r in ranks_of(base).items()} == ranks_of(moved)


@PROPERTY
@given(rounds(), st.data())
def test_points_adding_a_ballot_for_an_option_never_lowers_its_score(case, data):
    options, settings, ballots = case
    favourite = data.draw(st.sampled_from(options))
    given_points = data.draw(st.integers(1, settings["points"]))
    extra = points.validate({favourite: given_points}, options, settings)
    before = scores_of(points.tally(ballots, options, settings))[favourite]
    after = scores_of(points.tally([*ballots, extra], options, settings))[favourite]
    assert after == before + given_points


@PROPERTY
@given(rounds())
def test_points_tally_conserves_every_point_given(case):
    options, settings, ballots = case
    result = points.tally(ballots, options, settings)
    assert sum(scores_of(result).values()) == sum(sum(b.values()) for b in ballots)
    assert all(sum(b.values()) <= settings["points"] for b in ballots)


@PROPERTY
@given(rounds(min_options=2))
def test_points_tied_scores_share_a_rank(case):
    options, settings, ballots = case
    rotated = [{options[(options.index(o) + shift) % len(options)]: c for o, c in b.items()}
               for b in ballots for shift in range(len(options))]
    result = points.tally(rotated, options, settings)
    assert {s.rank for s in result.standings} == {1}
