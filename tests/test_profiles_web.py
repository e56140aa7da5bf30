"""Profiles over HTTP: the phone's consent screen and questions, the facilitator's page and
JSON of results by group, in French and English."""

from __future__ import annotations

import csv
import io
import re

from tests.conftest import join_phone
from tests.factories import voting_workshop
from workshop import ops
from workshop.store.groups import own_profile, profile_questions
from workshop.store.models import Participant

JSON = {"Accept": "application/json"}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_phone_agrees_answers_changes_and_erases(app, db, client):
    workshop, secret, _ideas, _vote = voting_workshop(db)
    code = workshop.code
    assert "Il n'y a pas de question" in client.get(f"/j/{code}/profile").get_data(as_text=True)
    client.post(f"/f/{secret}/do/add-profile-template", json={})
    client.post(f"/f/{secret}/do/open-profiles", json={"open": True})

    page = client.get(f"/j/{code}/panel").get_data(as_text=True)
    assert "Quelques questions sur vous" in page and f"/j/{code}/profile" in page

    consent = text_of(client.get(f"/j/{code}/profile").get_data(as_text=True))
    assert "Quelques questions sur vous" in consent
    assert "4 courtes questions" in consent and "au moins 5 personnes" in consent
    assert "J'accepte de répondre" in consent and 'name="q-' not in consent

    answer = client.post(f"/j/{code}/consent", data={"agreed": "yes"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/j/{code}/profile")
    form = client.get(f"/j/{code}/profile").get_data(as_text=True)
    gender, territory = profile_questions(db, workshop)[:2]
    assert f'name="q-{gender.id}"' in form and "Une femme" in form and "Hors région" in form
    assert "Préfère ne pas répondre" in form

    client.post(f"/j/{code}/profile", data={f"q-{gender.id}": "c2", f"q-{territory.id}": "c5"})
    db.rollback()  # a new read: the client wrote since this session last read
    person = db.query(Participant).filter_by(workshop_id=workshop.id).one()
    assert own_profile(db, person.id) == (True, {gender.id: "c2", territory.id: "c5"})
    assert 'value="c2" checked' in client.get(f"/j/{code}/profile").get_data(as_text=True)
    # a form sends every question: one left blank is erased
    client.post(f"/j/{code}/profile", data={f"q-{gender.id}": "c1"})
    db.rollback()
    assert own_profile(db, person.id) == (True, {gender.id: "c1"})
    # the panel no longer invites a phone that has decided
    assert "Quelques questions sur vous" not in client.get(f"/j/{code}/panel").get_data(
        as_text=True)

    erased = client.post(f"/j/{code}/consent", data={"agreed": "no"})
    assert erased.status_code == 302
    db.rollback()
    assert own_profile(db, person.id) == (False, {})


def test_answers_over_json_and_their_refusals(app, db, client):
    workshop, secret, _ideas, _vote = voting_workshop(db)
    code = workshop.code
    client.post(f"/f/{secret}/do/add-profile-template", json={})
    client.post(f"/f/{secret}/do/open-profiles", json={"open": True})
    gender = profile_questions(db, workshop)[0]
    # answering before joining joins nobody
    refused = client.post(f"/j/{code}/profile", json={"answers": {str(gender.id): "c1"}})
    assert refused.status_code == 403 and refused.get_json()["error"] == "not_joined"
    assert db.query(Participant).count() == 0
    db.rollback()
    join_phone(client, code)
    refused = client.post(f"/j/{code}/profile", json={"answers": {str(gender.id): "c1"}})
    assert refused.status_code == 409 and refused.get_json()["error"] == "no_consent"
    assert client.post(f"/j/{code}/consent", json={"agreed": True}).get_json() == \
        {"ok": True, "agreed": True}
    assert client.post(f"/j/{code}/profile", json={"answers": {str(gender.id): "c1"}},
                       headers=JSON).get_json() == {"ok": True}
    for body, error in (({"answers": {str(gender.id): "c9"}}, "bad_choice"),
                        ({"answers": [1]}, "bad_request"),
                        ({"answers": {"1" * 40: "c1"}}, "question_not_found")):
        answer = client.post(f"/j/{code}/profile", json=body)
        assert answer.get_json()["error"] == error, body
        assert answer.status_code < 500
    english = client.post(f"/j/{code}/consent?lang=en", json={"agreed": "maybe"}).get_json()
    assert english["error"] == "bad_request"


def test_the_facilitator_sees_results_by_group_without_small_groups(app, db, client):
    workshop, secret, ideas, _vote = voting_workshop(db, dots=3, cap=3)
    ops.add_template_questions(db, workshop, lambda text: text)
    ops.open_profiles(db, workshop)
    gender = profile_questions(db, workshop)[0]
    phones = []
    for choice, idea in [("c1", ideas[0])] * 6 + [("c2", ideas[1])] * 6 + [("c3", ideas[2])] * 2 \
            + [(None, ideas[2])] * 3:
        phone = app.test_client()
        join_phone(phone, workshop.code)
        phone.post(f"/j/{workshop.code}/consent", json={"agreed": True})
        if choice:
            phone.post(f"/j/{workshop.code}/profile",
                       json={"answers": {str(gender.id): choice}})
        answer = phone.post(f"/j/{workshop.code}/ballot", headers=JSON, json={
            "client_id": f"client-{len(phones):04d}-abcdef", "ballot": {str(idea.id): 3}})
        assert answer.get_json()["ok"], answer.get_json()
        phones.append(phone)
    page = text_of(client.get(f"/f/{secret}/profiles").get_data(as_text=True))
    assert "Pas encore de vote fermé" in page  # open: nothing by group yet
    assert client.get(f"/f/{secret}/groups.json").get_json()["votes"] == []
    client.post(f"/f/{secret}/do/close-round", json={})

    votes = client.get(f"/f/{secret}/groups.json").get_json()["votes"]
    by_gender = votes[0]["questions"][0]
    assert [(g["label"], g["voters"]) for g in by_gender["groups"]] == [("A woman", 6),
                                                                       ("A man", 6)]
    assert by_gender["hidden_voters"] == 5 and by_gender["k"] == 5
    first = by_gender["rows"][0]
    assert first["groups"] == [1, 2] or first["groups"] == [2, 1]
    # the two non-binary people are nowhere, not even their label
    assert "non-binary" not in str(votes)
    page = text_of(client.get(f"/f/{secret}/profiles").get_data(as_text=True))
    assert "Résultats par groupe" in page and "Chaque groupe compte autant" in page
    assert "5 personnes ne sont dans aucun groupe montré" in page


def test_results_by_group_as_a_spreadsheet_leave_small_groups_out(app, db, client):
    workshop, secret, ideas, _vote = voting_workshop(db, dots=3, cap=3)
    ops.add_template_questions(db, workshop, lambda text: text)
    ops.open_profiles(db, workshop)
    gender = profile_questions(db, workshop)[0]
    ops.edit_profile_question(db, workshop, gender.id, "=HYPERLINK(\"x\")", ["F", "H", "X"])
    for n, choice in enumerate(["c1"] * 5 + ["c2"] * 5 + ["c3"] * 2 + ["prefer_not"] * 3):
        phone = app.test_client()
        join_phone(phone, workshop.code)
        phone.post(f"/j/{workshop.code}/consent", json={"agreed": True})
        phone.post(f"/j/{workshop.code}/profile", json={"answers": {str(gender.id): choice}})
        phone.post(f"/j/{workshop.code}/ballot", headers=JSON, json={
            "client_id": f"client-{n:04d}-abcdef", "ballot": {str(ideas[n % 3].id): 3}})
    client.post(f"/f/{secret}/do/close-round", json={})
    answer = client.get(f"/f/{secret}/groups.csv")
    assert answer.headers["Content-Disposition"].endswith('-groups.csv"')
    lines = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == ["tour", "titre_du_tour", "question", "groupe", "votants_du_groupe",
                        "rang", "priorité", "plus_faible_appui"]
    assert {line[3] for line in lines[1:]} == {"Tout le monde", "F", "H",
                                               "Chaque groupe compte autant"}
    assert {line[2] for line in lines[1:]} == {"'=HYPERLINK(\"x\")"}  # neutralised
    assert len(lines) == 1 + 3 * 4  # three priorities for everyone, F, H and equal weights


def test_the_monitor_on_the_console_is_live_and_counts_the_phones_connected(
        app, db, sockets, monkeypatch):
    """Who is in the room, by group, is part of the facilitator's pushed view and panel: a
    phone that connects, answers and votes moves its group's counts on the console with no
    reload; one that leaves stops counting as connected (its answer still counts). The
    count is taken at most every ROOM_EVERY seconds, and a count shown older than the room
    is pushed again once due, with no other change."""
    import time

    from tests.factories import client_id, ids_of
    from tests.test_events import flush, pushes
    from workshop.live import broadcast

    monkeypatch.setattr(broadcast, "ROOM_EVERY", 0.2)

    workshop, secret, ideas, _vote = voting_workshop(db, dots=3, cap=3)
    code = workshop.code
    steering = app.test_client()
    steering.post(f"/f/{secret}/do/add-profile-template", json={})
    steering.post(f"/f/{secret}/do/open-profiles", json={"open": True})
    gender = profile_questions(db, workshop)[0]
    steering.post(f"/f/{secret}/do/set-expected-shares",
                  json={"question": gender.id, "shares": "Une femme;50\nUn homme;50"})
    facilitator = sockets()
    facilitator.emit("join", {"code": code, "role": "facilitator", "secret": secret},
                     callback=True)
    phones = []
    for choice in ("c1", "c2", "c2"):  # a woman, two men
        http = app.test_client()
        join_phone(http, code)
        http.post(f"/j/{code}/consent", data={"agreed": "yes"})
        http.post(f"/j/{code}/profile", data={f"q-{gender.id}": choice})
        phone = sockets(http)
        assert phone.emit("join", {"code": code, "role": "phone"}, callback=True)["ok"]
        phones.append(phone)
    db.rollback()
    men = [p for p in db.query(Participant).filter_by(workshop_id=workshop.id)
           if own_profile(db, p.id)[1] == {gender.id: "c2"}]
    ops.cast_ballot(db, ids_of(workshop, men[0]), {ideas[0].id: 1}, client_id())
    facilitator.get_received()
    flush(app)
    room = pushes(facilitator, "facilitator_changed")[-1]
    rows = {r["key"]: r for r in room["room"]["questions"][0]["rows"]}
    assert (room["room"]["present"], room["room"]["profiled"], room["room"]["voters"]) == \
        (3, 3, 1)
    assert [rows["c1"][k] for k in ("present", "answered", "voted")] == [1, 1, 0]
    assert [rows["c2"][k] for k in ("present", "answered", "voted")] == [2, 2, 1]
    # a vote has a voter: shares are of the voters, and women are under-heard among them
    assert room["room"]["questions"][0]["basis"] == "voted"
    assert (rows["c1"]["under"], rows["c2"]["under"]) == (True, False)
    panel = text_of(room["panel"])
    assert "Qui est dans la salle" in panel and "3 personnes connectées maintenant" in panel
    assert "sous-représenté" in panel
    phones[0].disconnect()  # the woman's phone leaves
    flush(app)  # within ROOM_EVERY: the count may be the last one ...
    time.sleep(0.25)
    flush(app)  # ... and is counted again once due, though nothing else changed
    room = pushes(facilitator, "facilitator_changed")[-1]["room"]
    rows = {r["key"]: r for r in room["questions"][0]["rows"]}
    assert room["present"] == 2 and (rows["c1"]["present"], rows["c1"]["answered"]) == (0, 1)
    # the console page itself shows the same table when loaded
    page = text_of(steering.get(f"/f/{secret}").get_data(as_text=True))
    assert "2 personnes connectées maintenant" in page
