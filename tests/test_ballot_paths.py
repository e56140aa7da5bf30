"""Every channel a ballot comes through meets the same writer: one set of refusals, one
stored result, whether it is posted as a form, posted as JSON or sent over the socket, in
an ordinary round or a ticket round."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import join_phone
from tests.factories import client_id, ids_of, workshop_with_ideas
from workshop import ops
from workshop.core.errors import Refused
from workshop.core.voting import pairwise
from workshop.core.voting.rules import step_seed
from workshop.live.sockets import socketio
from workshop.ops import ballots
from workshop.store.models import Ballot

CHANNELS = ("form", "json", "socket-form", "socket-json")
# (ballot as {idea position: dots}, expected (ok, error, reason)) in a round of 3 dots,
# at most 2 on one priority.
CASES = [
    ({0: 2, 1: 1}, (True, None, None)),
    ({0: 3}, (False, "bad_ballot", "over_cap")),
    ({0: 2, 1: 2}, (False, "bad_ballot", "over_budget")),
    ({"unknown": 1}, (False, "bad_ballot", "unknown_option")),
]


class Phone:
    """One browser voting through one channel: HTTP form, HTTP JSON, or its socket."""

    def __init__(self, app, code: str, channel: str) -> None:
        self.code, self.channel = code, channel
        self.http = app.test_client()
        self.http.get(f"/j/{code}")
        self.socket = None
        if channel.startswith("socket"):  # as phone.js: join by POST, then the socket
            join_phone(self.http, code)
            self.socket = socketio.test_client(app, flask_test_client=self.http)
            assert self.socket.emit("join", {"code": code, "role": "phone"},
                                    callback=True)["ok"]

    def vote(self, ballot: dict[int, int], cid: str | None = None) -> tuple:
        """Send a dot ballot ({idea id: dots}) and return (ok, error, reason)."""
        cid = cid or client_id()
        fields = {"client_id": cid, **{f"dots-{idea}": str(n) for idea, n in ballot.items()}}
        body = {"client_id": cid, "ballot": {str(idea): n for idea, n in ballot.items()}}
        if self.channel == "form":
            answer = self.http.post(f"/j/{self.code}/ballot", data=fields,
                                    headers={"Accept": "application/json"}).get_json()
        elif self.channel == "json":
            answer = self.http.post(f"/j/{self.code}/ballot", json=body).get_json()
        elif self.channel == "socket-form":
            answer = self.socket.emit("ballot", {"client_id": cid, "fields": fields},
                                      callback=True)
        else:
            answer = self.socket.emit("ballot", body, callback=True)
        return (answer["ok"], answer.get("error"), answer.get("params", {}).get("reason"))

    def close(self) -> None:
        if self.socket is not None and self.socket.is_connected():
            self.socket.disconnect()


@pytest.fixture
def phones(app):
    opened: list[Phone] = []

    def open_phone(code: str, channel: str) -> Phone:
        phone = Phone(app, code, channel)
        opened.append(phone)
        return phone

    yield open_phone
    for phone in opened:
        phone.close()


def dots_on(ballot, ideas):
    return {ideas[key].id if isinstance(key, int) else 999_999: n for key, n in ballot.items()}


@pytest.mark.parametrize("tickets", [False, True], ids=["open-round", "ticket-round"])
def test_every_channel_meets_the_same_refusals_and_stores_the_same_ballot(app, db, phones,
                                                                         tickets):
    workshop, _secret, ideas = workshop_with_ideas(db)
    codes = ops.issue_tickets(db, workshop, len(CHANNELS)) if tickets else []
    vote = ops.open_round(db, workshop, settings={"dots": 3, "max_per_option": 2},
                          require_ticket=tickets)
    outcomes = {}
    for n, channel in enumerate(CHANNELS):
        phone = phones(workshop.code, channel)
        if tickets:  # before its ticket the phone is refused, whatever the channel
            assert phone.vote(dots_on(CASES[0][0], ideas)) == (False, "ticket_needed", None)
            claimed = phone.http.post(f"/j/{workshop.code}/ticket", json={"ticket": codes[n]})
            assert claimed.get_json()["ok"] is True
        # refusals first, the valid ballot last: it is what each phone leaves stored
        outcomes[channel] = [phone.vote(dots_on(ballot, ideas)) for ballot, _ in CASES[::-1]]
    expected = [outcome for _, outcome in CASES[::-1]]
    assert outcomes == dict.fromkeys(CHANNELS, expected)
    db.expire_all()
    stored = db.scalars(select(Ballot.content).where(Ballot.round_id == vote.id)).all()
    assert stored == [{str(ideas[0].id): 2, str(ideas[1].id): 1}] * len(CHANNELS)


def test_a_resend_over_another_channel_counts_once(app, db, phones):
    """The same client id through every channel: one ballot, and every later answer is the
    first one marked as a duplicate."""
    workshop, _secret, ideas = workshop_with_ideas(db)
    ops.open_round(db, workshop, settings={"dots": 3, "max_per_option": 2})
    socket_phone = phones(workshop.code, "socket-form")
    same = client_id()
    assert socket_phone.vote({ideas[0].id: 1}, same) == (True, None, None)
    resent = socket_phone.http.post(f"/j/{workshop.code}/ballot", json={
        "client_id": same, "ballot": {str(ideas[1].id): 1}}).get_json()
    assert resent["duplicate"] is True and resent["ballot"] == {str(ideas[0].id): 1}
    db.expire_all()
    assert db.scalars(select(Ballot.content)).all() == [{str(ideas[0].id): 1}]


# --- the writer's groups: one bad ballot never spoils the others --------------------------

def pending(voter, ballot, cid=None):
    return ballots._Pending(voter, ballot, cid or client_id())


@pytest.mark.parametrize(("method", "ballot", "reason"), [
    ("approval", [[1]], "unknown_option"),        # a list names no priority
    ("approval", [True], "unknown_option"),        # True is not idea 1
    ("ranking", [{"a": 1}], "unknown_option"),
    ("pairwise", [[1], 2, None], "unknown_option"),
    ("pairwise", [1, 2, True], "bad_choice"),
    ("dots", ["x"], "bad_ballot"),                 # not a mapping at all
])
def test_a_malformed_ballot_is_refused_as_such_never_as_busy(app, db, method, ballot, reason):
    workshop, _secret, ideas = workshop_with_ideas(db)
    ops.open_round(db, workshop, method=method)
    person = ops.join_workshop(db, workshop)[0]
    if method != "pairwise" and ballot and ballot[0] is True:
        assert ideas[0].id == 1  # the trap: True == 1 in Python
    with pytest.raises(Refused) as refused:
        ops.cast_ballot(db, ids_of(workshop, person), ballot, client_id())
    assert (refused.value.code, refused.value.params.get("reason")) == ("bad_ballot", reason)


def test_a_group_writes_its_good_ballots_beside_a_malformed_one(app, db):
    workshop, _secret, ideas = workshop_with_ideas(db)
    vote = ops.open_round(db, workshop, method="approval")
    good, bad = (ids_of(workshop, ops.join_workshop(db, workshop)[0]) for _ in range(2))
    group = [pending(good, [ideas[0].id]), pending(bad, [[1]])]
    ballots.current_writer()._commit(group)
    assert group[0].response == {"ok": True, "round": vote.id, "ballot": [ideas[0].id]}
    assert group[1].error.code == "bad_ballot" and group[1].response is None
    db.expire_all()
    assert db.scalars(select(Ballot.content)).all() == [[ideas[0].id]]


def test_one_phones_steps_and_resends_in_one_group_build_on_each_other(app, db):
    workshop, _secret, ideas = workshop_with_ideas(db)
    vote = ops.open_round(db, workshop, method="pairwise", settings={"pairs": 5})
    phone = ids_of(workshop, ops.join_workshop(db, workshop)[0])
    seed = step_seed(app.config["SECRET_KEY"], vote.id, phone.participant_id)
    options = [idea.id for idea in ideas]
    a, b = pairwise.next_step(options, [], seed)  # the pairs served, one after the other
    c, d = pairwise.next_step(options, [(a, b, a)], seed)
    same = client_id()
    group = [pending(phone, (a, b, a), same), pending(phone, (c, d, None)),
             pending(phone, (a, b, b), same)]
    ballots.current_writer()._commit(group)
    assert [g.response["judged"] for g in group] == [1, 2, 1]
    assert group[2].response["duplicate"] is True  # the resend changed nothing
    db.expire_all()
    assert db.scalar(select(Ballot.content).where(Ballot.round_id == vote.id)) == \
        [[a, b, a], [c, d, None]]


def test_a_ballot_drawn_for_an_earlier_round_is_not_counted_in_the_next(app, db, client):
    """A runoff on the same ideas and method: the page still showing round 1 sends its
    form after round 2 opened; it is refused, not counted in round 2."""
    workshop, _secret, ideas = workshop_with_ideas(db)
    first = ops.open_round(db, workshop, settings={"dots": 1})
    ops.close_round(db, workshop)
    second = ops.open_round(db, workshop, settings={"dots": 1})
    form = {"client_id": client_id(), "round": str(first.id), f"dots-{ideas[0].id}": "1"}
    stale = client.post(f"/j/{workshop.code}/ballot", data=form,
                        headers={"Accept": "application/json"})
    assert stale.status_code == 409 and stale.get_json()["error"] == "round_changed"
    assert stale.get_json()["params"]["round"] == second.id
    fresh = client.post(f"/j/{workshop.code}/ballot", headers={"Accept": "application/json"},
                        data={**form, "client_id": client_id(), "round": str(second.id)})
    assert fresh.get_json()["round"] == second.id
    db.expire_all()
    assert db.scalars(select(Ballot.round_id)).all() == [second.id]


def test_a_waiter_that_goes_away_hands_its_turn_to_lead_on(app):
    writer = ballots.BallotWriter(app.extensions["workshop.engine"], "key")
    first, second = (pending(None, {}) for _ in range(2))
    writer._busy = True
    writer._queue[:] = [first, second]
    first.lead = True  # its turn to lead came, but its greenlet was stopped
    writer._abandon(first)
    assert writer._queue == [second] and second.lead and second.done.is_set()
    writer._abandon(second)
    assert writer._queue == [] and writer._busy is False
