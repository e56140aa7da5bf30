"""Printed single-use ballot tickets: one person, one vote for the rounds that need it.

The facilitator prints N codes (shown once, stored as digests); a phone types or scans one
to hold it; a round opened with require_ticket takes ballots only from ticket holders, on
the one-by-one path and in group commits alike; a ticket is spent once, even when two
phones type it at the same moment, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
import requests
import zxingcpp
from sqlalchemy import select

from tests.conftest import Facilitator, join_over_http, join_phone
from tests.factories import client_id, ids_of, participant, workshop_with_ideas
from tests.support.qrimage import rasterise
from tests.support.together import run_together
from workshop import ops
from workshop.core import tokens
from workshop.core.errors import Refused
from workshop.ops import tickets
from workshop.store import lookups, views
from workshop.store.db import session_for
from workshop.store.models import Ballot, Ticket

DOTS = {"dots": 2, "max_per_option": 1}


def ticket_round(db, count=3):
    """A workshop with approved ideas, `count` tickets and an open ticket-only dot round."""
    workshop, secret, ideas = workshop_with_ideas(db)
    codes = ops.issue_tickets(db, workshop, count)
    vote = ops.open_round(db, workshop, settings=DOTS, require_ticket=True)
    return workshop, secret, ideas, vote, codes


def refusal(call) -> Refused:
    with pytest.raises(Refused) as caught:
        call()
    return caught.value


# --- issuing ----------------------------------------------------------------------------

def test_issued_codes_are_distinct_typeable_and_only_their_digests_are_stored(db):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    codes = ops.issue_tickets(db, workshop, 200)
    assert len(codes) == len(set(codes)) == 200
    assert all(re.fullmatch(r"[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}", code) for code in codes)
    stored = set(db.scalars(select(Ticket.digest).where(Ticket.workshop_id == workshop.id)))
    assert stored == {tokens.ticket_digest(workshop.id, code.replace("-", ""))
                      for code in codes}
    dump = " ".join(str(row) for row in db.execute(select(Ticket.__table__)).all())
    assert not any(code.replace("-", "") in dump or code in dump for code in codes)
    assert views.ticket_counts(db, workshop) == (200, 0)


@pytest.mark.parametrize("count", [0, -1, ops.TICKETS_PER_BATCH + 1, True, "5", None, 2.0])
def test_a_bad_number_of_tickets_is_refused_and_nothing_is_stored(db, count):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    error = refusal(lambda: ops.issue_tickets(db, workshop, count))
    assert error.code == "bad_ticket_count" and error.params["limit"] == ops.TICKETS_PER_BATCH
    assert views.ticket_counts(db, workshop) == (0, 0)


def test_a_workshop_cannot_hold_more_than_its_cap_of_tickets(db, monkeypatch):
    monkeypatch.setattr(tickets, "TICKETS_PER_WORKSHOP", 12)
    workshop, _secret, _ideas = workshop_with_ideas(db)
    ops.issue_tickets(db, workshop, 10)
    assert refusal(lambda: ops.issue_tickets(db, workshop, 3)).code == "too_many_tickets"
    assert len(ops.issue_tickets(db, workshop, 2)) == 2
    assert views.ticket_counts(db, workshop) == (12, 0)


# --- claiming ---------------------------------------------------------------------------

def test_a_ticket_is_spent_once_and_typing_it_again_is_harmless(db):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    first, second = ops.issue_tickets(db, workshop, 2)
    alice, bob = participant(db, workshop), participant(db, workshop)
    # Typed as people type: lower case, spaces instead of the dash.
    assert ops.claim_ticket(db, workshop, alice, f"  {first.lower().replace('-', ' ')} ")["ok"]
    assert ops.claim_ticket(db, workshop, alice, first)["ok"]  # the same form sent again
    assert refusal(lambda: ops.claim_ticket(db, workshop, bob, first)).code == "bad_ticket"
    held = refusal(lambda: ops.claim_ticket(db, workshop, alice, second))
    assert held.code == "ticket_already_held"
    assert ops.claim_ticket(db, workshop, bob, second)["ok"]
    assert lookups.holds_ticket(db, alice) and lookups.holds_ticket(db, bob)
    assert views.ticket_counts(db, workshop) == (2, 2)


@pytest.mark.parametrize("typed", ["", "ABCDE", "ABCDE-FGHJK-M", "ABCD0-FGHJK", "I" * 10,
                                   None, 12345, ["ABCDE-FGHJK"], "x" * 10_000])
def test_malformed_or_unknown_codes_are_refused_with_one_message(db, typed):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    ops.issue_tickets(db, workshop, 3)
    person = participant(db, workshop)
    assert refusal(lambda: ops.claim_ticket(db, workshop, person, typed)).code == "bad_ticket"
    assert views.ticket_counts(db, workshop) == (3, 0)


def test_a_ticket_of_another_workshop_opens_nothing_here(db):
    here, _s, _i = workshop_with_ideas(db)
    elsewhere, _s2, _i2 = workshop_with_ideas(db)
    ops.issue_tickets(db, here, 1)
    (foreign,) = ops.issue_tickets(db, elsewhere, 1)
    person = participant(db, here)
    assert refusal(lambda: ops.claim_ticket(db, here, person, foreign)).code == "bad_ticket"
    assert views.ticket_counts(db, elsewhere) == (1, 0)


def test_two_phones_typing_the_same_code_at_once_get_it_once(any_app):
    with any_app.app_context(), session_for(any_app) as db:
        workshop, _secret, _ideas = workshop_with_ideas(db)
        codes = ops.issue_tickets(db, workshop, 4)
        people = [participant(db, workshop).id for _ in range(8)]
        workshop_id = workshop.id

    def claim(person_id, code):
        def job():
            with any_app.app_context(), session_for(any_app) as db:
                from workshop.store.models import Participant, Workshop
                try:
                    ops.claim_ticket(db, db.get(Workshop, workshop_id),
                                     db.get(Participant, person_id), code)
                    return "ok"
                except Refused as error:
                    return error.code
        return job

    # Two phones on each of the four tickets, all at the same moment.
    results = run_together([claim(p, codes[i // 2]) for i, p in enumerate(people)])
    assert sorted(results) == ["bad_ticket"] * 4 + ["ok"] * 4
    with any_app.app_context(), session_for(any_app) as db:
        holders = db.scalars(select(Ticket.participant_id)
                             .where(Ticket.workshop_id == workshop_id)).all()
        assert len(holders) == 4 and None not in holders and len(set(holders)) == 4


# --- rounds that need a ticket ----------------------------------------------------------

def test_a_ticket_round_cannot_open_before_tickets_are_printed(db):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    error = refusal(lambda: ops.open_round(db, workshop, settings=DOTS, require_ticket=True))
    assert error.code == "no_tickets"
    assert workshop.current_round_id is None


def test_only_ticket_holders_vote_in_a_ticket_round(app, db):
    workshop, _secret, ideas, vote, codes = ticket_round(db)
    holder, stranger = participant(db, workshop), participant(db, workshop)
    ops.claim_ticket(db, workshop, holder, codes[0])
    ballot = {ideas[0].id: 1, ideas[1].id: 1}
    stranger_votes = ids_of(workshop, stranger)
    refused = refusal(lambda: ops.cast_ballot(db, stranger_votes, ballot, client_id()))
    assert (refused.code, refused.status) == ("ticket_needed", 403)
    assert ops.cast_ballot(db, ids_of(workshop, holder), ballot, client_id())["ok"]
    # The stranger types a ticket and may vote from then on.
    ops.claim_ticket(db, workshop, stranger, codes[1])
    assert ops.cast_ballot(db, ids_of(workshop, stranger), ballot, client_id())["ok"]
    db.expire_all()
    voters = db.scalars(select(Ballot.participant_id).where(Ballot.round_id == vote.id)).all()
    assert sorted(voters) == sorted([holder.id, stranger.id])


def test_pairwise_answers_need_a_ticket_too(db):
    workshop, _secret, ideas = workshop_with_ideas(db)
    (code,) = ops.issue_tickets(db, workshop, 1)
    vote = ops.open_round(db, workshop, method="pairwise", settings={"pairs": 3},
                          require_ticket=True)
    person = participant(db, workshop)
    left, right = views.next_step_for(db, vote, person.id)
    judgement = [left, right, left]
    error = refusal(lambda: ops.cast_ballot(db, ids_of(workshop, person), judgement, client_id()))
    assert error.code == "ticket_needed"
    ops.claim_ticket(db, workshop, person, code)
    assert ops.cast_ballot(db, ids_of(workshop, person), judgement, client_id())["judged"] == 1


def test_ordinary_rounds_still_take_every_phone(db):
    workshop, _secret, ideas = workshop_with_ideas(db)
    ops.issue_tickets(db, workshop, 2)
    vote = ops.open_round(db, workshop, settings=DOTS)
    assert vote.require_ticket is False
    person = participant(db, workshop)
    assert ops.cast_ballot(db, ids_of(workshop, person), {ideas[0].id: 1}, client_id())["ok"]


# --- through HTTP -----------------------------------------------------------------------

def test_the_printed_page_shows_each_code_once_with_a_qr_code_that_opens_it(app, db, client):
    workshop, secret, _ideas = workshop_with_ideas(db)
    page = client.post(f"/f/{secret}/tickets", data={"count": "4"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    codes = re.findall(r'class="slip-code">.*?</span>([A-Z0-9-]{11})</p>', html)
    assert len(codes) == 4 and len(set(codes)) == 4
    assert views.ticket_counts(db, workshop) == (4, 0)
    # Each slip's QR code holds the join address with its own code after a #, which the
    # browser never sends to the server.
    first_svg = re.search(r'<div class="slip-qr"[^>]*>(.*?)</div>', html, re.S).group(1)
    decoded = zxingcpp.read_barcodes(rasterise(first_svg))[0].text
    assert decoded == f"http://192.0.2.10:5000/j/{workshop.code}#ticket={codes[0]}"
    # A reload of the facilitator page does not show them again.
    again = client.get(f"/f/{secret}").get_data(as_text=True)
    assert not any(code in again for code in codes)


def test_a_phone_types_its_ticket_then_sees_the_ballot(app, db, client):
    workshop, _secret, ideas, _vote, codes = ticket_round(db)
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    assert 'id="ticket-form"' in page and 'id="ballot-form"' not in page
    state = client.get(f"/j/{workshop.code}/state").get_json()
    assert state["ticket_needed"] is True and state["round"]["require_ticket"] is True
    refused = client.post(f"/j/{workshop.code}/ballot", json={
        "client_id": client_id(), "ballot": {str(ideas[0].id): 1}})
    assert refused.status_code == 403 and refused.get_json()["error"] == "ticket_needed"
    wrong = client.post(f"/j/{workshop.code}/ticket", json={"ticket": "ABCDE-FGHJK"},
                        headers={"Accept": "application/json"})
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "bad_ticket"
    assert "billet" in wrong.get_json()["message"]  # French by default
    typed = client.post(f"/j/{workshop.code}/ticket", data={"ticket": codes[0].lower()})
    assert typed.status_code == 302
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    assert 'id="ballot-form"' in page and 'id="ticket-form"' not in page
    voted = client.post(f"/j/{workshop.code}/ballot", json={
        "client_id": client_id(), "ballot": {str(ideas[0].id): 1}})
    assert voted.status_code == 200 and voted.get_json()["ok"]


def test_a_phone_in_the_lobby_is_offered_the_ticket_form_once_tickets_exist(db, client):
    workshop, _secret, _ideas = workshop_with_ideas(db)
    assert 'id="ticket-form"' not in client.get(f"/j/{workshop.code}").get_data(as_text=True)
    (code,) = ops.issue_tickets(db, workshop, 1)
    assert 'id="ticket-form"' in client.get(f"/j/{workshop.code}").get_data(as_text=True)
    client.post(f"/j/{workshop.code}/ticket", data={"ticket": code})
    page = client.get(f"/j/{workshop.code}").get_data(as_text=True)
    assert 'id="ticket-form"' not in page and "flash-ok" in page


def test_guessing_codes_is_rate_limited_per_phone(app, db, client):
    app.config["RATELIMIT_TICKET"] = "5 per minute"
    workshop, _secret, _ideas = workshop_with_ideas(db)
    ops.issue_tickets(db, workshop, 3)
    join_phone(client, workshop.code)
    answers = [client.post(f"/j/{workshop.code}/ticket", json={"ticket": tokens.new_ticket()},
                           headers={"Accept": "application/json"}) for _ in range(7)]
    statuses = [a.status_code for a in answers]
    assert statuses[:5] == [400] * 5 and statuses[5:] == [429, 429]
    assert answers[-1].get_json()["error"] == "rate_limited"
    # Another phone in the same hall is not blocked by this one's guesses.
    other = app.test_client()
    join_phone(other, workshop.code)
    assert other.post(f"/j/{workshop.code}/ticket", json={"ticket": "ABCDE-FGHJK"},
                      headers={"Accept": "application/json"}).status_code == 400


@pytest.mark.server
def test_a_ticket_round_on_a_real_server_counts_one_ballot_per_ticket(live_server):
    """Through `workshop serve` (group commit on): 12 tickets, 16 phones; 12 type a ticket,
    two race for one code, 4 never get one; every holder votes, the others are refused."""
    base = live_server.url
    facilitator = Facilitator(base, "Un vote par personne")
    for text in ("Logement", "Transport", "Alimentation"):
        facilitator.steer("add-idea", {"text": text})
    printed = facilitator.http.post(f"{base}{facilitator.path}/tickets", json={"count": 12},
                                    headers={"X-CSRFToken": facilitator.csrf}, timeout=30)
    codes = printed.json()["tickets"]
    assert len(codes) == 12
    facilitator.steer("open-round", {"method": "approval", "require_ticket": True})
    phones = []
    for _ in range(16):
        phone = requests.Session()
        phones.append((phone, join_over_http(phone, base, facilitator.code)))

    def post(index, path, body):
        phone, csrf = phones[index]
        return phone.post(f"{base}/j/{facilitator.code}/{path}", json=body, timeout=30,
                          headers={"X-CSRFToken": csrf, "Accept": "application/json"})

    claims = [post(i, "ticket", {"ticket": codes[i]}) for i in range(11)]
    assert all(answer.status_code == 200 for answer in claims)
    raced = run_together([lambda: post(11, "ticket", {"ticket": codes[11]}),
                          lambda: post(12, "ticket", {"ticket": codes[11]})])
    assert sorted(answer.status_code for answer in raced) == [200, 400]
    options = phones[0][0].get(f"{base}/j/{facilitator.code}/state", timeout=10) \
        .json()["round"]["options"]
    answers = run_together([lambda i=i: post(i, "ballot", {"client_id": client_id(),
                                                           "ballot": options[:2]})
                            for i in range(16)])
    accepted = [a for a in answers if a.status_code == 200]
    refused = [a.json()["error"] for a in answers if a.status_code != 200]
    assert len(accepted) == 12 and refused == ["ticket_needed"] * 4
    facilitator.steer("close-round")
    (exported,) = facilitator.export()
    assert exported["voters"] == 12
    assert {row["text"]: row["score"] for row in exported["ranking"]}["Logement"] == 12



def test_reloading_the_printed_page_prints_no_second_batch(app, db, client):
    """A browser reloading the printed page posts its form again: it draws nothing, says
    why, and the count of printed tickets stays what was printed (6 stayed 6, not 12)."""
    workshop, secret, _ideas = workshop_with_ideas(db)
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    batch = re.search(r'name="batch" value="([A-Za-z0-9_-]+)"', page).group(1)
    form = {"count": "6", "batch": batch}
    assert client.post(f"/f/{secret}/tickets", data=form).status_code == 200
    again = client.post(f"/f/{secret}/tickets", data=form)
    assert again.status_code == 409
    assert "déjà été imprimés" in again.get_data(as_text=True)
    db.rollback()  # a fresh read
    assert views.ticket_counts(db, workshop) == (6, 0)
    # the page's next form has a new key: a new batch is one click away
    fresh = re.search(r'name="batch" value="([A-Za-z0-9_-]+)"',
                      client.get(f"/f/{secret}").get_data(as_text=True)).group(1)
    assert fresh != batch
    assert client.post(f"/f/{secret}/tickets", data={"count": "2", "batch": fresh}
                       ).status_code == 200
    db.rollback()  # a fresh read
    assert views.ticket_counts(db, workshop) == (8, 0)
    assert client.post(f"/f/{secret}/tickets", json={"count": 1, "batch": "x" * 40}
                       ).status_code == 400
    db.rollback()  # a fresh read
    assert views.ticket_counts(db, workshop) == (8, 0)
