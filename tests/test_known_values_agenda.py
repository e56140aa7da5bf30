"""The room's phases and the agenda's activity kinds against their written rules.

Expected values come from the docstrings and declarations (every allowed move, every
setting's bounds with the bound itself accepted), written out rather than derived.
"""

from __future__ import annotations

import pytest

from workshop.core.activities import KINDS, get_kind, settings_from_fields, template
from workshop.core.activities.kinds import kind_with
from workshop.core.activities.rules import Setting, check_declared
from workshop.core.activities.vote import references, runoff_options
from workshop.core.errors import Refused
from workshop.core.phases import Phase, PhaseError, check_move

# (from, to): allowed. Lobby and ideas lead to each other and to a vote; a vote only to
# its results; results back to anything but results.
MOVES = {
    ("lobby", "lobby"): False, ("lobby", "ideas"): True, ("lobby", "vote"): True,
    ("lobby", "results"): False,
    ("ideas", "lobby"): True, ("ideas", "ideas"): False, ("ideas", "vote"): True,
    ("ideas", "results"): False,
    ("vote", "lobby"): False, ("vote", "ideas"): False, ("vote", "vote"): False,
    ("vote", "results"): True,
    ("results", "lobby"): True, ("results", "ideas"): True, ("results", "vote"): True,
    ("results", "results"): False,
}


@pytest.mark.parametrize(("here", "there"), sorted(MOVES))
def test_every_phase_move(here, there):
    if MOVES[here, there]:
        assert check_move(here, there) is Phase(there)
    else:
        with pytest.raises(PhaseError) as caught:
            check_move(Phase(here), there)
        error = caught.value
        assert (error.current, error.target) == (Phase(here), Phase(there))
        assert str(error) == f"cannot move from {here} to {there}"


def refused(call, *args) -> Refused:
    with pytest.raises(Refused) as caught:
        call(*args)
    return caught.value


def test_a_number_setting_accepts_its_bounds_and_refuses_beyond_them():
    count = Setting("count", int, 3, low=1, high=100)
    assert (count.check(1), count.check(100)) == (1, 100)
    for bad in (0, 101, True, "3", None):
        error = refused(count.check, bad)
        assert (error.code, error.params, error.status) == (
            "bad_activity_setting", {"setting": "count", "low": 1, "high": 100}, 400)


def test_an_open_ended_optional_setting():
    of = Setting("of", int, None, low=1, optional=True)
    assert (of.check(None), of.check(10**9)) == (None, 10**9)
    assert refused(of.check, 0).params == {"setting": "of", "low": 1, "high": None}
    free = Setting("free", int, 0)
    assert free.check(-5) == -5
    assert refused(free.check, "x").params == {"setting": "free"}


def test_text_flag_and_mapping_settings():
    source = Setting("source", str, "approved", choices=("approved", "top"))
    assert source.check("top") == "top"
    assert refused(source.check, "all").params == {"setting": "source"}
    assert refused(source.check, None).params == {"setting": "source"}
    prompt = Setting("prompt", str, "")
    assert prompt.check("anything") == "anything"
    flag = Setting("show", bool, True)
    assert (flag.check(False), flag.check(True)) == (False, True)
    assert refused(flag.check, 1).params == {"setting": "show"}
    mapping = Setting("extra", dict, {})
    given = {"a": 1}
    assert mapping.check(given) == given and mapping.check(given) is not given
    assert refused(mapping.check, [("a", 1)]).params == {"setting": "extra"}


def test_declared_settings_refuse_an_unknown_name_cut_to_forty_characters():
    declared = (Setting("count", int, 3, low=1, high=9),)
    assert check_declared(declared, {}) == {"count": 3}
    assert check_declared(declared, {"count": 9}) == {"count": 9}
    assert refused(check_declared, declared, {"x" * 50: 1}).params == {"setting": "x" * 40}
    assert refused(check_declared, declared, ["count"]).params == {"setting": "settings"}


def test_vote_settings_known_values():
    vote = get_kind("vote")
    assert vote.check_settings({"method": "ranking", "method_settings": {"top": 3},
                                "collection": 2, "count": 100, "show_live": False,
                                "require_ticket": True}) == {
        "method": "ranking", "method_settings": {"top": 3}, "source": "approved",
        "collection": 2, "of": None, "count": 100, "show_live": False,
        "require_ticket": True}
    # A collection keeps no `of`, whatever the form sent.
    assert vote.check_settings({"of": 5})["of"] is None


def test_vote_refusals_carry_what_was_wrong():
    vote = get_kind("vote")
    assert refused(vote.check_settings, {"method": "m" * 60}).params == {"method": "m" * 40}
    assert refused(vote.check_settings, {"method": 3}).params == {"method": "3"}
    error = refused(vote.check_settings, {"method": "points",
                                          "method_settings": {"points": 10001}})
    assert (error.code, error.params) == ("bad_setting", {"setting": "points", "low": 1,
                                                           "high": 10000})
    assert refused(vote.check_settings, {"source": "top"}).params == {"setting": "of"}
    assert refused(vote.check_settings, "dots").code == "bad_activity_setting"


def test_vote_settings_from_a_form():
    assert settings_from_fields("vote", {}) == {
        "method": "dots", "method_settings": {"dots": None, "max_per_option": None},
        "source": "approved", "show_live": True, "require_ticket": False}
    assert settings_from_fields("vote", {"method": "nope", "show_live": "on",
                                         "collection": "4", "of": ""}) == {
        "method": "nope", "method_settings": {}, "source": "approved", "show_live": True,
        "require_ticket": False, "collection": 4}
    assert refused(settings_from_fields, "vote", {"of": "-1"}).params == {"setting": "of"}
    # An unticked box sends nothing, a box sent unticked says no.
    assert settings_from_fields("vote", {"show_live": "0"})["show_live"] is False
    assert settings_from_fields("vote", {"require_ticket": "on"})["require_ticket"] is True


def test_vote_references_and_runoff_options():
    assert references({"collection": 3, "of": 8}) == [("collection", 3, "ideas"),
                                                     ("of", 8, "vote")]
    assert references({"collection": None, "of": None}) == []
    assert runoff_options([("a", 1), ("b", 2), ("c", 3)], 2) == ["a", "b"]


def test_kinds_registry():
    assert set(KINDS) == {"ideas", "vote", "choice", "scale", "wordcloud", "open_question"}
    ideas = get_kind("ideas")
    assert (ideas.PHASE, ideas.PHASE_AFTER, ideas.CLOSED_BY_NEXT) == ("ideas", "lobby", True)
    assert ideas.settings_from_fields({"x": 1}) == {} and ideas.references({}) == []
    assert (kind_with("COLLECTS_IDEAS"), kind_with("OPENS_ROUND")) == ("ideas", "vote")
    assert template("vote", "plan") == "activity/vote_plan.html"
    assert template("ideas", "phone") == "activity/ideas_phone.html"
    with pytest.raises(ValueError, match="^projector$"):
        template("vote", "projector")
    error = refused(get_kind, "q" * 50)
    assert (error.code, error.params) == ("unknown_activity_kind", {"kind": "q" * 40})
    assert refused(get_kind, None).params == {"kind": "None"}


def test_vote_form_numbers_ids_and_counts_are_read_by_their_own_rules():
    # `collection` and `of` are activity ids: canonical digits from 1, no leading zero;
    # `count` is a whole number (leading zeros read, 0 left for the bounds to refuse).
    form = settings_from_fields("vote", {"collection": "12", "of": "7", "count": "005"})
    assert (form["collection"], form["of"], form["count"]) == (12, 7, 5)
    assert settings_from_fields("vote", {"count": "0"})["count"] == 0
    for name, typed in (("collection", "007"), ("of", "007"), ("collection", "0"),
                        ("of", "-1"), ("count", "x"), ("count", "-1"), ("count", "1.5")):
        error = refused(settings_from_fields, "vote", {name: typed})
        assert (error.code, error.params) == ("bad_activity_setting", {"setting": name}), name
