"""Whole-state views of a workshop, as plain dicts, for pages, pushes and exports.

Read side of the infra layer: queries the database and calls the voting core; writes
nothing. Each audience gets its own view so that nobody receives more than they may see:
phones never get hidden totals, only the facilitator gets the moderation queue.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import Text, bindparam, case, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from workshop.core import themes
from workshop.core.near_duplicates import likely_duplicates
from workshop.core.paper import format_number
from workshop.core.phases import Phase
from workshop.core.voting import Result, get_method
from workshop.core.voting.rules import step_seed
from workshop.store import room
from workshop.store.models import (
    IDEA_STATUSES,
    Activity,
    Ballot,
    Device,
    Idea,
    IdeaSupport,
    PaperEntry,
    Round,
    Ticket,
    Workshop,
)
from workshop.store.polls import poll_views


def _option_key(option: str) -> Any:
    """Return a stored (JSON, so string) ballot key as the integer idea id it stands for."""
    return int(option) if isinstance(option, str) and option.isdigit() else option


def ballot_for_tally(content: Any) -> Any:
    """Turn a stored (JSON) ballot back into the shape the method's tally expects."""
    if isinstance(content, dict):
        return {_option_key(key): value for key, value in content.items()}
    return content


def round_ballots(session: Session, vote: Round) -> list[Ballot]:
    """Return every ballot of a round, in the order they were first cast."""
    return list(session.scalars(select(Ballot).where(Ballot.round_id == vote.id)
                                .order_by(Ballot.id)))


# A round's stored ballots as raw JSON text, each distinct text once with how many ballots
# say it: no ORM objects, no JSON decoding by the driver, and the database does the
# counting, since the projector's pushes tally often. Tallies are sums over ballots, so
# the order ballots come in does not matter.
_CONTENT_TEXT = cast(Ballot.__table__.c.content, Text)
_BALLOT_TEXTS = (select(_CONTENT_TEXT, func.count())
                 .where(Ballot.__table__.c.round_id == bindparam("round"))
                 .group_by(_CONTENT_TEXT))
_TALLY_FORMS: dict[str, Any] = {}
_TALLY_FORMS_MAX = 50_000


def _tally_form(text: str) -> Any:
    """Return a stored ballot in the shape tallies take, decoded once per distinct text.

    A hall's ballots repeat (3 dots among 8 ideas have 56 ways to fall), and decoding them
    was most of what a push of 2,000 ballots cost. Tallies only read their ballots, so
    equal texts may share one decoded form.
    """
    form = _TALLY_FORMS.get(text)
    if form is None:
        form = ballot_for_tally(json.loads(text))
        if len(_TALLY_FORMS) >= _TALLY_FORMS_MAX:
            _TALLY_FORMS.clear()
        _TALLY_FORMS[text] = form
    return form


def tally_round(session: Session, vote: Round) -> Result:
    """Tally a round from its stored ballots: the one place results are computed.

    Each distinct ballot is tallied once with how many cast it, so a push's cost follows
    how varied the ballots are rather than how many there are.
    """
    counted = [(_tally_form(text), count)
               for text, count in session.execute(_BALLOT_TEXTS, {"round": vote.id})]
    return get_method(vote.method).tally_counted(counted, vote.options, vote.settings)


def voter_count(session: Session, vote: Round) -> int:
    """Count the ballots cast in a round."""
    return session.scalar(select(func.count(Ballot.id)).where(Ballot.round_id == vote.id)) or 0


CHANNELS = ("phone", "kiosk", "paper")


def channel_counts(session: Session, vote: Round) -> dict[str, int]:
    """Count a round's ballots by the channel they came through (phone, kiosk, paper)."""
    counts = dict.fromkeys(CHANNELS, 0)
    for channel, count in session.execute(
            select(Ballot.channel, func.count(Ballot.id)).where(Ballot.round_id == vote.id)
            .group_by(Ballot.channel)):
        counts[channel] = counts.get(channel, 0) + int(count)
    return counts


def devices_view(session: Session, workshop: Workshop) -> list[dict[str, Any]]:
    """Return the workshop's kiosk and helper links still open (never their tokens)."""
    rows = session.scalars(select(Device).where(Device.workshop_id == workshop.id,
                                                Device.revoked_at.is_(None))
                           .order_by(Device.id))
    return [{"id": d.id, "kind": d.kind, "label": d.label} for d in rows]


PAPER_LIST_MAX = 200  # entries listed on the helper screen: the newest


def paper_entries(session: Session, vote: Round) -> list[dict[str, Any]]:
    """Return a vote's newest paper entries (counted, for review, resolved), newest first."""
    rows = session.execute(
        select(PaperEntry, Device.label).outerjoin(Device, Device.id == PaperEntry.device_id)
        .where(PaperEntry.round_id == vote.id)
        .order_by(PaperEntry.updated_at.desc(), PaperEntry.id.desc()).limit(PAPER_LIST_MAX))
    return [{"id": e.id, "number": format_number(vote.number, e.number), "status": e.status,
             "fields": dict(e.fields), "helper": label or ""} for e, label in rows]


def paper_review_count(session: Session, vote: Round) -> int:
    """Count a vote's paper entries waiting for review."""
    return session.scalar(select(func.count(PaperEntry.id)).where(
        PaperEntry.round_id == vote.id, PaperEntry.status == "review")) or 0


def ticket_counts(session: Session, workshop: Workshop) -> tuple[int, int]:
    """Return how many tickets were issued in a workshop and how many are held."""
    issued, claimed = session.execute(
        select(func.count(Ticket.id), func.count(Ticket.participant_id))
        .where(Ticket.workshop_id == workshop.id)).one()
    return int(issued or 0), int(claimed or 0)


def idea_texts(session: Session, ids: list[int]) -> dict[int, str]:
    """Return the current wording of some ideas."""
    if not ids:
        return {}
    rows = session.execute(select(Idea.id, Idea.text).where(Idea.id.in_(ids)))
    return {idea_id: text for idea_id, text in rows}


def idea_themes(session: Session, ids: list[int]) -> dict[int, str]:
    """Return the theme of those of some ideas that carry one."""
    if not ids:
        return {}
    rows = session.execute(select(Idea.id, Idea.theme).where(Idea.id.in_(ids),
                                                             Idea.theme.is_not(None)))
    return {idea_id: theme for idea_id, theme in rows}


def ranking(session: Session, vote: Round, result: Result) -> list[dict[str, Any]]:
    """Return a result's standings with each idea's text and theme (None: no theme),
    best first."""
    texts = idea_texts(session, list(vote.options))
    themes_now = idea_themes(session, list(vote.options))
    return [{"rank": s.rank, "idea": s.option, "text": texts.get(s.option, ""),
             "theme": themes_now.get(s.option), "score": s.score,
             "supporters": s.supporters} for s in result.standings]


def round_summary(vote: Round) -> dict[str, Any]:
    """Return what every audience may know about a round's rules and state."""
    return {"id": vote.id, "number": vote.number, "title": vote.title, "method": vote.method,
            "settings": dict(vote.settings), "options": list(vote.options),
            "status": vote.status, "show_live": vote.show_live, "revealed": vote.revealed,
            "require_ticket": vote.require_ticket}


def results_view(session: Session, vote: Round) -> dict[str, Any]:
    """Return a round's tallied results with texts, ready to show.

    A ranking round also carries its Schulze order and whether Borda and Schulze
    disagree on the top priorities, so screens can say so.
    """
    result = tally_round(session, vote)
    view: dict[str, Any] = {"round": vote.id, "method": vote.method, "voters": result.voters,
                            "ranking": ranking(session, vote, result)}
    if "schulze" in result.details:  # a ranking: its head-to-head order beside Borda's
        texts = idea_texts(session, list(vote.options))
        view["schulze"] = [{"rank": s.rank, "idea": s.option, "text": texts.get(s.option, "")}
                           for s in result.details["schulze"]["standings"]]
        view["disagree_top"] = bool(result.details["disagree_top"])
        view["disagree_top_n"] = bool(result.details["disagree_top_n"])
        view["top_n"] = result.details["top_n"]
    return view


# What the screens show of the ideas, and no more: a flood of ideas (one address, hundreds
# of participants, thousands of ideas) must not make every push and every facilitator page
# load every idea. Lists are LIMITed queries, counts are COUNT queries
# (docs/security.md, "Idea flood").
WALL_MAX = 60  # approved ideas on the wall (projector and phones): the newest ones
PAGE_SIZE = 50  # waiting ideas per page (the facilitator's queue, and in pushes)
LIST_PAGE_SIZE = 25  # ideas per page of the other lists: on the wall, hidden, merged
MERGE_TARGETS_MAX = 200  # approved ideas offered as merge targets (any other by its number)
MINE_MAX = 50  # a phone's own ideas on its page: the newest ones


def approved_wall(session: Session, workshop: Workshop) -> list[dict[str, Any]]:
    """Return the newest WALL_MAX approved ideas, oldest first, as the wall shows them.

    The newest, so that an idea approved now appears even on a full wall.
    """
    rows = session.execute(select(Idea.id, Idea.text, Idea.theme).where(
        Idea.workshop_id == workshop.id, Idea.status == "approved")
        .order_by(Idea.id.desc()).limit(WALL_MAX))
    return [{"id": idea_id, "text": text, "theme": theme}
            for idea_id, text, theme in reversed(rows.all())]


def themes_of(workshop: Workshop) -> list[str]:
    """The themes ideas can carry in this workshop, in the facilitator's order: its own
    list, or the default one (core/themes.py)."""
    return list(themes.DEFAULT) if workshop.themes is None else list(workshop.themes)


def idea_counts(session: Session, workshop: Workshop) -> dict[str, int]:
    """Return how many ideas of a workshop have each status (one COUNT query)."""
    counts = dict.fromkeys(IDEA_STATUSES, 0)
    for status, count in session.execute(
            select(Idea.status, func.count()).where(Idea.workshop_id == workshop.id)
            .group_by(Idea.status)):
        counts[status] = int(count)
    return counts


def theme_counts(session: Session, workshop: Workshop) -> dict[str, int]:
    """Return how many ideas that are not merged carry each theme ("" for none), in one
    COUNT query. It changes whenever one idea's theme does, whatever its list: the
    facilitators' pushes (sent only when their view changed) carry every list's themes
    because of it."""
    return {theme or "": int(count) for theme, count in session.execute(
        select(Idea.theme, func.count()).where(Idea.workshop_id == workshop.id,
                                               Idea.status != "merged")
        .group_by(Idea.theme))}


def last_page(count: int, size: int = PAGE_SIZE) -> int:
    """Return the number of the last page of `count` items (1 when there are none)."""
    return max(1, -(-count // size))


def ideas_page(session: Session, workshop: Workshop, status: str, page: int = 1,
               size: int = PAGE_SIZE) -> list[dict[str, Any]]:
    """Return one page (1 is the first) of a workshop's ideas of one status, oldest first;
    a waiting idea says which word of the blocklist held it (`held_for`, facilitators and
    moderators only)."""
    rows = session.execute(
        select(Idea.id, Idea.text, Idea.merged_into_id, Idea.held_for, Idea.theme)
        .where(Idea.workshop_id == workshop.id, Idea.status == status)
        .order_by(Idea.id).limit(size).offset((max(1, page) - 1) * size))
    return [{"id": idea_id, "text": text, "status": status, "merged_into": into,
             "held_for": held if status == "pending" else None, "theme": theme}
            for idea_id, text, into, held, theme in rows]


def moderation_lists(session: Session, workshop: Workshop, counts: dict[str, int],
                     pages: dict[str, int]) -> list[dict[str, Any]]:
    """Return the facilitator's idea lists, one page of each status, with what paging needs.

    A page asked beyond the last is the last. The queue of waiting ideas loads at most
    PAGE_SIZE rows, each other list LIST_PAGE_SIZE.
    """
    lists = []
    for status in IDEA_STATUSES:
        size = PAGE_SIZE if status == "pending" else LIST_PAGE_SIZE
        count = counts.get(status, 0)
        page = min(max(1, pages.get(status, 1)), last_page(count, size))
        ideas = ideas_page(session, workshop, status, page, size) if count else []
        lists.append({"status": status, "count": count, "page": page,
                      "pages": last_page(count, size), "first": (page - 1) * size + 1,
                      "ideas": ideas})
    return lists


def merge_targets(session: Session, workshop: Workshop) -> list[dict[str, Any]]:
    """Return the approved ideas offered as merge targets: the oldest MERGE_TARGETS_MAX."""
    rows = session.execute(select(Idea.id, Idea.text).where(
        Idea.workshop_id == workshop.id, Idea.status == "approved")
        .order_by(Idea.id).limit(MERGE_TARGETS_MAX))
    return [{"id": idea_id, "text": text} for idea_id, text in rows]


def with_duplicate_suggestions(lists: list[dict[str, Any]], targets: list[dict[str, Any]]
                               ) -> list[dict[str, Any]]:
    """Return the moderation lists with, on each waiting idea, the ideas it most probably
    repeats (`similar`: [{id, text}], best first): the ideas on the wall offered as merge
    targets, and the waiting ideas before it on the page (two phones sending the same
    idea before either is approved). A suggestion is only that: nothing merges by itself."""
    out = []
    for entry in lists:
        if entry["status"] != "pending" or not entry["ideas"]:
            out.append(entry)
            continue
        known = [(target["id"], target["text"]) for target in targets]
        texts = dict(known)
        ideas = []
        for idea in entry["ideas"]:
            found = likely_duplicates(idea["text"], known)
            ideas.append({**idea, "similar": [{"id": idea_id, "text": texts[idea_id]}
                                              for idea_id, _score in found]})
            known.append((idea["id"], idea["text"]))
            texts[idea["id"]] = idea["text"]
        out.append({**entry, "ideas": ideas})
    return out


def merge_credits(session: Session, workshop: Workshop, shown: list[int]
                  ) -> dict[int, int]:
    """Return, for the ideas `shown` that others were merged into, how many other people
    proposed them too: the distinct authors of the ideas merged into each (a merge moves
    the ideas merged into the duplicate onto the kept idea, so they are all direct), its
    own author left out. Ideas added by the facilitator have no author and credit nobody.
    One row per idea shown, whatever the number of merged ideas."""
    if not shown:
        return {}
    kept = aliased(Idea)
    rows = session.execute(
        select(Idea.merged_into_id, func.count(Idea.participant_id.distinct()))
        .join(kept, kept.id == Idea.merged_into_id)
        .where(Idea.workshop_id == workshop.id, Idea.status == "merged",
               Idea.merged_into_id.in_(shown), Idea.participant_id.is_not(None),
               or_(kept.participant_id.is_(None), Idea.participant_id != kept.participant_id))
        .group_by(Idea.merged_into_id))
    return {idea: people for idea, people in rows if people}


def support_counts(session: Session, workshop: Workshop) -> dict[int, int]:
    """Return each idea's +1 count: the people who gave a +1 to it or to an idea merged
    into it, each person once (a merge points every merged idea straight at the kept
    one). Ideas without any +1 are left out. After a purge a +1 has no participant and
    counts once for itself."""
    kept = func.coalesce(Idea.merged_into_id, Idea.id)
    anonymous = func.sum(case((IdeaSupport.participant_id.is_(None), 1), else_=0))
    rows = session.execute(
        select(kept, func.count(IdeaSupport.participant_id.distinct()), anonymous)
        .join(Idea, Idea.id == IdeaSupport.idea_id)
        .where(Idea.workshop_id == workshop.id).group_by(kept))
    return {idea: int(people) + int(unnamed or 0) for idea, people, unnamed in rows
            if int(people) + int(unnamed or 0)}


def own_supports(session: Session, workshop: Workshop, participant_id: int) -> list[int]:
    """Return the ideas this participant gave a +1 to (their phone's pressed buttons)."""
    return list(session.scalars(
        select(IdeaSupport.idea_id).join(Idea, Idea.id == IdeaSupport.idea_id)
        .where(IdeaSupport.participant_id == participant_id, Idea.workshop_id == workshop.id,
               Idea.status == "approved").order_by(IdeaSupport.idea_id)))


def own_ideas(session: Session, workshop: Workshop, participant_id: int
              ) -> list[dict[str, Any]]:
    """Return a participant's newest MINE_MAX ideas, every status, oldest first."""
    rows = session.execute(
        select(Idea.id, Idea.text, Idea.status)
        .where(Idea.participant_id == participant_id, Idea.workshop_id == workshop.id)
        .order_by(Idea.id.desc()).limit(MINE_MAX))
    return [{"id": idea_id, "text": text, "status": status}
            for idea_id, text, status in reversed(rows.all())]


def approved_count(session: Session, workshop: Workshop) -> int:
    """Return how many ideas are on the wall (approved), shown or not."""
    return session.scalar(select(func.count()).select_from(Idea).where(
        Idea.workshop_id == workshop.id, Idea.status == "approved")) or 0


def current_round(session: Session, workshop: Workshop) -> Round | None:
    """Return the round the room is on (open, or closed and showing results), if any."""
    if workshop.current_round_id is None:
        return None
    return session.get(Round, workshop.current_round_id)


def activity_summary(activity: Activity) -> dict[str, Any]:
    """Return what every audience may know about one step of the agenda."""
    return {"id": activity.id, "kind": activity.kind, "title": activity.title,
            "prompt": activity.prompt, "status": activity.status,
            "position": activity.position}


def epoch_ms(moment: datetime) -> int:
    """Return a stored UTC time (naive, as deadlines are stored) in milliseconds since
    the epoch, as pages count with (JavaScript's Date.now())."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def timer_view(activity: Activity | None) -> dict[str, Any] | None:
    """Return the running activity's countdown: its deadline (`ends_at`, epoch ms, server
    time) and whether it closes the activity; None without one. The pages count down
    from it by themselves, corrected by the server's time each push carries (`now`)."""
    if activity is None or activity.status != "open" or activity.ends_at is None:
        return None
    return {"activity": activity.id, "ends_at": epoch_ms(activity.ends_at),
            "auto_close": activity.auto_close}


def current_activity(session: Session, workshop: Workshop) -> Activity | None:
    """Return the activity the room is on (running, or the last one run), if any."""
    if workshop.current_activity_id is None:
        return None
    return session.get(Activity, workshop.current_activity_id)


def agenda_view(session: Session, workshop: Workshop) -> list[dict[str, Any]]:
    """Return the whole agenda in order, with settings and each vote's round id."""
    rows = session.scalars(select(Activity).where(Activity.workshop_id == workshop.id)
                           .order_by(Activity.position, Activity.id))
    return [{**activity_summary(a), "settings": dict(a.settings), "round": a.round_id,
             "timer_seconds": a.timer_seconds, "auto_close": a.auto_close}
            for a in rows]


def _collection_allows(workshop: Workshop, activity: Activity | None, setting: str) -> bool:
    """Say whether the running idea collection has a setting on (+1s, their counts on the
    wall)."""
    return activity is not None and activity.status == "open" and \
        workshop.phase == Phase.IDEAS and bool(activity.settings.get(setting)) and \
        bool(activity.settings.get("supports"))


SUPPORTED_MAX = 20  # ideas in the facilitator's "most +1" list


def public_view(session: Session, workshop: Workshop,
                poll: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return what every phone may see: the phase, the wall, and revealed results only.

    `poll`: the public view of the room's question, when the caller tallied it already.
    """
    vote = current_round(session, workshop)
    activity = current_activity(session, workshop)
    view: dict[str, Any] = {"code": workshop.code, "title": workshop.title,
                            "phase": workshop.phase, "ideas": approved_wall(session, workshop),
                            "ideas_total": approved_count(session, workshop),
                            "round": round_summary(vote) if vote else None, "results": None,
                            "activity": activity_summary(activity) if activity else None,
                            "profiles_open": workshop.profiles_open,
                            "timer": timer_view(activity),
                            # phones may +1 the wall's ideas (an idea collection allows it)
                            "supports": _collection_allows(workshop, activity, "supports"),
                            # the room's question, its results only once revealed
                            "poll": poll if poll is not None
                            else poll_views(session, activity)[0]}
    if vote is not None and vote.revealed:
        view["results"] = results_view(session, vote)
    return view


def screen_view(session: Session, workshop: Workshop, connected: int) -> dict[str, Any]:
    """Return the projector's view: counts, and totals only when they are meant to show."""
    return audience_views(session, workshop, connected)[1]


def facilitator_view(session: Session, workshop: Workshop, connected: int,
                     present: Callable[[], Collection[int]] | None = None) -> dict[str, Any]:
    """Return everything the facilitator steers by, hidden totals and pending ideas included."""
    return audience_views(session, workshop, connected, present)[2]


def audience_views(session: Session, workshop: Workshop, connected: int,
                   present: Callable[[], Collection[int]] | None = None
                   ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Return (public, screen, facilitator) views at once, tallying the round only once.

    Each audience's view adds to the one before: the screen adds counts and live totals
    unless hidden, the facilitator hidden totals, the count of ideas of each status, the
    first page of the moderation queue and, when the workshop asks profile questions, who
    is in the room by group (`present`: who has a phone connected; without it, no
    monitor, as for the projector's view, which never shows it). The
    broadcaster builds all three a few times a second, so they share one tally, and each
    loads only what its screens show.
    """
    public_poll, facilitator_poll = poll_views(session, current_activity(session, workshop))
    public = public_view(session, workshop, public_poll)  # a question tallied once
    vote = current_round(session, workshop)
    screen = {**public, "connected": connected,
              "voted": voter_count(session, vote) if vote else 0,
              "channels": channel_counts(session, vote) if vote else None,
              # results by group the facilitator chose to show: computed when chosen
              "groups": workshop.projected_groups,
              # the themes in their order, and whether the wall shows ideas under them
              "themes": themes_of(workshop), "wall_by_theme": workshop.wall_by_theme}
    counts = support_counts(session, workshop)
    # The +1 counts on the wall only when the running collection shows them.
    screen["support_counts"] = {str(idea): n for idea, n in counts.items()} \
        if _collection_allows(workshop, current_activity(session, workshop),
                              "supports_on_wall") else None
    live = None
    if vote is not None:
        live = public["results"] if public["results"] is not None else \
            results_view(session, vote)
        if screen["results"] is None and vote.status == "open" and vote.show_live:
            screen["results"] = live
    most = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    texts = dict(session.execute(select(Idea.id, Idea.text).where(
        Idea.id.in_([idea for idea, _n in most[:SUPPORTED_MAX * 2]]),
        Idea.status == "approved")).all()) if most else {}
    supported = [{"id": idea, "text": texts.get(idea, ""), "supports": n}
                 for idea, n in most if idea in texts][:SUPPORTED_MAX]
    counts = idea_counts(session, workshop)
    issued, claimed = ticket_counts(session, workshop)
    facilitator = {**screen, "live_results": live, "idea_counts": counts,
                   "theme_counts": theme_counts(session, workshop),
                   "poll": facilitator_poll,
                   "most_supported": supported,
                   "pending": counts["pending"],
                   "pending_ideas": ideas_page(session, workshop, "pending") if counts["pending"]
                   else [],
                   "tickets": {"issued": issued, "claimed": claimed},
                   "devices": devices_view(session, workshop),
                   "paper": {"printed": vote.paper_printed,
                             "review": paper_review_count(session, vote)} if vote else None,
                   "agenda": agenda_view(session, workshop),
                   # automatic approval and its list (the moderation card's form)
                   "auto_approve": {"on": workshop.auto_approve,
                                    "blocklist": workshop.blocklist}}
    facilitator["room"] = room.monitor(session, workshop, present) if present else None
    return public, screen, facilitator


def rounds_of(session: Session, workshop: Workshop) -> list[Round]:
    """Return a workshop's rounds in the order they were held."""
    return list(session.scalars(select(Round).where(Round.workshop_id == workshop.id)
                                .order_by(Round.number)))


def own_ballot(session: Session, vote: Round, participant_id: int) -> Any:
    """Return one participant's stored ballot in a round, or None."""
    return session.scalar(select(Ballot.content).where(
        Ballot.round_id == vote.id, Ballot.participant_id == participant_id))


def next_step_for(session: Session, vote: Round, participant_id: int) -> Any:
    """Return what a stepwise round shows this participant next (a pairwise round: the next
    pair), or None when they are done or the round's method is not stepwise.

    Derived from the participant's stored steps alone (`next_step`, seeded by the
    server's secret, the round and the participant): reloading shows the same step, any
    process shows the same one, and the ballot writer accepts a step on it only.
    """
    method = get_method(vote.method)
    if not method.STEPWISE:
        return None
    done = own_ballot(session, vote, participant_id) or []
    if not method.more_steps(done, vote.options, vote.settings):
        return None
    return method.next_step(vote.options, done, step_seed_for(vote.id, participant_id))


def step_key() -> str | bytes:
    """Return the key that seeds what stepwise rounds serve: this app's secret key, the
    same in every process of a deployment and after a restart."""
    return current_app.config["SECRET_KEY"]


def step_seed_for(round_id: int, participant_id: int) -> str:
    """Return the seed of a participant's steps in a round, keyed with this app's secret."""
    return step_seed(step_key(), round_id, participant_id)


def export_ballots(session: Session, workshop: Workshop) -> list[dict[str, Any]]:
    """Return every round's ballots with no participant identity, in a neutral order."""
    out = []
    for vote in rounds_of(session, workshop):
        texts = idea_texts(session, list(vote.options))
        # Sorted by content, not by time or id: the order says nothing about who voted.
        ballots = sorted((b.content for b in round_ballots(session, vote)),
                         key=lambda content: json.dumps(content, sort_keys=True))
        out.append({"number": vote.number, "title": vote.title, "method": vote.method,
                    "settings": dict(vote.settings), "status": vote.status,
                    "options": [[option, texts.get(option, "")] for option in vote.options],
                    "ballots": ballots})
    return out
