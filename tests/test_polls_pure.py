"""The four question kinds, pure: reading answers and tallying them (a tally is what the
room trusts: its properties are checked with generated answers)."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workshop.core.activities import get_kind
from workshop.core.activities.poll import (
    tally_choice,
    tally_scale,
    tally_text,
    tally_words,
    word_key,
)
from workshop.core.errors import Refused


def refused(call, *args) -> Refused:
    with pytest.raises(Refused) as info:
        call(*args)
    return info.value


CHOICE = get_kind("choice")
SCALE = get_kind("scale")
WORDS = get_kind("wordcloud")
OPEN = get_kind("open_question")


def test_a_multiple_choice_question_needs_two_to_twelve_distinct_choices():
    assert CHOICE.check_settings({"choices": [" Oui ", "Non", ""]}) == {
        "choices": ["Oui", "Non"], "multiple": False}
    for bad in ([], ["Seul"], ["Oui", "Oui"], [str(n) for n in range(13)], [3, 4], "Oui"):
        assert refused(CHOICE.check_settings, {"choices": bad}).code == "bad_activity_setting"
    assert CHOICE.settings_from_fields({"choices": "Logement\r\nTransport\n", "multiple": "1"}) \
        == {"choices": ["Logement", "Transport"], "multiple": True}


def test_a_choice_answer_is_one_index_or_with_multiple_several():
    single = CHOICE.check_settings({"choices": ["A", "B", "C"]})
    assert CHOICE.read_answer(single, {"choice": "2"}) == {"choices": [2]}
    assert CHOICE.read_answer(single, {"choices": [1]}) == {"choices": [1]}
    for bad in ({}, {"choice": "3"}, {"choice": "-1"}, {"choice": "x"}, {"choices": [0, 1]},
                {"choice": True}, {"choices": []}):
        assert refused(CHOICE.read_answer, single, bad).code == "bad_answer"
    several = {**single, "multiple": True}
    assert CHOICE.read_answer(several, {"choice_2": "1", "choice_0": "1", "choice_1": ""}) \
        == {"choices": [0, 2]}
    assert CHOICE.read_answer(several, {"choices": [2, 2, 0]}) == {"choices": [0, 2]}


def test_a_scale_answer_is_a_whole_number_from_one_to_five():
    assert SCALE.read_answer({}, {"value": "5"}) == {"value": 5}
    assert SCALE.read_answer({}, {"value": 1}) == {"value": 1}
    for bad in ("0", "6", "2.5", "", None, True, "٣"):
        assert refused(SCALE.read_answer, {}, {"value": bad}).code == "bad_answer"
    assert SCALE.check_settings({"low_label": " Pas du tout ", "high_label": ""}) == {
        "low_label": "Pas du tout", "high_label": ""}
    assert refused(SCALE.check_settings, {"low_label": "x" * 61}).code == "bad_activity_setting"


def test_word_cloud_entries_are_merged_by_case_accents_and_punctuation():
    assert word_key("Sécurité ALIMENTAIRE!") == word_key("securite alimentaire") \
        == "securite alimentaire"
    assert word_key("l'emploi") == "l emploi" and word_key("  Logement...  ") == "logement"
    assert word_key("Œuvre") == "œuvre"  # a ligature is a letter of its own
    settings = WORDS.check_settings({"max_words": 2})
    assert WORDS.read_answer(settings, {"word_1": "Logement", "word_2": "logement!",
                                        "word_3": ""}) == {"words": ["Logement"]}
    assert refused(WORDS.read_answer, settings, {"word_1": "a", "word_2": "b", "word_3": "c"}
                   ).code == "bad_answer"
    assert WORDS.read_answer({"max_words": 3}, {"words": ["a", "b", "c"]}) == {
        "words": ["a", "b", "c"]}
    for bad in ({}, {"word_1": "   "}, {"word_1": "!!!"}, {"words": "x" * 41},
                {"words": [1]}, {"words": {"a": 1}}):
        assert refused(WORDS.read_answer, settings, bad).code == "bad_answer"
    assert refused(WORDS.check_settings, {"max_words": 6}).code == "bad_activity_setting"


def test_an_open_answer_is_cleaned_text_of_at_most_280_characters():
    assert OPEN.read_answer({}, {"text": "  Plus de\n\nlogements  "}) == {
        "text": "Plus de logements"}
    for bad in ("", "   ", "x" * 281, None, 3, "\u200b"):
        assert refused(OPEN.read_answer, {}, {"text": bad}).code == "bad_answer"


def test_known_tallies():
    assert tally_choice(["Oui", "Non"], [{"choices": [0]}, {"choices": [0]}, {"choices": [1]}]
                        )["rows"][0] == {"index": 0, "text": "Oui", "count": 2, "share": 2 / 3}
    scale = tally_scale([{"value": v} for v in (1, 2, 2, 5)])
    assert [r["count"] for r in scale["rows"]] == [1, 2, 0, 0, 1]
    assert (scale["mean"], scale["median"]) == (2.5, 2.0)
    assert tally_scale([])["mean"] is None
    words = tally_words([{"words": ["Logement", "transport"]}, {"words": ["logement"]},
                         {"words": ["LOGEMENT", "Transport!"]}])
    # spellings typed as often: not in capitals, without punctuation, then alphabetical
    assert [(r["word"], r["count"]) for r in words["words"]] == [("Logement", 3),
                                                                 ("transport", 2)]
    assert tally_text([{"text": "b"}, {"text": "a"}]) == {"voters": 2, "answers": ["b", "a"]}


choice_answers = st.lists(st.sets(st.integers(0, 4), min_size=1).map(
    lambda s: {"choices": sorted(s)}), max_size=40)


@given(choice_answers)
def test_each_choice_counts_the_people_who_chose_it(answers):
    result = tally_choice(list("ABCDE"), answers)
    assert result["voters"] == len(answers)
    assert [r["text"] for r in result["rows"]] == list("ABCDE")  # never re-sorted
    for row in result["rows"]:
        assert row["count"] == sum(row["index"] in a["choices"] for a in answers)
        assert 0 <= row["share"] <= 1
    assert sum(r["count"] for r in result["rows"]) == sum(len(a["choices"]) for a in answers)


@given(st.lists(st.integers(1, 5), max_size=60))
def test_a_scale_counts_every_answer_once_with_its_mean_and_median(values):
    result = tally_scale([{"value": v} for v in values])
    assert sum(r["count"] for r in result["rows"]) == result["voters"] == len(values)
    if values:
        assert 1 <= result["mean"] <= 5 and result["mean"] == pytest.approx(
            sum(values) / len(values))
        assert result["median"] == statistics.median(values)
        assert abs(sum(r["share"] for r in result["rows"]) - 1) < 1e-9


spellings = st.sampled_from(["Logement", "logement", "LOGEMENT!", "Sécurité", "securite",
                             "Transport", "l'emploi", "L’emploi", "santé", "Santé."])


@given(st.lists(st.lists(spellings, min_size=1, max_size=3), max_size=30), st.randoms())
def test_a_word_cloud_merges_spellings_and_does_not_depend_on_the_order(given_words, rnd):
    answers = [{"words": words} for words in given_words]
    result = tally_words(answers)
    shuffled = list(answers)
    rnd.shuffle(shuffled)
    assert tally_words(shuffled) == result
    keys = [row["key"] for row in result["words"]]
    assert len(keys) == len(set(keys))  # one row per merged word
    assert sum(r["count"] for r in result["words"]) == sum(len(w) for w in given_words)
    counts = [row["count"] for row in result["words"]]
    assert counts == sorted(counts, reverse=True)
    for row in result["words"]:
        assert word_key(row["word"]) == row["key"]


@given(st.lists(st.lists(st.text(alphabet="abcdef", min_size=1, max_size=3), min_size=1,
                         max_size=3), max_size=40), st.integers(1, 10))
def test_words_tied_at_the_cut_all_stay(given_words, top):
    result = tally_words([{"words": w} for w in given_words], top=top)
    full = tally_words([{"words": w} for w in given_words], top=10_000)["words"]
    shown = result["words"]
    assert shown == full[:len(shown)]
    if len(full) > top:
        assert len(shown) >= top
        assert all(row["count"] < shown[-1]["count"] for row in full[len(shown):])


anything = st.recursive(st.none() | st.booleans() | st.integers(-5, 300) | st.text(max_size=50),
                        lambda inner: st.lists(inner, max_size=6)
                        | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
field_names = st.sampled_from(["choice", "choices", "choice_0", "choice_3", "value", "words",
                               "word_1", "word_2", "word_6", "text", "other"])


@given(st.dictionaries(field_names, anything, max_size=5), st.booleans(),
       st.integers(1, 5))
def test_any_fields_are_read_or_refused_never_a_crash(fields, multiple, max_words):
    """Whatever a phone (or a script) sends, each kind stores a well-formed answer or
    refuses it with bad_answer: the tallies then never meet an answer they cannot count."""
    settings = {"choice": {"choices": ["A", "B", "C", "D"], "multiple": multiple},
                "scale": {"low_label": "", "high_label": ""},
                "wordcloud": {"max_words": max_words}, "open_question": {}}
    for name, kind in (("choice", CHOICE), ("scale", SCALE), ("wordcloud", WORDS),
                       ("open_question", OPEN)):
        try:
            answer = kind.read_answer(settings[name], fields)
        except Refused as error:
            assert error.code == "bad_answer"
            continue
        result = kind.tally(settings[name], [answer])
        assert result["voters"] == 1
        if name == "choice":
            assert answer["choices"] and all(0 <= i < 4 for i in answer["choices"])
            assert multiple or len(answer["choices"]) == 1
        elif name == "wordcloud":
            assert 1 <= len(answer["words"]) <= max_words
            assert all(len(word) <= 40 for word in answer["words"])
        elif name == "open_question":
            assert 1 <= len(answer["text"]) <= 280
