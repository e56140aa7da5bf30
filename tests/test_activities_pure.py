"""The activity kinds as pure functions: settings checks and a runoff's options."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshop.core.activities import KINDS, get_kind, settings_from_fields, template
from workshop.core.activities.vote import runoff_options
from workshop.core.errors import Refused
from workshop.core.voting import rank_by_score

ROOT = Path(__file__).resolve().parents[1]


def refused(call, *args) -> Refused:
    with pytest.raises(Refused) as info:
        call(*args)
    return info.value


# The settings a kind cannot do without (a multiple-choice question needs its choices).
NEEDED = {"choice": {"choices": ["Oui", "Non"]}}


def test_every_kind_declares_what_the_verbs_and_pages_use():
    for name, kind in KINDS.items():
        assert name == kind.NAME and kind.PHASE in ("ideas", "vote", "poll")
        assert kind.PHASE_AFTER in ("lobby", "results", "poll") and kind.LABEL
        assert isinstance(kind.check_settings(NEEDED.get(name, {})), dict)
        assert isinstance(kind.TAKES_ANSWERS, bool)
        audiences = ("phone", "plan", "results") if kind.TAKES_ANSWERS else ("phone", "plan")
        for audience in audiences:
            assert (ROOT / "templates" / template(name, audience)).is_file()
        if kind.TAKES_ANSWERS:
            assert callable(kind.read_answer) and callable(kind.tally)


def test_unknown_kind_is_refused_with_a_stable_code():
    assert refused(get_kind, "quiz").code == "unknown_activity_kind"
    assert refused(get_kind, ["ideas"]).code == "unknown_activity_kind"


def test_a_collection_has_only_its_plus_one_settings():
    assert get_kind("ideas").check_settings({}) == {"supports": False,
                                                   "supports_on_wall": False}
    assert refused(get_kind("ideas").check_settings, {"max": 3}).code == \
        "bad_activity_setting"
    assert refused(get_kind("ideas").check_settings, {"supports": "yes"}).code == \
        "bad_activity_setting"
    assert get_kind("ideas").settings_from_fields({"supports": "1"}) == {"supports": True}
    assert get_kind("ideas").settings_from_fields({"title": "Défis"}) == {}
    # A form offering the boxes: one not sent is off.
    assert get_kind("ideas").settings_from_fields({"supports_offered": "1"}) == {
        "supports": False, "supports_on_wall": False}


def test_vote_defaults_to_five_dots_on_every_approved_idea():
    assert get_kind("vote").check_settings({}) == {
        "method": "dots", "method_settings": {"dots": 5, "max_per_option": 1},
        "source": "approved", "collection": None, "of": None, "count": 3,
        "show_live": True, "require_ticket": False}


@pytest.mark.parametrize(("settings", "code"), [
    ({"method": "magic"}, "unknown_method"),
    ({"method_settings": {"dots": 0}}, "bad_setting"),
    ({"source": "everything"}, "bad_activity_setting"),
    ({"source": "top"}, "bad_activity_setting"),  # a runoff of which vote?
    ({"source": "top", "of": 1, "count": 0}, "bad_activity_setting"),
    ({"source": "top", "of": "1"}, "bad_activity_setting"),
    ({"collection": True}, "bad_activity_setting"),
    ({"show_live": "yes"}, "bad_activity_setting"),
    ({"surprise": 1}, "bad_activity_setting"),
])
def test_vote_settings_are_checked(settings, code):
    assert refused(get_kind("vote").check_settings, settings).code == code


def test_a_runoff_names_its_earlier_vote_and_drops_the_collection():
    clean = get_kind("vote").check_settings({"source": "top", "of": 4, "count": 2,
                                             "collection": 1})
    assert (clean["of"], clean["count"], clean["collection"]) == (4, 2, None)
    assert get_kind("vote").references(clean) == [("of", 4, "vote")]


def test_vote_settings_read_from_the_facilitator_form():
    fields = {"method": "points", "points": "50", "source": "top", "of": "7", "count": "2",
              "live_offered": "1", "require_ticket": "1"}
    settings = settings_from_fields("vote", fields)
    assert settings == {"method": "points", "method_settings": {"points": 50},
                        "source": "top", "of": 7, "count": 2, "show_live": False,
                        "require_ticket": True}
    assert get_kind("vote").check_settings(settings)["method_settings"] == {"points": 50}
    assert refused(settings_from_fields, "vote", {"count": "deux"}).code == \
        "bad_activity_setting"


def test_ties_at_the_cut_all_go_through():
    standings = [("a", 1), ("b", 2), ("c", 2), ("d", 4)]
    assert runoff_options(standings, 1) == ["a"]
    assert runoff_options(standings, 2) == ["a", "b", "c"]
    assert runoff_options(standings, 3) == ["a", "b", "c"]
    assert runoff_options(standings, 9) == ["a", "b", "c", "d"]


@given(st.dictionaries(st.integers(1, 60), st.integers(0, 6), min_size=1, max_size=25),
       st.integers(1, 30))
def test_runoff_options_are_exactly_the_ideas_ranked_n_or_better(scores, count):
    standings = rank_by_score(scores, {})
    chosen = runoff_options([(s.option, s.rank) for s in standings], count)
    better = {option for option in scores
              if 1 + sum(other > scores[option] for other in scores.values()) <= count}
    assert set(chosen) == better and len(chosen) == len(better)
    # Never fewer than asked for while there are enough ideas, and a tie is never split.
    assert len(chosen) >= min(count, len(scores))
    assert not {o for o in scores if scores[o] in {scores[c] for c in chosen}} - set(chosen)


def test_the_kinds_import_only_the_core_and_the_standard_library():
    for path in (ROOT / "workshop" / "core" / "activities").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert not name.startswith("workshop.") or name.startswith("workshop.core"), \
                    (path.name, name)
                assert name.split(".")[0] in ("workshop", "__future__", "collections",
                                              "dataclasses", "types", "typing", "re",
                                              "statistics", "unicodedata"), name


def test_no_code_outside_the_kinds_names_a_kind():
    """Kinds are told apart by their flags: a new kind needs no edit elsewhere."""
    for path in (ROOT / "workshop").rglob("*.py"):
        if "activities" in path.parts and "core" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare):
                constants = [c.value for c in ast.walk(node) if isinstance(c, ast.Constant)]
                assert not set(constants) & set(KINDS), (path, ast.unparse(node))
