"""The whole day as plain values, for the exports: the workshop, participation, every
vote with both orders (Borda and Schulze), every idea with its history, results by group.

Infra layer (read side). Nothing here is translated: the edge names things in the
reader's language (`web/exports.py`) and the core writes the files (`core/export`).
Results come from `views.tally_round` and by-group results from
`groups.closed_vote_views` (small groups already left out), as on every other surface.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workshop.store.groups import closed_vote_views
from workshop.store.models import Activity, Ballot, Idea, Participant, Round, Workshop
from workshop.store.polls import polls_of
from workshop.store.views import idea_texts, rounds_of, tally_round


def _iso(moment: Any) -> str:
    """Return a stored (UTC) time as ISO 8601 with its offset, to the second."""
    if moment is None:
        return ""
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "+00:00"


def _vote(session: Session, vote: Round, activity: Activity | None) -> dict[str, Any]:
    result = tally_round(session, vote)
    texts = idea_texts(session, list(vote.options))
    details = result.details or {}
    schulze = {s.option: s.rank for s in details.get("schulze", {}).get("standings", ())}
    channels = Counter(dict(session.execute(
        select(Ballot.channel, func.count(Ballot.id)).where(Ballot.round_id == vote.id)
        .group_by(Ballot.channel)).all()))
    voters = result.voters
    ranking = [{"rank": s.rank, "idea": s.option, "text": texts.get(s.option, ""),
                "score": s.score, "supporters": s.supporters,
                "share": (s.supporters / voters) if voters else 0.0,
                **({"schulze_rank": schulze[s.option]} if schulze else {})}
               for s in result.standings]
    return {"number": vote.number, "title": vote.title,
            "activity": activity.title if activity is not None else "",
            "method": vote.method, "settings": dict(result.settings), "status": vote.status,
            "require_ticket": vote.require_ticket, "voters": voters,
            "channels": dict(sorted(channels.items())),
            "opened_at": _iso(vote.opened_at), "closed_at": _iso(vote.closed_at),
            "ranking": ranking,
            **({"disagree_top": bool(details["disagree_top"]),
                "disagree_top_n": bool(details.get("disagree_top_n", False)),
                "top_n": details.get("top_n")} if "disagree_top" in details else {})}


def day_report(session: Session, workshop: Workshop) -> dict[str, Any]:
    """Return everything the organisers take home about one workshop, as plain values."""
    activities = list(session.scalars(select(Activity).where(
        Activity.workshop_id == workshop.id).order_by(Activity.position)))
    by_round = {a.round_id: a for a in activities if a.round_id is not None}
    titles = {a.id: a.title for a in activities}
    votes = [_vote(session, vote, by_round.get(vote.id)) for vote in rounds_of(session, workshop)]
    present = Counter(dict(session.execute(
        select(Participant.channel, func.count(Participant.id))
        .where(Participant.workshop_id == workshop.id).group_by(Participant.channel)).all()))
    in_workshop = (select(Ballot.channel, Ballot.participant_id)
                   .join(Round, Round.id == Ballot.round_id)
                   .where(Round.workshop_id == workshop.id))
    voted = Counter(dict(session.execute(
        select(Ballot.channel, func.count(func.distinct(Ballot.participant_id)))
        .join(Round, Round.id == Ballot.round_id)
        .where(Round.workshop_id == workshop.id).group_by(Ballot.channel)).all()))
    voted_people = session.scalar(select(func.count(func.distinct(
        in_workshop.subquery().c.participant_id)))) or 0
    rows = session.execute(select(Idea.id, Idea.text, Idea.original_text, Idea.status,
                                  Idea.merged_into_id, Idea.activity_id, Idea.created_at,
                                  Idea.theme)
                           .where(Idea.workshop_id == workshop.id).order_by(Idea.id)).all()
    wording = {row.id: row.text for row in rows}
    ideas = [{"id": row.id, "text": row.text, "original_text": row.original_text or "",
              "theme": row.theme or "", "status": row.status,
              "merged_into": row.merged_into_id,
              "merged_into_text": wording.get(row.merged_into_id, "")
              if row.merged_into_id else "",
              "activity": titles.get(row.activity_id, "") if row.activity_id else "",
              "created_at": _iso(row.created_at)} for row in rows]
    return {"workshop": {"title": workshop.title, "place": workshop.place,
                         "code": workshop.code,
                         "created_at": _iso(workshop.created_at),
                         "min_group_size": workshop.min_group_size},
            "participation": {"present": sum(present.values()),
                              "present_by_channel": dict(sorted(present.items())),
                              "voted": voted_people,
                              "voted_by_channel": dict(sorted(voted.items()))},
            "votes": votes, "ideas": ideas, "questions": _questions(session, workshop),
            "groups": list(reversed(closed_vote_views(session, workshop)))}


def _questions(session: Session, workshop: Workshop) -> list[dict[str, Any]]:
    """Every question asked (multiple choice, scale, word cloud, open question), in agenda
    order, with its tally as the facilitator saw it."""
    return [{"activity": activity.id, "title": activity.title, "prompt": activity.prompt,
             "kind": activity.kind, "status": activity.status, "revealed": activity.revealed,
             "settings": dict(activity.settings), "opened_at": _iso(activity.opened_at),
             "closed_at": _iso(activity.closed_at), "results": results}
            for activity, results in polls_of(session, workshop)]
