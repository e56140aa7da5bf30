"""Each group's result beside the overall one, what unites the groups and what divides them.

Pure core: standard library and the voting methods. One call, `break_down`, gives every
by-group figure of one closed activity for one question, with the small groups already
left out (see `cells`): pages, pushes and exports show what it returns and nothing else,
so suppression cannot be forgotten on one surface.

- Consensus: for each priority, the lowest share of a shown group's voters supporting it.
  A priority that every group supports scores high; one that only some groups carry, low.
- Gaps: for each priority, how far apart its ranks are between the shown groups (the
  priorities women and men, or two MRCs, see most differently come first).
- Each group counts equally: the same method on the same ballots, each voter weighted
  (see `weights`), so that every group large enough to be shown weighs the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from workshop.core.groups.cells import (
    NO_ANSWER,
    group_sizes,
    shown_across,
    shown_groups,
    threshold,
)
from workshop.core.groups.weights import equal_weights
from workshop.core.voting.result import Option, Result


@dataclass(frozen=True)
class GroupResult:
    """One shown group's voters and result."""

    group: Hashable
    voters: int
    result: Result


@dataclass(frozen=True)
class Gap:
    """How differently the shown groups rank one priority (rank 1 is first)."""

    option: Option
    best_rank: int
    worst_rank: int
    best_groups: tuple[Hashable, ...]
    worst_groups: tuple[Hashable, ...]

    @property
    def spread(self) -> int:
        """Places between the group that ranks it best and the one that ranks it worst."""
        return self.worst_rank - self.best_rank


@dataclass(frozen=True)
class Breakdown:
    """Every by-group figure of one activity for one question; nothing suppressed in it.

    `hidden_voters` are the voters in no shown group (small groups, no answer, "prefers
    not to answer"), at least k or none. `consensus` and `gaps` need two shown groups
    (else they are empty); `equal` is None when fewer than two groups can be made equal.
    """

    k: int
    overall: Result
    groups: tuple[GroupResult, ...]
    hidden_voters: int
    consensus: Mapping[Option, float]
    gaps: tuple[Gap, ...]
    equal: Result | None
    equal_groups: frozenset[Hashable]


def tally_weighted(method: ModuleType, options: Sequence[Option], settings: Mapping[str, Any],
                   weighted: Sequence[tuple[Any, float]]) -> Result:
    """Tally ballots each given with its weight in votes, by the method's own engine.

    Every method's `tally_counted` adds ballots up by how many voters cast each; a weight
    is such a count that need not be whole. The result's voters are the people who voted,
    not the sum of the weights.
    """
    result = method.tally_counted(weighted, options, settings)
    return dataclasses.replace(result, voters=len(weighted))


def _supporters_kept(weighted: Result, plain: Result) -> Result:
    """Return the weighted result with each priority's supporters counted in people."""
    people = {standing.option: standing.supporters for standing in plain.standings}
    return dataclasses.replace(weighted, standings=tuple(
        dataclasses.replace(s, supporters=people[s.option]) for s in weighted.standings))


def consensus(groups: Sequence[GroupResult]) -> dict[Option, float]:
    """Return each priority's lowest share of support among the groups (0 to 1)."""
    if len(groups) < 2:
        return {}
    shares: dict[Option, float] = {}
    for group in groups:
        for standing in group.result.standings:
            share = standing.supporters / group.voters
            shares[standing.option] = min(shares.get(standing.option, share), share)
    return shares


def gaps(groups: Sequence[GroupResult], order: Sequence[Option]) -> tuple[Gap, ...]:
    """Return every priority's gap between the groups, widest first (ties in `order`)."""
    if len(groups) < 2:
        return ()
    position = {option: i for i, option in enumerate(order)}
    ranks = [{s.option: s.rank for s in group.result.standings} for group in groups]
    found: list[Gap] = []
    for option in order:
        placed = [rank[option] for rank in ranks]
        best, worst = min(placed), max(placed)
        found.append(Gap(option, best, worst,
                         tuple(g.group for g, r in zip(groups, placed, strict=True) if r == best),
                         tuple(g.group for g, r in zip(groups, placed, strict=True)
                               if r == worst)))
    return tuple(sorted(found, key=lambda gap: (-gap.spread, position[gap.option])))


def break_down(method: ModuleType, options: Sequence[Option], settings: Mapping[str, Any],
               ballots: Mapping[Hashable, Any], group_of: Mapping[Hashable, Hashable | None],
               k: int, groups_in_order: Sequence[Hashable] = (),
               undisclosed: Collection[Hashable] = (),
               shown: Collection[Hashable] | None = None) -> Breakdown:
    """Return the by-group figures of one activity's ballots for one question.

    `ballots` maps each voter to their (validated) ballot; `group_of` maps voters to
    their answer (a voter missing from it gave none). Groups are listed in
    `groups_in_order` (the question's order), then any other in order of first sight.
    The groups shown are `shown` when decided for several questions together (see
    `break_down_questions`), else those `shown_groups` allows for this question alone.
    """
    k = threshold(k)
    options = list(options)
    voters = list(ballots)
    answers = {voter: group_of.get(voter, NO_ANSWER) for voter in voters}
    overall = tally_weighted(method, options, settings, [(ballots[v], 1) for v in voters])
    sizes = group_sizes(answers)
    if shown is None:
        shown = shown_groups(sizes, k, undisclosed)
    listed = [g for g in groups_in_order if g in shown]
    listed += [g for g in dict.fromkeys(answers.values()) if g in shown and g not in listed]
    results = tuple(
        GroupResult(group, sizes[group], tally_weighted(
            method, options, settings, [(ballots[v], 1) for v in voters if answers[v] == group]))
        for group in listed)
    weights, equal_groups = equal_weights(answers, k, undisclosed, shown)
    equal = None
    if equal_groups:
        equal = _supporters_kept(tally_weighted(
            method, options, settings, [(ballots[v], weights[v]) for v in voters]), overall)
    order = [standing.option for standing in overall.standings]
    return Breakdown(k=k, overall=overall, groups=results,
                     hidden_voters=len(voters) - sum(r.voters for r in results),
                     consensus=consensus(results), gaps=gaps(results, order),
                     equal=equal, equal_groups=equal_groups)


def break_down_questions(method: ModuleType, options: Sequence[Option],
                         settings: Mapping[str, Any], ballots: Mapping[Hashable, Any],
                         questions: Sequence[tuple[Mapping[Hashable, Hashable | None],
                                                   Sequence[Hashable]]],
                         k: int, undisclosed: Collection[Hashable] = ()) -> list[Breakdown]:
    """Return the breakdown of one activity's ballots for each question of the workshop.

    `questions` gives, in the workshop's order, each question's answers (voter to group)
    and its groups in order. The groups shown are decided for all questions together, so
    that no two published results differ by fewer than k people (see `shown_across`).
    """
    answers = [{voter: group_of.get(voter, NO_ANSWER) for voter in ballots}
               for group_of, _order in questions]
    shown = shown_across(answers, k, undisclosed)
    return [break_down(method, options, settings, ballots, group_of, k, order, undisclosed,
                       shown_here)
            for (group_of, order), shown_here in zip(questions, shown, strict=True)]
