"""Who is in the room, by group: the representativeness monitor (ADS+), read from the
database and the connected phones.

Read side of the infra layer. The monitor counts people, never their choices: for each
profile question, how many participants gave each answer, how many of them have a phone
connected now and how many voted in the current vote, beside the share of the
population the organisers expect. It is part of the facilitator's pushed view, so it is
live; the facilitator's page only shows it, and nothing of it is projected.

It reads two small things per push (the answers of the workshop's participants and the
voters of the current vote) and counts in Python; `bench/groups.py` measures it at hall
size (`monitor_ms`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workshop.core.groups.representation import BASES, basis, shares
from workshop.store.models import Ballot, Participant, ProfileAnswer, ProfileQuestion, Workshop


def profile_questions(session: Session, workshop: Workshop) -> list[ProfileQuestion]:
    """Return a workshop's profile questions in their order."""
    return list(session.scalars(select(ProfileQuestion)
                                .where(ProfileQuestion.workshop_id == workshop.id)
                                .order_by(ProfileQuestion.position, ProfileQuestion.id)))


def monitor(session: Session, workshop: Workshop,
            present: Callable[[], Collection[int]] | None = None) -> dict[str, Any] | None:
    """Return who is in the room by group, or None when the workshop asks no profile.

    `present`: returns the participants whose phone is connected now (presence), asked
    only when there are questions. Totals: joined
    (every participant, any channel), present (of them, connected), profiled (answered at
    least one question) and voters (in the current vote). Per question and answer:
    answered, present and voted, and the expected share (percent) when entered.
    """
    questions = profile_questions(session, workshop)
    if not questions:
        return None
    joined = session.scalar(select(func.count()).select_from(Participant)
                            .where(Participant.workshop_id == workshop.id)) or 0
    answers = session.execute(
        select(ProfileAnswer.participant_id, ProfileAnswer.question_id, ProfileAnswer.choice)
        .where(ProfileAnswer.question_id.in_([q.id for q in questions]))).all()
    vote = workshop.current_round
    voters: set[int] = set()
    if vote is not None:
        voters = {p for p in session.scalars(select(Ballot.participant_id)
                                             .where(Ballot.round_id == vote.id))
                  if p is not None}
    here = set(present()) if present is not None else set()
    answered: Counter[tuple[int, str]] = Counter()
    connected: Counter[tuple[int, str]] = Counter()
    voted: Counter[tuple[int, str]] = Counter()
    profiled: set[int] = set()
    for participant, question, choice in answers:
        profiled.add(participant)
        answered[question, choice] += 1
        if participant in here:
            connected[question, choice] += 1
        if participant in voters:
            voted[question, choice] += 1
    rows_of = [[{"key": c["key"], "label": c["label"],
                 "answered": answered[q.id, c["key"]], "present": connected[q.id, c["key"]],
                 "voted": voted[q.id, c["key"]], "expected": c.get("expected")}
                for c in q.choices] for q in questions]
    return {"joined": joined, "present": len(here), "profiled": len(profiled),
            "voters": len(voters), "vote": vote.title if vote is not None else None,
            "questions": [_question(q, rows) for q, rows in zip(questions, rows_of, strict=True)]}


def _question(question: ProfileQuestion, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One question's rows with their shares of the count that matters now
    (core.groups.representation) and its totals."""
    totals = {name: sum(row[name] for row in rows) for name in BASES}
    counted = basis(totals)
    for row, found in zip(rows, shares(rows, counted), strict=True):
        row.update(found)
    return {"question": question.id, "text": question.text, **totals, "basis": counted,
            "rows": rows}
