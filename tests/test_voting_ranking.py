"""Ranked voting: ballot rules, Borda and Schulze tallies, properties and an oracle check."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from workshop.core.voting import BallotError, ranking

PROPERTY = hsettings(max_examples=150, deadline=None)
OPTIONS = ["a", "b", "c", "d"]


def code_of(ballot, settings=None, options=OPTIONS):
    """Return the BallotError code a ballot raises."""
    with pytest.raises(BallotError) as caught:
        ranking.validate(ballot, options, settings or {})
    return caught.value.code


@st.composite
def rounds(draw, min_options=1, max_options=6, partial=True, max_ballots=12):
    """Draw (options, settings, valid ballots) for a ranked round."""
    options = draw(st.lists(st.integers(-1000, 1000), min_size=min_options,
                            max_size=max_options, unique=True))
    ballots = []
    for _ in range(draw(st.integers(0, max_ballots))):
        order = draw(st.permutations(options))
        length = draw(st.integers(0, len(options))) if partial else len(options)
        ballots.append(ranking.validate(order[:length], options, {}))
    return options, {}, ballots


def borda_of(result):
    """Return {option: Borda score} from a result's standings."""
    return {s.option: s.score for s in result.standings}


def ranks_of(standings):
    """Return {option: rank} from standings."""
    return {s.option: s.rank for s in standings}


def schulze_ranks(result):
    """Return {option: Schulze rank} from a result."""
    return ranks_of(result.details["schulze"]["standings"])


def schulze_beats(result, x, y):
    """Say whether x beats y by strongest paths."""
    paths = result.details["schulze"]["paths"]
    return paths[x][y] > paths[y][x]


def condorcet_winner(result, options):
    """Return the option that beats every other head to head, or None."""
    d = result.details["pairwise"]
    for x in options:
        if all(d[x][y] > d[y][x] for y in options if y != x):
            return x
    return None


def test_ranking_settings_default_to_ranking_everything():
    assert ranking.check_settings({}) == {"top": None}
    assert ranking.check_settings({"top": 3}) == {"top": 3}


@pytest.mark.parametrize("bad", [0, 1001, True, 2.0, "3"])
def test_ranking_bad_settings_are_rejected(bad):
    with pytest.raises(BallotError) as caught:
        ranking.check_settings({"top": bad})
    assert caught.value.code == "bad_setting"


@pytest.mark.parametrize("ballot", ["abc", {"a": 1}, {"a", "b"}, None, 1])
def test_ranking_ballot_that_is_not_a_list_is_rejected(ballot):
    assert code_of(ballot) == "bad_ballot"


def test_ranking_of_an_unknown_priority_is_rejected():
    assert code_of(["a", "z"]) == "unknown_option"


def test_ranking_a_priority_twice_is_rejected():
    assert code_of(["a", "b", "a"]) == "duplicate_option"


def test_ranking_more_than_top_n_is_rejected():
    assert code_of(["a", "b", "c"], {"top": 2}) == "too_many"


def test_ranking_ballot_may_be_partial_or_empty_and_keeps_its_order():
    assert ranking.validate(("c", "a"), OPTIONS, {"top": 2}) == ["c", "a"]
    assert ranking.validate([], OPTIONS, {}) == []


def test_ranking_borda_gives_n_minus_1_minus_position_and_zero_when_unranked():
    result = ranking.tally([["b"], ["c", "a"]], OPTIONS, {})
    assert result.details["borda"] == {"a": 2, "b": 3, "c": 3, "d": 0}
    assert borda_of(result) == result.details["borda"]
    assert ranks_of(result.standings) == {"b": 1, "c": 1, "a": 3, "d": 4}
    assert {s.option: s.supporters for s in result.standings} == {"a": 1, "b": 1, "c": 1,
                                                                   "d": 0}
    assert result.details["first_choices"] == {"a": 0, "b": 1, "c": 1, "d": 0}


def test_ranking_all_but_one_is_the_same_as_a_full_ranking():
    partial = ranking.tally([["d", "b", "a"]], OPTIONS, {})
    full = ranking.tally([["d", "b", "a", "c"]], OPTIONS, {})
    assert partial.details == full.details
    assert partial.standings == full.standings


def test_ranking_pairwise_counts_voters_preferring_each_side():
    result = ranking.tally([["a", "b"], ["b"], ["c", "b", "a"]], ["a", "b", "c"], {})
    d = result.details["pairwise"]
    assert d["a"] == {"b": 1, "c": 1}
    assert d["b"] == {"a": 2, "c": 2}
    assert d["c"] == {"a": 1, "b": 1}


def test_ranking_flags_a_borda_winner_who_is_not_the_schulze_winner():
    ballots = [["a", "b", "c"]] * 3 + [["b", "c", "a"]] * 2
    result = ranking.tally(ballots, ["a", "b", "c"], {})
    assert result.details["borda"] == {"a": 6, "b": 7, "c": 2}
    assert result.standings[0].option == "b"
    assert schulze_ranks(result) == {"a": 1, "b": 2, "c": 3}
    assert result.details["disagree_top"] is True


def test_ranking_schulze_breaks_a_cycle_at_its_weakest_link():
    # a>b 6:3, b>c 7:2, c>a 5:4: the cycle's weakest link c>a loses to the path a>b>c.
    ballots = [["a", "b", "c"]] * 4 + [["b", "c", "a"]] * 3 + [["c", "a", "b"]] * 2
    result = ranking.tally(ballots, ["a", "b", "c"], {})
    d = result.details["pairwise"]
    assert (d["a"]["b"], d["b"]["c"], d["c"]["a"]) == (6, 7, 5)
    paths = result.details["schulze"]["paths"]
    assert paths == {"a": {"b": 6, "c": 6}, "b": {"a": 5, "c": 7}, "c": {"a": 5, "b": 5}}
    assert schulze_ranks(result) == {"a": 1, "b": 2, "c": 3}
    assert result.details["borda"] == {"a": 10, "b": 10, "c": 7}
    assert result.details["disagree_top"] is True


def test_ranking_schulze_shares_a_rank_between_options_neither_beats():
    # Links a>b 7, b>c 5, c>a 5: a beats b, but a and c tie on paths (5 each way), and
    # so do b and c. So a and c share the top tier, and b comes after.
    ballots = ([["a", "b", "c"]] * 3 + [["b", "c", "a"]] * 2 + [["c", "a", "b"]] * 3
               + [["a", "c", "b"]])
    result = ranking.tally(ballots, ["a", "b", "c"], {})
    d = result.details["pairwise"]
    assert (d["a"]["b"], d["b"]["c"], d["c"]["a"]) == (7, 5, 5)
    paths = result.details["schulze"]["paths"]
    assert paths == {"a": {"b": 7, "c": 5}, "b": {"a": 5, "c": 5}, "c": {"a": 5, "b": 5}}
    assert schulze_ranks(result) == {"a": 1, "c": 1, "b": 3}


def test_ranking_a_perfect_cycle_puts_everyone_in_one_schulze_tier():
    ballots = [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]]
    result = ranking.tally(ballots, ["a", "b", "c"], {})
    assert schulze_ranks(result) == {"a": 1, "b": 1, "c": 1}
    assert ranks_of(result.standings) == {"a": 1, "b": 1, "c": 1}
    assert result.details["disagree_top"] is False


def test_ranking_tally_of_no_ballots_or_no_options_ties_everyone():
    result = ranking.tally([], OPTIONS, {})
    assert result.voters == 0
    assert {s.rank for s in result.standings} == {1}
    assert set(schulze_ranks(result).values()) == {1}
    empty = ranking.tally([[], []], [], {})
    assert empty.standings == () and empty.voters == 2


@PROPERTY
@given(rounds(), st.data())
def test_ranking_results_do_not_depend_on_option_names_or_ballot_order(case, data):
    options, settings, ballots = case
    names = data.draw(st.lists(st.integers(), min_size=len(options), max_size=len(options),
                               unique=True))
    rename = dict(zip(options, names, strict=True))
    shuffled = data.draw(st.permutations(ballots))
    listed = data.draw(st.permutations(options))
    base = ranking.tally(ballots, options, settings)
    moved = ranking.tally([[rename[o] for o in b] for b in shuffled],
                          [rename[o] for o in listed], settings)
    assert {rename[o]: s for o, s in borda_of(base).items()} == borda_of(moved)
    assert {rename[o]: r for o, r in ranks_of(base.standings).items()} == ranks_of(
        moved.standings)
    assert {rename[o]: r for o, r in schulze_ranks(base).items()} == schulze_ranks(moved)
    for key in ("pairwise",):
        assert {rename[x]: {rename[y]: v for y, v in row.items()}
                for x, row in base.details[key].items()} == moved.details[key]
    assert {rename[x]: {rename[y]: v for y, v in row.items()}
            for x, row in base.details["schulze"]["paths"].items()} == moved.details[
        "schulze"]["paths"]
    assert base.details["disagree_top"] == moved.details["disagree_top"]


@PROPERTY
@given(rounds(), st.data())
def test_ranking_adding_a_ballot_that_puts_an_option_first_never_lowers_its_borda(case, data):
    options, settings, ballots = case
    favourite = data.draw(st.sampled_from(options))
    rest = data.draw(st.permutations([o for o in options if o != favourite]))
    extra = ranking.validate([favourite, *rest[:data.draw(st.integers(0, len(rest)))]],
                             options, settings)
    before = borda_of(ranking.tally(ballots, options, settings))[favourite]
    after = borda_of(ranking.tally([*ballots, extra], options, settings))[favourite]
    assert after == before + len(options) - 1


@PROPERTY
@given(rounds(max_options=7), st.integers(1, 8))
def test_ranking_borda_in_a_top_n_round_is_the_hand_count(case, top):
    """In a top-N round each ballot gives its first place N points, its k-th N+1-k, the
    unranked 0, and the standings follow those sums (ties share a rank)."""
    options, _settings, ballots = case
    ballots = [b[:top] for b in ballots]
    result = ranking.tally(ballots, options, {"top": top})
    hand = {o: 0 for o in options}
    for ballot in ballots:
        for place, option in enumerate(ballot):
            hand[option] += top - place
    assert result.details["borda"] == hand == borda_of(result)
    for s in result.standings:
        assert s.rank == 1 + sum(score > hand[s.option] for score in hand.values())
        assert s.supporters == sum(s.option in b for b in ballots)


@PROPERTY
@given(rounds(partial=False))
def test_ranking_full_rankings_keep_their_order_whatever_the_top(case):
    options, _settings, ballots = case
    classic = ranking.tally(ballots, options, {})
    counted = ranking.tally(ballots, options, {"top": max(len(options), 1)})
    assert ranks_of(classic.standings) == ranks_of(counted.standings)
    assert [s.option for s in classic.standings] == [s.option for s in counted.standings]


@PROPERTY
@given(rounds())
def test_ranking_borda_is_the_pairwise_row_sum_and_conserves_points(case):
    options, settings, ballots = case
    n = len(options)
    result = ranking.tally(ballots, options, settings)
    d = result.details["pairwise"]
    for x in options:
        assert result.details["borda"][x] == sum(d[x].values())
        for y in options:
            if y != x:
                assert d[x][y] + d[y][x] <= len(ballots)
    cast = sum(n - 1 - i for b in ballots for i in range(len(b)))
    assert sum(result.details["borda"].values()) == cast
    assert result.voters == len(ballots)


@PROPERTY
@given(rounds(min_options=2))
def test_ranking_a_condorcet_winner_is_schulzes_unique_winner(case):
    options, settings, ballots = case
    result = ranking.tally(ballots, options, settings)
    winner = condorcet_winner(result, options)
    if winner is not None:
        assert [o for o, r in schulze_ranks(result).items() if r == 1] == [winner]


@PROPERTY
@given(rounds(min_options=2), st.data())
def test_ranking_a_made_condorcet_winner_is_schulzes_unique_winner(case, data):
    options, settings, ballots = case
    favourite = data.draw(st.sampled_from(options))
    rest = data.draw(st.permutations([o for o in options if o != favourite]))
    crowd = [[favourite, *rest]] * (len(ballots) + 1)
    result = ranking.tally([*ballots, *crowd], options, settings)
    assert condorcet_winner(result, options) == favourite
    ranks = schulze_ranks(result)
    assert ranks[favourite] == 1
    assert sorted(ranks.values()).count(1) == 1


@PROPERTY
@given(rounds(min_options=2))
def test_ranking_schulze_tiers_follow_the_strongest_path_order(case):
    options, settings, ballots = case
    result = ranking.tally(ballots, options, settings)
    ranks = schulze_ranks(result)
    for x in options:
        for y in options:
            if x == y:
                continue
            if ranks[x] == ranks[y]:
                assert not schulze_beats(result, x, y)
            if schulze_beats(result, x, y):
                assert ranks[x] < ranks[y]
                for z in options:
                    if z not in (x, y) and schulze_beats(result, y, z):
                        assert schulze_beats(result, x, z)
    unbeaten = {x for x in options
                if not any(schulze_beats(result, y, x) for y in options if y != x)}
    assert unbeaten == {x for x, r in ranks.items() if r == 1}
    borda_top = {s.option for s in result.standings if s.rank == 1}
    assert result.details["disagree_top"] == (borda_top != unbeaten)


@PROPERTY
@given(rounds(min_options=2))
def test_ranking_tied_inputs_share_ranks_under_borda_and_schulze(case):
    options, settings, ballots = case
    n = len(options)
    rotated = [[options[(options.index(o) + shift) % n] for o in ballot]
               for ballot in ballots for shift in range(n)]
    result = ranking.tally(rotated, options, settings)
    assert set(ranks_of(result.standings).values()) == {1}
    assert set(schulze_ranks(result).values()) == {1}
    assert result.details["disagree_top"] is False


def random_profile(rng, partial):
    """Draw a small random profile over candidates 0..n-1: few voters, so ties are common."""
    n = rng.randint(2, 6)
    ballots = []
    for _ in range(rng.randint(1, 9)):
        order = rng.sample(range(n), n)
        ballots.append(order[:rng.randint(1, n)] if partial else order)
    return list(range(n)), ballots


def test_ranking_matches_pref_voting_on_full_rankings():
    """Borda scores and Schulze winners agree with pref_voting on 1,000 full-ranking profiles.

    Full linear orders: pref_voting's Schulze (beat_path) uses margins, which for full
    rankings orders links exactly as winning votes do, so the winner sets must agree.
    """
    pytest.importorskip("pref_voting")
    from pref_voting.margin_based_methods import beat_path
    from pref_voting.profiles import Profile

    rng = random.Random(20240611)
    tied = 0
    for _ in range(1000):
        options, ballots = random_profile(rng, partial=False)
        profile = Profile(ballots)
        result = ranking.tally(ballots, options, {})
        assert result.details["borda"] == profile.borda_scores()
        winners = sorted(o for o, r in schulze_ranks(result).items() if r == 1)
        assert winners == sorted(beat_path(profile)), ballots
        d = result.details["pairwise"]
        assert all(d[x][y] == profile.support(x, y) for x in options for y in options
                   if x != y)
        tied += len(winners) > 1 or sum(s.rank == 1 for s in result.standings) > 1
    assert tied >= 100


def test_ranking_matches_pref_voting_on_partial_rankings():
    """Partial ballots agree with pref_voting on 1,000 truncated profiles.

    Convention: unranked options tie below every ranked one, which is pref_voting's
    ProfileWithTies with extended strict preference. Our Borda (options strictly below)
    is its domination_borda_scores, and our winning-votes Schulze is its beat_path with
    strength_function=support.
    """
    pytest.importorskip("pref_voting")
    from pref_voting.margin_based_methods import beat_path
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.scoring_methods import domination_borda_scores

    rng = random.Random(19700101)
    tied = 0
    for _ in range(1000):
        options, ballots = random_profile(rng, partial=True)
        profile = ProfileWithTies([{c: i + 1 for i, c in enumerate(b)} for b in ballots],
                                  candidates=options)
        profile.use_extended_strict_preference()
        result = ranking.tally(ballots, options, {})
        assert result.details["borda"] == profile.borda_scores(
            borda_score_fnc=domination_borda_scores)
        winners = sorted(o for o, r in schulze_ranks(result).items() if r == 1)
        assert winners == sorted(beat_path(profile, strength_function=profile.support)), ballots
        tied += len(winners) > 1 or sum(s.rank == 1 for s in result.standings) > 1
    assert tied >= 100
