"""Ids from outside: `bounded_id`, the one reading of an id, and the whole numbers beside it.

Pure core. Whatever is sent where an id belongs (a form field's suffix, a JSON key or
number, a socket payload, a facilitator command's field) either becomes a positive int
the id columns can hold, or is refused with the caller's code: never another exception.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshop.core.errors import Refused
from workshop.core.ids import MAX_ID, bounded_id
from workshop.core.voting.reading import json_ballot, numbered, whole_number

# Everything a JSON body, a form or a socket payload can hold, and then some: numbers
# far past 64 bits, floats that are not numbers, digits of other scripts.
SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=2**62)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text()
           | st.text(alphabet="0123456789١٢٣٠۱۲१२１２", max_size=12)
           | st.integers(min_value=0).map(str) | st.binary(max_size=8))
ANYTHING = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                        max_leaves=8)


@given(ANYTHING)
def test_anything_is_a_bounded_id_or_the_refusal_and_nothing_else(value):
    try:
        number = bounded_id(value, "bad_ballot", 400, reason="unknown_option")
    except Refused as refusal:
        assert (refusal.code, refusal.status, refusal.params) == \
            ("bad_ballot", 400, {"reason": "unknown_option"})
        return
    assert type(number) is int and 1 <= number <= MAX_ID


@given(st.integers(min_value=1, max_value=MAX_ID))
def test_every_valid_id_round_trips_as_an_int_its_digits_and_a_whole_float(number):
    assert bounded_id(number) == number
    assert bounded_id(str(number)) == number
    whole = bounded_id(float(number))
    assert whole == number and type(whole) is int


@given(st.integers(min_value=1, max_value=MAX_ID), st.integers(min_value=1, max_value=60))
def test_a_huge_or_padded_id_is_refused_before_it_is_converted(number, padding):
    for text in ("9" * 4400, "0" * padding + str(number), str(number) + "0" * 10):
        with pytest.raises(Refused):
            bounded_id(text)


@pytest.mark.parametrize("value", [
    0, -1, MAX_ID + 1, 2**63, 2**63 + 1, 10**4000, "0", "-1", "+1", " 1", "1 ", "1_0",
    "1e3", "0x1", "١", "١٢", "۱", "१", "１", "9" * 4400, "١" * 4400, "", 1.5, -1.0, 0.0,
    float(MAX_ID + 1), math.nan, math.inf, -math.inf, True, False, None, [1], {"1": 1}, (1,),
    b"1", object(),
])
def test_what_is_not_an_id_is_refused_with_the_callers_code(value):
    with pytest.raises(Refused) as refused:
        bounded_id(value, "idea_not_found", 404)
    assert (refused.value.code, refused.value.status) == ("idea_not_found", 404)


def test_whole_numbers_from_json_are_ints_never_floats():
    for value in (14.0, "14", 14):
        assert whole_number(value) == 14 and type(whole_number(value)) is int
    for value in (14.5, math.nan, math.inf, True, None, [14], "1" * 10, "١٤"):
        with pytest.raises(Refused):
            whole_number(value)


def test_form_fields_named_by_something_else_than_an_id_are_refused():
    assert numbered({"dots-12": "2", "dots-13": "", "other": "x"}, "dots") == {12: 2, 13: 0}
    for name in ("dots-١", "dots-" + "1" * 4400, "dots-01", "dots-0", "dots-2147483648",
                 "dots-", "dots--1"):
        with pytest.raises(Refused) as refused:
            numbered({name: "1"}, "dots")
        assert refused.value.code == "bad_request"


def test_json_ballots_name_ideas_by_bounded_ids_and_count_in_ints():
    assert json_ballot({"ballot": {"3": 14.0}}) == {3: 14}
    assert type(json_ballot({"ballot": {"3": 14.0}})[3]) is int
    assert json_ballot({"ballot": [3.0, 1]}) == [3, 1]
    assert all(type(i) is int for i in json_ballot({"ballot": [3.0, 1]}))
    for ballot in ({"١": 1}, {"1" * 4400: 1}, {"3.0": 1}, [[1]], [{"a": 1}], [True], [1.5],
                   [2**63], ["٣"]):
        with pytest.raises(Refused) as refused:
            json_ballot({"ballot": ballot})
        assert (refused.value.code, refused.value.params) == \
            ("bad_ballot", {"reason": "unknown_option"})
