"""Pairwise comparison against Bradley–Terry solutions worked out by hand.

The model (workshop/core/voting/pairwise.py): "can't decide" is half a win each way,
every pair gets a virtual draw worth 1/(n-1) comparison (1/(2(n-1)) of a win each way),
and strengths p solve, for each option i, won_i = Σ_j games_ij · p_i / (p_i + p_j).
A score is 100 · p_i / Σ p, rounded to 4 decimals. The expected values below solve those
equations on paper, not by running the code.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from workshop.core.errors import Refused
from workshop.core.voting import BallotError, Standing, pairwise


def test_one_option_beating_two_others_gets_five_times_their_strength():
    """a beats b once and c once (c on the left); b and c are never compared.

    n = 3, so each ordered pair carries 1/4 virtual win. a: won 2.5 in 1.5 + 1.5 games;
    by symmetry p_b = p_c = 1 and 2.5 = 3 · p_a / (p_a + 1), so p_a = 5.
    Shares: 5/7 = 71.428571…, 1/7 = 14.285714… (b's equation checks: won 0.5 =
    1.5 · 1/6 + 0.5 · 1/2).
    """
    result = pairwise.tally([[("a", "b", "a")], [("c", "a", "a")]], ["a", "b", "c"], {})
    assert result.standings == (Standing("a", 71.4286, 2, 1), Standing("b", 14.2857, 0, 2),
                                Standing("c", 14.2857, 0, 2))
    assert result.details["wins"] == {"a": 2.0, "b": 0.0, "c": 0.0}
    assert result.details["seen"] == {"a": 2, "b": 1, "c": 1}
    assert result.details["ties"] == "half"
    assert result.details["converged"] is True
    assert (result.method, result.voters, result.settings) == ("pairwise", 2, {"pairs": 10})


def test_a_win_and_a_draw_give_two_thirds():
    """Two options: a wins once, once they can't decide. With the virtual draw (half a
    win each way) a has 1 + ½ + ½ = 2 wins to b's ½ + ½ = 1, and with two options the
    strengths are in the ratio of the wins: 2/3 and 1/3, i.e. 66.6667 and 33.3333."""
    result = pairwise.tally([[("a", "b", "a"), ("b", "a", None)]], ["a", "b"], {"pairs": 2})
    assert result.standings == (Standing("a", 66.6667, 1, 1), Standing("b", 33.3333, 0, 2))
    assert result.details["wins"] == {"a": 1.5, "b": 0.5}
    assert result.details["seen"] == {"a": 2, "b": 2}
    assert all(type(seen) is int for seen in result.details["seen"].values())
    # The same judgements with the draw written the other way round.
    same = pairwise.tally([[("a", "b", "a"), ("a", "b", None)]], ["a", "b"], {"pairs": 2})
    assert same.standings == result.standings


def test_a_win_on_the_right_hand_side_counts_for_the_right_hand_option():
    # b is shown on the right and picked: b gets (1 + ½)/2 = 75, a (0 + ½)/2 = 25.
    result = pairwise.tally([[("a", "b", "b")]], ["a", "b"], {})
    assert result.standings == (Standing("b", 75.0, 1, 1), Standing("a", 25.0, 0, 2))


def test_a_crowd_counts_as_many_voters():
    # Three voters cast the same judgement: a (3 + ½)/4 = 87.5, b (0 + ½)/4 = 12.5.
    result = pairwise.tally_counted([([("a", "b", "a")], 3)], ["a", "b"], {})
    assert result.standings == (Standing("a", 87.5, 3, 1), Standing("b", 12.5, 0, 2))
    assert result.voters == 3
    assert result.details["wins"] == {"a": 3.0, "b": 0.0}
    assert result.details["seen"] == {"a": 3, "b": 3}


def test_no_judgement_is_solved_in_one_step():
    # Equal strengths already solve the equations: the first step moves nothing.
    result = pairwise.tally([], [1, 2, 3], {})
    assert [s.score for s in result.standings] == [33.3333] * 3
    assert (result.details["iterations"], result.details["converged"]) == (1, True)
    single = pairwise.tally([], ["only"], {})
    assert single.standings == (Standing("only", 100.0, 0, 1),)
    assert (single.details["iterations"], single.details["converged"]) == (0, True)


def test_strengths_report_when_the_iteration_limit_stops_them(monkeypatch):
    monkeypatch.setattr(pairwise, "MAX_ITERATIONS", 1)
    wins = np.array([[0.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    p, steps, converged = pairwise.strengths(wins)
    assert (steps, converged) == (1, False)
    # One MM step from p = 1: a's won 2.5 over 1.5/2 + 1.5/2 = 1.5 expected games;
    # b and c 0.5 over (1.5 + 0.5)/2 = 1: raw 5/3, 1/2, 1/2, rescaled to mean 1.
    assert np.allclose(p, np.array([5 / 3, 0.5, 0.5]) * 3 / (5 / 3 + 1))


def test_strengths_solve_the_two_option_case_exactly():
    p, steps, converged = pairwise.strengths(np.array([[0.0, 3.0], [1.0, 0.0]]))
    # Wins with the virtual draw: 3.5 and 1.5; mean-1 strengths 2 · 3.5/5 and 2 · 1.5/5.
    # Two options: the first MM step lands on the solution, the second finds no move.
    assert (steps, converged) == (2, True)
    assert np.allclose(p, [1.4, 0.6], rtol=1e-9)


def test_pairwise_refusals_carry_their_parameters():
    with pytest.raises(BallotError) as caught:
        pairwise.validate([(1, 2, 1)] * 3, [1, 2], {"pairs": 2})
    assert (caught.value.code, caught.value.params, str(caught.value)) == (
        "too_many", {"cap": 2}, "more judgements than pairs in this round")
    with pytest.raises(BallotError) as caught:
        pairwise.validate([(2, 2, None)], [1, 2], {})
    assert (caught.value.code, caught.value.params, str(caught.value)) == (
        "same_option", {"option": 2}, "a priority cannot be compared with itself")
    with pytest.raises(BallotError) as caught:
        pairwise.validate([(1, 2, True)], [1, 2], {})
    assert (caught.value.code, caught.value.params, str(caught.value)) == (
        "bad_choice", {"option": True}, "the choice must be one of the pair, or none")
    with pytest.raises(BallotError) as caught:
        pairwise.validate([(1, 2)], [1, 2], {})
    assert (caught.value.code, str(caught.value)) == (
        "bad_judgement", "a judgement is a pair and the choice made")
    with pytest.raises(BallotError) as caught:
        pairwise.validate({1: 2}, [1, 2], {})
    assert (caught.value.code, str(caught.value)) == (
        "bad_ballot", "a pairwise ballot is a list of judgements")


def test_pairwise_accepts_exactly_its_number_of_pairs_and_the_bounds():
    assert pairwise.validate([(1, 2, None), (2, 1, 1)], [1, 2], {"pairs": 2}) == [
        (1, 2, None), (2, 1, 1)]
    assert pairwise.check_settings({"pairs": 1}) == {"pairs": 1}
    assert pairwise.check_settings({"pairs": 200}) == {"pairs": 200}


class Scripted(random.Random):
    """A random source that returns given draws, to see what next_pair does with each."""

    def __init__(self, draws):
        super().__init__(0)
        self.draws = list(draws)

    def random(self):
        return self.draws.pop(0)


def test_pair_at_follows_the_circle_method():
    # Four options, worked by hand: the first stays, the others turn one place a round;
    # place i meets place n-1-i. Round 0: a-d, b-c; round 1: a-c, d-b; round 2: a-b, c-d.
    assert [pairwise.pair_at(list("abcd"), i) for i in range(7)] == [
        ("a", "d"), ("b", "c"), ("a", "c"), ("d", "b"), ("a", "b"), ("c", "d"), ("a", "d")]
    # Five options: a sixth place is the bye (whoever meets it sits out that round).
    assert [pairwise.pair_at(list("abcde"), i) for i in range(11)] == [
        ("b", "e"), ("c", "d"), ("a", "e"), ("b", "c"), ("a", "d"), ("e", "c"), ("a", "c"),
        ("d", "b"), ("a", "b"), ("d", "e"), ("b", "e")]
    assert [pairwise.pair_at(list("ab"), i) for i in range(3)] == [("a", "b")] * 3


def test_next_step_depends_only_on_the_seed_and_how_many_were_judged():
    options = [1, 2, 3, 4, 5]
    first = pairwise.next_step(options, [], "seed-A")
    assert first == pairwise.next_step(options, [], "seed-A")
    assert pairwise.next_step(options, [(9, 9, None)], "seed-A") == \
        pairwise.next_step(options, [(1, 2, 1)], "seed-A")  # what was judged is not read
    served = [frozenset(pairwise.next_step(options, [None] * k, "seed-A")) for k in range(10)]
    assert len(set(served)) == 10  # one cycle: each of the 10 pairs once
    assert all(a != b for a, b in zip(served, served[1:], strict=False))


def test_check_step_refuses_another_pair_with_the_one_to_judge():
    options = [1, 2, 3]
    left, right = pairwise.next_step(options, [], "s")
    pairwise.check_step(None, [(left, right, left)], options, "s")
    other = next(p for p in ((1, 2), (2, 3), (1, 3), (2, 1), (3, 2), (3, 1))
                 if p != (left, right))
    with pytest.raises(Refused) as caught:
        pairwise.check_step(None, [(*other, None)], options, "s")
    assert (caught.value.code, caught.value.status, caught.value.params) == (
        "pair_changed", 409, {"left": left, "right": right, "judged": 0})


def test_steps_of_a_pairwise_ballot():
    assert pairwise.add_step(None, (1, 2, 1)) == [(1, 2, 1)]
    assert pairwise.add_step([(1, 2, 1)], (2, 3, None)) == [(1, 2, 1), (2, 3, None)]
    assert pairwise.step_answer([(1, 2, 1)], {"pairs": 4}) == {"judged": 1, "pairs": 4}
    assert pairwise.more_steps(None, [1, 2], {"pairs": 1}) is True
    assert pairwise.more_steps([(1, 2, 1)], [1, 2], {"pairs": 1}) is False
    assert pairwise.more_steps([], [1], {"pairs": 1}) is False


def test_pairwise_phone_judgement_that_is_not_three_values_is_refused():
    with pytest.raises(Refused) as caught:
        pairwise.read_json({"judgement": [1, 2]})
    assert (caught.value.code, caught.value.params) == ("bad_ballot",
                                                        {"reason": "bad_judgement"})
    assert pairwise.read_json({"judgement": [1, 2, None]}) == (1, 2, None)
    assert pairwise.read_json({"judgement": [1, "2", 2]}) == (1, 2, 2)
    assert pairwise.read_json({"judgement": (4, 3, "4")}) == (4, 3, 4)
    for judgement, reason in (([1, 2, "x"], "bad_choice"), ([1, 2, 0], "bad_choice"),
                              (["x", 2, None], "unknown_option"),
                              ([1, 2.5, 1], "unknown_option")):
        with pytest.raises(Refused) as caught:
            pairwise.read_json({"judgement": judgement})
        assert (caught.value.code, caught.value.params) == ("bad_ballot", {"reason": reason})
    assert pairwise.read_form({"left": "1", "right": "2", "choice": "none"}) == (1, 2, None)
    assert pairwise.read_form({"left": "1", "right": "2", "choice": "2"}) == (1, 2, 2)
    for fields in ({"left": "x", "right": "2"}, {"left": "1", "right": ""},
                   {"left": "1", "right": "2", "choice": "left"}):
        with pytest.raises(Refused) as caught:
            pairwise.read_form(fields)
        assert caught.value.code == "bad_ballot"


def test_a_pair_needs_two_distinct_options():
    with pytest.raises(ValueError, match="^a pair needs at least two distinct options$"):
        pairwise.next_step([4, 4], [], "seed")


@pytest.mark.parametrize(("options", "seed"), [
    ([1, 2, 3, 4], "atelier"), ([4, 9, 2, 7, 5], "seed-B"), ([3, 8], "deux"),
    ([1, 2, 3, 4, 5, 6], "x")])
def test_next_step_serves_the_documented_schedule(options, seed):
    """The schedule as next_step's docstring defines it: the options shuffled by
    random.Random(seed + ":order"), a start drawn by the same generator among the
    n(n-1)/2 pairs, then pair_at(pool, start + k) at step k (pair_at is the circle method,
    pinned above), its sides swapped when random.Random(f"{seed}:{k}").random() < 0.5.
    Python's seeded Random is stable across versions, so a phone's pairs stay the same
    through an upgrade in the middle of a vote."""
    pool = list(options)
    draw = random.Random(f"{seed}:order")
    draw.shuffle(pool)
    start = draw.randrange(len(pool) * (len(pool) - 1) // 2)
    served = [pairwise.next_step(options, [None] * k, seed) for k in range(12)]
    expected = []
    for k in range(12):
        left, right = pairwise.pair_at(pool, start + k)
        expected.append((right, left) if random.Random(f"{seed}:{k}").random() < 0.5
                        else (left, right))
    assert served == expected
    # both sides come first over the steps (two options: always the same pair)
    if len(options) == 2:
        assert set(served) == {(3, 8), (8, 3)}
