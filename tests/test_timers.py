"""Activity timers through the verbs: planned, started, extended, stopped, and the
automatic close, which is the facilitator's close (a vote's ballots as at any close)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import client_id, ids_of, participant
from workshop import ops
from workshop.core.errors import Refused
from workshop.ops import activities as activity_ops
from workshop.store import views
from workshop.store.db import session_for
from workshop.store.models import Activity, Ballot, Round


def refused_code(call, *args, **kwargs) -> str:
    with pytest.raises(Refused) as info:
        call(*args, **kwargs)
    return info.value.code


def vote_with_ideas(db, timer=None, auto_close=False):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    for text in ("Logement", "Transport", "Revenu"):
        ops.add_idea(db, workshop, text)
    vote = ops.plan_activity(db, workshop, "vote", title="Priorités",
                             settings={"method": "approval"})
    if timer is not None:
        ops.set_timer(db, workshop, vote.id, timer, auto_close)
    return workshop, vote


def fresh(db) -> None:
    """Read again what a request wrote: end the session's read (its snapshot) and forget
    the rows it loaded."""
    db.rollback()
    db.expire_all()


def deadline_in(db, activity_id) -> float:
    """Seconds left on an activity's countdown, by the server's clock."""
    ends = db.get(Activity, activity_id).ends_at
    return (ends - activity_ops.timer_clock()).total_seconds()


def test_a_planned_timer_starts_with_its_activity_and_is_pushed(db):
    workshop, vote = vote_with_ideas(db, timer=300, auto_close=True)
    planned = db.get(Activity, vote.id)
    assert (planned.timer_seconds, planned.auto_close, planned.ends_at) == (300, True, None)
    assert views.public_view(db, workshop)["timer"] is None
    agenda = views.facilitator_view(db, workshop, 0)["agenda"]
    assert (agenda[0]["timer_seconds"], agenda[0]["auto_close"]) == (300, True)

    ops.start_activity(db, workshop, vote.id)
    assert 295 < deadline_in(db, vote.id) <= 300
    timer = views.public_view(db, workshop)["timer"]
    assert timer == {"activity": vote.id, "auto_close": True,
                     "ends_at": views.epoch_ms(db.get(Activity, vote.id).ends_at)}
    # The projector's and the facilitator's views carry it too (they extend the phones').
    screen, facilitator = (views.screen_view(db, workshop, 0),
                           views.facilitator_view(db, workshop, 0))
    assert screen["timer"] == facilitator["timer"] == timer


def test_a_running_activity_gets_extended_and_stopped_timers(db):
    workshop, vote = vote_with_ideas(db)
    ops.start_activity(db, workshop, vote.id)
    assert refused_code(ops.extend_timer, db, workshop, 60) == "no_timer"
    assert refused_code(ops.stop_timer, db, workshop) == "no_timer"
    ops.set_timer(db, workshop, vote.id, 120)
    assert 115 < deadline_in(db, vote.id) <= 120
    assert db.get(Activity, vote.id).auto_close is False
    ops.extend_timer(db, workshop, 60)
    assert 175 < deadline_in(db, vote.id) <= 180
    # A countdown already over (no automatic close) is extended from now.
    db.get(Activity, vote.id).ends_at = activity_ops.timer_clock() - timedelta(minutes=5)
    db.commit()
    ops.extend_timer(db, workshop, 60)
    assert 55 < deadline_in(db, vote.id) <= 60
    ops.stop_timer(db, workshop)
    assert db.get(Activity, vote.id).ends_at is None
    assert views.public_view(db, workshop)["timer"] is None


@pytest.mark.parametrize("seconds", [0, 9, 3 * 3600 + 1, -5, True, "60", 1.5])
def test_a_timer_out_of_bounds_is_refused(db, seconds):
    workshop, vote = vote_with_ideas(db)
    assert refused_code(ops.set_timer, db, workshop, vote.id, seconds) == "bad_timer"
    ops.start_activity(db, workshop, vote.id)
    ops.set_timer(db, workshop, vote.id, 60)
    if seconds not in (9, 1):  # 9 s more is a fine extension
        assert refused_code(ops.extend_timer, db, workshop, seconds) == "bad_timer"


def test_none_takes_a_planned_timer_away_and_a_closed_activity_has_none(db):
    workshop, vote = vote_with_ideas(db, timer=60, auto_close=True)
    ops.set_timer(db, workshop, vote.id, None, True)
    assert (db.get(Activity, vote.id).timer_seconds, db.get(Activity, vote.id).auto_close) \
        == (None, False)
    ops.start_activity(db, workshop, vote.id)
    assert db.get(Activity, vote.id).ends_at is None
    ops.set_timer(db, workshop, vote.id, 60)
    ops.close_activity(db, workshop)
    assert db.get(Activity, vote.id).ends_at is None  # its countdown left the screens
    assert refused_code(ops.set_timer, db, workshop, vote.id, 60) == "activity_closed"
    assert refused_code(ops.extend_timer, db, workshop, 60) == "no_open_activity"


def test_the_automatic_close_counts_ballots_before_and_refuses_those_after(db):
    workshop, vote = vote_with_ideas(db, timer=60, auto_close=True)
    ops.start_activity(db, workshop, vote.id)
    round_ = db.get(Round, db.get(Activity, vote.id).round_id)
    first, late = participant(db, workshop), participant(db, workshop)
    ops.cast_ballot(db, ids_of(workshop, first), [round_.options[0]], client_id())
    # Not due yet: nothing closes.
    assert ops.close_due_activities(db) == []
    assert db.get(Activity, vote.id).status == "open"
    # Due: the pusher's chore closes it, through the facilitator's close.
    later = db.get(Activity, vote.id).ends_at + timedelta(seconds=1)
    assert ops.close_due_activities(db, later) == [vote.id]
    db.expire_all()
    assert db.get(Activity, vote.id).status == "closed"
    assert db.get(Round, round_.id).status == "closed"
    assert workshop.phase == "results"
    assert refused_code(ops.cast_ballot, db, ids_of(workshop, late), [round_.options[1]],
                        client_id()) == "round_closed"
    assert db.query(Ballot).filter_by(round_id=round_.id).count() == 1
    assert ops.close_due_activities(db, later) == []  # once


def test_a_timer_without_automatic_close_or_changed_since_is_left_alone(db):
    workshop, vote = vote_with_ideas(db, timer=60)  # counts down, closes by hand only
    ops.start_activity(db, workshop, vote.id)
    past = db.get(Activity, vote.id).ends_at + timedelta(seconds=1)
    assert ops.close_due_activities(db, past) == []
    assert db.get(Activity, vote.id).status == "open"
    ops.set_timer(db, workshop, vote.id, 60, True)
    due = db.get(Activity, vote.id).ends_at
    # The closer found it due, then the facilitator gave it a minute more: not closed.
    ops.extend_timer(db, workshop, 60)
    assert refused_code(ops.close_activity, db, workshop, expected=vote.id,
                        due_by=due) == "timer_not_due"
    assert refused_code(ops.close_activity, db, workshop, expected=vote.id + 1,
                        due_by=due + timedelta(minutes=5)) == "timer_not_due"
    assert db.get(Activity, vote.id).status == "open"


def test_an_idea_collection_closes_by_its_timer_and_phones_go_back_to_the_lobby(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    collection = ops.plan_activity(db, workshop, "ideas", title="Défis")
    ops.set_timer(db, workshop, collection.id, 30, True)
    ops.start_next_activity(db, workshop)
    person = participant(db, workshop)
    ops.submit_idea(db, workshop, person, "Logement abordable", client_id())
    ends = db.get(Activity, collection.id).ends_at
    assert ops.close_due_activities(db, ends) == [collection.id]
    db.expire_all()
    assert workshop.phase == "lobby"
    assert refused_code(ops.submit_idea, db, workshop, person, "Trop tard",
                        client_id()) == "ideas_closed"


def test_the_pusher_runs_the_close_and_only_the_pusher(app, db):
    """The broadcaster's chores run only when its presence says this process pushes
    (with Redis: the one holding the lease)."""
    workshop, vote = vote_with_ideas(db, timer=10, auto_close=True)
    ops.start_activity(db, workshop, vote.id)
    db.get(Activity, vote.id).ends_at = activity_ops.timer_clock() - timedelta(seconds=1)
    db.commit()
    broadcaster = app.extensions["workshop.broadcaster"]
    pusher = broadcaster.presence.tick
    broadcaster.presence.tick = lambda: False  # another process holds the lease
    try:
        broadcaster.flush()
    finally:
        broadcaster.presence.tick = pusher
    db.close()  # the test's session lets go of the one writing connection
    with session_for(app) as fresh:  # the pusher writes in a session of its own
        assert fresh.get(Activity, vote.id).status == "open"
    broadcaster.flush()
    with session_for(app) as fresh:
        assert fresh.get(Activity, vote.id).status == "closed"


def test_a_duplicated_workshop_keeps_the_planned_timers(db):
    workshop, vote = vote_with_ideas(db, timer=90, auto_close=True)
    copy, _secret = ops.duplicate_workshop(db, workshop, lambda title: title + " (copie)")
    step = views.facilitator_view(db, copy, 0)["agenda"][0]
    assert (step["timer_seconds"], step["auto_close"]) == (90, True)


def test_the_facilitator_page_sets_extends_and_stops_a_timer(app, db, client):
    workshop, secret = ops.create_workshop(db, "Atelier")
    ops.add_idea(db, workshop, "Logement")
    step = ops.plan_activity(db, workshop, "ideas", title="Défis")
    base = f"/f/{secret}/do"
    # The agenda's form: minutes and a ticked box.
    answer = client.post(f"{base}/set-timer", data={"activity": str(step.id), "minutes": "3",
                                                    "auto_close": "1"},
                         headers={"Accept": "application/json"})
    assert answer.get_json() == {"ok": True, "activity": step.id, "timer": None}
    fresh(db)
    assert (db.get(Activity, step.id).timer_seconds, db.get(Activity, step.id).auto_close) \
        == (180, True)
    for minutes in ("181", "-1", "trois"):
        refused = client.post(f"{base}/set-timer", json={"activity": step.id,
                                                         "minutes": minutes})
        assert refused.status_code == 400 and refused.get_json()["error"] == "bad_timer"
    client.post(f"{base}/start-activity", json={"activity": step.id})
    fresh(db)
    answer = client.post(f"{base}/extend-timer", data={"minutes": "1"})
    assert answer.status_code == 302
    assert 235 < deadline_in(db, step.id) <= 240
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    assert "data-countdown" in page and 'action="/f/' + secret + '/do/stop-timer"' in page
    assert client.post(f"{base}/stop-timer", json={}).get_json()["ok"] is True
    fresh(db)
    assert db.get(Activity, step.id).ends_at is None
    assert client.post(f"{base}/stop-timer", json={}).get_json()["error"] == "no_timer"
