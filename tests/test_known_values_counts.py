"""Dots, points and approval against values counted by hand; the rules they share.

Each expected figure (score, supporters, rank, voters, refusal code and parameters, the
settings' bounds) is read off the method's definition in workshop/core/voting/, not
computed by the code under test.
"""

from __future__ import annotations

import pytest

from workshop.core.voting import (
    DEFAULT_METHOD,
    BallotError,
    Result,
    Standing,
    approval,
    dots,
    get_method,
    points,
    rank_by_score,
)
from workshop.core.voting.declare import N_, Setting, bounds, defaults, described
from workshop.core.voting.rules import add_up, counts, distinct_options, known, whole_settings


def refusal(call, *args) -> BallotError:
    with pytest.raises(BallotError) as caught:
        call(*args)
    return caught.value


# --- dots ---------------------------------------------------------------------------

def test_dots_tally_by_hand():
    """Budget 4, at most 2 per priority, options 1..4:
    voter 1 {1: 2, 2: 2}, voter 2 {2: 1, 3: 1}, voter 3 {} (spent nothing).
    Dots: 1 → 2, 2 → 3, 3 → 1, 4 → 0. Supporters: 1 → 1, 2 → 2, 3 → 1, 4 → 0."""
    settings = {"dots": 4, "max_per_option": 2}
    ballots = [dots.validate(b, [1, 2, 3, 4], settings)
               for b in ({1: 2, 2: 2}, {2: 1, 3: 1, 4: 0}, {})]
    assert ballots == [{1: 2, 2: 2}, {2: 1, 3: 1}, {}]
    assert dots.tally(ballots, [1, 2, 3, 4], settings) == Result(
        "dots", {"dots": 4, "max_per_option": 2}, 3,
        (Standing(2, 3, 2, 1), Standing(1, 2, 1, 2), Standing(3, 1, 1, 3),
         Standing(4, 0, 0, 4)))


def test_dots_spend_exactly_the_budget_and_the_cap():
    assert dots.validate({1: 2, 2: 1}, [1, 2], {"dots": 3, "max_per_option": 2}) == {1: 2,
                                                                                   2: 1}


def test_dots_refusals_carry_the_cap_and_the_budget():
    over_cap = refusal(dots.validate, {1: 3}, [1, 2], {"dots": 5, "max_per_option": 2})
    assert (over_cap.code, over_cap.params, str(over_cap)) == (
        "over_cap", {"option": 1, "cap": 2}, "too many dots on one priority")
    over_budget = refusal(dots.validate, {1: 2, 2: 2}, [1, 2], {"dots": 3,
                                                                 "max_per_option": 2})
    assert (over_budget.code, over_budget.params, str(over_budget)) == (
        "over_budget", {"budget": 3}, "more dots than allowed")


def test_dots_refusals_name_dots():
    error = refusal(dots.validate, [1], [1, 2], {})
    assert (error.code, str(error)) == ("bad_ballot", "a dot ballot maps priorities to dots")
    error = refusal(dots.validate, {2: 0.5}, [1, 2], {})
    assert (error.code, error.params, str(error)) == (
        "bad_count", {"option": 2}, "dots must be whole numbers, zero or more")


def test_dots_settings_bounds_are_inclusive():
    assert dots.check_settings({"dots": 100, "max_per_option": 100}) == {
        "dots": 100, "max_per_option": 100}
    assert dots.check_settings({"dots": 1, "max_per_option": 1}) == {
        "dots": 1, "max_per_option": 1}
    error = refusal(dots.check_settings, {"dots": 101})
    assert (error.code, error.params, str(error)) == (
        "bad_setting", {"setting": "dots", "low": 1, "high": 100},
        "dots must be a whole number from 1 to 100")
    error = refusal(dots.check_settings, {"max_per_option": 0})
    assert error.params == {"setting": "max_per_option", "low": 1, "high": 100}


def test_dots_read_from_the_phone():
    assert dots.read_form({"dots-3": "2", "dots-5": "", "other": "1"}) == {3: 2, 5: 0}
    assert dots.read_json({"ballot": {"3": 2}}) == {3: 2}


# --- points -------------------------------------------------------------------------

def test_points_tally_by_hand():
    """Budget 10, options 1..3: {1: 6, 2: 4}, {2: 10}, {3: 0} → 1: 6 (1 supporter),
    2: 14 (2), 3: 0 (0); three voters. Ballots come back in round order."""
    ballots = [points.validate(b, [1, 2, 3], {"points": 10})
               for b in ({2: 4, 1: 6}, {2: 10}, {3: 0})]
    assert [list(b.items()) for b in ballots] == [[(1, 6), (2, 4)], [(2, 10)], []]
    assert points.tally(ballots, [1, 2, 3], {"points": 10}) == Result(
        "points", {"points": 10}, 3,
        (Standing(2, 14, 2, 1), Standing(1, 6, 1, 2), Standing(3, 0, 0, 3)))


def test_points_refusal_carries_the_budget():
    error = refusal(points.validate, {1: 6, 2: 5}, [1, 2], {"points": 10})
    assert (error.code, error.params, str(error)) == (
        "over_budget", {"budget": 10}, "more points than allowed")
    error = refusal(points.validate, {1: -1}, [1, 2], {})
    assert (error.code, error.params, str(error)) == (
        "bad_count", {"option": 1}, "points must be whole numbers, zero or more")
    error = refusal(points.validate, [1], [1, 2], {})
    assert (error.code, str(error)) == ("bad_ballot",
                                        "a points ballot maps priorities to points")


def test_points_settings_bounds_are_inclusive():
    assert points.check_settings({"points": 10000}) == {"points": 10000}
    assert points.check_settings({"points": 1}) == {"points": 1}
    assert refusal(points.check_settings, {"points": 10001}).params == {
        "setting": "points", "low": 1, "high": 10000}


def test_points_read_from_the_phone():
    assert points.read_form({"points-4": "30", "dots-4": "1"}) == {4: 30}
    assert points.read_json({"ballot": {"4": 30}}) == {4: 30}


# --- approval -----------------------------------------------------------------------

def test_approval_tally_by_hand():
    """Options 1..4, at most 2 ticks: [3, 1], [1], [2, 1] → 1: 3, 2: 1, 3: 1, 4: 0;
    score and supporters are both the ticks."""
    ballots = [approval.validate(b, [1, 2, 3, 4], {"max_approvals": 2})
               for b in ([3, 1], [1], [2, 1])]
    assert ballots == [[1, 3], [1], [1, 2]]
    assert approval.tally(ballots, [1, 2, 3, 4], {"max_approvals": 2}) == Result(
        "approval", {"max_approvals": 2}, 3,
        (Standing(1, 3, 3, 1), Standing(2, 1, 1, 2), Standing(3, 1, 1, 2),
         Standing(4, 0, 0, 4)))


def test_approval_refusal_carries_the_cap_and_accepts_exactly_the_cap():
    assert approval.validate([2, 1], [1, 2, 3], {"max_approvals": 2}) == [1, 2]
    error = refusal(approval.validate, [1, 2, 3], [1, 2, 3], {"max_approvals": 2})
    assert (error.code, error.params, str(error)) == (
        "too_many", {"cap": 2}, "more priorities approved than allowed")
    error = refusal(approval.validate, "12", [1, 2, 3], {})
    assert (error.code, str(error)) == ("bad_ballot", "an approval ballot is a list of "
                                                      "priorities")


def test_approval_settings_bounds_are_inclusive():
    assert approval.check_settings({"max_approvals": 1000}) == {"max_approvals": 1000}
    assert approval.check_settings({"max_approvals": 1}) == {"max_approvals": 1}
    assert refusal(approval.check_settings, {"max_approvals": 1001}).params == {
        "setting": "max_approvals", "low": 1, "high": 1000}


def test_approval_read_from_the_phone():
    assert approval.read_form({"approve-9": "1", "approve-2": "1", "approve-5": ""}) == [2, 9]
    assert approval.read_json({"ballot": [9, 2]}) == [9, 2]


# --- the shared rules ---------------------------------------------------------------

LIMITS = {"a": (2, 5), "b": (1, 3)}


def test_whole_settings_merge_over_defaults_and_keep_a_none_default():
    assert whole_settings({}, {"a": 3, "b": 1}, LIMITS) == {"a": 3, "b": 1}
    assert whole_settings({"a": None, "b": 3}, {"a": 3, "b": 1}, LIMITS) == {"a": 3, "b": 3}
    assert whole_settings({}, {"a": 2, "b": None}, LIMITS) == {"a": 2, "b": None}
    # A "no limit" setting listed first does not stop the others being checked.
    assert whole_settings({}, {"b": None, "a": 2}, {"b": (1, 3), "a": (2, 5)}) == {
        "b": None, "a": 2}
    assert refusal(whole_settings, {"a": 9}, {"b": None, "a": 2},
                   {"b": (1, 3), "a": (2, 5)}).params == {"setting": "a", "low": 2, "high": 5}


@pytest.mark.parametrize("value", [1, 6, True, 2.0, "3"])
def test_whole_settings_refuse_outside_or_not_whole(value):
    error = refusal(whole_settings, {"a": value}, {"a": 3, "b": 1}, LIMITS)
    assert (error.code, error.params, str(error)) == (
        "bad_setting", {"setting": "a", "low": 2, "high": 5},
        "a must be a whole number from 2 to 5")


def test_known_refuses_what_is_not_a_priority_of_the_round():
    assert known(1, {1, 2}) == 1
    for option, named in ((True, None), (1.0, None), (3, 3), ("x", "x"), ([1], None),
                          (1.5, None), (10**40, None)):
        error = refusal(known, option, {1, 2})
        assert (error.code, error.params, str(error)) == (
            "unknown_option", {"option": named}, "this priority is not part of the round")


def test_a_refused_option_is_echoed_only_below_ten_to_the_eighteen_or_forty_characters():
    limit = 10**18
    for option, named in ((limit - 1, limit - 1), (limit, None), (-(limit - 1), -(limit - 1)),
                          (-limit, None), ("x" * 40, "x" * 40), ("x" * 41, None)):
        assert refusal(known, option, {1, 2}).params == {"option": named}, option


def test_distinct_options_keep_the_ballot_order_and_refuse_a_repeat():
    assert distinct_options((2, 1), [1, 2, 3], (list, tuple), "shape") == [2, 1]
    error = refusal(distinct_options, [2, 1, 2], [1, 2, 3], (list,), "shape")
    assert (error.code, error.params, str(error)) == (
        "duplicate_option", {"option": 2}, "a priority is listed only once")
    error = refusal(distinct_options, {2}, [1, 2, 3], (list,), "the shape")
    assert (error.code, error.params, str(error)) == ("bad_ballot", {}, "the shape")


def test_counts_drop_zeros_and_refuse_what_is_not_a_whole_count():
    assert counts({1: 0, 2: 3}, [1, 2], "shape", "dots") == {2: 3}
    for bad in (-1, True, 1.0, None):
        error = refusal(counts, {2: bad}, [1, 2], "shape", "beans")
        assert (error.code, error.params, str(error)) == (
            "bad_count", {"option": 2}, "beans must be whole numbers, zero or more")


def test_add_up_weighs_each_ballot_by_its_voters():
    voters, standings = add_up([({1: 2, 2: 0}, 3), ({2: 1}, 1)], [1, 2, 3])
    assert voters == 4
    assert standings == (Standing(1, 6, 3, 1), Standing(2, 1, 1, 2), Standing(3, 0, 0, 3))


# --- ranks, declarations, registry --------------------------------------------------

def test_rank_by_score_shares_ranks_and_skips_the_shared_places():
    standings = rank_by_score({"a": 1, "b": 3, "c": 3, "d": 0, "e": 1}, {"b": 2, "a": 1})
    assert standings == (Standing("b", 3, 2, 1), Standing("c", 3, 0, 1),
                         Standing("a", 1, 1, 3), Standing("e", 1, 0, 3),
                         Standing("d", 0, 0, 5))


def test_rank_by_score_lists_ties_in_the_given_order():
    standings = rank_by_score({"a": 1, "b": 1, "c": 2}, {}, ["b", "c", "a"])
    assert [(s.option, s.rank) for s in standings] == [("c", 1), ("b", 2), ("a", 2)]


def test_rank_of_finds_an_option_or_raises_key_error():
    result = Result("dots", {}, 0, (Standing("a", 2, 1, 1), Standing("b", 1, 1, 2)))
    assert (result.rank_of("a"), result.rank_of("b")) == (1, 2)
    with pytest.raises(KeyError) as caught:
        result.rank_of("c")
    assert caught.value.args == ("c",)
    assert result.details == {}


def test_declarations_give_defaults_bounds_and_names():
    declared = (Setting("x", None, 1, 9, "X label", "the x"),
                Setting("y", 4, 2, 8, "Y label", "the y"))
    assert defaults(declared) == {"x": None, "y": 4}
    assert bounds(declared) == {"x": (1, 9), "y": (2, 8)}
    assert described(declared) == {"x": "the x", "y": "the y"}
    assert N_("Dot voting") == "Dot voting"


def test_the_default_method_is_dot_voting():
    assert DEFAULT_METHOD == "dots" and get_method(DEFAULT_METHOD) is dots


def test_the_step_seed_is_the_keyed_hash_of_the_round_and_the_participant():
    import hashlib
    import hmac

    from workshop.core.voting.rules import step_seed

    expected = hmac.new(b"secret", b"step:5:7", hashlib.sha256).hexdigest()
    assert step_seed("secret", 5, 7) == step_seed(b"secret", 5, 7) == expected
    assert len(expected) == 64 and step_seed("secret", 7, 5) != expected
    assert step_seed("other", 5, 7) != expected
