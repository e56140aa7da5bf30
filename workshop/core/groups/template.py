"""The ready "ADS+ Québec" profile questions, and the rules every profile question follows.

Pure core: standard library only. A facilitator starts from these (the questions an
anti-poverty day in Bas-Saint-Laurent asks for a gender-based and intersectional
analysis) and may edit them or add their own. Texts are English msgids, translated by
the edge when the questions are added to a workshop; the MRCs' names are names.

Every question is optional and always ends with "prefers not to answer", whose voters
are counted but never shown as a group (see `cells`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workshop.core.errors import Refused
from workshop.core.text import clean_text
from workshop.core.voting.declare import N_

PREFER_NOT = "prefer_not"  # the key of "prefers not to answer", the last choice of every question
PREFER_NOT_LABEL = N_("Prefer not to answer")
QUESTION_MAX = 200  # characters of a question
CHOICE_MAX = 80  # characters of a choice
CHOICES_MAX = 20  # choices of one question ("prefers not to answer" aside)
QUESTIONS_MAX = 12  # questions of one workshop


@dataclass(frozen=True)
class Question:
    """A profile question of the template: its text and its choices (msgids, or names that
    no catalog translates, so translating them gives them back)."""

    text: str
    choices: tuple[str, ...]


MRCS = ("Kamouraska", "Rivière-du-Loup", "Témiscouata", "Les Basques", "Rimouski-Neigette",
        "La Mitis", "La Matapédia", "La Matanie")

ADS_QUEBEC = (
    Question(N_("You are:"), (N_("A woman"), N_("A man"),
                              N_("A non-binary person or another identity"))),
    Question(N_("Where do you live?"), (*MRCS, N_("Outside the region"))),
    Question(N_("You are here mainly as:"), (
        N_("A citizen"), N_("A community organization"), N_("A municipality"),
        N_("A government department or public body"), N_("Health and social services"),
        N_("Education"), N_("Employment"), N_("Other"))),
    Question(N_("Do you live, or have you lived, in poverty?"), (N_("Yes"), N_("No"))),
)


def clean_question(text: object, choices: object) -> tuple[str, list[str]]:
    """Return a question's text and choice labels cleaned, or refuse them.

    At least two choices, each non-blank, distinct (ignoring case), at most CHOICES_MAX;
    "prefers not to answer" is added by the app, never typed.
    """
    clean = clean_text(text, QUESTION_MAX, "bad_question")
    if not isinstance(choices, list | tuple):
        raise Refused("bad_choices", low=2, high=CHOICES_MAX)
    labels = [clean_text(choice, CHOICE_MAX, "bad_choices") for choice in choices
              if isinstance(choice, str) and choice.strip()]
    if len(labels) < 2 or len(labels) > CHOICES_MAX:
        raise Refused("bad_choices", low=2, high=CHOICES_MAX)
    if len({label.casefold() for label in labels}) != len(labels):
        raise Refused("duplicate_choice")
    return clean, labels


def read_expected_shares(labels: list[str], typed: object) -> dict[str, float]:
    """Read expected shares (percent of the population) typed or pasted from a
    spreadsheet, one choice per line: "label;percent", "label,percent" or label and percent
    separated by a tab; a decimal comma or point; a % sign or not; a first row naming the
    columns (a file saved from a spreadsheet) is left out. Returns {label: share} for the
    labels named; an empty text clears them.

    Refuses a label that is not a choice, a share outside 0–100, or shares adding up to
    more than 100.
    """
    if not isinstance(typed, str):
        raise Refused("bad_shares")
    known = {label.casefold(): label for label in labels}
    shares: dict[str, float] = {}
    lines = [line for line in typed.splitlines() if line.strip()]
    if lines and _heading_row(lines[0], known):
        lines = lines[1:]  # a spreadsheet's first row names its columns ("MRC;Part")
    for line in lines[:CHOICES_MAX + 1]:
        label, value = _split_row(line)
        name = known.get(label.strip().strip('"').casefold())
        if name is None:
            raise Refused("unknown_choice", label=label.strip()[:CHOICE_MAX])
        try:
            share = float(_number_text(value))
        except ValueError:
            raise Refused("bad_shares") from None
        if not 0 <= share <= 100:
            raise Refused("bad_shares")
        shares[name] = share
    if sum(shares.values()) > 100.0001:
        raise Refused("bad_shares")
    return shares


def _split_row(line: str) -> tuple[str, str]:
    """Split "label;percent" (or a tab or a comma) at its last separator, or refuse."""
    for separator in ("\t", ";", ","):
        label, found, value = line.rpartition(separator)
        if found and label.strip():
            return label, value
    raise Refused("bad_shares")


def _number_text(value: str) -> str:
    """A percent as typed ("8,5", "27 %", quoted) as Python reads floats."""
    return value.strip().strip('"').rstrip("%").strip().replace(",", ".")


def _heading_row(line: str, known: Mapping[str, str]) -> bool:
    """Say whether a first row names columns: its label is no choice and its value no
    number (a typo in a choice's row is refused instead, never skipped)."""
    try:
        label, value = _split_row(line)
    except Refused:
        return False
    if label.strip().strip('"').casefold() in known:
        return False
    try:
        float(_number_text(value))
    except ValueError:
        return True
    return False
