"""Purging a workshop's personal data after the day (Québec's Law 25).

Verbs layer. What links a person to what they did goes: profile answers and consents,
which participant cast which ballot, proposed which idea or held which ticket, the
receipts of their commands, and the participants themselves (their hashed cookie
secrets). What stays: the ideas' texts, the anonymous ballots (so results and recounts
stay exact) and the results by group as they were shown, kept as published (suppressed)
figures since the answers they came from are gone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from workshop.core.errors import Refused
from workshop.ops.transactions import commit_and_announce, one_change
from workshop.store.groups import closed_vote_views
from workshop.store.models import (
    Activity,
    Answer,
    Ballot,
    Idea,
    IdeaSupport,
    PaperEntry,
    Participant,
    ProfileAnswer,
    ProfileConsent,
    PublishedGroups,
    Receipt,
    Round,
    Ticket,
    Workshop,
    utcnow,
)

RETENTION_MAX = 365  # days


def _anonymise_supports(session: Session, workshop: Workshop) -> None:
    """Keep the +1s without who gave them. A person counts once per kept idea
    (views.support_counts); without the person that cannot be told, so a second +1 of
    one person in one merge group is dropped first and the counts stay as they were."""
    kept = func.coalesce(Idea.merged_into_id, Idea.id)
    seen: set[tuple[int, int]] = set()
    extra = []
    for support, person, group in session.execute(
            select(IdeaSupport.id, IdeaSupport.participant_id, kept)
            .join(Idea, Idea.id == IdeaSupport.idea_id)
            .where(Idea.workshop_id == workshop.id, IdeaSupport.participant_id.is_not(None))
            .order_by(IdeaSupport.id)):
        if (person, group) in seen:
            extra.append(support)
        seen.add((person, group))
    if extra:
        session.execute(delete(IdeaSupport).where(IdeaSupport.id.in_(extra)))
    ideas = select(Idea.id).where(Idea.workshop_id == workshop.id)
    session.execute(update(IdeaSupport).where(IdeaSupport.idea_id.in_(ideas))
                    .values(participant_id=None))


@one_change
def purge_personal_data(session: Session, workshop: Workshop) -> int:
    """Delete the workshop's personal data now; return how many participants it had.

    Refused while a vote is open (its ballots still need their participants). A workshop
    purged once can be purged again: the people who joined since are purged in turn.
    """
    if session.scalar(select(Round.id).where(Round.workshop_id == workshop.id,
                                             Round.status == "open")) is not None:
        raise Refused("vote_running", 409)
    for view in closed_vote_views(session, workshop):
        if session.scalar(select(PublishedGroups.id)
                          .where(PublishedGroups.round_id == view["round"])) is None:
            session.add(PublishedGroups(round_id=view["round"], content=view))
    session.flush()
    people = select(Participant.id).where(Participant.workshop_id == workshop.id)
    rounds = select(Round.id).where(Round.workshop_id == workshop.id)
    count = len(session.scalars(people).all())
    session.execute(delete(ProfileAnswer).where(ProfileAnswer.participant_id.in_(people)))
    session.execute(delete(ProfileConsent).where(ProfileConsent.participant_id.in_(people)))
    session.execute(delete(Receipt).where(Receipt.participant_id.in_(people)))
    # Paper entries hold what a sheet said, profile ticks included: the ballots remain.
    session.execute(delete(PaperEntry).where(PaperEntry.round_id.in_(rounds)))
    session.execute(update(Ballot).where(Ballot.round_id.in_(rounds))
                    .values(participant_id=None))
    session.execute(update(Idea).where(Idea.workshop_id == workshop.id)
                    .values(participant_id=None))
    session.execute(update(Answer).where(Answer.activity_id.in_(
        select(Activity.id).where(Activity.workshop_id == workshop.id)))
                    .values(participant_id=None))
    _anonymise_supports(session, workshop)
    session.execute(update(Ticket).where(Ticket.workshop_id == workshop.id)
                    .values(participant_id=None))
    session.execute(delete(Participant).where(Participant.workshop_id == workshop.id))
    workshop.purged_at = utcnow()
    workshop.profiles_open = False
    commit_and_announce(session, workshop)
    return count


@one_change
def set_retention(session: Session, workshop: Workshop, days: object) -> None:
    """Set how many days after its creation a workshop's personal data is purged."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= RETENTION_MAX:
        raise Refused("bad_retention", low=1, high=RETENTION_MAX)
    workshop.retention_days = days
    commit_and_announce(session, workshop)


def purge_due(workshop: Workshop) -> datetime:
    """Return when the workshop's personal data is purged at the latest."""
    created = workshop.created_at
    return created + timedelta(days=workshop.retention_days)


def expired_workshops(session: Session, now: datetime | None = None) -> list[Workshop]:
    """Return the workshops whose retention period is over and that hold personal data
    (never purged, or joined again since)."""
    now = now or utcnow()
    found = []
    for workshop in session.scalars(select(Workshop).order_by(Workshop.id)):
        due = purge_due(workshop)
        if due.tzinfo is None:
            due = due.replace(tzinfo=now.tzinfo)
        if due <= now and session.scalar(select(Participant.id).where(
                Participant.workshop_id == workshop.id).limit(1)) is not None:
            found.append(workshop)
    return found
