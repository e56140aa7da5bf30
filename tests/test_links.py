"""Co-facilitator and moderator links, the facilitator's own link replaced, automatic
approval with a blocklist, and authors' phones told when their ideas are moderated."""

from __future__ import annotations

import pytest

from tests.conftest import join_phone
from tests.factories import client_id, participant, workshop_with_ideas
from tests.security_support import everything
from tests.test_facilitator import PAYLOADS
from workshop import ops
from workshop.core.errors import Refused
from workshop.store import lookups
from workshop.store.models import Idea
from workshop.web.facilitator import COMMANDS, MODERATOR_COMMANDS

JSON = {"Accept": "application/json"}


def pushes(sio, name):
    return [m["args"][0] for m in sio.get_received() if m["name"] == name]


def flush(app) -> None:
    app.extensions["workshop.broadcaster"].flush()


def status_of(db, idea_id):
    db.rollback()
    return db.get(Idea, idea_id).status


# --- automatic approval (verbs) ---------------------------------------------------------

def test_automatic_approval_approves_at_once_unless_a_word_holds_the_idea(db):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    ops.open_ideas(db, workshop)
    person = participant(db, workshop)
    before = ops.submit_idea(db, workshop, person, "Plus de logements", client_id())
    assert before["idea"]["status"] == "pending"  # off by default
    ops.set_auto_approve(db, workshop, True)
    clean = ops.submit_idea(db, workshop, person, "Un transport abordable", client_id())
    held = ops.submit_idea(db, workshop, person, "Le ministre est un CON", client_id())
    assert clean["idea"]["status"] == "approved"
    assert held["idea"] == {**held["idea"], "status": "pending"}
    assert "held_for" not in held["idea"]  # the author is not told why
    db.rollback()
    assert db.get(Idea, held["idea"]["id"]).held_for == "con"
    assert db.get(Idea, clean["idea"]["id"]).held_for is None
    assert status_of(db, before["idea"]["id"]) == "pending"  # waiting ideas stay waiting


def test_the_blocklist_is_the_workshops_own_once_edited(db):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    ops.open_ideas(db, workshop)
    person = participant(db, workshop)
    ops.set_auto_approve(db, workshop, True, "Gratteux\nvoleurs de job")
    assert ops.blocklist_of(workshop) == ["gratteux", "voleurs de job"]
    answers = [ops.submit_idea(db, workshop, person, text, client_id())["idea"]["status"]
               for text in ("Le maire est un con", "Des GRATTEUX partout",
                            "Les voleurs de job")]
    assert answers == ["approved", "pending", "pending"]
    ops.set_auto_approve(db, workshop, False)  # off: the list stays as edited
    assert ops.blocklist_of(workshop) == ["gratteux", "voleurs de job"]
    with pytest.raises(Refused) as refused:
        ops.set_auto_approve(db, workshop, True, "x" * 61)
    assert refused.value.code == "bad_blocklist"
    db.rollback()
    assert db.get(type(workshop), workshop.id).auto_approve is False  # nothing changed


def test_a_copy_of_the_workshop_keeps_its_automatic_approval(db):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    ops.set_auto_approve(db, workshop, True, "gratteux")
    copy, _copy_secret = ops.duplicate_workshop(db, workshop, lambda title: title + " 2")
    assert (copy.auto_approve, ops.blocklist_of(copy)) == (True, ["gratteux"])


def test_the_facilitator_sees_the_word_and_the_phone_never_does(client, db):
    workshop, secret, _ideas = workshop_with_ideas(db)
    base = f"/f/{secret}/do"
    assert client.post(f"{base}/open-ideas", headers=JSON).json["ok"]
    form = client.post(f"{base}/auto-approve", data={"on": "1", "blocklist": "gratteux\ncon"})
    assert form.status_code == 302
    phone = client.application.test_client()
    join_phone(phone, workshop.code)
    sent = phone.post(f"/j/{workshop.code}/ideas",
                      json={"text": "Des gratteux au conseil", "client_id": client_id()})
    assert sent.json["idea"]["status"] == "pending" and "held_for" not in sent.json["idea"]
    shown = phone.get(f"/j/{workshop.code}").get_data(as_text=True)
    assert "Des gratteux au conseil" in shown and "Retenue" not in shown
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    assert "Retenue par le mot «\u00a0gratteux\u00a0» de la liste." in page
    assert 'name="on" value="1" checked' in page
    assert phone.post(f"/j/{workshop.code}/ideas", json={
        "text": "Des gardiennes le soir", "client_id": client_id()}).json["idea"]["status"] \
        == "approved"
    bad = client.post(f"{base}/auto-approve", json={"on": True, "blocklist": ["con"]})
    assert bad.status_code == 400 and bad.json["error"] == "bad_blocklist"


# --- co-facilitator and moderator links -------------------------------------------------

def test_a_cofacilitator_link_has_the_same_powers_until_revoked(client, db):
    workshop, secret, (idea, *_rest) = workshop_with_ideas(db)
    made = client.post(f"/f/{secret}/links", json={"kind": "cofacilitator", "label": "Lise"})
    assert made.json["ok"] and made.json["link"].startswith("http")
    token = made.json["link"].rsplit("/f/", 1)[1]
    assert lookups.find_facilitator_link(db, token)[1] == "cofacilitator"
    other = client.application.test_client()
    page = other.get(f"/f/{token}").get_data(as_text=True)
    assert "do/open-round" in page and "Lise" in page
    assert other.post(f"/f/{token}/do/rename", json={"title": "Par Lise"}).json["ok"]
    assert other.get(f"/f/{token}/export.csv").status_code == 200
    # A co-facilitator cannot take the workshop's own link from its holder.
    refused = other.post(f"/f/{token}/rotate", json={})
    assert refused.status_code == 403 and refused.json["error"] == "own_link_only"
    assert client.post(f"/f/{secret}/do/revoke-device",
                       json={"device": made.json["device"]}).json["ok"]
    assert other.get(f"/f/{token}").status_code == 404
    assert other.post(f"/f/{token}/do/hide", json={"idea": idea.id}).status_code == 404


def test_the_plain_form_shows_the_link_once_with_its_qr_code(client, db):
    workshop, secret, _ideas = workshop_with_ideas(db)
    page = client.post(f"/f/{secret}/links", data={"kind": "moderator", "label": "Sam"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Lien de modération" in text and "<svg" in text
    listed = client.get(f"/f/{secret}").get_data(as_text=True)
    assert "Modération · Sam" in listed
    assert client.post(f"/f/{secret}/links", json={"kind": "kiosk"}).status_code == 400


def test_a_moderator_moderates_the_queue_and_nothing_else(client, db):
    workshop, secret, (kept, *_rest) = workshop_with_ideas(db)
    ops.open_ideas(db, workshop)
    person = participant(db, workshop)
    waiting = [ops.submit_idea(db, workshop, person, text, client_id())["idea"]["id"]
               for text in ("Logements sociaux", "Logement social", "Hors sujet")]
    _device, token = ops.issue_device(db, workshop, "moderator", "Sam")
    moderator = client.application.test_client()
    page = moderator.get(f"/f/{token}").get_data(as_text=True)
    assert "Logements sociaux" in page and "Approuver" in page
    for absent in ("do/open-round", "do/add-idea", "do/edit", "do/import-ideas",
                   "do/auto-approve", "/links", "/tickets", "/export"):
        assert absent not in page, absent
    base = f"/f/{token}/do"
    assert moderator.post(f"{base}/approve", json={"idea": waiting[0]}).json["ok"]
    assert moderator.post(f"{base}/merge", json={"idea": waiting[1],
                                                 "into": waiting[0]}).json["ok"]
    assert moderator.post(f"{base}/hide", json={"idea": waiting[2]}).json["ok"]
    assert moderator.post(f"{base}/unmerge", json={"idea": waiting[1]}).json["ok"]
    assert moderator.post(f"{base}/approve-ideas", json={"ideas": [waiting[2]]}).json["ok"]
    # approving a list leaves what is no longer waiting as it is
    assert [status_of(db, i) for i in waiting] == ["approved", "approved", "hidden"]
    assert moderator.get(f"/f/{token}/panel").status_code == 200
    for path in ("/export.csv", "/results", "/profiles", "/ballots.csv", "/poster-a4.pdf"):
        assert moderator.get(f"/f/{token}{path}").status_code == 403, path
    assert moderator.post(f"/f/{token}/links", json={"kind": "cofacilitator"}) \
        .status_code == 403


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - set(MODERATOR_COMMANDS)))
def test_a_moderator_is_refused_every_other_command(client, db, command):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    _device, token = ops.issue_device(db, workshop, "moderator")
    before = everything(db)
    answer = client.post(f"/f/{token}/do/{command}", json=PAYLOADS[command])
    assert answer.status_code == 403 and answer.json["error"] == "moderators_moderate_only"
    form = client.post(f"/f/{token}/do/{command}",
                       data={k: str(v) for k, v in PAYLOADS[command].items()})
    assert form.status_code == 403 and "modération" in form.get_data(as_text=True)
    assert everything(db) == before


def test_the_own_link_is_replaced_and_the_old_one_opens_nothing(client, db):
    workshop, secret, _ideas = workshop_with_ideas(db)
    _device, co_token = ops.issue_device(db, workshop, "cofacilitator")
    answer = client.post(f"/f/{secret}/rotate")
    assert answer.status_code == 302 and "rotated=1" in answer.headers["Location"]
    new = answer.headers["Location"].split("/f/", 1)[1].split("?", 1)[0]
    assert new != secret
    assert client.get(f"/f/{secret}").status_code == 404
    assert client.post(f"/f/{secret}/do/rename", json={"title": "Volé"}).status_code == 404
    shown = client.get(f"/f/{new}?rotated=1").get_data(as_text=True)
    assert "Votre lien d'animation est remplacé" in shown or \
        "Votre lien d’animation est remplacé" in shown
    assert client.get(f"/f/{co_token}").status_code == 200  # the links it gave stay open


# --- the sockets: moderators' pushes, authors told --------------------------------------

def test_a_moderator_joins_with_its_link_and_is_pushed_the_queue_alone(app, db, sockets):
    workshop, secret, _ideas = workshop_with_ideas(db)
    _device, token = ops.issue_device(db, workshop, "moderator")
    _device2, co_token = ops.issue_device(db, workshop, "cofacilitator")
    sio = sockets()
    for role, guess in (("moderator", secret), ("moderator", co_token),
                        ("facilitator", token), ("moderator", token[:-1] + "A")):
        assert sio.emit("join", {"code": workshop.code, "role": role, "secret": guess},
                        callback=True) == {"ok": False, "error": "forbidden"}, (role, guess)
    co = sockets()
    assert co.emit("join", {"code": workshop.code, "role": "facilitator", "secret": co_token},
                   callback=True)["ok"]
    joined = sio.emit("join", {"code": workshop.code, "role": "moderator", "secret": token},
                      callback=True)
    assert joined["ok"] and "tickets" not in joined["state"]
    assert 'id="ideas"' in joined["state"]["panel"]
    ops.open_ideas(db, workshop)
    ops.submit_idea(db, workshop, participant(db, workshop), "En attente <i>ici</i>",
                    client_id())
    sio.get_received()
    flush(app)
    push = pushes(sio, "moderator_changed")[-1]
    assert push["pending"] == 1 and "En attente &lt;i&gt;ici&lt;/i&gt;" in push["panel"]
    for absent in ("tickets-title", "do/open-round", "do/add-idea", token):
        assert absent not in push["panel"], absent
    assert f"/f/{push['secret_placeholder']}/do/approve" in push["panel"]
    # The facilitators' panel, rendered in the same flush, is the whole console still.
    assert "do/add-idea" in pushes(co, "facilitator_changed")[-1]["panel"]


def test_authors_phones_are_told_when_their_ideas_are_moderated(app, db, sockets):
    """Approve, hide, merge and undo reach the author's phone alone, at once (no HTTP
    pull), and a phone that joins again is told its ideas' statuses in the answer."""
    workshop, secret, (kept, *_rest) = workshop_with_ideas(db)
    ops.open_ideas(db, workshop)
    author, other = app.test_client(), app.test_client()
    for phone in (author, other):
        join_phone(phone, workshop.code)
    ids = [author.post(f"/j/{workshop.code}/ideas", json={
        "text": text, "client_id": client_id()}).json["idea"]["id"]
        for text in ("Logements", "Hors sujet", "Transport en commun")]
    mine, theirs = sockets(author), sockets(other)
    for sio in (mine, theirs):
        sio.emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
        sio.get_received()
    ops.hide_idea(db, workshop, ids[1])
    assert pushes(mine, "own_ideas") == [{"ideas": [{"id": ids[1], "status": "hidden"}]}]
    ops.merge_ideas(db, workshop, ids[0], kept.id)
    assert pushes(mine, "own_ideas") == [{"ideas": [{"id": ids[0], "status": "merged"}]}]
    ops.approve_ideas(db, workshop, [ids[2]])
    assert pushes(mine, "own_ideas") == [{"ideas": [{"id": ids[2], "status": "approved"}]}]
    ops.unmerge_idea(db, workshop, ids[0])
    assert pushes(mine, "own_ideas") == [{"ideas": [{"id": ids[0], "status": "approved"}]}]
    client = app.test_client()
    assert client.post(f"/f/{secret}/do/approve", json={"idea": ids[1]}).json["ok"]
    assert pushes(mine, "own_ideas") == [{"ideas": [{"id": ids[1], "status": "approved"}]}]
    assert pushes(theirs, "own_ideas") == []
    again = sockets(author).emit("join", {"code": workshop.code, "role": "phone"},
                                 callback=True)
    assert sorted((i["id"], i["status"]) for i in again["state"]["own_ideas"]) == \
        sorted((i, "approved") for i in ids)
    stranger = sockets().emit("join", {"code": workshop.code, "role": "phone"}, callback=True)
    assert "own_ideas" not in stranger["state"]


def test_no_moderator_link_no_moderators_push_nor_rendering(app, db):
    """The moderators' view exists only while the workshop has an open moderator link:
    with several processes the pusher cannot see which rooms are empty, and would render
    the moderators' panel on every change for nobody."""
    from workshop.live import broadcast

    workshop, secret, _ideas = workshop_with_ideas(db)
    broadcaster = app.extensions["workshop.broadcaster"]
    assert broadcaster.views(workshop.code)[broadcast.MODERATORS] is None
    _device2, _co = ops.issue_device(db, workshop, "cofacilitator")
    assert broadcaster.views(workshop.code)[broadcast.MODERATORS] is None
    device, _token = ops.issue_device(db, workshop, "moderator")
    view = broadcaster.views(workshop.code)[broadcast.MODERATORS]
    assert set(view) == {*broadcast.MODERATOR_KEYS, "in_open_vote"}
    ops.revoke_device(db, workshop, device.id)
    assert broadcaster.views(workshop.code)[broadcast.MODERATORS] is None
