"""What the four question kinds share: reading an answer, and tallying the answers.

Pure core (activity kinds): standard library and core only. Multiple choice, a 1–5 scale,
a word cloud and an open question are asked the same way: the question is the activity's
prompt, every phone holds at most one current answer (a second replaces the first), and
the results are a tally of the current answers. A tally is what the room trusts, so each
one is a pure function of the answers (tests/test_polls_pure.py checks their properties).

Answers are stored as small JSON objects, one shape per kind:
choice {"choices": [index, ...]}, scale {"value": 1..5}, word cloud {"words": [...]},
open question {"text": "..."}.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from workshop.core.errors import Refused
from workshop.core.text import clean_text

PHASE = "poll"  # phones show the question while it runs
PHASE_AFTER = "poll"  # and, closed, "thank you" then the results once revealed

CHOICES_MAX = 12  # choices of a multiple-choice question: a phone screen's worth
CHOICE_MAX = 120  # characters of one choice
LABEL_MAX = 60  # characters of a scale's end label
WORD_MAX = 40  # characters of one word-cloud entry ("sécurité alimentaire" is one)
WORDS_MAX = 5  # entries one person may give to a word cloud
TEXT_MAX = 280  # characters of an open answer, as an idea
SCALE = (1, 2, 3, 4, 5)
TOP_WORDS = 40  # words a cloud shows: more cannot be read from the back of a hall


def bad_answer(**params: Any) -> Refused:
    """The one refusal of an unreadable or out-of-bounds answer."""
    return Refused("bad_answer", **params)


# --- reading answers -----------------------------------------------------------------

def read_choice(choices: list[str], multiple: bool, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return a multiple-choice answer: the chosen indexes, sorted, without repeats.

    A form sends `choice` (one answer: its index) or `choice_<index>` ticked boxes; JSON
    sends `choices` as a list of indexes. One choice exactly, or with `multiple` at least
    one; an index outside the choices is refused.
    """
    picked: list[Any]
    if "choices" in fields:
        raw = fields["choices"]
        picked = list(raw) if isinstance(raw, list) else [raw]
    elif "choice" in fields:
        picked = [fields["choice"]]
    else:
        picked = [name[len("choice_"):] for name, value in fields.items()
                  if isinstance(name, str) and name.startswith("choice_")
                  and value not in (None, "", False, "0")]
    indexes = set()
    for value in picked:
        index = _index(value)
        if index is None or not 0 <= index < len(choices):
            raise bad_answer()
        indexes.add(index)
    if not indexes or (not multiple and len(indexes) > 1):
        raise bad_answer()
    return {"choices": sorted(indexes)}


def _index(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 3:
        return int(value)
    return None


def read_scale(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return a scale answer: a whole number from 1 to 5."""
    value = _index(fields.get("value"))
    if value not in SCALE:
        raise bad_answer(low=SCALE[0], high=SCALE[-1])
    return {"value": value}


def read_words(max_words: int, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return a word-cloud answer: 1 to `max_words` entries, each cleaned as text is.

    A form sends `word_1`, `word_2`...; JSON sends `words`. Blank entries are skipped, and
    two entries that normalise alike count once (a person cannot make a word bigger by
    typing it twice).
    """
    raw = fields.get("words")
    if raw is None:
        raw = [fields.get(f"word_{n}") for n in range(1, WORDS_MAX + 1)]
    elif isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or len(raw) > WORDS_MAX:
        raise bad_answer(limit=max_words)
    words: list[str] = []
    seen: set[str] = set()
    for value in raw:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        word = clean_text(value, WORD_MAX, "bad_answer")
        key = word_key(word)
        if not key:
            raise bad_answer(limit=max_words)
        if key not in seen:
            seen.add(key)
            words.append(word)
    if not 1 <= len(words) <= max_words:
        raise bad_answer(limit=max_words)
    return {"words": words}


def read_text(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return an open answer: text of 1 to TEXT_MAX characters, cleaned as an idea is."""
    return {"text": clean_text(fields.get("text"), TEXT_MAX, "bad_answer")}


# --- the word cloud's merging ----------------------------------------------------------

_NOT_WORD = re.compile(r"[^\w]+")


def word_key(text: str) -> str:
    """Return what a word-cloud entry is counted under: no case, no accents, no punctuation.

    "Logement", "logement!" and "LOGEMENT" count as one; so do "Sécurité" and "securite"
    (people type on phones without accents). Apostrophes and hyphens are word breaks
    ("l'emploi" is "l emploi"); the spaces left are single. Letters of other scripts stay.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", bare).replace("_", " ").split())


# --- tallies ---------------------------------------------------------------------------

def tally_choice(choices: list[str], answers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Count each choice's answers, in the choices' own order (never re-sorted: the room
    reads the bars where it read the question). `share` is of the people who answered, so
    with several answers each the shares add up to more than 1."""
    counts = Counter[int]()
    voters = 0
    for answer in answers:
        voters += 1
        counts.update(set(answer["choices"]))
    return {"voters": voters,
            "rows": [{"index": i, "text": text, "count": counts[i],
                      "share": counts[i] / voters if voters else 0.0}
                     for i, text in enumerate(choices)]}


def tally_scale(answers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Count each point of the scale, with the mean and the median (None: nobody yet)."""
    values = [answer["value"] for answer in answers]
    counts = Counter(values)
    return {"voters": len(values),
            "rows": [{"value": v, "count": counts[v],
                      "share": counts[v] / len(values) if values else 0.0} for v in SCALE],
            "mean": statistics.fmean(values) if values else None,
            "median": statistics.median(values) if values else None}


def tally_words(answers: Iterable[Mapping[str, Any]], top: int = TOP_WORDS) -> dict[str, Any]:
    """Merge the entries that normalise alike and count them, most given first.

    Each merged word is shown as its most typed spelling; between spellings typed as often,
    one not in capitals, then one without punctuation around it, then the first in
    alphabetical order (so a tally never depends on the order the answers came in). Words
    tied at the cut of `top` all stay: a cloud never drops one of two equal words at random.
    """
    counts = Counter[str]()
    spellings: dict[str, Counter[str]] = {}
    voters = 0
    for answer in answers:
        voters += 1
        for word in answer["words"]:
            key = word_key(word)
            counts[key] += 1
            spellings.setdefault(key, Counter())[word] += 1
    rows = [{"word": min(spellings[key].items(), key=_preferred)[0], "count": count,
             "key": key} for key, count in counts.items()]
    rows.sort(key=lambda row: (-row["count"], row["key"]))
    if len(rows) > top:
        cut = rows[top - 1]["count"]
        rows = [row for index, row in enumerate(rows) if index < top or row["count"] == cut]
    return {"voters": voters, "distinct": len(counts), "words": rows}


def _preferred(item: tuple[str, int]) -> tuple[int, bool, bool, str]:
    text, count = item
    return -count, text.isupper(), _NOT_WORD.sub("", text[:1] + text[-1:]) != \
        text[:1] + text[-1:], text


def tally_text(answers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """List the open answers in the order given (the oldest first)."""
    texts = [answer["text"] for answer in answers]
    return {"voters": len(texts), "answers": texts}


def check_label(value: Any, setting: str, limit: int) -> str:
    """Return a cleaned setting text ("" allowed), or refuse it as a bad setting."""
    if value in (None, ""):
        return ""
    try:
        return clean_text(value, limit, "bad_activity_setting")
    except Refused as error:
        raise Refused("bad_activity_setting", setting=setting) from error
