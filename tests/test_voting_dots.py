"""Dot voting: ballot rules, tallies and the properties every recount relies on."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from workshop.core.voting import BallotError, dots

PROPERTY = hsettings(max_examples=150, deadline=None)
OPTIONS = [10, 20, 30, 40]


def code_of(ballot, settings=None, options=OPTIONS):
    """Return the BallotError code a ballot raises."""
    with pytest.raises(BallotError) as caught:
        dots.validate(ballot, options, settings or {})
    return caught.value.code


@st.composite
def rounds(draw, min_options=1, max_options=6):
    """Draw (options, settings, valid ballots) for a dot round."""
    options = draw(st.lists(st.integers(-1000, 1000), min_size=min_options,
                            max_size=max_options, unique=True))
    budget = draw(st.integers(1, 6))
    cap = draw(st.integers(1, budget))
    settings = {"dots": budget, "max_per_option": cap}
    ballots = []
    for _ in range(draw(st.integers(0, 12))):
        picks = Counter(draw(st.lists(st.sampled_from(options), max_size=budget)))
        ballots.append(dots.validate({o: min(c, cap) for o, c in picks.items()},
                                     options, settings))
    return options, settings, ballots


def scores_of(result):
    """Return {option: score} from a result."""
    return {s.option: s.score for s in result.standings}


def ranks_of(result):
    """Return {option: rank} from a result."""
    return {s.option: s.rank for s in result.standings}


def test_dots_settings_default_and_clamp_the_cap_to_the_budget():
    assert dots.check_settings({}) == {"dots": 5, "max_per_option": 1}
    assert dots.check_settings({"dots": 3, "max_per_option": 9}) == {"dots": 3,
                                                                      "max_per_option": 3}


@pytest.mark.parametrize("bad", [{"dots": 0}, {"dots": 101}, {"dots": True}, {"dots": 2.0},
                                 {"max_per_option": 0}, {"max_per_option": "2"}])
def test_dots_bad_settings_are_rejected(bad):
    with pytest.raises(BallotError) as caught:
        dots.check_settings(bad)
    assert caught.value.code == "bad_setting"


def test_dots_for_an_unknown_priority_are_rejected():
    assert code_of({99: 1}) == "unknown_option"


@pytest.mark.parametrize("count", [-1, 1.0, True, "1", None])
def test_dots_that_are_not_whole_non_negative_numbers_are_rejected(count):
    assert code_of({10: count}) == "bad_count"


def test_dots_over_the_per_priority_cap_are_rejected():
    assert code_of({10: 2}, {"dots": 5, "max_per_option": 1}) == "over_cap"


def test_dots_over_budget_are_rejected():
    assert code_of({10: 2, 20: 2}, {"dots": 3, "max_per_option": 2}) == "over_budget"


def test_dots_ballot_that_is_not_a_mapping_is_rejected():
    assert code_of([10, 20]) == "bad_ballot"


def test_dots_ballot_drops_zeros_and_may_spend_less_than_the_budget():
    assert dots.validate({10: 0, 20: 1}, OPTIONS, {}) == {20: 1}


def test_dots_tally_adds_dots_and_counts_supporters():
    settings = {"dots": 3, "max_per_option": 2}
    result = dots.tally([{10: 2, 20: 1}, {20: 1}, {}], OPTIONS, settings)
    assert result.voters == 3
    assert scores_of(result) == {10: 2, 20: 2, 30: 0, 40: 0}
    assert {s.option: s.supporters for s in result.standings}[20] == 2
    assert ranks_of(result) == {10: 1, 20: 1, 30: 3, 40: 3}


@PROPERTY
@given(rounds(), st.data())
def test_dots_scores_do_not_depend_on_option_names_or_ballot_order(case, data):
    options, settings, ballots = case
    names = data.draw(st.lists(st.integers(), min_size=len(options), max_size=len(options),
                               unique=True))
    rename = dict(zip(options, names, strict=True))
    shuffled = data.draw(st.permutations(ballots))
    listed = data.draw(st.permutations(options))
    base = dots.tally(ballots, options, settings)
    moved = dots.tally([{rename[o]: c for o, c in b.items()} for b in shuffled],
                       [rename[o] for o in listed], settings)
    assert {rename[o]: s for o, s in scores_of(base).items()} == scores_of(moved)
    assert {rename[o]: r for o, r in ranks_of(base).items()} == ranks_of(moved)


@PROPERTY
@given(rounds(), st.data())
def test_dots_adding_a_ballot_for_an_option_never_lowers_its_score(case, data):
    options, settings, ballots = case
    favourite = data.draw(st.sampled_from(options))
    extra = dots.validate({favourite: 1}, options, settings)
    before = scores_of(dots.tally(ballots, options, settings))[favourite]
    after = scores_of(dots.tally([*ballots, extra], options, settings))[favourite]
    assert after >= before + 1


@PROPERTY
@given(rounds())
def test_dots_tally_conserves_every_dot_cast(case):
    options, settings, ballots = case
    result = dots.tally(ballots, options, settings)
    assert sum(scores_of(result).values()) == sum(sum(b.values()) for b in ballots)
    assert result.voters == len(ballots)


@PROPERTY
@given(rounds(min_options=2), st.data())
def test_dots_tied_scores_share_a_rank(case, data):
    options, settings, ballots = case
    # Give every option the same dots by rotating each ballot through all options.
    rotated = []
    for ballot in ballots:
        for shift in range(len(options)):
            rotated.append({options[(options.index(o) + shift) % len(options)]: c
                            for o, c in ballot.items()})
    result = dots.tally(rotated, options, settings)
    assert {s.rank for s in result.standings} == {1}
    assert len({s.score for s in result.standings}) == 1
