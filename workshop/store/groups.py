"""Profiles and results by group, read from the database (ADS+).

Read side of the infra layer. Every by-group figure any surface shows comes from
`round_breakdowns`, which hands the ballots and answers to the pure core's
`break_down_questions`: suppression is applied in one place. By-group results exist only
once a vote is closed: a live bar that moves when one person votes would show that
person's choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workshop.core.groups.breakdown import Breakdown, break_down_questions
from workshop.core.groups.template import PREFER_NOT
from workshop.core.voting import get_method
from workshop.store.models import (
    Ballot,
    Participant,
    ProfileAnswer,
    ProfileConsent,
    ProfileQuestion,
    PublishedGroups,
    Round,
    Workshop,
)
from workshop.store.room import profile_questions
from workshop.store.views import ballot_for_tally, idea_texts


@dataclass(frozen=True)
class QuestionBreakdown:
    """One profile question and what its groups may show of one vote."""

    question: ProfileQuestion
    labels: dict[str, str]  # choice key -> label
    breakdown: Breakdown


def consent_of(session: Session, participant_id: int) -> bool | None:
    """Return a participant's answer to the consent screen (None: not asked yet)."""
    consent = session.get(ProfileConsent, participant_id)
    return None if consent is None else consent.agreed


def own_profile(session: Session, participant_id: int) -> tuple[bool | None, dict[int, str]]:
    """Return a participant's consent (None: not asked yet) and answers by question id."""
    consent = session.get(ProfileConsent, participant_id)
    answers = {question_id: choice for question_id, choice in session.execute(
        select(ProfileAnswer.question_id, ProfileAnswer.choice)
        .where(ProfileAnswer.participant_id == participant_id))}
    return (None if consent is None else consent.agreed), answers


def consent_counts(session: Session, workshop: Workshop) -> dict[str, int]:
    """Return how many of a workshop's participants agreed to the profile questions and
    how many declined."""
    rows = dict(session.execute(
        select(ProfileConsent.agreed, func.count())
        .join(Participant, Participant.id == ProfileConsent.participant_id)
        .where(Participant.workshop_id == workshop.id)
        .group_by(ProfileConsent.agreed)).all())
    return {"agreed": rows.get(True, 0), "declined": rows.get(False, 0)}


def round_breakdowns(session: Session, workshop: Workshop, vote: Round
                     ) -> list[QuestionBreakdown] | None:
    """Return each question's breakdown of a closed vote (None while it is open, or when
    the workshop asks no profile questions)."""
    if vote.status == "open":
        return None
    questions = profile_questions(session, workshop)
    if not questions:
        return None
    ballots = {participant_id: ballot_for_tally(content) for participant_id, content in
               session.execute(select(Ballot.participant_id, Ballot.content)
                               .where(Ballot.round_id == vote.id))}
    answers: dict[int, dict[int, str]] = {q.id: {} for q in questions}
    for question_id, participant_id, choice in session.execute(
            select(ProfileAnswer.question_id, ProfileAnswer.participant_id,
                   ProfileAnswer.choice)
            .where(ProfileAnswer.question_id.in_(list(answers)))):
        if participant_id in ballots:
            answers[question_id][participant_id] = choice
    method = get_method(vote.method)
    breakdowns = break_down_questions(
        method, vote.options, vote.settings, ballots,
        [(answers[q.id], [c["key"] for c in q.choices]) for q in questions],
        workshop.min_group_size, undisclosed={PREFER_NOT})
    return [QuestionBreakdown(q, {c["key"]: c["label"] for c in q.choices}, b)
            for q, b in zip(questions, breakdowns, strict=True)]


def closed_vote_views(session: Session, workshop: Workshop) -> list[dict[str, Any]]:
    """Every closed vote's results by group, newest first, as plain values for the page
    and the JSON: nothing a small group could be recognised by is in them."""
    views = (vote_view(session, workshop, vote) for vote in reversed(workshop.rounds))
    return [view for view in views if view is not None]


def vote_view(session: Session, workshop: Workshop, vote: Round) -> dict[str, Any] | None:
    """One closed vote's results by group as plain values (None while it is open or
    without profile questions); once the answers are purged, as they were shown then."""
    published = session.scalar(select(PublishedGroups.content)
                               .where(PublishedGroups.round_id == vote.id))
    if published is not None:
        return published
    found = round_breakdowns(session, workshop, vote)
    if found is None:
        return None
    texts = idea_texts(session, list(vote.options))
    return {"round": vote.id, "title": vote.title, "method": vote.method,
            "questions": [_question_view(q, texts) for q in found]}


def _question_view(found: QuestionBreakdown, texts: dict[int, str]) -> dict[str, Any]:
    result = found.breakdown
    order = [s.option for s in result.overall.standings]
    ranks = [{s.option: s.rank for s in g.result.standings} for g in result.groups]
    equal = {s.option: s.rank for s in result.equal.standings} if result.equal else {}
    rows = [{"idea": option, "text": texts.get(option, ""),
             "rank": result.overall.rank_of(option),
             "groups": [rank[option] for rank in ranks],
             "equal_rank": equal.get(option),
             "consensus": round(result.consensus[option], 3)
             if option in result.consensus else None}
            for option in order]
    return {"question": found.question.id, "text": found.question.text, "k": result.k,
            "voters": result.overall.voters, "hidden_voters": result.hidden_voters,
            "groups": [{"key": g.group, "label": found.labels.get(str(g.group), ""),
                        "voters": g.voters} for g in result.groups],
            "rows": rows,
            "gaps": [{"idea": gap.option, "text": texts.get(gap.option, ""),
                      "best_rank": gap.best_rank, "worst_rank": gap.worst_rank,
                      "best": [found.labels.get(str(g), "") for g in gap.best_groups],
                      "worst": [found.labels.get(str(g), "") for g in gap.worst_groups]}
                     for gap in result.gaps[:5] if gap.spread > 0],
            "equal_groups": [found.labels.get(str(g), "") for g in result.groups
                             if g.group in result.equal_groups]}
