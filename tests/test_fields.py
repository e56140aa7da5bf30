"""Reading ballots and settings from forms and JSON: each method reads its own fields."""

from __future__ import annotations

import pytest

from workshop.core import fields as forms
from workshop.core.errors import Refused
from workshop.core.fields import UnreadBallot


def read_form(method, fields):
    return UnreadBallot(fields, form=True).read(method)


def read_json(method, body):
    return UnreadBallot(body, form=False).read(method)


def test_dot_and_point_fields_become_counts_and_blank_is_zero():
    assert read_form("dots", {"dots-3": "2", "dots-4": "", "x": "1"}) == \
        {3: 2, 4: 0}
    assert read_form("points", {"points-3": " 60 ", "points-9": "40"}) == \
        {3: 60, 9: 40}


def test_ticked_boxes_become_an_approval_list():
    assert read_form("approval", {"approve-5": "1", "approve-2": "1",
                                               "approve-7": "0"}) == [2, 5]


def test_ranking_places_become_an_ordered_list_and_repeated_places_are_refused():
    assert read_form("ranking", {"rank-5": "2", "rank-8": "1", "rank-9": ""}) \
        == [8, 5]
    with pytest.raises(Refused) as info:
        read_form("ranking", {"rank-5": "1", "rank-8": "1"})
    assert info.value.params["reason"] == "duplicate_rank"


def test_pairwise_form_is_one_judgement_and_blank_choice_means_cannot_decide():
    assert read_form("pairwise", {"left": "3", "right": "4", "choice": "4"}) == \
        (3, 4, 4)
    assert read_form("pairwise", {"left": "3", "right": "4", "choice": ""}) == \
        (3, 4, None)


@pytest.mark.parametrize("form", [{"dots-a": "1"}, {"dots-1": "-1"}, {"dots-1": "1.5"},
                                  {"dots-1": "99999999999"}, {"dots-1": "١"}])
def test_malformed_fields_are_refused(form):
    with pytest.raises(Refused):
        read_form("dots", form)


def test_settings_take_only_the_methods_fields_and_blank_means_default():
    fields = {"dots": "4", "max_per_option": "", "points": "50", "pairs": "x"}
    assert forms.settings_from_fields("dots", fields) == {"dots": 4, "max_per_option": None}
    assert forms.settings_from_fields("points", fields) == {"points": 50}
    with pytest.raises(Refused):
        forms.settings_from_fields("pairwise", fields)


def test_json_ballots_keep_their_shape_with_numeric_keys():
    assert read_json("dots", {"ballot": {"3": 1}}) == {3: 1}
    assert read_json("ranking", {"ballot": [3, 1]}) == [3, 1]
    assert read_json("pairwise", {"judgement": [3, 1, None]}) == (3, 1, None)
    with pytest.raises(Refused):
        read_json("pairwise", {"judgement": [3, 1]})
    with pytest.raises(Refused):
        read_json("dots", {})
