"""The kiosk and helper screens and the facilitator's links and paper ballots, over HTTP."""

from __future__ import annotations

import io
import re
import subprocess
from urllib.parse import urlsplit

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from tests.factories import client_id, voting_workshop
from workshop import ops
from workshop.core import paper
from workshop.store.models import Ballot, Device

JSON = {"Accept": "application/json"}


def _kiosk_link(client, secret, pin="2468"):
    answer = client.post(f"/f/{secret}/kiosks", json={"pin": pin, "label": "Tablette"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return urlsplit(answer.json["link"]).path


def _helper_link(client, secret, label="Bénévole"):
    return urlsplit(client.post(f"/f/{secret}/helpers", json={"label": label}).json["link"]).path


def _form(page: str) -> dict[str, str]:
    """The hidden fields of the ballot form a page shows."""
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))


def test_the_kiosk_link_becomes_a_session_and_each_person_a_new_ballot(app, client, db):
    workshop, secret, ideas, vote = voting_workshop(db, dots=1)
    link = _kiosk_link(client, secret)
    tablet = app.test_client()
    assert tablet.get(link).status_code == 200  # a page: nothing written
    assert tablet.get("/kiosk").status_code == 404  # not a kiosk yet
    started = tablet.post(link)
    assert started.status_code == 302 and started.headers["Location"].endswith("/kiosk")
    for idea in (ideas[0], ideas[1]):
        page = tablet.get("/kiosk").get_data(as_text=True)
        assert "Transport" in page and "csrf" not in link
        fields = {**_form(page), f"dots-{idea.id}": "1"}
        thanks = tablet.post("/kiosk/ballot", data=fields)
        assert thanks.status_code == 200 and 'data-next="/kiosk"' in thanks.get_data(True)
        again = tablet.post("/kiosk/ballot", data=fields)  # the same form sent twice
        assert again.status_code == 200
    db.rollback()
    ballots = db.scalars(select(Ballot).where(Ballot.round_id == vote.id)).all()
    assert sorted(((b.channel, b.content) for b in ballots), key=repr) == [
        ("kiosk", {str(ideas[0].id): 1}), ("kiosk", {str(ideas[1].id): 1})]


def test_leaving_kiosk_mode_needs_the_pin(app, client, db):
    workshop, secret, ideas, vote = voting_workshop(db)
    tablet = app.test_client()
    tablet.post(_kiosk_link(client, secret, "975310"))
    wrong = tablet.post("/kiosk/leave", data={"pin": "975311"}, headers=JSON)
    assert wrong.status_code == 403 and wrong.json["error"] == "bad_pin"
    assert tablet.get("/kiosk").status_code == 200
    assert tablet.post("/kiosk/leave", data={"pin": "975310"}, headers=JSON).json["ok"]
    assert tablet.get("/kiosk").status_code == 404


def test_a_revoked_kiosk_or_helper_link_opens_nothing(app, client, db):
    workshop, secret, ideas, vote = voting_workshop(db)
    tablet = app.test_client()
    tablet.post(_kiosk_link(client, secret))
    helper = _helper_link(client, secret)
    db.rollback()
    for device in db.scalars(select(Device)).all():
        assert client.post(f"/f/{secret}/do/revoke-device", json={"device": device.id}).json["ok"]
    assert tablet.get("/kiosk").status_code == 404
    assert client.get(helper).status_code == 404


def test_the_helper_enters_a_sheet_once_and_a_second_entry_waits(app, client, db):
    workshop, secret, ideas, vote = voting_workshop(db, dots=1)
    _vote, numbers = ops.print_paper(db, workshop, 2)
    link = _helper_link(client, secret)
    volunteer = app.test_client()
    page = volunteer.get(link).get_data(as_text=True)
    assert 'name="number"' in page
    fields = {**_form(page), "number": numbers[0], f"dots-{ideas[2].id}": "1"}
    saved = volunteer.post(f"{link}/entry", data=fields, follow_redirects=True)
    assert numbers[0] in saved.get_data(as_text=True)
    second = {**_form(volunteer.get(link).get_data(as_text=True)), "number": numbers[0],
              f"dots-{ideas[1].id}": "1"}
    flagged = volunteer.post(f"{link}/entry", data=second, headers=JSON).json
    assert flagged == {"ok": True, "review": True, "number": numbers[0]}
    listed = volunteer.get(link).get_data(as_text=True)
    assert listed.count(numbers[0]) == 2 and "entry-review" in listed
    db.rollback()
    assert [b.content for b in db.scalars(select(Ballot))] == [{str(ideas[2].id): 1}]


@pytest.mark.parametrize("method, settings", [
    ("dots", {"dots": 3, "max_per_option": 2}), ("approval", {"max_approvals": None}),
    ("points", {"points": 100}), ("ranking", {"top": 2})])
def test_paper_ballots_print_their_priorities_numbers_and_qr_codes(client, db, method,
                                                                   settings, tmp_path):
    workshop, secret, ideas = voting_workshop(db)[:3]
    ops.close_round(db, workshop)
    ops.open_round(db, workshop, method=method, settings=settings)
    ops.add_template_questions(db, workshop, lambda text: text)
    answer = client.post(f"/f/{secret}/paper", data={"count": "2"})
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(answer.data))
    vote_number = 2
    expected = [paper.format_number(vote_number, n) for n in (1, 2)]
    firsts = [i for i, page in enumerate(reader.pages)
              if any(n in page.extract_text() for n in expected)]
    text = " ".join(page.extract_text() for page in reader.pages)
    for idea in ("Transport", "Logement", "Alimentation"):
        assert text.count(idea) == 2
    for number in expected:
        assert number in text
    assert "J’accepte" in text or "I agree" in text
    assert firsts[0] == 0
    # The QR code of each sheet reads back as its number.
    image = _page_image(answer.data, 1, tmp_path)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [expected[0]]


def _page_image(pdf: bytes, page: int, folder) -> Image.Image:
    """Render one page of a PDF to a picture with poppler (pdftoppm, as a printer would)."""
    source = folder / "ballots.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", str(page), "-l", str(page),
                    "-singlefile", str(source), str(folder / "page")], check=True)
    return Image.open(folder / "page.png")


def test_paper_printing_is_refused_without_an_open_vote(client, db):
    workshop, secret, ideas, vote = voting_workshop(db)
    ops.close_round(db, workshop)
    answer = client.post(f"/f/{secret}/paper", json={"count": 2})
    assert answer.status_code == 409 and answer.json["error"] == "round_closed"


def test_facilitator_page_and_export_show_ballots_by_channel(app, client, db):
    workshop, secret, ideas, vote = voting_workshop(db)
    tablet = app.test_client()
    tablet.post(_kiosk_link(client, secret))
    page = tablet.get("/kiosk").get_data(as_text=True)
    tablet.post("/kiosk/ballot", data={**_form(page), f"dots-{ideas[0].id}": "1"})
    panel = client.get(f"/f/{secret}").get_data(as_text=True)
    assert re.search(r"kiosque\s+1", panel)
    assert client.get(f"/f/{secret}/export.json").json["votes"][0]["channels"] == {
        "kiosk": 1}


def test_the_next_kiosk_voter_starts_in_french_again(app, client, db):
    workshop, secret, ideas, vote = voting_workshop(db)
    tablet = app.test_client()
    tablet.post(_kiosk_link(client, secret))
    page = tablet.get("/kiosk?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    thanks = tablet.post("/kiosk/ballot", data={**_form(page), f"dots-{ideas[0].id}": "1"})
    assert '<html lang="en">' in thanks.get_data(as_text=True)
    assert '<html lang="fr">' in tablet.get("/kiosk").get_data(as_text=True)


def test_kiosk_and_paper_meet_the_phones_refusals(app, client, db):
    """The ballot path's refusals, as tests/test_ballot_paths.py sends them from phones,
    are the kiosk's and the helper's too; the valid ballot is stored once by each."""
    from tests.test_ballot_paths import CASES, dots_on

    workshop, secret, ideas = voting_workshop(db)[:3]
    ops.close_round(db, workshop)
    vote = ops.open_round(db, workshop, settings={"dots": 3, "max_per_option": 2})
    number = ops.print_paper(db, workshop, 1)[1][0]
    tablet = app.test_client()
    tablet.post(_kiosk_link(client, secret))
    helper = _helper_link(client, secret)
    outcomes = {"kiosk": [], "paper": []}
    for ballot, _expected in CASES[::-1]:
        fields = {f"dots-{idea}": str(n) for idea, n in dots_on(ballot, ideas).items()}
        for channel, url, extra in (("kiosk", "/kiosk/ballot", {}),
                                    ("paper", f"{helper}/entry", {"number": number})):
            answer = tablet.post(url, data={"client_id": client_id(), **extra, **fields},
                                 headers=JSON) if channel == "kiosk" else \
                client.post(url, data={"client_id": client_id(), **extra, **fields},
                            headers=JSON)
            body = answer.get_json()
            outcomes[channel].append((body["ok"], body.get("error"),
                                      body.get("params", {}).get("reason")))
    expected = [outcome for _, outcome in CASES[::-1]]
    assert outcomes == {"kiosk": expected, "paper": expected}
    db.rollback()
    stored = db.scalars(select(Ballot).where(Ballot.round_id == vote.id)).all()
    assert sorted(b.channel for b in stored) == ["kiosk", "paper"]
    assert all(b.content == {str(ideas[0].id): 2, str(ideas[1].id): 1} for b in stored)
