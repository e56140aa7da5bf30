"""Ranked voting: each voter orders their top priorities; tallied by Borda and by Schulze.

Pure core: standard library and numpy. A ballot is a list of distinct options, best
first. It may be partial: every option it leaves out is tied below all the ones it ranks.

Borda, counted as by hand: in a "top N" round (setting `top`), a first place earns N
points, a second N-1, ... the N-th place 1 point, and a priority left unranked 0. Without
`top` (everything may be ranked), N is the number of priorities minus one: a first place
earns one point for each other priority, the last place 0, as an unranked one; that is
the classic Borda count, the row sum of the pairwise matrix. With full rankings the two
readings give the same order (every score moves by the same amount).

Schulze: link x→y has strength d[x][y] (winning votes) when d[x][y] > d[y][x], else none;
p[x][y] is the strength of the strongest (widest) path from x to y. x beats y when
p[x][y] > p[y][x]. That relation is a strict partial order, so options are grouped into
tiers: tier 1 is every option nobody beats (the Schulze winners), tier 2 is every option
nobody outside tier 1 beats, and so on. Options in one tier share a rank; a Schulze
standing's score is how many options it beats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import Any

import numpy as np

from workshop.core.errors import Refused
from workshop.core.voting.declare import N_, Setting, Texts, bounds, defaults
from workshop.core.voting.reading import json_ballot, numbered
from workshop.core.voting.result import BallotError, Option, Result, Standing, rank_by_score
from workshop.core.voting.rules import distinct_options, each_once, whole_settings

NAME = "ranking"
SETTINGS = (
    Setting("top", None, 1, 1000, N_("Priorities to rank (blank: all)"),
            N_("the number of priorities to rank")),
)
TEXTS = Texts(
    name=N_("Ranking"),
    explanation=N_("Each person puts priorities in order; a first place earns the most "
                   "points, each place below one point fewer, an unranked priority none "
                   "(Borda count), and the Schulze method checks which priority beats each "
                   "other one head to head."),
    unit=N_("Borda points"))
PHONE = "ranking"
STEPWISE = False
DEFAULT_SETTINGS: dict[str, Any] = defaults(SETTINGS)
LIMITS = bounds(SETTINGS)
BALLOT_TYPES = (list, tuple)


def check_settings(settings: Mapping[str, Any]) -> dict[str, int | None]:
    """Return complete, valid settings for a ranked round, or raise BallotError."""
    return whole_settings(settings, DEFAULT_SETTINGS, LIMITS)


def validate(ballot: Sequence[Any], options: Sequence[Option],
             settings: Mapping[str, Any]) -> list[Option]:
    """Return the ranking as a list of options, best first, or raise BallotError."""
    rules = check_settings(settings)
    ranked = distinct_options(ballot, options, BALLOT_TYPES,
                              "a ranked ballot is a list of priorities, best first")
    top = rules["top"]
    if top is not None and len(ranked) > top:
        raise BallotError("too_many", "more priorities ranked than allowed", cap=top)
    return ranked


def _positions(counted: Iterable[tuple[Sequence[Option], int]],
               options: Sequence[Option]) -> tuple[np.ndarray, np.ndarray]:
    """Group identical ballots, so a crowd that agrees costs one row, and place each option.

    Returns (pos, weights): pos[g, i] is the 0-based place of option i on ballot g, or
    len(options) when that ballot leaves it unranked; weights[g] counts the voters.
    """
    n = len(options)
    groups: Counter[tuple[Option, ...]] = Counter()
    for ballot, many in counted:
        groups[tuple(ballot)] += many
    keys = list(groups)
    weights = np.fromiter(groups.values(), dtype=np.float64, count=len(keys))
    lengths = np.fromiter(map(len, keys), dtype=np.intp, count=len(keys))
    total = int(lengths.sum())
    index = {option: i for i, option in enumerate(options)}
    flat = np.fromiter(map(index.__getitem__, chain.from_iterable(keys)), dtype=np.intp,
                       count=total)
    rows = np.repeat(np.arange(len(keys)), lengths)
    starts = np.cumsum(lengths) - lengths
    places = np.arange(total) - np.repeat(starts, lengths)
    pos = np.full((len(keys), n), n, dtype=np.int16 if n < 2**15 - 1 else np.int32)
    pos[rows, flat] = places
    return pos, weights


def pairwise_matrix(pos: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Return d[x, y] = voters who place x strictly above y (the hot loop, so vectorised)."""
    n = pos.shape[1]
    by_option = np.ascontiguousarray(pos.T)
    d = np.zeros((n, n), dtype=np.int64)
    for x in range(n):
        d[x] = np.rint((by_option[x] < by_option).astype(np.float64) @ weights)
    return d


def strongest_paths(d: np.ndarray) -> np.ndarray:
    """Return Schulze's widest-path strengths p[x, y] for winning-votes links (diagonal 0)."""
    p = np.where(d > d.T, d, 0)
    for k in range(p.shape[0]):
        np.maximum(p, np.minimum(p[:, k:k + 1], p[k:k + 1, :]), out=p)
    np.fill_diagonal(p, 0)
    return p


def schulze_tiers(p: np.ndarray) -> list[int]:
    """Return each option's Schulze rank: options that nobody left beats share the next rank."""
    n = p.shape[0]
    beats = p > p.T
    remaining = np.ones(n, dtype=bool)
    ranks = [0] * n
    rank = 1
    while remaining.any():
        alive = np.flatnonzero(remaining)
        beaten = beats[np.ix_(alive, alive)].any(axis=0)
        tier = alive[~beaten]
        if tier.size == 0:  # pragma: no cover - Schulze's relation is provably acyclic
            raise RuntimeError("Schulze relation has a cycle")
        for i in tier.tolist():
            ranks[i] = rank
        rank += tier.size
        remaining[tier] = False
    return ranks


def _nested(matrix: np.ndarray, options: Sequence[Option]) -> dict[Option, dict[Option, int]]:
    """Turn an option-by-option matrix into {x: {y: value}} without the diagonal."""
    rows = matrix.tolist()
    return {x: {y: value for y, value in zip(options, row, strict=True) if y != x}
            for x, row in zip(options, rows, strict=True)}


def first_place_points(settings: Mapping[str, Any], n: int) -> int:
    """Return N, the Borda points of a first place: the round's `top`, or n-1 without one."""
    top = settings.get("top")
    return int(top) if top is not None else max(n - 1, 0)


def borda_scores(pos: np.ndarray, weights: np.ndarray, first: int) -> np.ndarray:
    """Return each option's Borda score: place i (0-based) earns first-i points (never
    fewer than 0), an unranked option (place n) 0."""
    n = pos.shape[1]
    points = np.where(pos < n, np.maximum(first - pos.astype(np.int64), 0), 0)
    return np.rint(weights @ points).astype(np.int64)


def tally(ballots: Iterable[Sequence[Option]], options: Sequence[Option],
          settings: Mapping[str, Any]) -> Result:
    """Rank by Borda (the standings) and by Schulze (in details), and flag if their tops differ.

    Supporters of an option are the voters who gave it at least one Borda point.
    `details["disagree_top"]` compares the firsts; `details["disagree_top_n"]` compares the
    sets of priorities each method ranks within its first N places (N: the round's `top`,
    or 3), so a disagreement further down the head of the list is flagged too.
    """
    return tally_counted(each_once(ballots), options, settings)


def tally_counted(counted: Iterable[tuple[Sequence[Option], int]], options: Sequence[Option],
                  settings: Mapping[str, Any]) -> Result:
    """Tally ballots given once each with how many voters cast them (equal ballots
    grouped, as the projector's pushes read them); see `tally`."""
    options = list(options)
    n = len(options)
    pos, weights = _positions(counted, options)
    voters = int(weights.sum())
    d = pairwise_matrix(pos, weights)
    p = strongest_paths(d)

    rules = check_settings(settings)
    top_points = first_place_points(rules, n)
    borda = dict(zip(options, borda_scores(pos, weights, top_points).tolist(), strict=True))
    gives_points = (pos < n) & (pos < top_points)
    supporters = dict(zip(options, np.rint(weights @ gives_points).astype(np.int64).tolist(),
                          strict=True))
    first = dict(zip(options, np.rint(weights @ (pos == 0)).astype(np.int64).tolist(),
                     strict=True))
    standings = rank_by_score(borda, supporters)  # ties in round order, as borda is

    wins = (p > p.T).sum(axis=1).tolist()
    ranks = schulze_tiers(p)
    order = sorted(range(n), key=lambda i: (ranks[i], -wins[i], i))
    schulze = tuple(Standing(options[i], wins[i], supporters[options[i]], ranks[i])
                    for i in order)

    borda_top = {s.option for s in standings if s.rank == 1}
    schulze_top = {s.option for s in schulze if s.rank == 1}
    head = head_size(rules, n)
    details = {
        "borda": borda,
        "schulze": {"paths": _nested(p, options), "standings": schulze},
        "pairwise": _nested(d, options),
        "first_choices": first,
        "disagree_top": borda_top != schulze_top,
        "top_n": head,
        "disagree_top_n": ({s.option for s in standings if s.rank <= head}
                           != {s.option for s in schulze if s.rank <= head}),
    }
    return Result(NAME, rules, voters, standings, details)


HEAD_DEFAULT = 3


def head_size(settings: Mapping[str, Any], n: int) -> int:
    """Return how many first places the Borda and Schulze orders are compared on: the
    round's `top`, or 3, never more than the priorities."""
    top = settings.get("top")
    return min(int(top) if top is not None else HEAD_DEFAULT, n)


def read_form(fields: Mapping[str, Any]) -> list[int]:
    """Read the phone form's places: `rank-<idea id>` fields holding 1, 2, 3... (blank: none)."""
    positions = {idea: place for idea, place in numbered(fields, "rank").items() if place}
    if len(set(positions.values())) != len(positions):
        raise Refused("bad_ballot", reason="duplicate_rank")
    return sorted(positions, key=positions.__getitem__)


def read_json(body: Mapping[str, Any]) -> Any:
    """Read a JSON command's `ballot`: a list of idea ids, best first."""
    return json_ballot(body)
