"""The near-duplicate finder: its matching key, its suggestions, and how often it is right
on the hand-labelled French pairs of tests/data/near_duplicates.tsv."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from workshop.core.near_duplicates import SIMILAR_AT, likely_duplicates, matching_key, similarity

_spec = importlib.util.spec_from_file_location(
    "near_duplicates_bench",
    Path(__file__).resolve().parent.parent / "bench" / "near_duplicates.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_case_accents_punctuation_and_small_words_do_not_count():
    assert matching_key("Logements sociaux abordables!") == \
        matching_key("logement social abordable")
    assert matching_key("L’accès aux aliments frais.") == matching_key("Acces a des aliments frais")
    assert matching_key("Des jardins communautaires") == "jardin communautair"
    assert matching_key("aînées") == matching_key("aînés")


def test_a_text_of_small_words_only_resembles_nothing():
    assert matching_key("de la, pour les!") == ""
    assert likely_duplicates("de la, pour les!", [(1, "de la"), (2, "pour")]) == []


def test_suggestions_are_the_close_ones_best_first_and_bounded():
    wall = [(1, "Transport en commun gratuit"), (2, "Logement social abordable"),
            (3, "Logements sociaux abordables pour les familles"), (4, "logement social abordable"),
            (5, "Logement social, abordable"), (6, "Logement  social abordable !")]
    found = likely_duplicates("Du logement social abordable", wall)
    # every word of the new idea is in 3 too: a likely duplicate; equal scores, oldest first
    assert [idea for idea, _ in found] == [2, 3]
    assert [idea for idea, _ in likely_duplicates("Du logement social abordable", wall, 5)
            ] == [2, 3, 4, 5, 6]
    assert all(score >= SIMILAR_AT for _, score in found)
    assert likely_duplicates("Du logement social abordable", wall, limit=1) == [(2, 100.0)]
    assert likely_duplicates("Soins dentaires gratuits", wall) == []


@given(st.text(max_size=60), st.text(max_size=60))
def test_similarity_is_symmetric_and_bounded(first, second):
    score = similarity(first, second)
    assert 0 <= score <= 100
    assert score == similarity(second, first)


@given(st.text(min_size=1, max_size=60))
def test_an_idea_is_its_own_duplicate_unless_it_says_nothing(text):
    found = likely_duplicates(text, [(7, text)])
    assert found == ([(7, 100.0)] if matching_key(text) else [])


def test_on_the_labelled_pairs_it_is_mostly_right():
    """Suggestions must rarely be wrong (a wrong one costs the facilitator a look) and find
    most duplicates. Figures at the threshold: see bench/near_duplicates.py."""
    pairs = bench.labelled_pairs()
    assert len(pairs) >= 100 and sum(1 for same, *_ in pairs if same) >= 50
    figures = bench.measure()
    assert figures["precision"] >= 0.95, figures["wrong_suggestions"]
    assert figures["recall"] >= 0.9, figures["missed"]
