"""Pairwise comparison: phones show two priorities at a time; Bradley–Terry scores the picks.

Pure core: standard library and numpy. A ballot is a voter's list of judgements
(a, b, choice): choice is a, b, or None for "can't decide".

Tally choices, fixed here so every recount agrees:
- "can't decide" counts as half a win for each side: it is evidence that the two are close.
- Prior: every pair of options gets a virtual draw worth 1/(n-1) of a comparison, so each
  option carries one virtual comparison in total. That is tiny next to real judgements, yet
  keeps options that never win (or are never shown) at a finite, positive strength, and
  makes the maximum-likelihood strengths unique.
- Strengths come from the standard MM (minorization–maximization) iteration for
  Bradley–Terry, rescaled after each step to average 1, until no strength moves by more than
  1e-10 relative (or MAX_ITERATIONS steps). A score is the option's share of the total
  strength × 100, rounded to 4 decimals so options with equal strengths tie exactly.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from workshop.core.errors import Refused
from workshop.core.voting.declare import N_, Setting, Texts, bounds, defaults
from workshop.core.voting.reading import whole_number
from workshop.core.voting.result import BallotError, Option, Result, rank_by_score
from workshop.core.voting.rules import each_once, known, whole_settings

NAME = "pairwise"
SETTINGS = (
    Setting("pairs", 10, 1, 200, N_("Comparisons per person"),
            N_("the number of comparisons per person")),
)
TEXTS = Texts(
    name=N_("Pairwise comparison"),
    explanation=N_("Each person picks the more important of two priorities, several times; "
                   "a statistical model (Bradley–Terry) turns all these choices into a score "
                   "out of 100."),
    unit=N_("score"))
PHONE = "pairwise"
# A phone sends one judgement at a time; each adds to its stored list (see add_step).
STEPWISE = True
DEFAULT_SETTINGS = defaults(SETTINGS)
LIMITS = bounds(SETTINGS)
PRIOR = 1.0
TOLERANCE = 1e-10
MAX_ITERATIONS = 10_000
SEQUENCE_TYPES = (list, tuple)

Judgement = tuple[Option, Option, Option | None]


def check_settings(settings: Mapping[str, Any]) -> dict[str, int]:
    """Return complete, valid settings for a pairwise round, or raise BallotError."""
    return whole_settings(settings, DEFAULT_SETTINGS, LIMITS)


def validate(ballot: Sequence[Any], options: Sequence[Option],
             settings: Mapping[str, Any]) -> list[Judgement]:
    """Return the judgements as (a, b, choice) tuples, or raise BallotError saying what fails."""
    rules = check_settings(settings)
    if not isinstance(ballot, SEQUENCE_TYPES):
        raise BallotError("bad_ballot", "a pairwise ballot is a list of judgements")
    if len(ballot) > rules["pairs"]:
        raise BallotError("too_many", "more judgements than pairs in this round",
                          cap=rules["pairs"])
    allowed = set(options)
    clean: list[Judgement] = []
    for judgement in ballot:
        if not isinstance(judgement, SEQUENCE_TYPES) or len(judgement) != 3:
            raise BallotError("bad_judgement", "a judgement is a pair and the choice made")
        a, b, choice = judgement
        for option in (a, b):
            known(option, allowed)
        if a == b:
            raise BallotError("same_option", "a priority cannot be compared with itself",
                              option=a)
        if choice is not None and (isinstance(choice, bool) or choice not in (a, b)):
            raise BallotError("bad_choice", "the choice must be one of the pair, or none",
                              option=choice)
        clean.append((a, b, choice))
    return clean


def _win_counts(counted: Iterable[tuple[Sequence[Judgement], int]],
                index: Mapping[Option, int],
                n: int) -> tuple[np.ndarray, int, list[int]]:
    """Count half-wins w2[i, j] (2 per pick, 1 per "can't decide"), voters and supporters."""
    half_wins: Counter[tuple[int, int]] = Counter()
    supporters = [0] * n
    voters = 0
    for ballot, many in counted:
        voters += many
        picked: set[int] = set()
        for a, b, choice in ballot:
            i, j = index[a], index[b]
            if choice is None:
                half_wins[i, j] += many
                half_wins[j, i] += many
            elif choice == a:
                half_wins[i, j] += 2 * many
                picked.add(i)
            else:
                half_wins[j, i] += 2 * many
                picked.add(j)
        for i in picked:
            supporters[i] += many
    w2 = np.zeros((n, n), dtype=np.int64)
    if half_wins:
        pairs = np.array(list(half_wins), dtype=np.intp)
        w2[pairs[:, 0], pairs[:, 1]] = np.fromiter(half_wins.values(), dtype=np.int64,
                                                   count=len(half_wins))
    return w2, voters, supporters


def strengths(wins: np.ndarray, prior: float = PRIOR) -> tuple[np.ndarray, int, bool]:
    """Fit Bradley–Terry strengths (mean 1) by MM, so scores rest on every comparison made.

    `wins[i, j]` is how often i beat j (halves allowed). Returns (strengths, steps, converged).
    """
    n = wins.shape[0]
    if n < 2:
        return np.ones(n), 0, True
    w = wins + (prior / (n - 1) / 2) * (1.0 - np.eye(n))
    games = w + w.T
    won = w.sum(axis=1)
    p = np.ones(n)
    for step in range(1, MAX_ITERATIONS + 1):
        new = won / (games / (p[:, None] + p[None, :])).sum(axis=1)
        new *= n / new.sum()
        done = float(np.max(np.abs(new - p) / new)) < TOLERANCE
        p = new
        if done:
            return p, step, True
    return p, MAX_ITERATIONS, False


def tally(ballots: Iterable[Sequence[Judgement]], options: Sequence[Option],
          settings: Mapping[str, Any]) -> Result:
    """Score options by Bradley–Terry strength share; supporters picked it at least once."""
    return tally_counted(each_once(ballots), options, settings)


def tally_counted(counted: Iterable[tuple[Sequence[Judgement], int]],
                  options: Sequence[Option], settings: Mapping[str, Any]) -> Result:
    """Tally ballots given once each with how many voters cast them (equal ballots
    grouped, as the projector's pushes read them); see `tally`."""
    options = list(options)
    n = len(options)
    index = {option: i for i, option in enumerate(options)}
    w2, voters, picked = _win_counts(counted, index, n)
    wins = w2 / 2.0
    fitted, steps, converged = strengths(wins)
    total = float(fitted.sum())  # every strength is positive; no option, no division
    scores = {option: round(100.0 * float(fitted[i]) / total, 4)
              for i, option in enumerate(options)}
    supporters = dict(zip(options, picked, strict=True))
    details = {
        "ties": "half",
        "wins": dict(zip(options, (w2.sum(axis=1) / 2).tolist(), strict=True)),
        "seen": dict(zip(options, ((w2 + w2.T).sum(axis=1) // 2).tolist(), strict=True)),
        "iterations": steps,
        "converged": converged,
    }
    return Result(NAME, check_settings(settings), voters,
                  rank_by_score(scores, supporters), details)  # ties in round order


def next_pair(options: Sequence[Option], seen_counts: Mapping[Option, int],
              rng: random.Random,
              previous: tuple[Option, Option] | None = None) -> tuple[Option, Option]:
    """Pick the next two options to show, favouring the least-seen so all get compared.

    `seen_counts` says how often each option has been shown so far (missing means 0);
    ties are broken at random, the two sides are shuffled, and the voter's `previous` pair
    is not repeated unless the round has only two options.
    """
    pool = list(dict.fromkeys(options))
    if len(pool) < 2:
        raise ValueError("a pair needs at least two distinct options")
    draw = {option: rng.random() for option in pool}
    pool.sort(key=lambda o: (seen_counts.get(o, 0), draw[o]))
    avoid = frozenset(previous) if previous is not None else frozenset()
    first = pool[0]
    second = next((o for o in pool[1:] if frozenset((first, o)) != avoid), pool[1])
    if rng.random() < 0.5:
        return second, first
    return first, second


def read_form(fields: Mapping[str, Any]) -> tuple[int, int, int | None]:
    """Read one judgement from the phone's form: the pair shown and the choice (blank or
    "none": can't decide)."""
    left = whole_number(fields.get("left"), "bad_ballot")
    right = whole_number(fields.get("right"), "bad_ballot")
    choice = fields.get("choice")
    return left, right, None if choice in (None, "", "none") else whole_number(choice,
                                                                               "bad_ballot")


def read_json(body: Mapping[str, Any]) -> tuple[Any, ...]:
    """Read a JSON command's `judgement`: [left, right, choice or null]."""
    judgement = body.get("judgement")
    if not isinstance(judgement, list | tuple) or len(judgement) != 3:
        raise Refused("bad_ballot", reason="bad_judgement")
    return tuple(judgement)


def add_step(previous: Sequence[Any] | None, step: Any) -> list[Any]:
    """Return a phone's judgements with one more (the stored list is the ballot)."""
    return [*(previous or []), step]


def step_answer(ballot: Sequence[Any], settings: Mapping[str, Any]) -> dict[str, int]:
    """Say how far a phone is: judgements made and asked for (what its answer carries)."""
    return {"judged": len(ballot), "pairs": check_settings(settings)["pairs"]}


def more_steps(ballot: Sequence[Any] | None, options: Sequence[Option],
               settings: Mapping[str, Any]) -> bool:
    """Say whether this phone should be shown another pair."""
    return len(ballot or []) < check_settings(settings)["pairs"] and len(options) >= 2


def shown(ballot: Sequence[Any]) -> Iterable[Option]:
    """Return the options a stored ballot was shown (each pair's two sides)."""
    for left, right, _choice in ballot:
        yield left
        yield right


def next_step(options: Sequence[Option], ballot: Sequence[Any], seen: Mapping[Option, int],
              rng: random.Random) -> tuple[Option, Option]:
    """Return the next pair to show a phone, never its last pair again."""
    previous = (ballot[-1][0], ballot[-1][1]) if ballot else None
    return next_pair(options, seen, rng, previous)
