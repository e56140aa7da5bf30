"""Profiles (ADS+): the facilitator's questions, and a participant's consent and answers.

Verbs layer. Answers are personal data (Québec's Law 25): asked only after consent,
optional one by one, changed or erased by the participant at any time, and kept apart
from ballots and ideas. Results by group read them only through `store.groups`, which
applies small-cell suppression.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workshop.core.errors import Refused
from workshop.core.groups.cells import MIN_CELL
from workshop.core.groups.template import (
    ADS_QUEBEC,
    PREFER_NOT,
    PREFER_NOT_LABEL,
    QUESTIONS_MAX,
    clean_question,
    read_expected_shares,
)
from workshop.core.ids import bounded_id
from workshop.ops.transactions import commit_and_announce, one_change
from workshop.store.db import begin_write
from workshop.store.groups import vote_view
from workshop.store.lookups import get_profile_question, get_round
from workshop.store.models import (
    Participant,
    ProfileAnswer,
    ProfileConsent,
    ProfileQuestion,
    Workshop,
)

MAX_GROUP_SIZE = 50  # a threshold above this would hide every group of a hall


def _choices(labels: list[str], prefer_not: str,
             keys: list[str] | None = None) -> list[dict[str, str]]:
    """Return the stored choices: each label with its key (kept from `keys` by position),
    then "prefers not to answer"."""
    keys = keys or []
    made = [{"key": keys[i] if i < len(keys) else f"c{i + 1}", "label": label}
            for i, label in enumerate(labels)]
    return [*made, {"key": PREFER_NOT, "label": prefer_not}]


def _next_position(session: Session, workshop: Workshop) -> int:
    last = session.scalar(select(func.max(ProfileQuestion.position))
                          .where(ProfileQuestion.workshop_id == workshop.id))
    return (last or 0) + 1


def _count(session: Session, workshop: Workshop) -> int:
    return session.scalar(select(func.count()).select_from(ProfileQuestion)
                          .where(ProfileQuestion.workshop_id == workshop.id)) or 0


@one_change
def add_template_questions(session: Session, workshop: Workshop,
                           translate: Callable[[str], str]) -> list[ProfileQuestion]:
    """Add the "ADS+ Québec" questions (gender, territory, sector, lived experience of
    poverty) in the facilitator's language; they can be edited or removed afterwards."""
    if _count(session, workshop) + len(ADS_QUEBEC) > QUESTIONS_MAX:
        raise Refused("too_many_questions", 409, limit=QUESTIONS_MAX)
    position = _next_position(session, workshop)
    added = []
    for offset, question in enumerate(ADS_QUEBEC):
        text, labels = clean_question(translate(question.text),
                                      [translate(choice) for choice in question.choices])
        row = ProfileQuestion(workshop_id=workshop.id, position=position + offset, text=text,
                              choices=_choices(labels, translate(PREFER_NOT_LABEL)))
        session.add(row)
        added.append(row)
    commit_and_announce(session, workshop)
    return added


@one_change
def add_profile_question(session: Session, workshop: Workshop, text: object, choices: object,
                         translate: Callable[[str], str]) -> ProfileQuestion:
    """Add a question of the facilitator's own, with its choices; "prefers not to answer"
    is added to them."""
    if _count(session, workshop) >= QUESTIONS_MAX:
        raise Refused("too_many_questions", 409, limit=QUESTIONS_MAX)
    clean, labels = clean_question(text, choices)
    row = ProfileQuestion(workshop_id=workshop.id, position=_next_position(session, workshop),
                          text=clean, choices=_choices(labels, translate(PREFER_NOT_LABEL)))
    session.add(row)
    commit_and_announce(session, workshop)
    return row


@one_change
def edit_profile_question(session: Session, workshop: Workshop, question_id: object,
                          text: object, choices: object) -> None:
    """Reword a question or its choices, or add choices. Each choice keeps its key by
    position, so answers already given keep their meaning; a choice someone chose cannot
    be removed (remove the question instead)."""
    question = get_profile_question(session, workshop, question_id)
    clean, labels = clean_question(text, choices)
    old = [c for c in question.choices if c["key"] != PREFER_NOT]
    dropped = [c["key"] for c in old[len(labels):]]
    if dropped and session.scalar(select(func.count()).select_from(ProfileAnswer).where(
            ProfileAnswer.question_id == question.id, ProfileAnswer.choice.in_(dropped))):
        raise Refused("choice_answered", 409)
    prefer_not = next(c["label"] for c in question.choices if c["key"] == PREFER_NOT)
    expected = {c["key"]: c["expected"] for c in old if "expected" in c}
    question.text = clean
    question.choices = [{**c, **({"expected": expected[c["key"]]} if c["key"] in expected
                                 else {})}
                        for c in _choices(labels, prefer_not, [c["key"] for c in old])]
    commit_and_announce(session, workshop)


@one_change
def remove_profile_question(session: Session, workshop: Workshop, question_id: object) -> None:
    """Remove a question and every answer given to it."""
    question = get_profile_question(session, workshop, question_id)
    session.execute(delete(ProfileAnswer).where(ProfileAnswer.question_id == question.id))
    session.delete(question)
    commit_and_announce(session, workshop)


@one_change
def set_min_group_size(session: Session, workshop: Workshop, size: object) -> None:
    """Set the smallest group ever shown on its own: never below MIN_CELL (5)."""
    if isinstance(size, bool) or not isinstance(size, int) \
            or not MIN_CELL <= size <= MAX_GROUP_SIZE:
        raise Refused("bad_group_size", low=MIN_CELL, high=MAX_GROUP_SIZE)
    workshop.min_group_size = size
    commit_and_announce(session, workshop)


@one_change
def open_profiles(session: Session, workshop: Workshop, asking: bool = True) -> None:
    """Start (or stop) asking phones the profile questions; there must be questions."""
    if asking and not _count(session, workshop):
        raise Refused("no_questions", 409)
    workshop.profiles_open = asking
    commit_and_announce(session, workshop)


def decide_consent(session: Session, workshop: Workshop, participant: Participant,
                   agreed: bool) -> dict[str, Any]:
    """Record a participant's answer to the consent screen. Declining, or withdrawing a
    consent given before, erases every answer they gave; nothing else changes."""
    if not isinstance(agreed, bool):
        raise Refused("bad_request")
    begin_write(session)
    try:
        consent = session.get(ProfileConsent, participant.id)
        if consent is None:
            session.add(ProfileConsent(participant_id=participant.id, agreed=agreed))
        else:
            consent.agreed = agreed
        if not agreed:
            _erase_answers(session, participant)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return {"ok": True, "agreed": agreed}


def answer_profile(session: Session, workshop: Workshop, participant: Participant,
                   answers: Mapping[Any, Any]) -> dict[str, Any]:
    """Set some of a participant's answers: {question id: choice key, or None to erase}.

    Only after consent and while the facilitator asks the questions (erasing, always);
    every question optional; a key must be one of its choices.
    """
    if not isinstance(answers, Mapping) or len(answers) > 100:
        raise Refused("bad_request")
    begin_write(session)
    try:
        consent = session.get(ProfileConsent, participant.id)
        if consent is None or not consent.agreed:
            raise Refused("no_consent", 409)
        session.refresh(workshop)
        if not workshop.profiles_open and any(c not in (None, "") for c in answers.values()):
            raise Refused("profiles_closed", 409)  # erasing is always possible
        questions = {q.id: q for q in session.scalars(select(ProfileQuestion).where(
            ProfileQuestion.workshop_id == workshop.id))}
        given = {a.question_id: a for a in session.scalars(select(ProfileAnswer).where(
            ProfileAnswer.participant_id == participant.id))}
        for raw_id, choice in answers.items():
            question = questions.get(bounded_id(raw_id, "question_not_found", 404))
            if question is None:
                raise Refused("question_not_found", 404)
            if choice is None or choice == "":
                if question.id in given:
                    session.delete(given[question.id])
                continue
            if choice not in {c["key"] for c in question.choices}:
                raise Refused("bad_choice")
            if question.id in given:
                given[question.id].choice = choice
            else:
                session.add(ProfileAnswer(question_id=question.id,
                                          participant_id=participant.id, choice=choice))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return {"ok": True}


def _erase_answers(session: Session, participant: Participant) -> None:
    session.execute(delete(ProfileAnswer).where(ProfileAnswer.participant_id == participant.id))


PROJECTED_VIEWS = ("groups", "gaps", "consensus")


@one_change
def project_groups(session: Session, workshop: Workshop, round_id: object,
                   question_id: object, view: object) -> None:
    """Show one question's results by group of a closed vote on the projector: each
    group's ranking, the gaps, or the consensus; `view` None stops showing them.

    Computed (and suppressed) once, now: the pushes only carry what is stored.
    """
    if view is None:
        workshop.projected_groups = None
        commit_and_announce(session, workshop)
        return
    if view not in PROJECTED_VIEWS:
        raise Refused("bad_request")
    vote = get_round(session, workshop, round_id)
    question = get_profile_question(session, workshop, question_id)
    found = vote_view(session, workshop, vote)
    if found is None:
        raise Refused("round_open", 409)
    shown = next((q for q in found["questions"] if q["question"] == question.id), None)
    if shown is None or not shown["groups"]:
        raise Refused("no_group_shown", 409)
    workshop.projected_groups = {"view": view, "round": vote.id, "title": vote.title,
                                 "question": shown}
    commit_and_announce(session, workshop)


@one_change
def set_expected_shares(session: Session, workshop: Workshop, question_id: object,
                        typed: object) -> None:
    """Set the share of the population each choice of a question is expected to have (the
    representativeness monitor compares the room with them), typed or pasted from a
    spreadsheet; an empty text clears them."""
    question = get_profile_question(session, workshop, question_id)
    labels = [c["label"] for c in question.choices if c["key"] != PREFER_NOT]
    shares = read_expected_shares(labels, typed)
    question.choices = [{"key": c["key"], "label": c["label"],
                         **({"expected": shares[c["label"]]} if c["label"] in shares else {})}
                        for c in question.choices]
    commit_and_announce(session, workshop)
