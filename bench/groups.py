"""Time the by-group analysis (ADS+) of a large room: python bench/groups.py.

2,000 participants answer 4 profile questions (gender, the 8 MRCs and "hors région",
8 sectors, lived experience of poverty; some skip a question or prefer not to say) and
rank their top 5 of 30 priorities. Times, best of 3: deciding which groups may be shown
across the questions (`shown_across`), one question's whole breakdown (each group's
result, consensus, gaps, the equal-weight ranking), and all four questions together, as
the facilitator's page and the exports ask for them. By-group results are never computed
in the push loop: only when a closed vote's page or export is asked for.

The representativeness monitor (store/room.py) is in the push loop: it counts people by
group, never choices. `monitor_s` times it on a real SQLite database holding the same
2,000 participants, their answers to the ADS+ Québec template and their ballots in an
open vote, with half of them connected: what each push to the facilitator costs for it.

Prints a table, then one JSON line with every figure (seconds).
"""

from __future__ import annotations

import json
import os
import random
import secrets
import sys
import tempfile
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


def monitor_seconds(answers: list[dict[int, object]]) -> float:
    """Best-of-3 time of the monitor for PEOPLE participants on a fresh SQLite file."""
    from workshop import create_app, ops
    from workshop.store import room
    from workshop.store.db import session_for
    from workshop.store.models import Ballot, Participant, ProfileAnswer

    with tempfile.TemporaryDirectory() as folder:
        os.environ["WORKSHOP_INSTANCE"] = folder
        app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{folder}/b.db",
                          "MIGRATE_ON_START": True, "PUSH_INTERVAL": None})
        with app.app_context(), session_for(app) as session:
            workshop, _secret = ops.create_workshop(session, "Bench")
            ops.open_ideas(session, workshop)
            ids = [ops.add_idea(session, workshop, f"Priorité {n}").id for n in PRIORITIES]
            ops.add_template_questions(session, workshop, lambda text: text)
            questions = room.profile_questions(session, workshop)
            vote = ops.open_round(session, workshop, method="dots", settings={"dots": 1})
            people = [Participant(workshop_id=workshop.id, secret_digest=secrets.token_hex(32))
                      for _ in range(PEOPLE)]
            session.add_all(people)
            session.flush()
            for q, question in enumerate(questions):
                keys = [c["key"] for c in question.choices]
                given = {n: keys[sum(map(ord, str(a))) % len(keys)]
                         for n, a in answers[q].items() if a != NO_ANSWER}
                session.add_all(ProfileAnswer(question_id=question.id, participant_id=p.id,
                                              choice=given[n])
                                for n, p in enumerate(people) if n in given)
            session.add_all(Ballot(round_id=vote.id, participant_id=p.id,
                                   content={str(ids[0]): 1}) for p in people[::2])
            session.commit()
            present = frozenset(p.id for p in people[1::2])
            seconds = best_of(lambda: room.monitor(session, workshop, lambda: present))
        app.extensions["workshop.engine"].dispose()
    return seconds


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
    figures["monitor_s"] = monitor_seconds(answers)
    for key, value in figures.items():
        label = f"{value * 1000:.1f} ms" if key.endswith("_s") else value
        print(f"  {key:<18} {label}")
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v
                      for k, v in figures.items()}, sort_keys=True))


if __name__ == "__main__":
    main()
