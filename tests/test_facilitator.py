"""The facilitator's commands: only the secret link may run them, every one of them."""

from __future__ import annotations

import json

import pytest

from tests.conftest import join_phone
from tests.factories import client_id, voting_workshop, workshop_with_ideas
from tests.security_support import everything
from workshop import ops
from workshop.store import lookups, views
from workshop.store.models import Round
from workshop.web.facilitator import COMMANDS

JSON = {"Accept": "application/json"}

# One plausible payload per command, so a refusal is about who asks, not what is asked.
PAYLOADS = {
    "rename": {"title": "Pris en otage"},
    "open-lobby": {},
    "open-ideas": {},
    "open-round": {"dots": 5, "max_per_option": 1, "show_live": True},
    "close-round": {},
    "show-live": {"show": False},
    "reveal": {"reveal": True},
    "add-idea": {"text": "Injectée"},
    "approve": {"idea": 1},
    "hide": {"idea": 1},
    "edit": {"idea": 1, "text": "Modifiée"},
    "merge": {"idea": 2, "into": 1},
    "unmerge": {"idea": 2},
    "import-ideas": {"csv": "priorité\nLogement\nTransport collectif"},
    "approve-ideas": {"ideas": [1, 2]},
    "plan-activity": {"kind": "ideas", "title": "Solutions", "prompt": "Quelles solutions?"},
    "plan-ready-agenda": {},
    "plan-solutions": {"activity": 1, "count": 3},
    "edit-activity": {"activity": 1, "title": "Modifiée"},
    "remove-activity": {"activity": 1},
    "move-activity": {"activity": 1, "direction": "down"},
    "start-activity": {"activity": 1},
    "start-next": {},
    "close-activity": {},
    "set-timer": {"activity": 1, "seconds": 120, "auto_close": True},
    "extend-timer": {"seconds": 60},
    "stop-timer": {},
    "add-profile-template": {},
    "add-profile-question": {"text": "Quel âge avez-vous ?", "choices": ["Moins de 30", "30+"]},
    "edit-profile-question": {"question": 1, "text": "Genre", "choices": ["F", "H"]},
    "remove-profile-question": {"question": 1},
    "set-group-size": {"size": 7},
    "open-profiles": {"open": True},
    "set-retention": {"days": 30},
    "purge": {"confirm": "ABCD"},
    "project-groups": {"view": "off"},
    "set-expected-shares": {"question": 1, "shares": "A;10"},
    "revoke-device": {"device": 1},
    "auto-approve": {"on": True, "blocklist": "con\nidiot"},
    "set-themes": {"group": True, "themes": "Logement\nTransport"},
    "set-theme": {"idea": 1, "theme": "Logement"},
    "reveal-poll": {"reveal": True},
    "hide-answer": {"answer": 1, "hidden": True},
}


def test_every_command_has_a_payload_in_this_table():
    assert set(PAYLOADS) == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_participant_is_refused_every_facilitator_command(app, db, command):
    workshop, secret, ideas = workshop_with_ideas(db)
    other, other_secret, _ = workshop_with_ideas(db, ("Ailleurs",))
    phone = app.test_client()
    join_phone(phone, workshop.code)
    before = everything(db)
    guesses = ["", "x", secret[:-2], secret.upper() if secret.upper() != secret else secret + "A",
               workshop.code, "a" * 43]
    for guess in guesses:
        for as_json in (True, False):
            url = f"/f/{guess}/do/{command}"
            answer = (phone.post(url, json=PAYLOADS[command]) if as_json
                      else phone.post(url, data={k: str(v) for k, v in PAYLOADS[command].items()}))
            assert answer.status_code in (404, 405), (guess, answer.status_code)
    # The facilitator of another workshop cannot steer this one either: its link only
    # ever reaches its own workshop.
    phone.post(f"/f/{other_secret}/do/{command}", json=PAYLOADS[command])
    after = everything(db)
    mine_before = [r for r in json.loads(before)["ideas"] if r["workshop_id"] == str(workshop.id)]
    mine_after = [r for r in json.loads(after)["ideas"] if r["workshop_id"] == str(workshop.id)]
    assert mine_before == mine_after
    this_before = [w for w in json.loads(before)["workshops"] if w["id"] == str(workshop.id)]
    this_after = [w for w in json.loads(after)["workshops"] if w["id"] == str(workshop.id)]
    assert this_before == this_after


def test_facilitator_runs_the_whole_loop_over_http(client, db):
    workshop, secret = ops.create_workshop(db, "Atelier")
    base = f"/f/{secret}/do"
    assert client.post(f"{base}/open-ideas", headers=JSON).json == {"ok": True}
    phone = client.application.test_client()
    join_phone(phone, workshop.code)
    idea = phone.post(f"/j/{workshop.code}/ideas",
                      json={"text": "Transport", "client_id": client_id()}).json["idea"]["id"]
    assert client.post(f"{base}/approve", json={"idea": idea}).json["ok"]
    assert client.post(f"{base}/add-idea", json={"text": "Logement"}).json["ok"]
    answer = client.post(f"{base}/open-round", json={"dots": 2, "max_per_option": 1,
                                                     "title": "Vos priorités"})
    round_id = answer.json["round"]
    phone.post(f"/j/{workshop.code}/ballot",
               json={"client_id": client_id(), "ballot": {str(idea): 1}})
    assert client.post(f"{base}/close-round", json={}).json["ok"]
    assert client.post(f"{base}/reveal", json={"reveal": True}).json["ok"]
    db.rollback()
    vote = db.get(Round, round_id)
    assert (vote.title, vote.status, vote.revealed) == ("Vos priorités", "closed", True)
    export = client.get(f"/f/{secret}/export.json").json
    first = export["votes"][0]["ranking"][0]
    assert {k: first[k] for k in ("rank", "text", "score", "supporters", "share")} == {
        "rank": 1, "text": "Transport", "score": 1, "supporters": 1, "share": 1.0}


def test_facilitator_form_posts_refused_answer_the_message_and_a_way_back(client, db):
    workshop, secret, _ideas = workshop_with_ideas(db)
    answer = client.post(f"/f/{secret}/do/open-round", data={"dots": "0", "max_per_option": "1"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and not answer.headers.getlist("Set-Cookie")
    assert "flash-error" in page and f'href="/f/{secret}"' in page
    assert lookups.find_workshop(db, workshop.code).phase == "lobby"


def test_facilitator_bad_payloads_are_refused_cleanly(client, db):
    workshop, secret, ideas = workshop_with_ideas(db)
    base = f"/f/{secret}/do"
    for command, body in [("approve", {"idea": "1; drop"}), ("approve", {"idea": True}),
                          ("approve", {"idea": 10**12}), ("edit", {"idea": 1, "text": None}),
                          ("merge", {"idea": 1}), ("open-round", {"dots": "lots"}),
                          ("rename", {"title": ""}), ("open-round", [1, 2])]:
        answer = client.post(f"{base}/{command}", json=body)
        assert answer.status_code in (400, 404), (command, body, answer.status_code)
        assert answer.json["ok"] is False
    assert client.post(f"{base}/no-such-command", json={}).status_code == 404


def test_export_downloads_csv_and_json(client, db):
    workshop, secret, ideas, _vote = voting_workshop(db)
    csv = client.get(f"/f/{secret}/export.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "attachment" in csv.headers["Content-Disposition"]
    assert client.get(f"/f/{secret}/export.xml").status_code == 404
    assert client.get(f"/f/{'x' * 43}/export.csv").status_code == 404


def test_facilitator_view_lists_pending_ideas_for_moderation(db):
    workshop, _secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    person, _ = ops.join_workshop(db, workshop)
    ops.submit_idea(db, workshop, person, "En attente", client_id())
    view = views.facilitator_view(db, workshop, connected=1)
    assert view["pending"] == 1 and view["idea_counts"]["pending"] == 1
    assert [(i["text"], i["status"]) for i in view["pending_ideas"]] == [("En attente",
                                                                           "pending")]
