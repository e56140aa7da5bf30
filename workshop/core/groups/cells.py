"""Small-cell suppression: which groups of a question may be shown on their own.

Pure core: standard library only. A group of fewer than `k` voters is never shown (with
a top-5 ranking almost every ballot is unique, so a group of two shows two people's
choices). Hiding the small groups is not enough: whoever sees the overall result and the
shown groups can subtract them and get what is left. So the people hidden together (the
small groups, plus those who did not answer, whose results are never shown) must be at
least `k` as well, or nobody: when they are fewer, the next smallest shown group is hidden
with them, until they are enough.

Questions cross: the groups of two questions are different cuts of the same voters, so
two published results may differ by one person (`shown_across`); every pair of published
sets of voters must then differ by nobody or at least k people on each side.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence

MIN_CELL = 5  # the smallest group ever shown; an organiser may raise it, never lower it
NO_ANSWER = None  # the group of voters who gave no answer: counted, never shown


def group_sizes(group_of: Mapping[Hashable, Hashable | None]) -> dict[Hashable, int]:
    """Count the voters of each group (NO_ANSWER included) from each voter's group."""
    sizes: dict[Hashable, int] = {}
    for group in group_of.values():
        sizes[group] = sizes.get(group, 0) + 1
    return sizes


def threshold(k: int | None) -> int:
    """Return the suppression threshold to use: `k`, never below MIN_CELL."""
    if k is None or isinstance(k, bool) or not isinstance(k, int):
        return MIN_CELL
    return max(MIN_CELL, k)


def _close_line(sizes: Mapping[Hashable, int], hidden: set[Hashable], k: int) -> bool:
    """Hide more cells of one line until what it hides holds 0 or at least k people;
    return True if anything was hidden."""
    changed = False
    while 0 < sum(sizes[c] for c in hidden if c in sizes) < k:
        shown = [c for c in sizes if c not in hidden and sizes[c] > 0]
        if not shown:
            break
        smallest = min(shown, key=lambda c: (sizes[c], repr(c)))
        hidden.add(smallest)
        changed = True
    return changed


def shown_groups(sizes: Mapping[Hashable, int], k: int,
                 undisclosed: Collection[Hashable] = ()) -> frozenset[Hashable]:
    """Return the groups of one question whose results may be shown.

    `sizes` counts the voters of every group, including those never shown on their own
    (NO_ANSWER, and `undisclosed` such as "prefers not to answer"): they are part of what
    subtraction would give. A group is shown when it has at least k voters and what is hidden beside
    it holds nobody or at least k people.
    """
    k = threshold(k)
    hidden = {g for g, n in sizes.items()
              if n > 0 and (n < k or g is NO_ANSWER or g in undisclosed)}
    _close_line(sizes, hidden, k)
    return frozenset(g for g, n in sizes.items() if n > 0 and g not in hidden)


def _small_difference(a: frozenset[Hashable], b: frozenset[Hashable], k: int) -> bool:
    """Say whether two published sets of voters differ by fewer than k people on a side
    (then subtracting one's result from the other's would show those few)."""
    return 0 < len(a - b) < k or 0 < len(b - a) < k


def shown_across(questions: Sequence[Mapping[Hashable, Hashable | None]], k: int,
                 undisclosed: Collection[Hashable] = ()) -> list[frozenset[Hashable]]:
    """Return the groups of each question whose results may be shown, all questions together.

    Each question's groups follow `shown_groups`. But two questions cross: if one person
    answered the first question and not the second, the voters hidden under the second
    are those of the first plus that person, and the difference of the two hidden results
    is that person's ballot. So every published set of voters (everyone, each shown group,
    and what is hidden under each question, which subtraction gives) must differ from every
    other by nobody or at least k people on each side; a group that would not is hidden
    too, questions taken in their order (the first ones keep their groups).

    `questions` maps, for each question, every voter of the activity to their group
    (NO_ANSWER for none).
    """
    k = threshold(k)
    everyone = frozenset(questions[0]) if questions else frozenset()
    published: list[frozenset[Hashable]] = [everyone]
    shown_by_question: list[frozenset[Hashable]] = []
    for group_of in questions:
        members: dict[Hashable, set[Hashable]] = {}
        for voter, group in group_of.items():
            members.setdefault(group, set()).add(voter)
        sizes = {g: len(m) for g, m in members.items()}
        hidden = {g for g in sizes if g not in shown_groups(sizes, k, undisclosed)}
        while True:
            shown = [g for g in sizes if g not in hidden]
            sets = {g: frozenset(members[g]) for g in shown}
            rest = frozenset(v for g in hidden for v in members[g])
            clash = [g for g in shown
                     if any(_small_difference(sets[g], p, k) for p in published)]
            if not clash and rest and any(_small_difference(rest, p, k) for p in published):
                clash = [min(shown, key=lambda g: (sizes[g], repr(g)))] if shown else []
            if not clash:
                break
            hidden.add(min(clash, key=lambda g: (sizes[g], repr(g))))
            _close_line(sizes, hidden, k)
        shown_by_question.append(frozenset(shown))
        published += [*sets.values(), *([rest] if rest else [])]
    return shown_by_question


def shown_count(n: int, k: int) -> int | None:
    """Return a head count as it may be projected: None (shown as "fewer than k") when
    it is between 1 and k - 1."""
    k = threshold(k)
    return None if 0 < n < k else n
