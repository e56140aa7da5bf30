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

Pairs served: a phone is shown one pair at a time (`next_step`), derived from its stored
judgements and a keyed seed alone, and a judgement counts only on the pair served
(`check_step`): a voter cannot pick the pairs it judges, nor judge one pair again and
again.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from workshop.core.errors import Refused
from workshop.core.ids import bounded_id
from workshop.core.voting.declare import N_, Setting, Texts, bounds, defaults
from workshop.core.voting.reading import idea_id
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
        if choice is not None and (isinstance(choice, bool | float) or choice not in (a, b)):
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


def pair_at(pool: Sequence[Option], index: int) -> tuple[Option, Option]:
    """Return pair number `index` (counted round and round again) of the round-robin
    schedule of `pool`, as the circle method draws it.

    The circle method fixes the first option and turns the others one place per round,
    pairing the i-th place with the i-th from the end; with an odd number of options one
    place is empty (a bye). Its n - 1 rounds (n with a bye) hold every pair exactly once,
    and within one round every option at most once: any run of consecutive pairs shows
    each option about as often as any other, and two consecutive pairs always differ
    (unless there is only one pair).
    """
    n = len(pool)
    if n < 2:
        raise ValueError("a pair needs at least two distinct options")
    places = n + n % 2  # with a bye for an odd number of options
    per_round = places // 2 - n % 2
    number, slot = divmod(index % ((places - 1) * per_round), per_round)

    def at(place: int) -> int | None:
        if place == 0:
            return 0
        who = 1 + (place - 1 - number) % (places - 1)
        return who if who < n else None  # the bye

    seated = ((at(i), at(places - 1 - i)) for i in range(places // 2))
    left, right = [(a, b) for a, b in seated if a is not None and b is not None][slot]
    return pool[left], pool[right]


def next_step(options: Sequence[Option], ballot: Sequence[Any], seed: str
              ) -> tuple[Option, Option]:
    """Return the pair a phone is shown after the judgements of `ballot`: the one it may
    judge next, and the only one.

    The pair depends on nothing but the round's options, how many judgements the phone
    has made and its `seed` (`rules.step_seed`: the server's secret, the round and the
    participant), so any process, before or after a restart, derives the pair a phone was
    served from what is stored, and the ballot writer can refuse a judgement on any other
    pair. Each phone walks its own round-robin schedule of the options (their order
    shuffled by the seed) from a point the seed chooses, its sides shuffled per step: its
    judgements cover the options evenly, and so do the room's. A phone cannot choose its
    pair: reloading shows the same one, and only judging it moves on.
    """
    pool = list(dict.fromkeys(options))
    draw = random.Random(f"{seed}:order")
    draw.shuffle(pool)
    start = draw.randrange(len(pool) * (len(pool) - 1) // 2 or 1)
    step = len(ballot)
    left, right = pair_at(pool, start + step)
    if random.Random(f"{seed}:{step}").random() < 0.5:
        return right, left
    return left, right


def check_step(previous: Sequence[Any] | None, ballot: Sequence[Judgement],
               options: Sequence[Option], seed: str) -> None:
    """Refuse the last judgement of a validated `ballot` unless it is on the pair served
    after `previous` (`pair_changed`, with the pair to judge now)."""
    served = next_step(options, previous or [], seed)
    if tuple(ballot[-1][:2]) != served:
        raise Refused("pair_changed", 409, left=served[0], right=served[1],
                      judged=len(previous or []))


def read_form(fields: Mapping[str, Any]) -> tuple[int, int, int | None]:
    """Read one judgement from the phone's form: the pair shown and the choice (blank or
    "none": can't decide); each an id (`bounded_id`), or the ballot is refused."""
    left = bounded_id(fields.get("left"), "bad_ballot")
    right = bounded_id(fields.get("right"), "bad_ballot")
    choice = fields.get("choice")
    return left, right, None if choice in (None, "", "none") else bounded_id(choice,
                                                                             "bad_ballot")


def read_json(body: Mapping[str, Any]) -> tuple[int, int, int | None]:
    """Read a JSON command's `judgement`: [left, right, choice or null], each an id: a
    side that is not one names no priority, a choice that is not one is no choice."""
    judgement = body.get("judgement")
    if not isinstance(judgement, list | tuple) or len(judgement) != 3:
        raise Refused("bad_ballot", reason="bad_judgement")
    left, right, choice = judgement
    return (idea_id(left), idea_id(right),
            None if choice is None else idea_id(choice, "bad_choice"))


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
