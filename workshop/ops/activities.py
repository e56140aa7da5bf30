"""The agenda: planning activities before or during the day and running them in order.

Verbs layer. An activity's kind (core/activities) validates its settings and says which
room phase it runs in; the verbs here keep `workshops.phase` and `current_round_id` in
step with the running activity, so the ballot path (which checks that the room is voting
and the current round open) needs nothing else. The room's older commands (open-ideas,
open-round, close-round, open-lobby) are expressed here as activities.

Starting an activity while another one runs: a running idea collection is closed on the
way (its ideas stay); a running vote is never closed implicitly, since closing it stops
the ballots: the start is refused (`bad_phase_move`, as a vote → vote move always was)
until the facilitator closes the vote.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop.core.activities import get_kind
from workshop.core.activities.kinds import kind_with
from workshop.core.activities.rules import N_
from workshop.core.activities.vote import runoff_options
from workshop.core.errors import Refused
from workshop.core.phases import Phase, PhaseError, check_move
from workshop.core.text import clean_text
from workshop.core.voting import DEFAULT_METHOD
from workshop.ops.rounds import check_round, current_round_or_refuse, end_round, freeze_round
from workshop.ops.transactions import commit_and_announce, one_change
from workshop.ops.workshops import move_room
from workshop.store import lookups
from workshop.store.models import PROMPT_MAX, TITLE_MAX, Activity, Idea, Round, Workshop, utcnow
from workshop.store.views import tally_round


def _title(value: object) -> str:
    return "" if value in (None, "") else clean_text(value, TITLE_MAX, "bad_title")


def _prompt(value: object) -> str:
    return "" if value in (None, "") else clean_text(value, PROMPT_MAX, "bad_prompt")


def _check_references(session: Session, workshop: Workshop, kind: Any,
                      settings: Mapping[str, Any], own_id: int | None) -> None:
    for setting, activity_id, required in kind.references(settings):
        other = session.get(Activity, activity_id)
        if other is None or other.workshop_id != workshop.id or other.kind != required \
                or other.id == own_id:
            raise Refused("bad_activity_reference", setting=setting)


def _new_activity(session: Session, workshop: Workshop, kind_name: object, title: object,
                  prompt: object, settings: Mapping[str, Any] | None) -> Activity:
    """Return a validated, not yet stored, planned activity."""
    kind = get_kind(kind_name)
    clean = kind.check_settings(dict(settings or {}))
    _check_references(session, workshop, kind, clean, None)
    return Activity(workshop_id=workshop.id, kind=kind.NAME, title=_title(title),
                    prompt=_prompt(prompt), settings=clean, status="planned")


def _append(session: Session, workshop: Workshop, activity: Activity) -> None:
    steps = lookups.agenda(session, workshop)
    activity.position = (steps[-1].position if steps else 0) + 1
    session.add(activity)


def _insert_before_planned(session: Session, workshop: Workshop, activity: Activity) -> None:
    """Place an activity started on the spot after what already ran, before what is planned."""
    steps = lookups.agenda(session, workshop)
    planned = [step for step in steps if step.status == "planned"]
    if not planned:
        _append(session, workshop, activity)
        return
    activity.position = planned[0].position
    for step in steps:
        if step.position >= activity.position:
            step.position += 1
    session.add(activity)


def _options(session: Session, workshop: Workshop, settings: Mapping[str, Any]) -> list[int]:
    """Return the idea ids a vote starting now is on, from its option source."""
    approved = select(Idea.id).where(Idea.workshop_id == workshop.id,
                                     Idea.status == "approved").order_by(Idea.id)
    if settings["source"] == "top":
        earlier = session.get(Activity, settings["of"])
        vote = session.get(Round, earlier.round_id) if earlier and earlier.round_id else None
        if earlier is None or earlier.status != "closed" or vote is None:
            raise Refused("runoff_source_open", 409)
        result = tally_round(session, vote)
        top = runoff_options([(s.option, s.rank) for s in result.standings],
                             settings["count"])
        # Ideas hidden or merged since that vote was counted do not come back.
        still = set(session.scalars(approved.where(Idea.id.in_(top))))
        return [idea for idea in top if idea in still]
    if settings.get("collection") is not None:
        approved = approved.where(Idea.activity_id == settings["collection"])
    return list(session.scalars(approved))


def _close(workshop: Workshop, activity: Activity, kind: Any, session: Session) -> None:
    """Close a running activity and move the room to the phase its kind leads to."""
    if kind.OPENS_ROUND and activity.round_id is not None:
        vote = session.get(Round, activity.round_id)
        if vote is not None and vote.status == "open":
            end_round(vote)
    activity.status = "closed"
    activity.closed_at = utcnow()
    activity.ends_at = None  # its countdown leaves the screens
    workshop.phase = Phase(kind.PHASE_AFTER)


def _start(session: Session, workshop: Workshop, activity: Activity,
           place: bool = False) -> Round | None:
    """Start a planned activity (checks first, then changes); the caller commits.

    With `place`, the activity is new and is put in the agenda before the planned ones.
    """
    if activity.status != "planned":
        raise Refused("activity_not_planned", 409)
    kind = get_kind(activity.kind)
    settings = kind.check_settings(activity.settings)
    options: list[int] = []
    if kind.OPENS_ROUND:
        options = _options(session, workshop, settings)
        check_round(session, workshop, options, settings["require_ticket"])
    running = lookups.open_activity(session, workshop)
    closes = running is not None and get_kind(running.kind).CLOSED_BY_NEXT
    here = Phase(get_kind(running.kind).PHASE_AFTER) if closes else Phase(workshop.phase)
    try:
        check_move(here, kind.PHASE)
    except PhaseError as error:
        raise Refused("bad_phase_move", 409, current=workshop.phase,
                      target=str(error.target)) from error
    # Everything is checked: change the room.
    if closes:
        _close(workshop, running, get_kind(running.kind), session)
    if place:
        _insert_before_planned(session, workshop, activity)
    workshop.phase = Phase(kind.PHASE)
    vote = None
    if kind.OPENS_ROUND:
        vote = freeze_round(session, workshop, title=activity.title or None,
                            method=settings["method"], settings=settings["method_settings"],
                            options=options, show_live=settings["show_live"],
                            require_ticket=settings["require_ticket"])
        activity.round_id = vote.id
        activity.title = vote.title
    activity.status = "open"
    activity.opened_at = utcnow()
    # A planned timer starts with the activity.
    activity.ends_at = timer_clock() + timedelta(seconds=activity.timer_seconds) \
        if activity.timer_seconds else None
    session.flush()
    workshop.current_activity_id = activity.id
    return vote


# --- the agenda ------------------------------------------------------------------------

@one_change
def plan_activity(session: Session, workshop: Workshop, kind: object, *,
                  title: object = None, prompt: object = None,
                  settings: Mapping[str, Any] | None = None) -> Activity:
    """Add an activity at the end of the agenda, its settings checked by its kind."""
    activity = _new_activity(session, workshop, kind, title, prompt, settings)
    _append(session, workshop, activity)
    commit_and_announce(session, workshop)
    return activity


# The ready-made agenda of a priority-setting day: the room names its challenges, votes
# with dots on them, ranks the five that came first, then proposes solutions for them.
# Each step: kind, title, prompt, settings; "{previous}" in a setting stands for the id
# of the step before it. Texts are translated when planned, in the facilitator's language.
READY_AGENDA: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("ideas", N_("Challenges"), N_("What are the challenges in our region?"), {}),
    ("vote", N_("Priorities"), "", {"method": "dots", "collection": "{previous}"}),
    ("vote", N_("Top 5"), "", {"method": "ranking", "source": "top", "of": "{previous}",
                              "count": 5}),
    ("ideas", N_("Solutions"), N_("What solutions for our five priorities?"), {}),
)


@one_change
def plan_ready_agenda(session: Session, workshop: Workshop,
                      translate: Callable[[str], str]) -> list[Activity]:
    """Add the ready-made agenda (challenges → priorities → top 5 → solutions) at the end
    of the agenda, in one change; each step stays editable, movable and removable like
    any planned activity. Returns the steps added."""
    added: list[Activity] = []
    for kind, title, prompt, settings in READY_AGENDA:
        wanted = {name: (added[-1].id if value == "{previous}" else value)
                  for name, value in settings.items()}
        activity = _new_activity(session, workshop, kind, translate(title),
                                 translate(prompt) if prompt else "", wanted)
        _append(session, workshop, activity)
        session.flush()  # its id, for the step after it
        added.append(activity)
    commit_and_announce(session, workshop)
    return added


SOLUTIONS_MAX = 10  # collections planned at once: a top 10 at most


@one_change
def plan_solutions(session: Session, workshop: Workshop, vote_activity_id: object,
                   count: object, name_for: Callable[[str], tuple[str, str]]
                   ) -> list[Activity]:
    """From priorities to solutions: after a vote, plan one idea collection per priority
    of its top `count` (ties at the cut all included, as a runoff takes them), in rank
    order at the end of the agenda. `name_for(priority text)` gives each its title and
    the question phones see ("Solutions : ...", "Quelles solutions pour « ... » ?"); the
    ideas each collects stay apart, by collection, in the wall and the exports."""
    vote_step = lookups.get_activity(session, workshop, vote_activity_id)
    if isinstance(count, bool) or not isinstance(count, int) \
            or not 1 <= count <= SOLUTIONS_MAX:
        raise Refused("bad_activity_setting", setting="count")
    vote = session.get(Round, vote_step.round_id) if vote_step.round_id else None
    if vote_step.status != "closed" or vote is None:
        raise Refused("runoff_source_open", 409)
    result = tally_round(session, vote)
    top = runoff_options([(s.option, s.rank) for s in result.standings], count)
    texts = dict(session.execute(select(Idea.id, Idea.text).where(
        Idea.id.in_(top), Idea.workshop_id == workshop.id, Idea.status == "approved")).all())
    added = []
    for idea in top:
        if idea not in texts:
            continue  # hidden or merged since the vote was counted
        title, prompt = name_for(texts[idea])
        activity = _new_activity(session, workshop, "ideas", title[:TITLE_MAX],
                                 prompt[:PROMPT_MAX], {})
        _append(session, workshop, activity)
        session.flush()
        added.append(activity)
    if not added:
        raise Refused("no_approved_ideas", 409)
    commit_and_announce(session, workshop)
    return added


def _planned(session: Session, workshop: Workshop, activity_id: object) -> Activity:
    activity = lookups.get_activity(session, workshop, activity_id)
    if activity.status != "planned":
        raise Refused("activity_not_planned", 409)
    return activity


@one_change
def edit_activity(session: Session, workshop: Workshop, activity_id: object, *,
                  title: object = None, prompt: object = None,
                  settings: Mapping[str, Any] | None = None) -> Activity:
    """Change a planned activity's title, prompt and settings; what is None stays as it was
    (settings sent replace the whole set: those not sent take their defaults)."""
    activity = _planned(session, workshop, activity_id)
    kind = get_kind(activity.kind)
    clean = kind.check_settings(dict(activity.settings if settings is None else settings))
    _check_references(session, workshop, kind, clean, activity.id)
    if title is not None:
        activity.title = _title(title)
    if prompt is not None:
        activity.prompt = _prompt(prompt)
    activity.settings = clean
    commit_and_announce(session, workshop)
    return activity


@one_change
def remove_activity(session: Session, workshop: Workshop, activity_id: object) -> None:
    """Take a planned activity off the agenda (one another step relies on stays)."""
    activity = _planned(session, workshop, activity_id)
    steps = lookups.agenda(session, workshop)
    for step in steps:
        if any(ref == activity.id for _setting, ref, _kind in
               get_kind(step.kind).references(step.settings)):
            raise Refused("activity_referenced", 409)
    session.delete(activity)
    for step in steps:
        if step.position > activity.position:
            step.position -= 1
    commit_and_announce(session, workshop)


@one_change
def move_activity(session: Session, workshop: Workshop, activity_id: object,
                  direction: object) -> None:
    """Swap a planned activity with the planned one just above or below it."""
    if direction not in ("up", "down"):
        raise Refused("bad_request")
    activity = _planned(session, workshop, activity_id)
    planned = [s for s in lookups.agenda(session, workshop) if s.status == "planned"]
    index = planned.index(activity) + (-1 if direction == "up" else 1)
    if not 0 <= index < len(planned):
        raise Refused("cannot_move", 409)
    other = planned[index]
    activity.position, other.position = other.position, activity.position
    commit_and_announce(session, workshop)


@one_change
def start_activity(session: Session, workshop: Workshop, activity_id: object) -> Activity:
    """Start a planned activity; a vote freezes its options from its source then."""
    activity = lookups.get_activity(session, workshop, activity_id)
    _start(session, workshop, activity)
    commit_and_announce(session, workshop)
    return activity


@one_change
def start_next_activity(session: Session, workshop: Workshop) -> Activity:
    """Start the first planned activity in agenda order."""
    planned = [s for s in lookups.agenda(session, workshop) if s.status == "planned"]
    if not planned:
        raise Refused("no_planned_activity", 409)
    _start(session, workshop, planned[0])
    commit_and_announce(session, workshop)
    return planned[0]


@one_change
def close_activity(session: Session, workshop: Workshop, *, expected: int | None = None,
                   due_by: datetime | None = None) -> Activity:
    """Close the running activity: a vote stops taking ballots, a collection ideas.

    The facilitator's close, and the timer's (`close_due_activities`), which names the
    activity it found due (`expected`) and the time it is due by (`due_by`): checked again
    here, inside the write transaction, so that a timer the facilitator stopped or
    extended, or an activity closed meanwhile, is refused (`timer_not_due`) and not closed.
    A vote's ballots are then treated as at any close: those committed before count, those
    after are refused (`round_closed`).
    """
    running = lookups.open_activity(session, workshop)
    if running is None:
        raise Refused("no_open_activity", 409)
    if due_by is not None and (running.id != expected or not running.auto_close
                               or running.ends_at is None or running.ends_at > due_by):
        raise Refused("timer_not_due", 409)
    _close(workshop, running, get_kind(running.kind), session)
    commit_and_announce(session, workshop)
    return running


# --- timers ------------------------------------------------------------------------------

TIMER_MIN = 10  # seconds: shorter is a mistake (and the room could not read it)
TIMER_MAX = 3 * 60 * 60  # a whole afternoon at most
EXTEND_MAX = 60 * 60


def timer_clock() -> datetime:
    """Return the server's time as deadlines are stored: UTC, without a time zone (SQLite
    and PostgreSQL's `timestamp` then hold and compare it as it is)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _timer_seconds(value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Refused("bad_timer", low=low, high=high)
    return value


@one_change
def set_timer(session: Session, workshop: Workshop, activity_id: object, seconds: object,
              auto_close: bool = False) -> Activity:
    """Give an activity a timer of `seconds` (None: take its timer away).

    A planned activity keeps the duration, and its countdown starts when it starts; a
    running one starts counting down now. With `auto_close`, the activity closes when
    the countdown ends (`close_due_activities`). A closed activity has no timer to set.
    """
    activity = lookups.get_activity(session, workshop, activity_id)
    if activity.status == "closed":
        raise Refused("activity_closed", 409)
    duration = None if seconds is None else _timer_seconds(seconds, TIMER_MIN, TIMER_MAX)
    activity.auto_close = bool(auto_close) and duration is not None
    if activity.status == "planned":
        activity.timer_seconds = duration
    else:
        activity.ends_at = None if duration is None else \
            timer_clock() + timedelta(seconds=duration)
    commit_and_announce(session, workshop)
    return activity


@one_change
def extend_timer(session: Session, workshop: Workshop, seconds: object) -> Activity:
    """Give the running activity's countdown `seconds` more (from now if it had ended
    without closing the activity)."""
    running = lookups.open_activity(session, workshop)
    if running is None:
        raise Refused("no_open_activity", 409)
    if running.ends_at is None:
        raise Refused("no_timer", 409)
    more = _timer_seconds(seconds, 1, EXTEND_MAX)
    running.ends_at = max(running.ends_at, timer_clock()) + timedelta(seconds=more)
    commit_and_announce(session, workshop)
    return running


@one_change
def stop_timer(session: Session, workshop: Workshop) -> Activity:
    """Take the running activity's countdown away: it runs on until closed by hand."""
    running = lookups.open_activity(session, workshop)
    if running is None:
        raise Refused("no_open_activity", 409)
    if running.ends_at is None:
        raise Refused("no_timer", 409)
    running.ends_at = None
    running.auto_close = False
    commit_and_announce(session, workshop)
    return running


DUE_MAX = 100  # activities closed per call at most; the next call (a second later) goes on


def close_due_activities(session: Session, now: datetime | None = None) -> list[int]:
    """Close every running activity whose timer ran out with `auto_close` set, each by
    `close_activity` (so a vote's ballots are handled exactly as at a manual close);
    return the ids closed. Called about once a second by the one process that pushes
    (live/broadcast.py, `due_tasks`), so that several processes never race to close; an
    activity extended, stopped or closed meanwhile is left alone (`timer_not_due`)."""
    now = now or timer_clock()
    due = session.execute(
        select(Activity.id, Workshop.code).join(Workshop, Workshop.id == Activity.workshop_id)
        .where(Activity.ends_at <= now, Activity.status == "open",
               Activity.auto_close.is_(True))
        .order_by(Activity.ends_at).limit(DUE_MAX)).all()
    session.rollback()  # end the read: each close is its own write transaction
    closed = []
    for activity_id, code in due:
        workshop = lookups.find_workshop(session, code)
        if workshop is None:
            continue
        try:
            close_activity(session, workshop, expected=activity_id, due_by=now)
        except Refused:
            continue
        closed.append(activity_id)
    return closed


# --- the room's older commands, as activities -------------------------------------------

@one_change
def open_lobby(session: Session, workshop: Workshop) -> None:
    """Send every phone back to the welcome screen (closing a running idea collection)."""
    move_room(workshop, Phase.LOBBY)  # refused while a vote runs, as it always was
    running = lookups.open_activity(session, workshop)
    if running is not None:
        running.status = "closed"
        running.closed_at = utcnow()
        running.ends_at = None
    commit_and_announce(session, workshop)


@one_change
def open_ideas(session: Session, workshop: Workshop) -> Activity:
    """Let phones submit ideas: start the next planned collection, or a new one."""
    try:
        check_move(workshop.phase, Phase.IDEAS)
    except PhaseError as error:
        raise Refused("bad_phase_move", 409, current=str(error.current),
                      target=str(error.target)) from error
    collecting = kind_with("COLLECTS_IDEAS")
    planned = [s for s in lookups.agenda(session, workshop)
               if s.status == "planned" and s.kind == collecting]
    if planned:
        activity = planned[0]
        _start(session, workshop, activity)
    else:
        activity = _new_activity(session, workshop, collecting, None, None, None)
        _start(session, workshop, activity, place=True)
    commit_and_announce(session, workshop)
    return activity


@one_change
def open_round(session: Session, workshop: Workshop, *, title: str | None = None,
               method: str = DEFAULT_METHOD, settings: Mapping[str, Any] | None = None,
               show_live: bool = True, require_ticket: bool = False) -> Round:
    """Start a vote on every approved idea, with the method's rules checked first.

    The vote is a new activity, placed after what already ran. With `require_ticket`,
    only participants who typed one of the workshop's printed tickets may vote;
    tickets must have been issued first.
    """
    activity = _new_activity(session, workshop, kind_with("OPENS_ROUND"), title, None, {
        "method": method, "method_settings": dict(settings or {}), "source": "approved",
        "show_live": bool(show_live), "require_ticket": bool(require_ticket)})
    vote = _start(session, workshop, activity, place=True)
    commit_and_announce(session, workshop)
    if vote is None:  # the kind that opens rounds always returns its round
        raise Refused("no_round", 409)
    return vote


@one_change
def close_round(session: Session, workshop: Workshop) -> Round:
    """Stop the vote: no ballot commits after this one does."""
    vote = current_round_or_refuse(session, workshop)
    if vote.status != "open":
        raise Refused("round_closed", 409)
    activity = session.scalar(select(Activity).where(Activity.round_id == vote.id))
    if activity is not None:
        _close(workshop, activity, get_kind(activity.kind), session)
    else:  # a round no activity holds (none should remain after migration 0003)
        move_room(workshop, Phase.RESULTS)
        end_round(vote)
    commit_and_announce(session, workshop)
    return vote
