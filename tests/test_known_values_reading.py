"""Reading the strings a phone sends (workshop/core/voting/reading.py) against known values.

Kept apart from the tallies' known values: the reading of ids and numbers may be
tightened (see the input-validation work), and this file is then the one to update.
"""

from __future__ import annotations

import pytest

from workshop.core.errors import Refused
from workshop.core.voting.reading import idea_id, json_ballot, numbered, ticked, whole_number


def test_whole_number_reads_digits_and_refuses_the_rest():
    assert whole_number(7) == 7
    assert whole_number(" 42 ") == 42
    assert whole_number("999999999") == 999999999
    assert whole_number(14.0) == 14 and isinstance(whole_number(14.0), int)
    for bad, code in ((True, "bad_request"), ("1000000000", "x"), ("-1", "x"), ("٣", "x"),
                      (None, "x"), ("", "x"), (1.5, "x"), (2.0**53, "x")):
        with pytest.raises(Refused) as caught:
            whole_number(bad, code) if code != "bad_request" else whole_number(bad)
        assert caught.value.code == code


def test_ticked_says_yes_to_the_usual_yes_values_only():
    assert [ticked(v) for v in (True, False, "1", "TRUE", "on", "yes", "0", "", None)] == [
        True, False, True, True, True, True, False, False, False]


def test_numbered_fields_and_json_ballots():
    assert numbered({"ranked": "9", "rank-2": "1", "rank-3": " "}, "rank") == {2: 1, 3: 0}
    with pytest.raises(Refused) as caught:
        numbered({"rank-x": "1"}, "rank")
    assert caught.value.code == "bad_request"
    with pytest.raises(Refused) as caught:
        numbered({"rank-01": "1"}, "rank")  # not an id as written: the form had no such field
    assert caught.value.code == "bad_request"
    with pytest.raises(Refused) as caught:
        numbered({"rank-2": "two"}, "rank")
    assert caught.value.code == "bad_ballot"
    assert idea_id("12") == 12 and idea_id(3) == 3
    with pytest.raises(Refused) as caught:
        idea_id("a")
    assert (caught.value.code, caught.value.params["reason"]) == ("bad_ballot", "unknown_option")
    assert json_ballot({"ballot": [3, 1]}) == [3, 1]
    assert json_ballot({"ballot": {"5": 1, "6": 14.0, "7": 1.5}}) == {5: 1, 6: 14, 7: 1.5}
    with pytest.raises(Refused) as caught:
        json_ballot({})
    assert caught.value.code == "bad_request"
