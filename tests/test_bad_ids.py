"""Ids that are not ids, through every channel: a form, JSON, the socket (as form fields
or as JSON), the ballot writer's groups and the facilitator's commands.

Each malformed ballot is answered (over the socket too) with a refusal code, never a 500,
and refused alone: the other ballots of its group are written, in the one group commit.
A whole number sent as a float is stored as an int.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from tests.conftest import join_phone
from tests.factories import client_id, ids_of, workshop_with_ideas
from workshop import ops
from workshop.core.fields import UnreadBallot
from workshop.live.sockets import socketio
from workshop.ops import ballots
from workshop.store.models import Ballot

CHANNELS = ("form", "json", "socket-form", "socket-json")
HUGE = "9" * 4400          # past Python's 4,300-digit limit for int()
LARGE = "9" * 4000         # below it: int() reads it, no id column holds it
ARABIC_ONE = "\u0661"      # "١": str.isdigit() says yes and int() reads 1


class Channel:
    """One browser sending ballots through one channel: HTTP form, HTTP JSON, or its
    socket carrying form fields or a JSON body."""

    def __init__(self, app, code: str, channel: str) -> None:
        self.code, self.channel = code, channel
        self.http = app.test_client()
        join_phone(self.http, code)
        self.socket = None
        if channel.startswith("socket"):
            self.socket = socketio.test_client(app, flask_test_client=self.http)
            assert self.socket.emit("join", {"code": code, "role": "phone"},
                                    callback=True)["ok"]

    def send(self, fields: dict, body: dict) -> tuple[int | None, dict]:
        """Send the form `fields` or the JSON `body` (with a fresh client id); return the
        HTTP status (None over the socket) and the answer."""
        cid = client_id()
        fields, body = {"client_id": cid, **fields}, {"client_id": cid, **body}
        if self.channel == "form":
            answer = self.http.post(f"/j/{self.code}/ballot", data=fields,
                                    headers={"Accept": "application/json"})
            return answer.status_code, answer.get_json()
        if self.channel == "json":
            answer = self.http.post(f"/j/{self.code}/ballot", json=body)
            return answer.status_code, answer.get_json()
        payload = {"client_id": cid, "fields": fields} if self.channel == "socket-form" \
            else body
        return None, self.socket.emit("ballot", payload, callback=True)

    def close(self) -> None:
        if self.socket is not None and self.socket.is_connected():
            self.socket.disconnect()


@pytest.fixture
def channels(app):
    opened: list[Channel] = []

    def open_channel(code: str, channel: str) -> Channel:
        opened.append(Channel(app, code, channel))
        return opened[-1]

    yield open_channel
    for channel in opened:
        channel.close()


# (case, method, form fields, JSON body, form refusal, JSON refusal); a refusal is
# (error, params.reason). Idea ids are 1, 2, 3 (a fresh database); `options` fills in
# the round's ids where a case needs a valid one.
CASES = [
    ("4400-digit key", "dots", {f"dots-{HUGE}": "1"}, {"ballot": {HUGE: 1}},
     ("bad_request", None), ("bad_ballot", "unknown_option")),
    ("4000-digit key", "dots", {f"dots-{LARGE}": "1"}, {"ballot": {LARGE: 1}},
     ("bad_request", None), ("bad_ballot", "unknown_option")),
    ("Arabic-Indic key", "dots", {f"dots-{ARABIC_ONE}": "1"}, {"ballot": {ARABIC_ONE: 1}},
     ("bad_request", None), ("bad_ballot", "unknown_option")),
    ("id past 2^63", "points", {f"points-{2**63}": "1"}, {"ballot": {str(2**63): 1}},
     ("bad_request", None), ("bad_ballot", "unknown_option")),
    ("list for an id", "ranking", {"rank-1": "1", "rank-[1]": "2"}, {"ballot": [1, [2]]},
     ("bad_request", None), ("bad_ballot", "unknown_option")),
    ("object for an id", "approval", {"approve-{}": "1"}, {"ballot": [{"a": 1}]},
     ("bad_request", None), ("bad_ballot", "unknown_option")),
    ("huge number for an id", "approval", {f"approve-{LARGE}": "1"},
     {"ballot": [int(LARGE)]}, ("bad_request", None), ("bad_ballot", "unknown_option")),
    ("list in a judgement", "pairwise", {"left": "[1]", "right": "2", "choice": "2"},
     {"judgement": [[1], 2, 2]}, ("bad_ballot", "bad_ballot"),
     ("bad_ballot", "unknown_option")),
    ("object as a choice", "pairwise", {"left": "1", "right": "2", "choice": "{}"},
     {"judgement": [1, 2, {"a": 1}]}, ("bad_ballot", "bad_ballot"),
     ("bad_ballot", "bad_choice")),
    ("Arabic-Indic side", "pairwise", {"left": ARABIC_ONE, "right": "2", "choice": "2"},
     {"judgement": [ARABIC_ONE, 2, 2]}, ("bad_ballot", "bad_ballot"),
     ("bad_ballot", "unknown_option")),
]


def refusal_of(status: int | None, answer: dict | None) -> tuple:
    assert answer is not None, "no acknowledgement"
    assert status is None or status < 500, answer
    assert answer["ok"] is False and answer["message"], answer
    return answer["error"], answer.get("params", {}).get("reason")


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_a_malformed_id_is_refused_with_its_code_and_acknowledged_on_every_channel(
        app, db, channels, channel, case):
    _name, method, fields, body, form_refusal, json_refusal = case
    workshop, _secret, ideas = workshop_with_ideas(db)
    assert [idea.id for idea in ideas] == [1, 2, 3]
    vote = ops.open_round(db, workshop, method=method)
    phone = channels(workshop.code, channel)
    status, answer = phone.send(fields, body)
    expected = form_refusal if channel in ("form", "socket-form") else json_refusal
    assert refusal_of(status, answer) == expected
    db.expire_all()
    assert db.scalars(select(Ballot).where(Ballot.round_id == vote.id)).all() == []


@pytest.mark.parametrize("channel", ("json", "socket-json"))
def test_whole_numbers_sent_as_floats_are_stored_as_ints(app, db, channels, channel):
    """`14.0` points on idea `1.0`: equal to 14 and 1 in Python, and stored as floats
    until ids were read in one place."""
    workshop, _secret, ideas = workshop_with_ideas(db)
    first = ideas[0].id
    rounds = {}
    for method, body in (("points", {"ballot": {str(first): 14.0}}),
                         ("approval", {"ballot": [float(first)]}),
                         ("ranking", {"ballot": [float(first), float(ideas[1].id)]})):
        rounds[method] = ops.open_round(db, workshop, method=method)
        phone = channels(workshop.code, channel)
        status, answer = phone.send({}, body)
        assert answer["ok"] is True, answer
        ops.close_round(db, workshop)
    db.expire_all()
    stored = {method: db.scalar(select(Ballot.content).where(Ballot.round_id == vote.id))
              for method, vote in rounds.items()}
    assert stored == {"points": {str(first): 14}, "approval": [first],
                      "ranking": [first, ideas[1].id]}
    assert type(stored["points"][str(first)]) is int
    assert all(type(i) is int for i in stored["approval"] + stored["ranking"])


def test_a_group_writes_its_good_ballots_beside_every_malformed_id_in_one_commit(
        app, db, caplog):
    """Every malformed case above, as the form and as JSON, in one group with a good
    ballot in each round: the group commits once (no retry one by one), the malformed
    ones are refused with their codes, the good ones are written."""
    groups = []
    for _name, method, fields, body, form_refusal, json_refusal in CASES:
        workshop, _secret, ideas = workshop_with_ideas(db)
        vote = ops.open_round(db, workshop, method=method)
        good = {"pairwise": None, "dots": {"ballot": {str(ideas[0].id): 1}},
                "points": {"ballot": {str(ideas[0].id): 10}},
                "ranking": {"ballot": [ideas[1].id]},
                "approval": {"ballot": [ideas[2].id]}}[method]
        voters = [ids_of(workshop, ops.join_workshop(db, workshop)[0]) for _ in range(3)]
        groups.append((vote, voters, good,
                       [(UnreadBallot(fields, form=True), form_refusal),
                        (UnreadBallot(body, form=False), json_refusal)]))
    pending = []
    for _vote, voters, good, bad in groups:
        pending += [ballots._Pending(voters[n], ballot, client_id())
                    for n, (ballot, _refusal) in enumerate(bad)]
        if good is not None:
            pending.append(ballots._Pending(voters[2], UnreadBallot(good, form=False),
                                            client_id()))
    writer = ballots.current_writer()
    before = writer.groups
    with caplog.at_level(logging.WARNING, logger="workshop.ops.ballots"):
        writer._commit(pending)
    assert writer.groups == before + 1 and not caplog.records
    answers = iter(pending)
    db.expire_all()
    for vote, voters, good, bad in groups:
        for _ballot, refusal in bad:
            refused = next(answers)
            assert refused.response is None and refused.error is not None
            assert (refused.error.code, refused.error.params.get("reason")) == refusal
        stored = db.scalars(select(Ballot.participant_id).where(Ballot.round_id == vote.id))
        if good is not None:
            assert next(answers).response["ok"] is True
            assert stored.all() == [voters[2].participant_id]
        else:
            assert stored.all() == []


# --- the facilitator's commands ---------------------------------------------------------

NOT_IDS = [2**63, 2**63 - 1, 2**31, 10**30, HUGE, LARGE, ARABIC_ONE, "1.5", 1.5, True, [1],
           {"id": 1}, -1, 0, "01", " 1"]


@pytest.mark.parametrize("value", NOT_IDS, ids=lambda v: repr(v)[:20])
def test_facilitator_commands_refuse_what_is_not_an_id_with_bad_request(client, db, value):
    workshop, secret, ideas = workshop_with_ideas(db)
    activity = ops.plan_activity(db, workshop, "ideas", title="Défis")
    base = f"/f/{secret}/do"
    commands = [("approve", {"idea": value}), ("hide", {"idea": value}),
                ("edit", {"idea": value, "text": "Nouveau"}),
                ("merge", {"idea": value, "into": ideas[0].id}),
                ("merge", {"idea": ideas[1].id, "into": value}),
                ("remove-activity", {"activity": value}),
                ("move-activity", {"activity": value, "direction": "up"}),
                ("edit-activity", {"activity": value, "title": "x"}),
                ("start-activity", {"activity": value})]
    for command, fields in commands:
        sent = [client.post(f"{base}/{command}", json=fields)]
        if isinstance(value, str | int) and not isinstance(value, bool):
            sent.append(client.post(f"{base}/{command}", headers={"Accept": "application/json"},
                                    data={k: str(v) for k, v in fields.items()}))
        for answer in sent:
            assert (answer.status_code, answer.get_json()["error"]) == (400, "bad_request"), \
                (command, answer.get_json())
    assert ops.start_activity(db, workshop, activity.id).status == "open"  # nothing changed


@pytest.mark.parametrize("value", [2**63, 2**31, HUGE, ARABIC_ONE, 1.5, True, [1]],
                         ids=lambda v: repr(v)[:20])
def test_a_vote_planned_on_an_activity_that_is_not_an_id_is_refused(client, db, value):
    workshop, secret, _ideas = workshop_with_ideas(db)
    for setting in ("collection", "of"):
        answer = client.post(f"/f/{secret}/do/plan-activity", json={
            "kind": "vote", "source": "top" if setting == "of" else "approved",
            setting: value})
        assert answer.status_code == 400, answer.get_json()
        assert answer.get_json()["error"] == "bad_activity_setting"
        assert answer.get_json()["params"]["setting"] == setting
