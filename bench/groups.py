"""Time the by-group analysis (ADS+) of a large room: python bench/groups.py.

2,000 participants answer 4 profile questions (gender, the 8 MRCs and "hors région",
8 sectors, lived experience of poverty; some skip a question or prefer not to say) and
rank their top 5 of 30 priorities. Times, best of 3: deciding which groups may be shown
across the questions (`shown_across`), one question's whole breakdown (each group's
result, consensus, gaps, the equal-weight ranking), and all four questions together, as
the facilitator's page and the exports ask for them. By-group results are never computed
in the push loop: only when a closed vote's page or export is asked for.

Prints a table, then one JSON line with every figure (seconds).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.tally import best_of  # noqa: E402  (best of 3, as the tally benchmark)
from workshop.core.groups.breakdown import break_down, break_down_questions  # noqa: E402
from workshop.core.groups.cells import NO_ANSWER, shown_across  # noqa: E402
from workshop.core.voting import ranking  # noqa: E402

SEED = 2026
PEOPLE = 2000
PRIORITIES = list(range(1, 31))
TOP = 5
QUESTIONS = {
    "gender": (["femme", "homme", "non-binaire"], [0.55, 0.42, 0.03]),
    "territory": ([f"mrc{i}" for i in range(1, 9)] + ["hors"],
                  [0.08, 0.14, 0.09, 0.04, 0.27, 0.08, 0.08, 0.11, 0.11]),
    "sector": ([f"s{i}" for i in range(1, 9)], [0.3, 0.2, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05]),
    "lived": (["oui", "non"], [0.35, 0.65]),
}


def room(rng: random.Random) -> tuple[dict[int, list[int]], list[dict[int, object]]]:
    """Ballots (top 5 around a consensus that differs by gender) and the answers."""
    answers: list[dict[int, object]] = [{} for _ in QUESTIONS]
    ballots = {}
    for person in range(PEOPLE):
        for q, (groups, weights) in enumerate(QUESTIONS.values()):
            roll = rng.random()
            answers[q][person] = (NO_ANSWER if roll < 0.04 else "prefer_not" if roll < 0.07
                                  else rng.choices(groups, weights)[0])
        lean = 5 if answers[0][person] == "femme" else 0
        keyed = sorted(PRIORITIES, key=lambda o: (o + lean) % 30 + rng.gauss(0, 8))
        ballots[person] = keyed[:TOP]
    return ballots, answers


def main() -> None:
    ballots, answers = room(random.Random(SEED))
    orders = [groups for groups, _weights in QUESTIONS.values()]
    settings = {"top": TOP}
    figures = {
        "people": PEOPLE, "questions": len(QUESTIONS), "priorities": len(PRIORITIES),
        "shown_across_s": best_of(lambda: shown_across(answers, 5, {"prefer_not"})),
        "one_question_s": best_of(lambda: break_down(
            ranking, PRIORITIES, settings, ballots, answers[1], 5, orders[1], {"prefer_not"})),
        "all_questions_s": best_of(lambda: break_down_questions(
            ranking, PRIORITIES, settings, ballots, list(zip(answers, orders, strict=True)),
            5, {"prefer_not"})),
    }
    shown = break_down_questions(ranking, PRIORITIES, settings, ballots,
                                 list(zip(answers, orders, strict=True)), 5, {"prefer_not"})
    figures["groups_shown"] = [len(b.groups) for b in shown]
    for key, value in figures.items():
        label = f"{value * 1000:.1f} ms" if key.endswith("_s") else value
        print(f"  {key:<18} {label}")
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v
                      for k, v in figures.items()}, sort_keys=True))


if __name__ == "__main__":
    main()
