"""Results by group (ADS+), the pure core: suppression, equal weights, consensus and gaps.

The suppression properties are checked over random group sizes (hypothesis): no shown
group below k, and nothing recoverable by subtraction (what is hidden together holds
nobody or at least k people), for one question and for two crossed questions. The
figures are checked against small cases worked by hand.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.core.groups.breakdown import break_down, tally_weighted
from workshop.core.groups.cells import (
    MIN_CELL,
    NO_ANSWER,
    shown_across,
    shown_count,
    shown_groups,
    threshold,
)
from workshop.core.groups.weights import UNIT, equal_weights
from workshop.core.voting import approval, dots, pairwise, points, ranking

GROUPS = ["femme", "homme", "non-binaire", "préfère ne pas répondre", NO_ANSWER]
sizes_of = st.dictionaries(st.sampled_from(GROUPS), st.integers(0, 40), min_size=1)
thresholds = st.integers(0, 12)


def hidden_total(sizes, shown):
    return sum(n for g, n in sizes.items() if g not in shown)


# --- one question ----------------------------------------------------------------------------

@given(sizes_of, thresholds)
def test_no_group_below_k_and_nothing_recoverable_by_subtraction(sizes, k):
    shown = shown_groups(sizes, k, undisclosed={"préfère ne pas répondre"})
    k = threshold(k)
    assert all(sizes[g] >= k for g in shown)
    assert NO_ANSWER not in shown and "préfère ne pas répondre" not in shown
    # total minus every shown group: what is left is nobody, or at least k people (or
    # everyone, when nothing is shown: the overall result itself)
    left = hidden_total(sizes, shown)
    assert left == 0 or left >= k or not shown


@given(st.dictionaries(st.sampled_from(GROUPS[:3]), st.integers(0, 40), min_size=1), thresholds)
def test_when_every_group_is_large_enough_every_group_is_shown(sizes, k):
    if all(n == 0 or n >= threshold(k) for n in sizes.values()):
        assert shown_groups(sizes, k) == {g for g, n in sizes.items() if n}


def test_the_threshold_can_be_raised_never_lowered():
    assert threshold(None) == threshold(0) == threshold(3) == MIN_CELL == 5
    assert threshold(8) == 8
    assert threshold(True) == MIN_CELL  # not a number of people


def test_small_groups_worked_by_hand():
    # two people in an MRC, three without an answer: hidden together they are five
    assert shown_groups({"Rimouski": 10, "La Mitis": 6, "Les Basques": 2, NO_ANSWER: 3}, 5) \
        == {"Rimouski", "La Mitis"}
    # only two without an answer: 2 + 2 < 5, so the next smallest (La Mitis) is hidden too
    assert shown_groups({"Rimouski": 10, "La Mitis": 6, "Les Basques": 2, NO_ANSWER: 2}, 5) \
        == {"Rimouski"}
    # a group alone is never shown beside its total: total minus nothing would be it
    assert shown_groups({"femme": 12, "homme": 4}, 5) == frozenset()
    # nobody hidden: every group is shown
    assert shown_groups({"femme": 12, "homme": 5}, 5) == {"femme", "homme"}
    # an empty group is neither shown nor hidden
    assert shown_groups({"femme": 12, "homme": 5, "non-binaire": 0}, 5) == {"femme", "homme"}


def test_head_counts_projected_below_k_are_not_shown():
    assert [shown_count(n, 5) for n in (0, 1, 4, 5, 30)] == [0, None, None, 5, 30]


# --- questions crossed ---------------------------------------------------------------------------

answers_st = st.lists(st.tuples(st.sampled_from(["femme", "homme", NO_ANSWER]),
                                st.sampled_from(["oui", "non", "préfère ne pas répondre",
                                                 NO_ANSWER]),
                                st.sampled_from(["Rimouski", "La Mitis", NO_ANSWER])),
                      max_size=80)


def published_sets(questions, shown_by_question):
    everyone = frozenset(questions[0])
    sets = [everyone]
    for group_of, shown in zip(questions, shown_by_question, strict=True):
        for group in shown:
            sets.append(frozenset(v for v, g in group_of.items() if g == group))
        rest = frozenset(v for v, g in group_of.items() if g not in shown)
        if rest:
            sets.append(rest)
    return sets


@given(answers_st, thresholds)
@settings(max_examples=300)
def test_no_two_published_results_differ_by_fewer_than_k_people(rows, k):
    questions = [{v: row[q] for v, row in enumerate(rows)} for q in range(3)]
    shown = shown_across(questions, k, undisclosed={"préfère ne pas répondre"})
    k = threshold(k)
    for group_of, groups in zip(questions, shown, strict=True):
        assert NO_ANSWER not in groups and "préfère ne pas répondre" not in groups
        assert all(sum(1 for g in group_of.values() if g == group) >= k for group in groups)
    sets = published_sets(questions, shown)
    for a in sets:  # the difference of two published results shows nobody, or k people
        for b in sets:
            assert len(a - b) == 0 or len(a - b) >= k
            assert len(b - a) == 0 or len(b - a) >= k


def test_one_person_who_skipped_a_question_is_not_exposed():
    # 20 women and 20 men answered the gender question; of them, 19 women and 20 men
    # answered the territory question, the 20th woman did not. Five more answered neither.
    gender = {**{f"f{i}": "femme" for i in range(20)}, **{f"h{i}": "homme" for i in range(20)},
              **{f"n{i}": NO_ANSWER for i in range(5)}}
    territory = {v: (NO_ANSWER if v.startswith("n") or v == "f19" else
                     "Rimouski" if int(v[1:]) % 2 else "La Mitis") for v in gender}
    alone = shown_groups({"femme": 20, "homme": 20, NO_ANSWER: 5}, 5)
    assert alone == {"femme", "homme"}
    # each question alone would show both of its groups, but then the hidden under the
    # territory question (the five and f19) minus the hidden under gender (the five) is
    # f19's ballot: one territory group is hidden with them.
    assert shown_groups({"Rimouski": 20, "La Mitis": 19, NO_ANSWER: 6}, 5) == \
        {"Rimouski", "La Mitis"}
    shown = shown_across([gender, territory], 5)
    assert shown[0] == {"femme", "homme"}
    assert len(shown[1]) < 2


# --- equal weights -----------------------------------------------------------------------------

def test_equal_weights_worked_by_hand():
    group_of = {**{f"a{i}": "A" for i in range(10)}, **{f"b{i}": "B" for i in range(5)},
                "c0": "C", "c1": "C", **{f"n{i}": NO_ANSWER for i in range(3)}}
    weights, equal = equal_weights(group_of, 5)
    assert equal == {"A", "B"}
    # A and B share their 15 votes: 7.5 each, so 0.75 per voter of A and 1.5 per voter of B;
    # the two of C and the three without an answer count one each
    assert weights["a0"] == 0.75 and weights["b0"] == 1.5
    assert weights["c0"] == weights["n0"] == 1.0


@given(st.lists(st.sampled_from(["A", "B", "C", "D", NO_ANSWER]), min_size=0, max_size=120),
       thresholds)
def test_every_group_made_equal_weighs_the_same(answers, k):
    group_of = dict(enumerate(answers))
    weights, equal = equal_weights(group_of, k)
    for w in weights.values():
        assert (w * UNIT).is_integer()  # exact in floating point, whatever the order of sums
    totals = {g: sum(Fraction(w) for v, w in weights.items() if group_of[v] == g) for g in equal}
    if equal:
        assert len(equal) >= 2
        size = {g: answers.count(g) for g in equal}
        for g in equal:  # each the same share, to the rounding of one voter's weight
            assert abs(totals[g] - Fraction(sum(size.values()), len(equal))) \
                <= Fraction(size[g], 2 * UNIT)
    for voter, group in group_of.items():
        if group not in equal:
            assert weights[voter] == 1.0


# --- the breakdown -----------------------------------------------------------------------------

def test_weights_of_one_are_the_plain_tally():
    ballots = [[1, 2, 3], [2, 1], [3], [1, 3, 2]]
    for method, settings_ in ((ranking, {}),):
        plain = method.tally(ballots, [1, 2, 3], settings_)
        assert tally_weighted(method, [1, 2, 3], settings_, [(b, 1) for b in ballots]) == plain


def test_breakdown_of_a_dot_vote_worked_by_hand():
    # 8 women all put their 3 dots on 1; 12 men put 2 dots on 2 and 1 on 3, except two
    # who put 3 on 1; 3 people gave no answer and put 3 dots on 3; 2 non-binary people
    # (a small group: never shown, and with the 3 without answer they are 5 hidden).
    ballots, group_of = {}, {}
    for i in range(8):
        ballots[f"f{i}"], group_of[f"f{i}"] = {1: 3}, "femme"
    for i in range(12):
        ballots[f"h{i}"], group_of[f"h{i}"] = ({1: 3} if i < 2 else {2: 2, 3: 1}), "homme"
    for i in range(3):
        ballots[f"n{i}"] = {3: 3}
    for i in range(2):
        ballots[f"x{i}"], group_of[f"x{i}"] = {2: 3}, "non-binaire"
    result = break_down(dots, [1, 2, 3], {"dots": 3, "max_per_option": 3}, ballots, group_of,
                        5, groups_in_order=["homme", "femme", "non-binaire"])
    assert [g.group for g in result.groups] == ["homme", "femme"]
    assert result.hidden_voters == 5
    women, men = result.groups[1].result, result.groups[0].result
    assert [(s.option, s.score, s.supporters, s.rank) for s in women.standings] == \
        [(1, 24, 8, 1), (2, 0, 0, 2), (3, 0, 0, 2)]
    assert [(s.option, s.score, s.supporters, s.rank) for s in men.standings] == \
        [(2, 20, 10, 1), (3, 10, 10, 2), (1, 6, 2, 3)]
    # overall: 1 has 24 + 6 = 30, 2 has 20 + 6 = 26, 3 has 10 + 9 = 19
    assert [(s.option, s.score) for s in result.overall.standings] == [(1, 30), (2, 26), (3, 19)]
    # consensus: the lowest share of a shown group supporting it
    assert result.consensus == {1: pytest.approx(2 / 12), 2: 0.0, 3: 0.0}
    # gaps: 1 is first for women and third for men
    assert [(g.option, g.spread, g.best_groups, g.worst_groups) for g in result.gaps] == [
        (1, 2, ("femme",), ("homme",)), (2, 1, ("homme",), ("femme",)),
        (3, 0, ("homme", "femme"), ("homme", "femme"))]
    # each group counts equally: women and men share their 20 votes, 10 each: a woman
    # weighs 10/8, a man 10/12. 1: 8 × 3 × 10/8 + 2 × 3 × 10/12 = 30 + 5 = 35, plus 0;
    # 2: 10 × 2 × 10/12 = 16.67, + 6 from the non-binary voters = 22.67;
    # 3: 10 × 1 × 10/12 = 8.33, + 9 from those without an answer = 17.33.
    assert result.equal_groups == {"femme", "homme"}
    equal = result.equal
    assert [s.option for s in equal.standings] == [1, 2, 3]
    assert [s.score for s in equal.standings] == pytest.approx([35, 22 + 2 / 3, 17 + 1 / 3],
                                                               abs=1e-4)
    assert equal.voters == 25
    assert [s.supporters for s in equal.standings] == [10, 12, 13]  # people, not weights


def test_equal_groups_of_the_same_size_change_nothing():
    ballots = {i: [i % 3 + 1, (i + 1) % 3 + 1] for i in range(20)}
    group_of = {i: "A" if i < 10 else "B" for i in range(20)}
    result = break_down(ranking, [1, 2, 3], {}, ballots, group_of, 5)
    assert [(s.option, s.score, s.rank) for s in result.equal.standings] == \
        [(s.option, s.score, s.rank) for s in result.overall.standings]


def test_ties_stay_ties_under_weights():
    # A (10 voters) all approve 1; B (5) all approve 2: made equal, 1 and 2 weigh 7.5 each
    ballots = {**{f"a{i}": [1] for i in range(10)}, **{f"b{i}": [2] for i in range(5)}}
    group_of = {v: v[0].upper() for v in ballots}
    result = break_down(approval, [1, 2], {}, ballots, group_of, 5)
    assert [s.rank for s in result.equal.standings] == [1, 1]
    assert [s.score for s in result.equal.standings] == [7.5, 7.5]


voters_st = st.lists(st.tuples(st.sampled_from(["A", "B", "C", NO_ANSWER]),
                               st.lists(st.sampled_from([1, 2, 3, 4]), unique=True,
                                        max_size=4)),
                     max_size=60)


@given(voters_st, thresholds)
@settings(max_examples=80, deadline=None)
def test_a_breakdown_never_shows_a_small_group_nor_lets_one_be_subtracted(voters, k):
    ballots = {i: ballot for i, (_g, ballot) in enumerate(voters)}
    group_of = {i: g for i, (g, _b) in enumerate(voters)}
    result = break_down(ranking, [1, 2, 3, 4], {}, ballots, group_of, k)
    k = threshold(k)
    assert all(g.voters >= k and g.result.voters == g.voters for g in result.groups)
    assert result.hidden_voters == 0 or result.hidden_voters >= k or not result.groups
    assert sum(g.voters for g in result.groups) + result.hidden_voters == len(ballots)
    assert NO_ANSWER not in {g.group for g in result.groups}
    if len(result.groups) < 2:
        assert result.consensus == {} and result.gaps == ()


@pytest.mark.parametrize("method, ballot, settings_", [
    (dots, {1: 2, 2: 1}, {"dots": 3, "max_per_option": 3}),
    (points, {1: 60, 2: 40}, {}),
    (approval, [1, 2], {}),
    (ranking, [2, 1, 3], {}),
    (pairwise, [[1, 2, 1], [2, 3, 3]], {}),
])
def test_every_method_tallies_weighted_ballots(method, ballot, settings_):
    options = [1, 2, 3]
    method.validate(ballot, options, settings_)
    once = tally_weighted(method, options, settings_, [(ballot, 1)])
    doubled = tally_weighted(method, options, settings_, [(ballot, 0.5), (ballot, 1.5)])
    assert [s.option for s in doubled.standings] == [s.option for s in once.standings]
    assert doubled.voters == 2


# --- the questions' own rules ------------------------------------------------------------------

def test_a_question_is_cleaned_and_its_choices_checked():
    from workshop.core.errors import Refused
    from workshop.core.groups.template import CHOICES_MAX, clean_question

    assert clean_question("  Votre  âge ?", ["Moins de 30 ans", " 30 ans et plus ", ""]) == (
        "Votre âge ?", ["Moins de 30 ans", "30 ans et plus"])
    many = [f"Choix {n}" for n in range(CHOICES_MAX)]
    assert clean_question("Q", many)[1] == many
    for text, choices, code, params in (
            ("Q", ["Seul"], "bad_choices", {"low": 2, "high": CHOICES_MAX}),
            ("Q", [*many, "Un de trop"], "bad_choices", {"low": 2, "high": CHOICES_MAX}),
            ("Q", "A\nB", "bad_choices", {"low": 2, "high": CHOICES_MAX}),
            ("Q", ["Oui", "OUI"], "duplicate_choice", {}),
            ("", ["A", "B"], "bad_question", {"limit": 200}),
            ("Q" * 201, ["A", "B"], "bad_question", {"limit": 200}),
            ("Q", ["A", "B" * 81], "bad_choices", {"limit": 80})):
        with pytest.raises(Refused) as refused:
            clean_question(text, choices)
        assert (refused.value.code, refused.value.params) == (code, params)


def test_expected_shares_are_read_as_typed_or_pasted():
    from workshop.core.errors import Refused
    from workshop.core.groups.template import read_expected_shares

    labels = ["Kamouraska", "La Mitis", "Les Basques"]
    assert read_expected_shares(labels, "kamouraska\t10,5\n\"La Mitis\";8 %\nLes Basques,0") \
        == {"Kamouraska": 10.5, "La Mitis": 8.0, "Les Basques": 0.0}
    assert read_expected_shares(labels, "Kamouraska;60\nLa Mitis;40") == {
        "Kamouraska": 60.0, "La Mitis": 40.0}  # exactly 100 is allowed
    assert read_expected_shares(labels, "\n  \n") == {}
    for typed, code, params in (("Québec;5", "unknown_choice", {"label": "Québec"}),
                                ("Kamouraska;100,5", "bad_shares", {}),
                                ("Kamouraska;-1", "bad_shares", {}),
                                ("Kamouraska;dix", "bad_shares", {}),
                                ("Kamouraska", "bad_shares", {}),
                                (";5", "bad_shares", {}),
                                ("Kamouraska;60\nLa Mitis;40,1", "bad_shares", {}),
                                (None, "bad_shares", {})):
        with pytest.raises(Refused) as refused:
            read_expected_shares(labels, typed)
        assert (refused.value.code, refused.value.params) == (code, params), typed


# --- who is in the room: shares against expected shares ---------------------------------

def test_the_share_that_matters_is_of_voters_then_of_those_connected_then_of_answers():
    from workshop.core.groups.representation import basis

    assert basis({"voted": 3, "present": 10, "answered": 40}) == "voted"
    assert basis({"voted": 0, "present": 10, "answered": 40}) == "present"
    assert basis({"voted": 0, "present": 0, "answered": 40}) == "answered"
    assert basis({"voted": 0, "present": 0, "answered": 0}) == "answered"
    assert basis({}) == "answered"


def test_a_group_is_under_heard_below_three_quarters_of_its_expected_share():
    from workshop.core.groups.representation import UNDER_HEARD, shares

    assert UNDER_HEARD == 0.75
    rows = [{"present": 3, "expected": 40.0},   # 30 % of 40 % expected: exactly 0.75, heard
            {"present": 2, "expected": 27.0},   # 20 % < 20.25 %: under-heard
            {"present": 5, "expected": None},   # 50 %, nothing expected
            {"present": 0, "expected": 10.0}]   # 0 %: under-heard
    assert shares(rows, "present") == [{"share": 0.3, "under": False},
                                       {"share": 0.2, "under": True},
                                       {"share": 0.5, "under": False},
                                       {"share": 0.0, "under": True}]
    nobody = [{"present": 0, "expected": 50.0}, {"present": 0, "expected": None}]
    assert shares(nobody, "present") == [{"share": None, "under": False},
                                         {"share": None, "under": False}]


# --- thresholds, crossings and refusals worked by hand ------------------------------------------

def test_two_published_sets_differ_by_nobody_or_at_least_k_on_each_side():
    from workshop.core.groups.cells import _small_difference

    five, six, ten = frozenset(range(5)), frozenset(range(6)), frozenset(range(10))
    assert not _small_difference(five, five, 5)  # 0 and 0: the same people
    assert _small_difference(six, five, 5)  # one more on the first side
    assert _small_difference(five, six, 5)  # one more on the second side
    assert not _small_difference(ten, five, 5)  # 5 more: k, enough
    assert not _small_difference(five, ten, 5)
    assert _small_difference(frozenset(range(9)), five, 5)  # 4 more: fewer than k
    assert _small_difference(five, frozenset(range(9)), 5)


def crossed(extra_in_second_question: bool = True):
    """Two questions over 26 voters, worked by hand (k = 5).

    Question 1: A = voters 0-5, B = 6-11, C = 12-17, D = 18-25 (8). Question 2 cuts the
    same voters almost alike: X = 0-4 and 6, Y = 5 and 7-11, Z = C, W = D.
    """
    first = {v: "A" if v < 6 else "B" if v < 12 else "C" if v < 18 else "D" for v in range(26)}
    second = {v: "Z" if 12 <= v < 18 else "W" if v >= 18 else
              ("X" if v < 5 or v == 6 else "Y") for v in range(26)}
    return first, second


def test_crossed_questions_hide_a_group_one_person_away_from_a_published_one():
    # Alone, question 2 shows X, Y, Z and W (6, 6, 6, 8 voters, nobody hidden). Across:
    # X differs from A by one person (voter 6), so X is hidden (X and Y tie on size,
    # 'X' < 'Y'); Y differs from B by one person (voter 5), so Y is hidden too. Hidden
    # together, X and Y are voters 0-11: 12 people, as A and B together, k or more away
    # from everything published (everyone, A, B, C, D). Z is C and W is D: differing by
    # nobody, they are shown.
    first, second = crossed()
    assert shown_groups({"X": 6, "Y": 6, "Z": 6, "W": 8}, 5) == {"X", "Y", "Z", "W"}
    assert shown_across([first, second], 5) == [frozenset("ABCD"), frozenset("ZW")]
    # in the other order, question 1's A and B are the ones hidden
    assert shown_across([second, first], 5) == [frozenset("XYZW"), frozenset("CD")]
    assert shown_across([], 5) == []


def test_a_hidden_rest_one_person_from_a_published_set_hides_one_more_group():
    # k = 5. Question 1: P = voters 0-9, Q = 10-19: both shown. Question 2: voter 9 gave
    # no answer, R = 0-8 (9), S = 10-19. One person hidden is fewer than 5: the smallest
    # shown, R, is hidden with them; the 10 hidden are P: nobody apart. S only is shown.
    first = {v: "P" if v < 10 else "Q" for v in range(20)}
    second = {v: NO_ANSWER if v == 9 else ("R" if v < 9 else "S") for v in range(20)}
    assert shown_across([first, second], 5) == [frozenset("PQ"), frozenset("S")]
    # the rest alone too close to everyone: 21 voters, 1 without an answer, one group of
    # 20 is hidden with it (21 - 20 < 5 would let one person be subtracted)
    third = {v: NO_ANSWER if v == 20 else "T" for v in range(21)}
    assert shown_across([third], 5) == [frozenset()]


def test_an_undisclosed_group_is_never_shown_even_across_questions():
    first = {v: "A" if v < 6 else "B" if v < 12 else "ne pas répondre" for v in range(18)}
    assert shown_across([first], 5, undisclosed=["ne pas répondre"]) == [frozenset("AB")]
    assert shown_across([first], 5) == [frozenset(["A", "B", "ne pas répondre"])]


def test_a_threshold_above_five_is_the_one_used_everywhere():
    # k = 7: a group of 6 is hidden, a group of 8 shown (with 5, both would be).
    assert shown_count(6, 7) is None and shown_count(7, 7) == 7
    group_of = {v: "A" if v < 6 else "B" if v < 14 else "C" for v in range(22)}
    weights, equal = equal_weights(group_of, 7)
    # A (6) is hidden; with it 6 < 7 are hidden, so the smallest shown (B, 8; C is 8 too
    # and 'B' < 'C') is hidden as well: one group left, nothing to even out
    assert equal == frozenset() and set(weights.values()) == {1.0}
    group_of = {v: "A" if v < 7 else "B" if v < 15 else "C" for v in range(31)}
    weights, equal = equal_weights(group_of, 7)
    # A 7, B 8, C 16: 31 votes shared by 3, 31/3 each: per voter 31/21, 31/24, 31/48
    assert equal == {"A", "B", "C"}
    assert (weights[0], weights[7], weights[15]) == pytest.approx((31 / 21, 31 / 24, 31 / 48),
                                                                   abs=1 / UNIT)
    # k = 8: A (7) is hidden, 7 < 8 hidden, so B (8) is hidden with it: C alone is shown
    assert equal_weights(group_of, 8)[1] == frozenset()
    ballots = {v: {1: 1} if v < 7 else {2: 1} for v in range(31)}
    result = break_down(dots, [1, 2], {"dots": 1, "max_per_option": 1}, ballots, group_of, 8)
    assert result.k == 8 and [g.group for g in result.groups] == ["C"]
    assert result.hidden_voters == 15
    result = break_down(dots, [1, 2], {"dots": 1, "max_per_option": 1}, ballots, group_of, 7)
    assert result.k == 7 and [g.group for g in result.groups] == ["A", "B", "C"]


def test_equal_weights_follow_the_groups_given_and_leave_undisclosed_ones_alone():
    group_of = {v: "A" if v < 6 else "B" if v < 18 else "ne pas répondre" for v in range(30)}
    weights, equal = equal_weights(group_of, 5, undisclosed=["ne pas répondre"])
    # A 6 and B 12 share 18 votes, 9 each: 1.5 and 0.75 per voter; the 12 undisclosed: 1
    assert equal == {"A", "B"} and (weights[0], weights[6], weights[18]) == (1.5, 0.75, 1.0)
    weights, equal = equal_weights(group_of, 5)
    assert equal == {"A", "B", "ne pas répondre"}  # 30 votes shared by 3: 10 each
    assert (weights[0], weights[6], weights[18]) == pytest.approx((10 / 6, 10 / 12, 10 / 12),
                                                                   abs=1 / UNIT)
    weights, equal = equal_weights(group_of, 5, shown=["B", "ne pas répondre"])
    assert equal == {"B", "ne pas répondre"} and weights[0] == 1.0


def test_across_questions_the_groups_made_equal_are_those_shown():
    from workshop.core.groups.breakdown import break_down_questions

    first, second = crossed()
    ballots = {v: {1: 1} if v < 12 else {2: 1} for v in range(26)}
    found = break_down_questions(dots, [1, 2], {"dots": 1, "max_per_option": 1}, ballots,
                                 [(first, "ABCD"), (second, "XYZW")], 5)
    assert [g.group for g in found[1].groups] == ["Z", "W"]
    assert found[1].hidden_voters == 12
    # Z (6) and W (8) share 14 votes, 7 each: Z's voters 7/6, W's 7/8; X and Y's 12 count 1.
    # 1 gets the 12 votes of voters 0-11; 2 gets 6 × 7/6 + 8 × 7/8 = 14.
    assert found[1].equal_groups == {"Z", "W"}
    assert [(s.option, s.score) for s in found[1].equal.standings] == [
        (2, pytest.approx(14, abs=1e-4)), (1, 12)]


def test_a_single_group_shown_gives_no_equal_ranking_and_no_figures_across_groups():
    ballots = {v: {1: 1} for v in range(12)}
    group_of = {v: "A" if v < 6 else "B" for v in range(12)}
    result = break_down(dots, [1, 2], {"dots": 1, "max_per_option": 1}, ballots, group_of, 7)
    # under k = 7 both groups of 6 are hidden: no group, no equal ranking
    assert result.groups == () and result.equal is None and result.equal_groups == frozenset()
    assert result.k == 7 and result.hidden_voters == 12
    assert result.consensus == {} and result.gaps == ()
    undisclosed = break_down(dots, [1, 2], {"dots": 1, "max_per_option": 1}, ballots,
                             group_of, 5, undisclosed=["B"])
    # B's 6 are undisclosed, hidden and 5 or more: A alone is shown, so nothing is compared
    assert [g.group for g in undisclosed.groups] == ["A"] and undisclosed.hidden_voters == 6
    assert undisclosed.equal is None and undisclosed.consensus == {} and undisclosed.gaps == ()


def test_expected_shares_read_line_by_line_worked_by_hand():
    from workshop.core.errors import Refused
    from workshop.core.groups.template import CHOICES_MAX, read_expected_shares

    labels = ["La Mitis", "Santé, services sociaux", "Xavier", "Rimouski"]
    assert read_expected_shares(labels, 'La Mitis;"8,5"\n\n"Rimouski";91,5') == {
        "La Mitis": 8.5, "Rimouski": 91.5}  # a blank line, quotes and decimal commas
    assert read_expected_shares(labels, "Santé, services sociaux,12\n\nXavier;4 %") == {
        "Santé, services sociaux": 12.0, "Xavier": 4.0}
    assert read_expected_shares(labels, "Rimouski;100") == {"Rimouski": 100.0}
    assert read_expected_shares(labels, "La Mitis\t0") == {"La Mitis": 0.0}
    assert read_expected_shares(labels, "La Mitis;50.0001\nRimouski;50") == {
        "La Mitis": 50.0001, "Rimouski": 50.0}  # 100.0001: the margin for rounding
    for typed in ("Rimouski;100.5", "La Mitis;8X", "La Mitis;60\nRimouski;40.1",
                  "La Mitis;-1", "Rimouski"):
        with pytest.raises(Refused) as refused:
            read_expected_shares(labels, typed)
        assert (refused.value.code, refused.value.params) == ("bad_shares", {}), typed
    # at most CHOICES_MAX + 1 lines are read: the 21st is, the 22nd is not
    many = [f"Choix {n}" for n in range(1, 23)]
    lines = [f"Choix {n};0" for n in range(1, 21)]
    assert len(read_expected_shares(many, "\n".join([*lines, "Choix 21;1"]))) == 21
    assert len(read_expected_shares(many, "\n".join([*lines, "Choix 21;1", "Pas un choix;1"]))) \
        == 21
    with pytest.raises(Refused) as refused:
        read_expected_shares(many, "\n".join([*lines[:19], "Pas un choix;1"]))
    assert refused.value.params == {"label": "Pas un choix"}
    assert CHOICES_MAX == 20


def _question(groups):
    return {voter: group for group, voters in groups.items() for voter in voters}


def test_a_hidden_rest_that_clashes_hides_the_smallest_group_shown_worked_by_hand():
    # 21 voters, k = 5. Question 1: C (15) and A = {1, 2, 4, 8, 18, 19} (6): both shown.
    # Question 2: C' (7) and D (7) each differ from Q1's C or A by 1 or 2 people: both
    # hidden, nothing shown. Question 3: C'' = {0, 6, 16, 17, 20} (5) is inside C and A''
    # (7) too: no group clashes; but the 9 hidden (no answer) differ from A by 3 people
    # ({5, 7, 14}): the smallest shown group, C'' (5, not A'' 7), is hidden with them, and
    # then 14 are hidden, k or more away from everything published: A'' alone is shown.
    q1 = _question({"C": [0, 3, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20],
                    "A": [1, 2, 4, 8, 18, 19]})
    q2 = _question({NO_ANSWER: [0, 5, 8, 11, 19], "B": [1, 12],
                    "C": [2, 6, 9, 10, 13, 14, 16], "D": [3, 4, 7, 15, 17, 18, 20]})
    q3 = _question({"C": [0, 6, 16, 17, 20], NO_ANSWER: [1, 2, 4, 5, 7, 8, 14, 18, 19],
                    "A": [3, 9, 10, 11, 12, 13, 15]})
    assert shown_across([q1, q2, q3], 5) == [frozenset("AC"), frozenset(), frozenset("A")]


def test_between_two_groups_of_one_size_the_first_by_name_is_hidden():
    # 18 voters, k = 5. Question 1 shows D = {1, 4, 7, 10, 12, 13, 15} alone (the other
    # 11 are hidden together). Question 2: D' = {0, 3, 9, 14, 16} and B' = {2, 5, 8, 11,
    # 17} (5 each) clash with nothing, but the 8 hidden differ from D by one person (6):
    # one of the two is hidden, B' ('B' < 'D'), and D' is shown.
    q1 = _question({NO_ANSWER: [0, 8, 9, 11, 17], "D": [1, 4, 7, 10, 12, 13, 15],
                    "C": [2, 3, 6, 14], "A": [5], "B": [16]})
    q2 = _question({"D": [0, 3, 9, 14, 16], "A": [1, 7, 10], "B": [2, 5, 8, 11, 17],
                    NO_ANSWER: [4, 12, 13, 15], "C": [6]})
    assert shown_across([q1, q2], 5) == [frozenset("D"), frozenset("D")]


def test_across_questions_with_a_higher_threshold_and_an_undisclosed_choice():
    from workshop.core.groups.breakdown import break_down_questions

    # k = 6. Question 1: A = 0-4 (5) is under k; "n/r" = 12-19 (8) is never shown; hidden
    # together they are 13: B = 5-11 (7) alone is shown. Question 2: X = 0-11 differs from
    # B by 5 people (0-4), fewer than 6: hidden; Y = 12-19 differs from what question 1
    # hid (0-4 and 12-19) by those same 5: hidden too. (Under k = 5, or with "n/r" a
    # group like the others, more would be shown.) Each ballot approves 1 (voters 0-5) or
    # 2: overall 2 has 14, 1 has 6.
    first = {v: "A" if v < 5 else "B" if v < 12 else "n/r" for v in range(20)}
    second = {v: "X" if v < 12 else "Y" for v in range(20)}
    ballots = {v: [1] if v < 6 else [2] for v in range(20)}
    questions = [(first, ["A", "B", "n/r"]), (second, ["X", "Y"])]
    found = break_down_questions(approval, [1, 2], {}, ballots, questions, 6,
                                 undisclosed=["n/r"])
    assert [b.k for b in found] == [6, 6]
    assert [[g.group for g in b.groups] for b in found] == [["B"], []]
    assert [b.hidden_voters for b in found] == [13, 20]
    assert [(s.option, s.score) for s in found[0].overall.standings] == [(2, 14), (1, 6)]
    assert shown_across([first, second], 5, undisclosed=["n/r"]) == [frozenset("AB"),
                                                                      frozenset("XY")]
    # "n/r" as a group like the others: A (5) is hidden alone, fewer than 6, so the
    # smallest shown, B (7), is hidden with it; n/r (8) is shown. Then X is A and B, what
    # question 1 hid, and Y is n/r: both differ from what is published by nobody.
    assert shown_across([first, second], 6) == [frozenset(["n/r"]), frozenset("XY")]


def test_the_group_hidden_to_close_the_line_is_the_smallest_then_the_first_by_name():
    # 2 + 2 hidden are fewer than 5: the smallest shown group is hidden with them, Zoé
    # (6), not Alma (10) though "Alma" comes first by name
    assert shown_groups({"Alma": 10, "Zoé": 6, "x": 2, NO_ANSWER: 2}, 5) == {"Alma"}
    # two smallest of one size: the first by name, A, whatever the order given
    assert shown_groups({"B": 6, "A": 6, "C": 9, "x": 2, NO_ANSWER: 2}, 5) == {"B", "C"}
    assert shown_groups({"A": 6, "B": 6, "C": 9, "x": 2, NO_ANSWER: 2}, 5) == {"B", "C"}


def test_a_threshold_that_is_not_a_whole_number_is_the_minimum():
    assert threshold(7.5) == threshold("8") == threshold(False) == MIN_CELL
    assert threshold(6) == 6
