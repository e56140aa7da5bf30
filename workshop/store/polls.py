"""Questions' answers, read: one activity's tally, what each audience sees of it, and a
phone's own answer.

Infra layer: SQLAlchemy and the pure core, never Flask. The tally itself is the kind's
(core/activities/poll.py); this module only loads the current answers, oldest first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop.core.activities import get_kind
from workshop.store.models import Activity, Answer, Workshop


def takes_answers(activity: Activity | None) -> bool:
    """Say whether an activity is a question (its kind takes answers)."""
    return activity is not None and bool(get_kind(activity.kind).TAKES_ANSWERS)


MODERATION_MAX = 200  # written answers listed for the facilitator: the newest ones


def answers_of(session: Session, activity: Activity) -> list[dict[str, Any]]:
    """Return the current answers' contents that count (not hidden), oldest first (ties:
    in id order)."""
    return list(session.scalars(select(Answer.content).where(
        Answer.activity_id == activity.id, Answer.hidden.is_(False))
        .order_by(Answer.answered_at, Answer.id)))


def written_answers(session: Session, activity: Activity) -> list[dict[str, Any]]:
    """Return the newest MODERATION_MAX written answers (word cloud, open question),
    hidden ones included, newest first, for the facilitator to read and hide: `{id, text,
    hidden}` (a word cloud's words joined by " · ")."""
    if not get_kind(activity.kind).ANSWERS_ARE_TEXT:
        return []
    rows = session.execute(select(Answer.id, Answer.content, Answer.hidden).where(
        Answer.activity_id == activity.id).order_by(Answer.answered_at.desc(),
                                                    Answer.id.desc()).limit(MODERATION_MAX))
    return [{"id": row.id, "hidden": row.hidden,
             "text": row.content["text"] if "text" in row.content
             else " · ".join(row.content["words"])} for row in rows]


def poll_results(session: Session, activity: Activity) -> dict[str, Any]:
    """Return a question's tally: the kind's, from the current answers."""
    return get_kind(activity.kind).tally(activity.settings, answers_of(session, activity))


def poll_summary(activity: Activity) -> dict[str, Any]:
    """Return what every audience may know of a question: its kind, state and settings
    (the choices and the scale's labels are the facilitator's text, not participants')."""
    return {"activity": activity.id, "kind": activity.kind, "status": activity.status,
            "revealed": activity.revealed, "settings": dict(activity.settings)}


def poll_views(session: Session, activity: Activity | None
               ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Return (public, facilitator) views of the room's question, or (None, None).

    The public one (phones, projector) carries the results only once revealed: live
    totals sway a room (the bandwagon effect) and an open answer is shown only once the
    facilitator has read them; the facilitator's always carries them.
    """
    if not takes_answers(activity):
        return None, None
    assert activity is not None
    results = poll_results(session, activity)
    public = {**poll_summary(activity), "answered": results["voters"],
              "results": results if activity.revealed else None}
    return public, {**public, "results": results,
                    "written": written_answers(session, activity)}


def own_answer(session: Session, activity: Activity | None, participant_id: int | None
               ) -> dict[str, Any] | None:
    """Return one participant's current answer to a question, or None."""
    if activity is None or participant_id is None or not takes_answers(activity):
        return None
    return session.scalar(select(Answer.content).where(
        Answer.activity_id == activity.id, Answer.participant_id == participant_id))


def polls_of(session: Session, workshop: Workshop) -> list[tuple[Activity, dict[str, Any]]]:
    """Return every question the workshop asked (started), in agenda order, with its
    tally: for the results page and the day's report."""
    rows = session.scalars(select(Activity).where(
        Activity.workshop_id == workshop.id, Activity.status != "planned")
        .order_by(Activity.position, Activity.id))
    return [(activity, poll_results(session, activity)) for activity in rows
            if takes_answers(activity)]


def views_activity(session: Session, workshop: Workshop) -> Activity | None:
    """Return the room's current activity if it is a question (running or the last run)."""
    if workshop.current_activity_id is None:
        return None
    activity = session.get(Activity, workshop.current_activity_id)
    return activity if takes_answers(activity) else None
