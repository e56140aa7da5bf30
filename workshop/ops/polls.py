"""Questions (multiple choice, scale, word cloud, open question): a phone answers, the
facilitator reveals the results.

Verbs layer. An answer is one command carried out once per client id (a phone retrying
after a lost answer gets its first answer back, never counted twice); a second answer
with a new client id replaces the first: one current answer per person and question.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop.core.activities import get_kind
from workshop.core.errors import Refused
from workshop.live import broadcast
from workshop.ops.transactions import commit_and_announce, once_per_client_id, one_change
from workshop.store import lookups
from workshop.store.models import Activity, Answer, Participant, Workshop, utcnow
from workshop.store.polls import takes_answers, views_activity


def submit_answer(session: Session, workshop: Workshop, participant: Participant,
                  fields: dict[str, Any], client_id: object) -> dict[str, Any]:
    """Record (or replace) a participant's answer to the question running now.

    Checked inside the write transaction, after the receipts: the question must be the
    room's running activity (else `poll_closed`), the participant one of this workshop's
    (the caller found it by the workshop's own cookie, checked again here), and the
    answer readable by the question's kind (else `bad_answer`).
    """
    if participant.workshop_id != workshop.id:
        raise Refused("workshop_not_found", 404)

    def work() -> dict[str, Any]:
        session.refresh(workshop)
        activity = lookups.open_activity(session, workshop)
        if activity is None or not takes_answers(activity):
            raise Refused("poll_closed", 409)
        content = get_kind(activity.kind).read_answer(activity.settings, fields)
        answer = session.scalar(select(Answer).where(
            Answer.activity_id == activity.id, Answer.participant_id == participant.id))
        if answer is None:
            session.add(Answer(activity_id=activity.id, participant_id=participant.id,
                               content=content))
        else:
            answer.content = content
            answer.answered_at = utcnow()
        session.flush()
        return {"ok": True, "activity": activity.id, "answer": content}

    response = once_per_client_id(session, participant, str(client_id or ""), "answer", work)
    broadcast.changed(workshop.code)
    return response


@one_change
def hide_answer(session: Session, workshop: Workshop, answer_id: object, hidden: bool
                ) -> Answer:
    """Hide an answer from every tally and screen but the facilitator's (or show it
    again). Refused `answer_not_found` (404) for an answer of no question of this
    workshop."""
    if isinstance(answer_id, bool) or not isinstance(answer_id, int):
        raise Refused("bad_request")
    answer = session.get(Answer, answer_id)
    activity = session.get(Activity, answer.activity_id) if answer is not None else None
    if answer is None or activity is None or activity.workshop_id != workshop.id:
        raise Refused("answer_not_found", 404)
    answer.hidden = bool(hidden)
    commit_and_announce(session, workshop)
    return answer


@one_change
def reveal_poll(session: Session, workshop: Workshop, reveal: bool) -> Activity:
    """Show (or hide again) the results of the room's question, running or just closed,
    on the projector and the phones."""
    activity = views_activity(session, workshop)
    if activity is None:
        raise Refused("no_poll", 409)
    activity.revealed = bool(reveal)
    commit_and_announce(session, workshop)
    return activity
