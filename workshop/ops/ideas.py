"""Ideas: a phone proposes one, the facilitator approves, edits, merges or hides it.

Verbs layer. Waiting (pending) ideas are bounded per participant and per workshop, so that
a script minting participants cannot bury the facilitator under thousands of ideas
(docs/security.md, "Idea flood").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from workshop.core import blocklist, themes, tokens
from workshop.core.errors import Refused
from workshop.core.ids import bounded_id
from workshop.core.near_duplicates import matching_key
from workshop.core.phases import Phase
from workshop.core.text import clean_text
from workshop.live import broadcast
from workshop.ops.transactions import commit_and_announce, once_per_client_id, one_change
from workshop.store.lookups import get_idea
from workshop.store.models import (
    IDEA_MAX,
    IDEA_STATUSES,
    Activity,
    Idea,
    IdeaSupport,
    Participant,
    Receipt,
    Round,
    Workshop,
)
from workshop.store.views import themes_of

__all__ = [
    "APPROVE_MAX", "IDEA_STATUSES", "add_idea", "approve_idea", "approve_ideas", "edit_idea",
    "hide_idea", "import_ideas", "merge_ideas", "PendingBounds", "set_auto_approve",
    "set_idea_theme", "set_themes", "submit_idea", "support_idea", "themes_of", "unmerge_idea",
]


@dataclass(frozen=True)
class PendingBounds:
    """How many ideas may wait for the facilitator: per participant, and per workshop.

    The workshop's bound never stops a participant who has no idea waiting: a flood can
    fill the queue, but it cannot keep anyone else from being heard once. So a workshop
    holds at most `per_workshop` waiting ideas plus one per participant with no other
    waiting, and participants are themselves limited per address (RATELIMIT_JOIN).
    """

    per_participant: int = 5
    per_workshop: int = 1000


def _check_pending(session: Session, workshop: Workshop, participant: Participant,
                   bounds: PendingBounds, lock: bool = True) -> None:
    """Refuse a new idea over the pending bounds.

    Inside the write transaction (`lock`): on SQLite it already runs alone; on PostgreSQL
    the participant's row is locked first, so that one phone's ideas sent at once are
    counted one after the other.
    """
    if lock:
        session.execute(select(Participant.id).where(Participant.id == participant.id)
                        .with_for_update())
    mine = session.scalar(select(func.count()).select_from(Idea).where(
        Idea.participant_id == participant.id, Idea.status == "pending")) or 0
    if mine >= bounds.per_participant:
        raise Refused("too_many_pending_ideas", 409, limit=bounds.per_participant)
    if mine == 0:
        return
    waiting = session.scalar(select(func.count()).select_from(Idea).where(
        Idea.workshop_id == workshop.id, Idea.status == "pending")) or 0
    if waiting >= bounds.per_workshop:
        raise Refused("idea_queue_full", 409, limit=bounds.per_workshop)


def _refuse_before_writing(session: Session, workshop: Workshop, participant: Participant,
                           client_id: str, bounds: PendingBounds) -> None:
    """Refuse an idea over the pending bounds before queueing for the writing connection.

    In a flood most ideas are refused, and a refusal found inside the write transaction
    still waits its turn for the one writing connection, ahead of other rooms' ballots.
    So the bounds are read first without writing (and checked again inside the write
    transaction, where they hold). A re-sent idea (its client id already carried out), a
    bad client id or a closed collection go on to get their answers from the write path.
    """
    if workshop.phase != Phase.IDEAS or not tokens.valid_client_id(client_id) or session.scalar(
            select(Receipt.id).where(Receipt.participant_id == participant.id,
                                     Receipt.client_id == client_id)) is not None:
        return
    _check_pending(session, workshop, participant, bounds, lock=False)


def blocklist_of(workshop: Workshop) -> list[str]:
    """The workshop's blocklist: its own, or the default one (core/blocklist.py)."""
    if workshop.blocklist is None:
        return list(blocklist.DEFAULT)
    return [entry for entry in workshop.blocklist.split("\n") if entry]


def submit_idea(session: Session, workshop: Workshop, participant: Participant,
                text: str, client_id: str, bounds: PendingBounds | None = None
                ) -> dict[str, Any]:
    """Propose an idea; it waits for the facilitator's approval, or, when the workshop
    approves automatically, goes on the wall at once unless a word of the blocklist holds
    it (then it waits, the word noted for the facilitator; the author is told only that it
    waits, as for any idea).

    Whether ideas are being collected, and the pending bounds, are checked inside the write
    transaction, after the receipts: a phone re-sending an idea after the collection closed
    gets its first answer back, as every re-sent command does.
    """
    clean = clean_text(text, IDEA_MAX, "bad_idea")
    bounds = bounds or PendingBounds()
    _refuse_before_writing(session, workshop, participant, client_id, bounds)

    def work() -> dict[str, Any]:
        session.refresh(workshop)
        if workshop.phase != Phase.IDEAS:
            raise Refused("ideas_closed", 409)
        _check_pending(session, workshop, participant, bounds)
        held_for = blocklist.first_match(clean, blocklist_of(workshop)) \
            if workshop.auto_approve else None
        status = "approved" if workshop.auto_approve and held_for is None else "pending"
        # The room collects ideas only while a collection runs: it is the current activity.
        idea = Idea(workshop_id=workshop.id, participant_id=participant.id, text=clean,
                    status=status, held_for=held_for,
                    activity_id=workshop.current_activity_id)
        session.add(idea)
        session.flush()
        return {"ok": True, "idea": {"id": idea.id, "text": idea.text, "status": idea.status}}

    response = once_per_client_id(session, participant, client_id, "idea", work)
    broadcast.changed(workshop.code)
    return response


def _refuse_if_in_open_round(session: Session, workshop: Workshop, idea: Idea) -> None:
    if workshop.current_round_id is None:
        return
    vote = session.get(Round, workshop.current_round_id)
    if vote is not None and vote.status == "open" and idea.id in vote.options:
        raise Refused("idea_in_open_round", 409)


@one_change
def add_idea(session: Session, workshop: Workshop, text: str) -> Idea:
    """Add an already-approved idea as the facilitator (e.g. read out from the floor)."""
    collecting = workshop.phase == Phase.IDEAS
    idea = Idea(workshop_id=workshop.id, text=clean_text(text, IDEA_MAX, "bad_idea"),
                status="approved",
                activity_id=workshop.current_activity_id if collecting else None)
    session.add(idea)
    commit_and_announce(session, workshop)
    return idea


@one_change
def import_ideas(session: Session, workshop: Workshop, texts: list[str]) -> dict[str, int]:
    """Put an earlier consultation's priorities on the wall, approved, in one change (read
    by core.seed_csv). Those already on the wall, waiting or hidden (same words) are left
    out; answer how many were added and left out."""
    known = {matching_key(text) or text for text in session.scalars(
        select(Idea.text).where(Idea.workshop_id == workshop.id, Idea.status != "merged"))}
    added = 0
    for text in texts:
        clean = clean_text(text, IDEA_MAX, "bad_idea")
        key = matching_key(clean) or clean
        if key in known:
            continue
        known.add(key)
        session.add(Idea(workshop_id=workshop.id, text=clean, status="approved"))
        added += 1
    commit_and_announce(session, workshop)
    return {"added": added, "skipped": len(texts) - added}


def _tell_authors(workshop: Workshop, ideas: list[Idea]) -> None:
    """After the commit: tell the authors' phones their ideas' new status (a push carries
    nobody's own ideas; broadcast.tell_authors sends each phone only its own)."""
    broadcast.tell_authors(workshop.code, [(idea.participant_id, idea.id, idea.status)
                                           for idea in ideas
                                           if idea.participant_id is not None])


@one_change
def approve_idea(session: Session, workshop: Workshop, idea_id: int) -> None:
    """Put an idea on the wall and in the next vote."""
    idea = get_idea(session, workshop, idea_id)
    if idea.status == "merged":
        raise Refused("idea_merged", 409)
    idea.status = "approved"
    commit_and_announce(session, workshop)
    _tell_authors(workshop, [idea])


# Ideas approved by one command at most: a page of the queue is 50.
APPROVE_MAX = 200


@one_change
def approve_ideas(session: Session, workshop: Workshop, idea_ids: list[int]) -> int:
    """Put several waiting ideas on the wall at once (the facilitator ticked them, or
    approved the page they read), in one transaction; return how many changed. Ideas no
    longer waiting (hidden, merged or approved meanwhile by a co-facilitator) are left as
    they are: the facilitator approved what they saw waiting."""
    if not idea_ids or len(idea_ids) > APPROVE_MAX:
        raise Refused("bad_request", limit=APPROVE_MAX)
    ideas = session.scalars(select(Idea).where(
        Idea.workshop_id == workshop.id, Idea.id.in_(set(idea_ids)),
        Idea.status == "pending")).all()
    for idea in ideas:
        idea.status = "approved"
    commit_and_announce(session, workshop)
    _tell_authors(workshop, list(ideas))
    return len(ideas)


@one_change
def hide_idea(session: Session, workshop: Workshop, idea_id: int) -> None:
    """Take an idea off the wall (kept in the database, never deleted)."""
    idea = get_idea(session, workshop, idea_id)
    _refuse_if_in_open_round(session, workshop, idea)
    idea.status = "hidden"
    commit_and_announce(session, workshop)
    _tell_authors(workshop, [idea])


@one_change
def edit_idea(session: Session, workshop: Workshop, idea_id: int, text: str) -> None:
    """Correct an idea's wording (a typo, a clearer phrase)."""
    idea = get_idea(session, workshop, idea_id)
    wording = clean_text(text, IDEA_MAX, "bad_idea")
    if wording != idea.text and idea.original_text is None:
        idea.original_text = idea.text
    idea.text = wording
    commit_and_announce(session, workshop)


@one_change
def merge_ideas(session: Session, workshop: Workshop, source_id: int, target_id: int) -> None:
    """Fold a duplicate idea into another: the duplicate leaves the wall and the vote."""
    source = get_idea(session, workshop, source_id)
    target = get_idea(session, workshop, target_id)
    if source.id == target.id:
        raise Refused("merge_into_itself")
    if target.status in ("merged", "hidden"):
        raise Refused("merge_target_unavailable", 409)
    _refuse_if_in_open_round(session, workshop, source)
    source.status = "merged"
    source.merged_into_id = target.id
    # What was merged into the duplicate now belongs to the kept idea: every author is
    # credited there, and one step always leads from a merged idea to the one kept.
    session.execute(update(Idea).where(Idea.workshop_id == workshop.id,
                                       Idea.merged_into_id == source.id)
                    .values(merged_into_id=target.id))
    if target.status == "pending":
        target.status = "approved"
    commit_and_announce(session, workshop)
    _tell_authors(workshop, [source, target])


@one_change
def unmerge_idea(session: Session, workshop: Workshop, idea_id: int) -> None:
    """Undo a merge: the idea comes back on the wall beside the one it was folded into
    (a merge made by mistake must not cost an idea). It is not added to a vote already
    open; the ideas that had been merged into it stay with the kept idea."""
    idea = get_idea(session, workshop, idea_id)
    if idea.status != "merged":
        raise Refused("idea_not_merged", 409)
    idea.status = "approved"
    idea.merged_into_id = None
    commit_and_announce(session, workshop)
    _tell_authors(workshop, [idea])


@one_change
def set_auto_approve(session: Session, workshop: Workshop, on: bool,
                     entries: object = None) -> None:
    """Turn automatic approval on or off and, when given, replace the blocklist (its text
    as typed, read by core.blocklist; an empty text keeps no word). Ideas already waiting
    stay waiting: the facilitator approves them as before."""
    workshop.auto_approve = bool(on)
    if entries is not None:
        try:
            workshop.blocklist = "\n".join(blocklist.read_entries(entries))
        except ValueError as error:
            raise Refused("bad_blocklist", limit=blocklist.ENTRIES_MAX) from error
    commit_and_announce(session, workshop)


@one_change
def set_themes(session: Session, workshop: Workshop, group: bool,
               entries: object = None) -> None:
    """Group the projector's wall by theme or not and, when given, replace the list of
    themes (its text as typed, read by core.themes; an empty text keeps no theme). An idea
    whose theme is no longer in the list loses it (a theme is its label): the wall and
    the results never show a theme the facilitator took away."""
    workshop.wall_by_theme = bool(group)
    if entries is not None:
        try:
            wanted = themes.read_themes(entries)
        except ValueError as error:
            raise Refused("bad_themes", limit=themes.THEMES_MAX,
                          length=themes.THEME_MAX) from error
        workshop.themes = wanted
        session.execute(update(Idea).where(Idea.workshop_id == workshop.id,
                                           Idea.theme.is_not(None),
                                           Idea.theme.not_in(wanted))
                        .values(theme=None))
    commit_and_announce(session, workshop)


@one_change
def set_idea_theme(session: Session, workshop: Workshop, idea_id: int, theme: object) -> None:
    """Give an idea one of the workshop's themes, or none (`theme` empty or None). Any
    idea of the workshop, in any status and during a vote too: a theme changes no ballot
    and no count, only how the wall and the results are read."""
    idea = get_idea(session, workshop, idea_id)
    if theme is None or theme == "":
        idea.theme = None
    elif isinstance(theme, str) and theme in themes_of(workshop):
        idea.theme = theme
    else:
        raise Refused("unknown_theme")
    commit_and_announce(session, workshop)


def supports_open(session: Session, workshop: Workshop) -> bool:
    """Say whether phones may +1 ideas now: an idea collection that allows it runs."""
    if workshop.phase != Phase.IDEAS or workshop.current_activity_id is None:
        return False
    activity = session.get(Activity, workshop.current_activity_id)
    return activity is not None and activity.status == "open" and \
        bool(activity.settings.get("supports"))


def support_idea(session: Session, workshop: Workshop, participant: Participant,
                 idea_id: object, on: object, client_id: str) -> dict[str, Any]:
    """Give an approved idea this participant's +1 (`on` true) or take it back (false).

    The wanted state is sent, not a toggle, so a re-sent or doubled command cannot flip
    it back; once per participant and idea is the table's unique constraint (two sends at
    once: the second finds the first's row). Checked inside the write transaction, after
    the receipts: the collection allows +1s and runs, the idea is approved in this
    workshop. Merges keep every +1 (views.support_counts).
    """
    if not isinstance(on, bool):
        raise Refused("bad_request")
    wanted = bounded_id(idea_id)

    def work() -> dict[str, Any]:
        session.refresh(workshop)
        if not supports_open(session, workshop):
            raise Refused("supports_closed", 409)
        idea = session.get(Idea, wanted)
        if idea is None or idea.workshop_id != workshop.id or idea.status != "approved":
            raise Refused("idea_not_found", 404)
        mine = session.scalar(select(IdeaSupport).where(
            IdeaSupport.idea_id == idea.id, IdeaSupport.participant_id == participant.id))
        if on and mine is None:
            session.add(IdeaSupport(idea_id=idea.id, participant_id=participant.id))
            session.flush()
        elif not on and mine is not None:
            session.delete(mine)
            session.flush()
        return {"ok": True, "idea": idea.id, "supported": on}

    response = once_per_client_id(session, participant, client_id, "support", work)
    broadcast.changed(workshop.code)
    return response
