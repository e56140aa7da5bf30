"""Text that shows nothing, and cells that hide a formula behind what does not show.

An idea made only of zero-width or bidirectional controls was accepted and showed as a
blank card; a CSV cell starting with a full-width `＝`, or with U+200B or U+FEFF then `=`,
was not neutralised.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import join_phone
from tests.factories import client_id, ids_of, voting_workshop
from workshop import ops
from workshop.core.errors import Refused
from workshop.core.export import recount, render_ballots, safe_cell, unformula
from workshop.core.export.day import report_json
from workshop.core.text import clean_text, shows_something
from workshop.store import views
from workshop.store.report import day_report

BLANKS = ["\u200b", "\u200b\u200c\u200d", "\u2066\u2069", "\u2067\u200b\u2069", "\ufeff",
          "\u202e\u202c", "\u200e\u200f", "\u2060", "\u3164", "\u115f\u1160", "\u2800",
          "\u0301\u0302", "\U000e0041\U000e007f", "\u00ad", " \u200b \ufeff \u2066 "]


@pytest.mark.parametrize("blank", BLANKS, ids=lambda t: "+".join(f"U{ord(c):04X}" for c in t))
def test_text_that_shows_nothing_is_refused_as_empty_text_is(blank):
    with pytest.raises(Refused) as refused:
        clean_text(blank, 280, "bad_idea")
    assert refused.value.params == {"limit": 280}


def test_bidirectional_controls_are_dropped_and_what_scripts_need_stays():
    assert clean_text("\u202eTransport\u202c en \u2067commun\u2069", 280, "x") == \
        "Transport en commun"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # an emoji joined by ZWJ
    assert clean_text(f"Familles {family}", 280, "x") == f"Familles {family}"
    assert clean_text("می\u200cخواهم", 280, "x") == "می\u200cخواهم"  # ZWNJ, Persian
    assert clean_text("\u200fשלום", 280, "x") == "\u200fשלום"  # RLM stays
    assert clean_text("\u200b=1+1", 280, "x") == "\u200b=1+1"  # shown as typed


@given(st.text())
def test_whatever_is_accepted_shows_something(text):
    try:
        clean = clean_text(text, 280, "bad_idea")
    except Refused:
        return
    assert shows_something(clean)
    assert any(unicodedata.category(c)[0] in "LNPS" for c in clean)


def test_a_blank_idea_is_refused_over_http_and_from_the_facilitator(app, db, client):
    workshop, secret = ops.create_workshop(db, "Atelier")
    ops.open_ideas(db, workshop)
    join_phone(client, workshop.code)
    for blank in ("\u200b\u200b\u200b", "\u2066\u2069", "\ufeff\u200d"):
        answer = client.post(f"/j/{workshop.code}/ideas",
                             json={"text": blank, "client_id": client_id()})
        assert (answer.status_code, answer.get_json()["error"]) == (400, "bad_idea")
        answer = client.post(f"/f/{secret}/do/add-idea", json={"text": blank})
        assert (answer.status_code, answer.get_json()["error"]) == (400, "bad_idea")
        answer = client.post(f"/f/{secret}/do/rename", json={"title": blank})
        assert (answer.status_code, answer.get_json()["error"]) == (400, "bad_title")
    db.expire_all()
    assert sum(views.facilitator_view(db, workshop, 0)["idea_counts"].values()) == 0


# --- spreadsheet cells --------------------------------------------------------------------

HIDDEN_FORMULAS = ["＝1+1", "＋1", "－1", "＠SUM(A1)", "﹦1", "﹢1", "﹣1", "﹫x", "\u22121",
                   "\u200b=1+1", "\ufeff=1+1", "\u200b\ufeff\u2066=cmd|' /C calc'!A0",
                   "\u2066＝1", "\u00a0=1", "\u3000=1", "\u200e@x", "\u0301=1",
                   "\u3164=1", "=1", "+1", "-1", "@x", "\t=1", "\r=1", "\n1", "'=1", "'x"]


@pytest.mark.parametrize("cell", HIDDEN_FORMULAS,
                         ids=lambda t: "+".join(f"U{ord(c):04X}" for c in t[:4]))
def test_a_sign_behind_invisible_or_full_width_characters_is_neutralised(cell):
    assert safe_cell(cell) == "'" + cell
    assert unformula(safe_cell(cell)) == cell


@pytest.mark.parametrize("cell", ["Transport", "1+1", "a=b", "\u200bTransport", "(=)",
                                  "x-1", "", "«=»"])
def test_plain_text_is_left_as_it_is(cell):
    assert safe_cell(cell) == cell


@given(st.text())
def test_every_cell_comes_back_exactly_and_none_starts_a_formula(text):
    cell = safe_cell(text)
    assert unformula(cell) == text
    shown = [c for c in text if not (c.isspace() or unicodedata.category(c) in
                                     ("Cc", "Cf", "Zs", "Mn", "Me"))]
    if shown and unicodedata.normalize("NFKC", shown[0])[:1] in "=+-@\u2212":
        assert cell.startswith("'")
    if not cell.startswith("'"):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))


def test_every_csv_export_neutralises_hidden_formulas_and_the_recount_reads_them_back(
        app, db, client):
    texts = ["\u200b=HYPERLINK(\"http://x\")", "＝1+1", "\ufeff@SUM(A1)", "'déjà cité"]
    workshop, secret, ideas, vote = voting_workshop(db, dots=4, cap=1, texts=texts)
    ops.rename_workshop(db, workshop, "\u200b=titre")
    person = ops.join_workshop(db, workshop)[0]
    ops.cast_ballot(db, ids_of(workshop, person), {idea.id: 1 for idea in ideas}, client_id())
    ops.close_round(db, workshop)
    ranking = client.get(f"/f/{secret}/export.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(ranking.removeprefix("\ufeff"))))
    assert sorted(row["priorité"] for row in rows) == sorted("'" + text for text in texts)
    ballots = client.get(f"/f/{secret}/ballots.csv").get_data(as_text=True)
    for body in (ranking, ballots):
        cells = [cell for row in csv.reader(io.StringIO(body.removeprefix("\ufeff")))
                 for cell in row]
        assert all(cell == safe_cell(unformula(cell)) for cell in cells)
    [recounted] = recount(ballots)
    assert sorted(row["text"] for row in recounted["ranking"]) == sorted(texts)
    assert render_ballots(views.export_ballots(db, workshop)) == ballots
    exported = json.loads(report_json(day_report(db, workshop)))
    assert sorted(row["text"] for row in exported["votes"][0]["ranking"]) == sorted(texts)
    assert sorted(idea["text"] for idea in exported["ideas"]) == sorted(texts)  # as typed
