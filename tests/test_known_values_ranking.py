"""Ranked voting against values worked out by hand: Borda, supporters, Schulze.

Every expected figure below was computed on paper from the definitions in
workshop/core/voting/ranking.py's docstring, never by calling the code: a tally that
drifts from the definitions fails here even when it stays consistent with itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from workshop.core.errors import Refused
from workshop.core.voting import BallotError, Standing, ranking

# Schulze's own example (M. Schulze, "A new monotonic, clone-independent, reversal
# symmetric, and Condorcet-consistent single-winner election method", 2011, §3.1):
# 45 voters, 5 candidates.
SCHULZE_45 = [("ACBED", 5), ("ADECB", 5), ("BEDAC", 8), ("CABED", 3), ("CAEBD", 7),
              ("CBADE", 2), ("DCEBA", 7), ("EBADC", 8)]
CANDIDATES = list("ABCDE")


def ballots_of(profile):
    return [list(order) for order, voters in profile for _ in range(voters)]


@pytest.fixture  # per test, so mutmut sees every test that reaches the tally
def schulze_45():
    return ranking.tally(ballots_of(SCHULZE_45), CANDIDATES, {})


def test_schulze_45_pairwise_counts(schulze_45):
    # d[X][Y]: voters ranking X above Y, summed by hand over the eight ballot groups,
    # e.g. d[A][B] = ACBED 5 + ADECB 5 + CABED 3 + CAEBD 7 = 20.
    assert schulze_45.details["pairwise"] == {
        "A": {"B": 20, "C": 26, "D": 30, "E": 22},
        "B": {"A": 25, "C": 16, "D": 33, "E": 18},
        "C": {"A": 19, "B": 29, "D": 17, "E": 24},
        "D": {"A": 15, "B": 12, "C": 28, "E": 14},
        "E": {"A": 23, "B": 27, "C": 21, "D": 31},
    }


def test_schulze_45_strongest_paths(schulze_45):
    # Links (winning votes): A>C 26, A>D 30, B>A 25, B>D 33, C>B 29, C>E 24, D>C 28,
    # E>A 23, E>B 27, E>D 31. Widest paths, e.g. A>B = A-D-C-B = min(30, 28, 29) = 28.
    assert schulze_45.details["schulze"]["paths"] == {
        "A": {"B": 28, "C": 28, "D": 30, "E": 24},
        "B": {"A": 25, "C": 28, "D": 33, "E": 24},
        "C": {"A": 25, "B": 29, "D": 29, "E": 24},
        "D": {"A": 25, "B": 28, "C": 28, "E": 24},
        "E": {"A": 25, "B": 28, "C": 28, "D": 31},
    }


def test_schulze_45_standings_are_e_a_c_b_d(schulze_45):
    # E beats all four, A beats B, C, D; C beats B, D; B beats D. A standing's score is
    # how many options it beats; its supporters are the Borda supporters (voters who did
    # not put it last: 45 minus 7, 5, 16, 15, 2 last places for A..E).
    assert schulze_45.details["schulze"]["standings"] == (
        Standing("E", 4, 43, 1), Standing("A", 3, 38, 2), Standing("C", 2, 29, 3),
        Standing("B", 1, 40, 4), Standing("D", 0, 30, 5))


def test_schulze_45_borda_scores_ranks_and_supporters(schulze_45):
    # Borda with 5 options: 4, 3, 2, 1, 0 points by place; the sums are the rows of d,
    # e.g. A = 20 + 26 + 30 + 22 = 98, and they add up to 45 × 10 = 450.
    assert schulze_45.details["borda"] == {"A": 98, "B": 92, "C": 89, "D": 69, "E": 102}
    assert schulze_45.standings == (
        Standing("E", 102, 43, 1), Standing("A", 98, 38, 2), Standing("B", 92, 40, 3),
        Standing("C", 89, 29, 4), Standing("D", 69, 30, 5))
    assert schulze_45.details["first_choices"] == {"A": 10, "B": 8, "C": 12, "D": 7, "E": 8}
    assert schulze_45.details["disagree_top"] is False
    assert (schulze_45.method, schulze_45.voters, schulze_45.settings) == (
        "ranking", 45, {"top": None})


def test_ranking_figures_are_whole_numbers(schulze_45):
    """Counts of voters stay integers (an export writes 98, never 98.0)."""
    details = schulze_45.details
    figures = [*details["borda"].values(), *details["first_choices"].values(),
               *(v for row in details["pairwise"].values() for v in row.values()),
               *(v for row in details["schulze"]["paths"].values() for v in row.values())]
    for standing in (*schulze_45.standings, *details["schulze"]["standings"]):
        figures += [standing.score, standing.supporters, standing.rank]
    assert {type(figure) for figure in figures} == {int}


def test_strongest_paths_keep_a_zero_diagonal_and_no_link_where_votes_tie():
    d = np.array([[0, 2, 1], [1, 0, 1], [1, 1, 0]])
    # Only a>b (2 to 1) is a link; a-c and b-c tie, so no path reaches c or leaves it.
    assert ranking.strongest_paths(d).tolist() == [[0, 2, 0], [0, 0, 0], [0, 0, 0]]
    cycle = np.array([[0, 5, 1], [1, 0, 4], [3, 2, 0]])
    # Links a>b 5, b>c 4, c>a 3: every option reaches every other, the diagonal stays 0.
    assert ranking.strongest_paths(cycle).tolist() == [[0, 5, 4], [3, 0, 4], [3, 3, 0]]


def test_schulze_tiers_share_ranks_and_skip_the_shared_places():
    # a beats b and c; b and c are unbeaten by each other; d is beaten by everyone.
    p = np.array([[0, 3, 3, 3], [1, 0, 2, 3], [1, 2, 0, 3], [0, 0, 0, 0]])
    assert ranking.schulze_tiers(p) == [1, 2, 2, 4]
    assert ranking.schulze_tiers(np.zeros((3, 3), dtype=int)) == [1, 1, 1]


def test_pairwise_matrix_weighs_each_ballot_group_by_its_voters():
    # Two groups over a, b, c: [a, b] ×2 (c unranked: place 3) and [c, a, b] ×1.
    pos = np.array([[0, 1, 3], [1, 2, 0]])
    d = ranking.pairwise_matrix(pos, np.array([2.0, 1.0]))
    assert d.tolist() == [[0, 3, 2], [0, 0, 2], [1, 1, 0]]


def test_schulze_tier_lists_the_option_beating_more_first_then_round_order():
    # 3 abc, 2 bca, 3 cab, 1 acb: d a>b 7:2, b>c 5:4, c>a 5:4. Paths: a>b 7, a>c 5,
    # b>a 5, b>c 5, c>a 5, c>b 5: only a beats b. a and c share tier 1 (a beats one
    # option, c none), b comes third. Listed c, a, b: a still comes first in its tier.
    ballots = ([["a", "b", "c"]] * 3 + [["b", "c", "a"]] * 2 + [["c", "a", "b"]] * 3
               + [["a", "c", "b"]])
    result = ranking.tally(ballots, ["c", "a", "b"], {})
    # Supporters: 9 minus last places (a 2, b 4, c 3).
    assert result.details["schulze"]["standings"] == (
        Standing("a", 1, 7, 1), Standing("c", 0, 6, 1), Standing("b", 0, 5, 3))
    # Borda: a 7 + 4 = 11, c 5 + 4 = 9, b 2 + 5 = 7; the tops differ ({a} and {a, c}).
    assert result.standings == (Standing("a", 11, 7, 1), Standing("c", 9, 6, 2),
                                Standing("b", 7, 5, 3))
    assert result.details["disagree_top"] is True


def test_schulze_ties_keep_the_round_order_inside_a_tier():
    # One voter a > b and one b > a: no link at all, everybody in tier 1, nobody beats.
    result = ranking.tally([["b", "a"], ["a", "b"]], ["b", "a"], {})
    assert result.details["schulze"]["standings"] == (Standing("b", 0, 1, 1),
                                                      Standing("a", 0, 1, 1))
    assert [s.option for s in result.standings] == ["b", "a"]


def test_borda_on_partial_rankings_is_the_hand_count():
    """Borda for partial ballots, counted as by hand (ranking.py): in a top-N round a first
    place earns N points, the N-th 1, an unranked priority 0; without `top`, N is the
    number of priorities minus one (the classic count: the last place earns 0).

    Options a, b, c, d; ballots [b], [c, a], [d, c, a, b].
    Top 4 (N = 4):
      [b]           b 4
      [c, a]        c 4, a 3
      [d, c, a, b]  d 4, c 3, a 2, b 1
    Borda a 5, b 5, c 7, d 4. Supporters (ranked, so at least one point): a 2, b 2, c 2, d 1.
    No top (N = 3):
      [b]           b 3
      [c, a]        c 3, a 2
      [d, c, a, b]  d 3, c 2, a 1, b 0
    Borda a 3, b 3, c 5, d 3. Supporters: a 2, b 1, c 2, d 1 (b's last place earns 0).
    """
    ballots = [["b"], ["c", "a"], ["d", "c", "a", "b"]]
    result = ranking.tally(ballots, list("abcd"), {"top": 4})
    assert result.details["borda"] == {"a": 5, "b": 5, "c": 7, "d": 4}
    assert result.standings == (Standing("c", 7, 2, 1), Standing("a", 5, 2, 2),
                                Standing("b", 5, 2, 2), Standing("d", 4, 1, 4))
    assert result.details["first_choices"] == {"a": 0, "b": 1, "c": 1, "d": 1}
    classic = ranking.tally(ballots, list("abcd"), {})
    assert classic.details["borda"] == {"a": 3, "b": 3, "c": 5, "d": 3}
    assert classic.standings == (Standing("c", 5, 2, 1), Standing("a", 3, 2, 2),
                                 Standing("b", 3, 1, 2), Standing("d", 3, 1, 2))


def test_borda_top_five_of_twenty_four_gives_five_to_one_points():
    """The issue's case: a top-5 round over 24 priorities. The ballot p0..p4 gives 5, 4, 3,
    2, 1 (the old count gave 23..19: a fifth place worth nearly a first), and the ballot
    [p5] gives p5 5 points: p0 and p5 tie first, p1..p4 follow, the others have 0."""
    options = [f"p{i}" for i in range(24)]
    result = ranking.tally([options[:5], ["p5"]], options, {"top": 5})
    borda = result.details["borda"]
    assert [borda[f"p{i}"] for i in range(6)] == [5, 4, 3, 2, 1, 5]
    assert sum(borda.values()) == 20
    assert [(s.option, s.rank) for s in result.standings[:6]] == [
        ("p0", 1), ("p5", 1), ("p1", 3), ("p2", 4), ("p3", 5), ("p4", 6)]
    assert result.details["top_n"] == 5


def test_disagreement_is_flagged_on_the_top_n_not_only_the_first():
    """Top 2 over a, b, c, d. Ballots: 3 x [a, b], 2 x [c, d], 2 x [d, c].
    Borda (2 points first, 1 second): a 6, b 3, c 2*2 + 2*1 = 6, d 6. Borda ranks a, c, d
    tied first, b 4th: its top 2 places hold {a, c, d}.
    Head to head (unranked tie below): c beats a 4:3 and b 4:3, d beats a 4:3 and b 4:3,
    c and d tie 2:2, a beats b 3:0. Schulze: c and d first (nobody beats them), a 3rd,
    b 4th; its top 2 places hold {c, d}: the first places differ and so do the top 2."""
    ballots = [["a", "b"]] * 3 + [["c", "d"]] * 2 + [["d", "c"]] * 2
    result = ranking.tally(ballots, list("abcd"), {"top": 2})
    assert result.details["borda"] == {"a": 6, "b": 3, "c": 6, "d": 6}
    schulze = {s.option: s.rank for s in result.details["schulze"]["standings"]}
    assert schulze["c"] == schulze["d"] == 1 and schulze["a"] == 3
    assert result.details["disagree_top"] is True
    assert result.details["disagree_top_n"] is True
    same = ranking.tally([["a", "b"]] * 3 + [["b", "a"]], list("abcd"), {"top": 2})
    assert same.details["disagree_top_n"] is False


def test_schulze_on_partial_rankings_ties_the_unranked_below():
    # Same ballots: unranked options tie below the ranked ones, so d[x][y] counts the
    # ballots that rank x and put y lower or leave it out.
    result = ranking.tally([["b"], ["c", "a"], ["d", "c", "a", "b"]], list("abcd"), {})
    assert result.details["pairwise"] == {
        "a": {"b": 2, "c": 0, "d": 1}, "b": {"a": 1, "c": 1, "d": 1},
        "c": {"a": 2, "b": 2, "d": 1}, "d": {"a": 1, "b": 1, "c": 1}}
    # Links c>a 2, c>b 2, a>b 2; d ties everyone 1:1, so has no link either way.
    assert result.details["schulze"]["paths"] == {
        "a": {"b": 2, "c": 0, "d": 0}, "b": {"a": 0, "c": 0, "d": 0},
        "c": {"a": 2, "b": 2, "d": 0}, "d": {"a": 0, "b": 0, "c": 0}}
    standings = result.details["schulze"]["standings"]
    assert [(s.option, s.score, s.rank) for s in standings] == [
        ("c", 2, 1), ("d", 0, 1), ("a", 1, 3), ("b", 0, 4)]
    assert result.details["disagree_top"] is True  # Borda {c}, Schulze {c, d}


def test_ranking_supporters_leave_out_only_the_last_place():
    # Full rankings of three: first and second place give points, third gives none.
    result = ranking.tally([["a", "b", "c"], ["a", "c", "b"]], ["a", "b", "c"], {})
    assert {s.option: (s.score, s.supporters) for s in result.standings} == {
        "a": (4, 2), "b": (1, 1), "c": (1, 1)}


def test_ranking_top_setting_accepts_its_bounds_and_the_exact_count():
    assert ranking.check_settings({"top": 1}) == {"top": 1}
    assert ranking.check_settings({"top": 1000}) == {"top": 1000}
    assert ranking.validate(["b", "a"], list("abc"), {"top": 2}) == ["b", "a"]
    with pytest.raises(BallotError) as caught:
        ranking.validate(["b", "a", "c"], list("abc"), {"top": 2})
    assert (caught.value.code, caught.value.params, str(caught.value)) == (
        "too_many", {"cap": 2}, "more priorities ranked than allowed")


def test_ranking_refusals_say_what_is_wrong():
    with pytest.raises(BallotError) as caught:
        ranking.validate("ab", list("abc"), {})
    assert (caught.value.code, caught.value.params, str(caught.value)) == (
        "bad_ballot", {}, "a ranked ballot is a list of priorities, best first")


def test_ranking_places_hold_every_option_of_a_very_large_round():
    # 2**15 options: "unranked" is place 32,768, one more than 16 bits hold.
    options = list(range(2**15))
    pos, weights = ranking._positions([([2**15 - 1], 3)], options)
    assert pos[0, 2**15 - 1] == 0 and pos[0, 0] == 2**15 and weights.tolist() == [3.0]


def test_ranking_phone_places_that_repeat_are_refused_with_their_reason():
    assert ranking.read_form({"rank-4": "2", "rank-9": "1", "rank-5": ""}) == [9, 4]
    with pytest.raises(Refused) as caught:
        ranking.read_form({"rank-4": "1", "rank-9": "1"})
    assert (caught.value.code, caught.value.params) == ("bad_ballot",
                                                        {"reason": "duplicate_rank"})
    assert ranking.read_json({"ballot": [9, 4]}) == [9, 4]
