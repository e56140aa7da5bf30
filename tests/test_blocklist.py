"""The blocklist of automatic approval, pure (core/blocklist.py): which words keep an idea
off the wall until the facilitator reads it. Here so mutation testing runs it with the other
unit tests of the pure core; the verbs and pages that use it are in tests/test_links.py, and
known values worked by hand in tests/test_known_values_questions.py."""

from __future__ import annotations

import pytest

from workshop.core import blocklist


@pytest.mark.parametrize(("text", "found"), [
    ("Quelle bande de CONS", None),  # "cons" is not the entry "con"
    ("Le maire est un con", "con"),
    ("Le maire est un Con!", "con"),
    ("Un contrat social, un conseil", None),  # whole words only
    ("Espèce d'ENCULÉ", "encule"),
    ("Enfoiré·es", "enfoire"),
    ("tabarnak de loyer", "tabarnak"),
    ("That's bullshit", None),  # "shit" inside a word is not the word
    ("this is shit", "shit"),
    ("Des logements sociaux abordables", None),
])
def test_the_default_list_matches_whole_words_without_case_or_accents(text, found):
    assert blocklist.first_match(text, blocklist.DEFAULT) == found


def test_a_typed_list_is_folded_split_and_bounded():
    assert blocklist.read_entries("Crétin\n  IDIOT , idiot ; pas fin\n\n") == \
        ["cretin", "idiot", "pas fin"]
    assert blocklist.first_match("C'est pas fin pantoute", ["pas fin"]) == "pas fin"
    assert blocklist.first_match("Pas du tout fin", ["pas fin"]) is None
    assert blocklist.read_entries("") == []
    for bad in (None, 12, "x" * (blocklist.TEXT_MAX + 1), "a" * (blocklist.ENTRY_MAX + 1),
                "\n".join(f"mot{n}" for n in range(blocklist.ENTRIES_MAX + 1))):
        with pytest.raises(ValueError):
            blocklist.read_entries(bad)
