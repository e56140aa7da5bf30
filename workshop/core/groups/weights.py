"""Weights under which every group of a question counts the same.

Pure core: standard library only. The two largest MRCs of a region, or one sector that
came in numbers, should not decide alone for everyone: in the "each group counts equally"
ranking, the voters of every group large enough to be shown (see `cells`) share the same
total weight, whatever their number; everyone else (smaller groups, no answer) counts
one, as in the overall ranking. Boosting a group of two would make one person's ballot
weigh like dozens and show it, so small groups are never boosted.

Weights are given in votes, each a whole number of 1/UNIT of a vote with UNIT a power of
two: such numbers add up exactly in floating point, in any order, so two priorities with
the same weighted support stay tied, as they would in a hand count.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping

from workshop.core.groups.cells import group_sizes, shown_groups, threshold

UNIT = 2**20  # weights are whole multiples of 1/UNIT of a vote


def equal_weights(group_of: Mapping[Hashable, Hashable | None], k: int,
                  undisclosed: Collection[Hashable] = (),
                  shown: Collection[Hashable] | None = None
                  ) -> tuple[dict[Hashable, float], frozenset[Hashable]]:
    """Return (weight of each voter, in votes; the groups made equal).

    `group_of` maps each voter to their group for the question (None: no answer). The
    voters of the groups made equal keep their total weight (so the ranking stays on the
    scale of the overall one), shared equally between their groups, then equally between
    each group's voters. The groups made equal are those shown on their own: `shown`
    when the caller has decided them (across questions), else by `shown_groups`.
    """
    k = threshold(k)
    sizes = group_sizes(group_of)
    equal = frozenset(shown) if shown is not None else shown_groups(sizes, k, undisclosed)
    if len(equal) < 2:  # nothing to even out
        return dict.fromkeys(group_of, 1.0), frozenset()
    share = sum(sizes[g] for g in equal) / len(equal)  # each group's total weight, in votes
    per_voter = {g: round(share / sizes[g] * UNIT) / UNIT for g in equal}
    return {voter: per_voter.get(group, 1.0) for voter, group in group_of.items()}, equal
