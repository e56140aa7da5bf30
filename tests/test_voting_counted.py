"""Every method's `tally_counted` (equal ballots given once, with how many cast them, as
the projector's pushes read them) must give exactly the result of `tally` over the same
ballots written out one by one, in any order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.core.voting import METHODS, get_method

OPTIONS = [11, 12, 13, 14, 15]
option = st.sampled_from(OPTIONS)
counts = st.dictionaries(option, st.integers(0, 4), max_size=len(OPTIONS))
listing = st.lists(option, unique=True, max_size=len(OPTIONS))


@st.composite
def judgement(draw):
    left, right = draw(st.lists(option, min_size=2, max_size=2, unique=True))
    return (left, right, draw(st.sampled_from([left, right, None])))


BALLOTS = {"dots": counts, "points": counts, "approval": listing,
           "ranking": listing,
           "pairwise": st.lists(judgement(), min_size=1, max_size=4)}
SETTINGS = {"dots": {"dots": 20, "max_per_option": 4}, "points": {"points": 100},
            "approval": {}, "ranking": {}, "pairwise": {"pairs": 10}}


def test_every_method_is_covered():
    assert set(BALLOTS) == set(METHODS)


@pytest.mark.parametrize("name", sorted(METHODS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_counted_tally_equals_the_tally_of_every_ballot(name, data):
    groups = data.draw(st.lists(st.tuples(BALLOTS[name], st.integers(1, 6)), max_size=8))
    every = [ballot for ballot, many in groups for _ in range(many)]
    every = data.draw(st.permutations(every))
    method = get_method(name)
    expected = method.tally(every, OPTIONS, SETTINGS[name])
    assert method.tally_counted(groups, OPTIONS, SETTINGS[name]) == expected
    assert expected.voters == len(every)


def test_a_count_weighs_as_many_ballots():
    dots = get_method("dots")
    result = dots.tally_counted([({11: 2}, 3), ({12: 1}, 1)], OPTIONS, SETTINGS["dots"])
    assert result.voters == 4
    assert {s.option: (s.score, s.supporters) for s in result.standings}[11] == (6, 3)
