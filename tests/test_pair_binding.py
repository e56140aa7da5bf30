"""Each pairwise judgement is bound to the pair the server served that phone.

The pair a phone is shown next is derived from what is stored (its judgements so far)
and a seed keyed with the server's secret; the ballot writer derives it again and refuses
a judgement on any other pair (`pair_changed`). A voter can no longer judge the pair of
its choice, nor the same pair again and again.
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import join_phone
from tests.factories import client_id, ids_of, workshop_with_ideas
from workshop import create_app, ops
from workshop.core.errors import Refused
from workshop.core.voting import pairwise
from workshop.core.voting.rules import step_seed
from workshop.live.sockets import socketio
from workshop.store import views
from workshop.store.db import session_for
from workshop.store.models import Ballot, Round

PROPERTY = hsettings(max_examples=60, deadline=None)


# --- the schedule (pure) ----------------------------------------------------------------

@PROPERTY
@given(st.integers(2, 40), st.integers(0, 10**6))
def test_one_cycle_of_the_schedule_holds_every_pair_once_and_never_a_pair_twice_in_a_row(
        n, start):
    pool = list(range(100, 100 + n))
    total = n * (n - 1) // 2
    pairs = [pairwise.pair_at(pool, start + k) for k in range(total + 1)]
    assert Counter(frozenset(p) for p in pairs[:total]) == \
        Counter(frozenset(p) for p in itertools.combinations(pool, 2))
    assert pairs[total] == pairs[0]  # and round again
    if total > 1:
        assert all(frozenset(a) != frozenset(b) for a, b in itertools.pairwise(pairs))


@PROPERTY
@given(st.integers(3, 40), st.integers(0, 10**6), st.integers(1, 200))
def test_any_run_of_one_phones_pairs_shows_the_options_evenly(n, start, length):
    pool = list(range(n))
    shown = Counter({option: 0 for option in pool})
    for k in range(length):
        shown.update(pairwise.pair_at(pool, start + k))
    # full rounds give each option one showing (less one for its bye, with an odd
    # number of options), the two partial rounds at the ends one more at most
    assert max(shown.values()) - min(shown.values()) <= 3


@given(st.lists(st.integers(1, 10**6), min_size=2, max_size=30, unique=True),
       st.integers(0, 50), st.text(max_size=20))
def test_the_pair_served_depends_only_on_the_options_the_steps_made_and_the_seed(
        options, steps, seed):
    done = [(None, None, None)] * steps
    pair = pairwise.next_step(options, done, seed)
    assert pair[0] != pair[1] and set(pair) <= set(options)
    assert pairwise.next_step(options, [("x", "y", None)] * steps, seed) == pair
    if steps:
        assert pairwise.next_step(options, done[1:], seed) != pair or len(options) == 2


def test_a_room_of_phones_sees_every_option_about_as_often():
    options = list(range(1, 13))
    shown: Counter[int] = Counter()
    for phone in range(60):
        seed = step_seed("key", 7, phone)
        done: list = []
        for _ in range(10):
            left, right, _choice = *pairwise.next_step(options, done, seed), None
            done.append((left, right, None))
            shown.update((left, right))
    mean = 60 * 10 * 2 / len(options)
    assert all(0.8 * mean <= shown[option] <= 1.2 * mean for option in options), shown


def test_the_seed_is_keyed_so_the_export_cannot_name_a_ballots_phone():
    assert step_seed("one key", 3, 5) == step_seed("one key", 3, 5)
    assert len({step_seed("one key", 3, 5), step_seed("other key", 3, 5),
                step_seed("one key", 4, 5), step_seed("one key", 3, 6)}) == 4


def test_a_judgement_on_another_pair_is_refused_with_the_pair_to_judge():
    options, seed = [1, 2, 3, 4], "seed"
    left, right = pairwise.next_step(options, [], seed)
    pairwise.check_step([], [(left, right, None)], options, seed)
    pairwise.check_step([], [(left, right, right)], options, seed)
    for wrong in [(right, left, left)] + [(a, b, a) for a, b in
                                          itertools.permutations(options, 2)
                                          if (a, b) != (left, right)]:
        with pytest.raises(Refused) as refused:
            pairwise.check_step([], [wrong], options, seed)
        assert (refused.value.code, refused.value.status) == ("pair_changed", 409)
        assert refused.value.params == {"left": left, "right": right, "judged": 0}


# --- through every channel --------------------------------------------------------------

CHANNELS = ("form", "json", "socket-form", "socket-json")


def judge(channel, http, socket, code, pair, choice, cid=None):
    """Send one judgement through a channel; return (HTTP status or None, answer)."""
    cid = cid or client_id()
    fields = {"client_id": cid, "left": str(pair[0]), "right": str(pair[1]),
              "choice": "none" if choice is None else str(choice)}
    body = {"client_id": cid, "judgement": [pair[0], pair[1], choice]}
    if channel == "form":
        answer = http.post(f"/j/{code}/ballot", data=fields,
                           headers={"Accept": "application/json"})
        return answer.status_code, answer.get_json()
    if channel == "json":
        answer = http.post(f"/j/{code}/ballot", json=body)
        return answer.status_code, answer.get_json()
    payload = {"client_id": cid, "fields": fields} if channel == "socket-form" else body
    return None, socket.emit("ballot", payload, callback=True)


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_phone_judges_the_pairs_it_is_served_and_no_other(app, db, channel):
    workshop, _secret, ideas = workshop_with_ideas(db, texts=[f"Idée {n}" for n in range(6)])
    vote = ops.open_round(db, workshop, method="pairwise", settings={"pairs": 4})
    http = app.test_client()
    join_phone(http, workshop.code)
    socket = None
    if channel.startswith("socket"):
        socket = socketio.test_client(app, flask_test_client=http)
        assert socket.emit("join", {"code": workshop.code, "role": "phone"},
                           callback=True)["ok"]
    state = lambda: http.get(f"/j/{workshop.code}/state").get_json()  # noqa: E731
    served = tuple(state()["pair"])
    others = [(a.id, b.id) for a, b in itertools.permutations(ideas, 2)
              if (a.id, b.id) != served]
    chosen = others[0]  # the pair this voter would like to push
    for _attempt in range(4):  # the replay's 4 out of 4, now refused each time
        status, answer = judge(channel, http, socket, workshop.code, chosen, chosen[0])
        assert status in (None, 409) and answer["error"] == "pair_changed", answer
        assert (answer["params"]["left"], answer["params"]["right"]) == served
        assert answer["params"]["judged"] == 0 and answer["message"]
    assert tuple(state()["pair"]) == served  # refusals moved nothing on
    status, answer = judge(channel, http, socket, workshop.code, served, served[1])
    assert answer["ok"] is True and answer["judged"] == 1, answer
    # the same pair again, with a new client id (not a re-send): refused too
    status, answer = judge(channel, http, socket, workshop.code, served, served[0])
    assert answer["error"] == "pair_changed"
    following = tuple(state()["pair"])
    assert (answer["params"]["left"], answer["params"]["right"]) == following
    status, answer = judge(channel, http, socket, workshop.code, following, None)
    assert answer["ok"] is True and answer["judged"] == 2
    db.expire_all()
    assert db.scalar(select(Ballot.content).where(Ballot.round_id == vote.id)) == \
        [[*served, served[1]], [*following, None]]
    if socket is not None:
        socket.disconnect()


def test_the_pair_is_the_same_from_another_process_and_after_a_restart(app, db):
    """What a phone was served by one process is what another (or the same one restarted,
    with nothing kept in memory) accepts: the same database and secret key, no table."""
    workshop, _secret, ideas = workshop_with_ideas(db, texts=[f"Idée {n}" for n in range(5)])
    vote = ops.open_round(db, workshop, method="pairwise", settings={"pairs": 3})
    person = ops.join_workshop(db, workshop)[0]
    served = views.next_step_for(db, vote, person.id)
    other = create_app({**{k: app.config[k] for k in ("SECRET_KEY", "DATABASE_URL",
                                                      "PUBLIC_URL")},
                        "TESTING": True, "MIGRATE_ON_START": False, "PUSH_INTERVAL": None,
                        "WTF_CSRF_ENABLED": False})
    try:
        with other.app_context(), session_for(other) as elsewhere:
            again = views.next_step_for(elsewhere, elsewhere.get(Round, vote.id),
                                        person.id)
            assert again == served
            answer = ops.cast_ballot(elsewhere, ids_of(workshop, person),
                                     (served[0], served[1], served[0]), client_id())
            assert answer["judged"] == 1
        db.rollback()  # a fresh read: what the other app wrote
        assert views.next_step_for(db, vote, person.id) != served
    finally:
        other.extensions["workshop.engine"].dispose()
    stranger = create_app({**{k: app.config[k] for k in ("DATABASE_URL", "PUBLIC_URL")},
                           "SECRET_KEY": "another deployment", "TESTING": True,
                           "MIGRATE_ON_START": False, "PUSH_INTERVAL": None})
    try:
        with stranger.app_context(), session_for(stranger) as elsewhere:
            # another secret, another schedule: the seed is the server's, not guessable
            pairs = {tuple(views.next_step_for(elsewhere, elsewhere.get(Round, vote.id),
                                               pid)) for pid in range(1, 40)}
        with app.app_context():
            mine = {tuple(views.next_step_for(db, vote, pid)) for pid in range(1, 40)}
        assert pairs != mine
    finally:
        stranger.extensions["workshop.engine"].dispose()
