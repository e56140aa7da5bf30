"""Approval voting: ballot rules, tallies and the properties every recount relies on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from workshop.core.voting import BallotError, approval

PROPERTY = hsettings(max_examples=150, deadline=None)
OPTIONS = [3, 1, 2, 7]


def code_of(ballot, settings=None, options=OPTIONS):
    """Return the BallotError code a ballot raises."""
    with pytest.raises(BallotError) as caught:
        approval.validate(ballot, options, settings or {})
    return caught.value.code


@st.composite
def rounds(draw, min_options=1, max_options=7):
    """Draw (options, settings, valid ballots) for an approval round."""
    options = draw(st.lists(st.integers(-1000, 1000), min_size=min_options,
                            max_size=max_options, unique=True))
    cap = draw(st.one_of(st.none(), st.integers(1, len(options))))
    settings = {"max_approvals": cap}
    ballots = []
    for _ in range(draw(st.integers(0, 12))):
        picked = draw(st.lists(st.sampled_from(options), unique=True,
                               max_size=cap if cap is not None else len(options)))
        ballots.append(approval.validate(picked, options, settings))
    return options, settings, ballots


def scores_of(result):
    """Return {option: score} from a result."""
    return {s.option: s.score for s in result.standings}


def ranks_of(result):
    """Return {option: rank} from a result."""
    return {s.option: s.rank for s in result.standings}


def test_approval_settings_default_to_any_number_of_approvals():
    assert approval.check_settings({}) == {"max_approvals": None}
    assert approval.check_settings({"max_approvals": None}) == {"max_approvals": None}
    assert approval.check_settings({"max_approvals": 2}) == {"max_approvals": 2}


@pytest.mark.parametrize("bad", [0, 1001, True, 1.5, "2"])
def test_approval_bad_settings_are_rejected(bad):
    with pytest.raises(BallotError) as caught:
        approval.check_settings({"max_approvals": bad})
    assert caught.value.code == "bad_setting"


@pytest.mark.parametrize("ballot", ["abc", {3: 1}, 3, None])
def test_approval_ballot_that_is_not_a_list_is_rejected(ballot):
    assert code_of(ballot) == "bad_ballot"


def test_approval_of_an_unknown_priority_is_rejected():
    assert code_of([3, 99]) == "unknown_option"


def test_approval_twice_for_one_priority_is_rejected():
    assert code_of([3, 1, 3]) == "duplicate_option"


def test_approval_of_more_priorities_than_allowed_is_rejected():
    assert code_of([3, 1, 2], {"max_approvals": 2}) == "too_many"


def test_approval_ballot_comes_back_in_round_order_and_may_be_empty():
    assert approval.validate((2, 3), OPTIONS, {}) == [3, 2]
    assert approval.validate({7, 1}, OPTIONS, {}) == [1, 7]
    assert approval.validate([], OPTIONS, {"max_approvals": 1}) == []


def test_approval_tally_counts_approvals_as_score_and_supporters():
    result = approval.tally([[3, 1], [1], []], OPTIONS, {})
    assert result.voters == 3
    assert scores_of(result) == {3: 1, 1: 2, 2: 0, 7: 0}
    assert all(s.supporters == s.score for s in result.standings)
    assert ranks_of(result) == {1: 1, 3: 2, 2: 3, 7: 3}


@PROPERTY
@given(rounds(), st.data())
def test_approval_scores_do_not_depend_on_option_names_or_ballot_order(case, data):
    options, settings, ballots = case
    names = data.draw(st.lists(st.integers(), min_size=len(options), max_size=len(options),
                               unique=True))
    rename = dict(zip(options, names, strict=True))
    shuffled = data.draw(st.permutations(ballots))
    listed = data.draw(st.permutations(options))
    base = approval.tally(ballots, options, settings)
    moved = approval.tally([[rename[o] for o in b] for b in shuffled],
                           [rename[o] for o in listed], settings)
    assert {rename[o]: s for o, s in scores_of(base).items()} == scores_of(moved)
    assert {rename[o]: r for o, r in ranks_of(base).items()} == ranks_of(moved)


@PROPERTY
@given(rounds(), st.data())
def test_approval_adding_a_ballot_for_an_option_never_lowers_its_score(case, data):
    options, settings, ballots = case
    favourite = data.draw(st.sampled_from(options))
    extra = approval.validate([favourite], options, settings)
    before = scores_of(approval.tally(ballots, options, settings))[favourite]
    after = scores_of(approval.tally([*ballots, extra], options, settings))[favourite]
    assert after == before + 1


@PROPERTY
@given(rounds())
def test_approval_tally_conserves_every_approval_cast(case):
    options, settings, ballots = case
    result = approval.tally(ballots, options, settings)
    assert sum(scores_of(result).values()) == sum(len(b) for b in ballots)
    assert result.voters == len(ballots)


@PROPERTY
@given(rounds(min_options=2))
def test_approval_tied_scores_share_a_rank(case):
    options, settings, ballots = case
    rotated = [[options[(options.index(o) + shift) % len(options)] for o in ballot]
               for ballot in ballots for shift in range(len(options))]
    result = approval.tally(rotated, options, settings)
    assert {s.rank for s in result.standings} == {1}
