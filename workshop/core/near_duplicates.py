"""Near-duplicate ideas: which ideas already on the wall a new one probably repeats.

Pure core: standard library and rapidfuzz. In a room of 150, the same priority arrives
ten times in ten spellings ("Logements sociaux abordables!", "logement social abordable").
The facilitator decides what is a duplicate; this module only points at the likely ones,
so that the decision is one click instead of a search through the wall.

Two texts are compared by a matching key: accents, case and punctuation dropped, the small
French and English words that do not change the meaning ("le", "des", "pour", "the"...)
left out, and a light folding of French plurals and feminine endings ("sociaux" →
"social", "aînées" → "aine"), then rapidfuzz's token set ratio (word order does not matter,
a few extra words cost little, a typo costs little). The threshold was chosen on the
labelled pairs of tests/data/near_duplicates.tsv (written for this project); the test
beside it reports precision and recall.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process

# A suggestion from this score up (0-100). On the labelled pairs: 85 finds more
# duplicates but suggests "Santé mentale accessible" for "Santé dentaire accessible"; 90
# suggested no wrong pair there.
SIMILAR_AT = 90
# At most this many suggestions per idea: more is a search, not a suggestion (and the
# facilitator's page shows them for a whole page of waiting ideas).
SUGGESTIONS_MAX = 2

_SMALL_WORDS = frozenset((
    # French articles, prepositions and conjunctions, and words of emphasis
    "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "et", "ou", "a", "au", "aux",
    "en", "pour", "par", "sur", "dans", "avec", "plus", "tous", "tout", "toute", "toutes",
    "chaque",
    # English ones
    "the", "an", "of", "for", "to", "and", "or", "in", "on", "at", "with", "more", "all",
    "every"))
_NOT_A_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=8192)
def matching_key(text: str) -> str:
    """Return the words of `text` that carry its meaning, folded for comparison."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    words = []
    for word in _NOT_A_WORD.sub(" ", plain.casefold()).split():
        if word in _SMALL_WORDS:
            continue
        words.append(_fold(word))
    return " ".join(words)


def _fold(word: str) -> str:
    """Fold a French word's plural and feminine endings: "sociaux" and "social",
    "gratuites" and "gratuit", "aînées" and "aînés" give one key."""
    if len(word) > 4 and word.endswith("aux"):
        word = word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def similarity(first: str, second: str) -> float:
    """Return how alike two ideas are, 0 (nothing in common) to 100 (the same key)."""
    return fuzz.token_set_ratio(matching_key(first), matching_key(second))


def likely_duplicates(text: str, candidates: Iterable[tuple[int, str]],
                      limit: int = SUGGESTIONS_MAX) -> list[tuple[int, float]]:
    """Return the (id, score) of the candidates `text` most probably repeats, best first.

    Only scores of SIMILAR_AT and more; ties keep the candidates' order (the oldest idea
    first, when they come oldest first). A text whose key is empty (only small words)
    resembles nothing.
    """
    key = matching_key(text)
    if not key:
        return []
    keys = {idea_id: matching_key(other) for idea_id, other in candidates}
    found = process.extract(key, keys, scorer=fuzz.token_set_ratio, processor=None,
                            score_cutoff=SIMILAR_AT, limit=None)
    order = {idea_id: position for position, idea_id in enumerate(keys)}
    found.sort(key=lambda match: (-match[1], order[match[2]]))
    return [(idea_id, score) for _key, score, idea_id in found[:limit]]
