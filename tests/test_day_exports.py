"""The day's files read back with real readers: the CSV (csv), the workbook (openpyxl),
the report (pypdf). Rankings, Schulze beside Borda, accents, every idea's history,
suppressed groups and neutralised formulas.

The workshop below, counted by hand. Ideas: 1 « Logement abordable » (edited from
"logement"), 2 "=HYPERLINK(...)" (a formula typed as an idea), 3 "Transport en commun",
4 "Œuvres d'été", 5 "Transports" (merged into 3), 6 "Pub" (hidden).
A ranked vote, top 2, over 1-4, with 12 voters (7 answer "Ville", 5 "Campagne"):
  7 x [1, 3] (Ville), 4 x [3, 4] (Campagne), 1 x [2] (Campagne).
Borda (first place 2 points, second 1): 1: 14, 3: 7 + 8 = 15, 4: 4, 2: 2.
Order: 3 (15), 1 (14), 4 (4), 2 (2). Supporters: 3 11, 1 7, 4 4, 2 1.
Schulze: 1 beats 3 7:5 (7 ballots put 1 above 3; 4 + 1 put 3 above or 1 unranked... the
[2] ballot ranks neither, so 1-3 is 7:4): 1 is Schulze's first, 3 second: the top 2 sets
are the same ({1, 3}) but the firsts differ.
"""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.factories import client_id, ids_of, participant, workshop_with_ideas
from workshop import ops
from workshop.cli import main


def _same(text):
    return text


@pytest.fixture
def day(db):
    workshop, secret, ideas = workshop_with_ideas(
        db, ("logement", "=HYPERLINK(\"http://x\")", "Transport en commun", "Œuvres d'été",
             "Transports", "Pub"), title="Journée régionale « Agir ensemble »")
    ops.edit_idea(db, workshop, ideas[0].id, "Logement abordable")
    ops.set_idea_theme(db, workshop, ideas[0].id, "Logement")
    ops.set_idea_theme(db, workshop, ideas[2].id, "Transport")
    ops.merge_ideas(db, workshop, ideas[4].id, ideas[2].id)
    ops.hide_idea(db, workshop, ideas[5].id)
    question = ops.add_profile_question(db, workshop, "Où habitez-vous ?",
                                        ["Ville", "Campagne"], _same)
    ops.open_profiles(db, workshop)
    vote = ops.open_round(db, workshop, title="Nos priorités", method="ranking",
                          settings={"top": 2})
    one, two, three, four = (i.id for i in ideas[:4])
    plan = [("c1", [one, three])] * 7 + [("c2", [three, four])] * 4 + [("c2", [two])]
    for choice, ballot in plan:
        person = participant(db, workshop)
        ops.decide_consent(db, workshop, person, True)
        ops.answer_profile(db, workshop, person, {question.id: choice})
        ops.cast_ballot(db, ids_of(workshop, person), ballot, client_id())
    ops.close_round(db, workshop)
    return workshop, secret, vote, ideas


def _export(app, workshop, *args):
    runner = CliRunner()
    result = runner.invoke(main, ["export", workshop.code, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def test_the_csv_is_in_french_with_schulze_beside_borda(app, db, day, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    workshop, *_ = day
    body = _export(app, workshop).decode("utf-8")
    assert body.startswith("\ufeff")  # the BOM on standard output too
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert [(r["rang"], r["priorité"], r["score"], r["appuis"], r["rang_schulze"])
            for r in rows] == [("1", "Transport en commun", "15", "11", "2"),
                               ("2", "Logement abordable", "14", "7", "1"),
                               ("3", "Œuvres d'été", "4", "4", "3"),
                               ("4", "'=HYPERLINK(\"http://x\")", "2", "1", "4")]
    assert rows[0]["part_des_votants"] == str(round(11 / 12, 4))
    assert rows[0]["billets_requis"] == "non"
    assert "2 points" in rows[0]["note_sur_la_méthode"]
    english = _export(app, workshop, "--lang", "en", "--sep", ";").decode("utf-8")
    head, first = english.splitlines()[:2]
    assert head.removeprefix("\ufeff").split(";")[:3] == ["round", "round_title", "activity"]
    assert ";0,9167;" in first  # decimals with a comma for a French spreadsheet


def test_the_workbook_reads_back_with_numbers_groups_and_every_idea(app, db, day,
                                                                    monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    workshop, *_ = day
    out = tmp_path / "bilan.xlsx"
    _export(app, workshop, "--format", "xlsx", "-o", str(out))
    book = load_workbook(out)
    assert book.sheetnames == ["1. Nos priorités", "Résultats par groupe", "Idées",
                               "Participation", "Méthodes"]
    sheet = book["1. Nos priorités"]
    values = [row for row in sheet.iter_rows(values_only=True)]
    header = values.index(("rang", "priorité", "score", "appuis", "part_des_votants",
                           "rang_schulze"))
    assert values[header + 1:] == [(1, "Transport en commun", 15, 11, round(11 / 12, 4), 2),
                                   (2, "Logement abordable", 14, 7, round(7 / 12, 4), 1),
                                   (3, "Œuvres d'été", 4, 4, round(4 / 12, 4), 3),
                                   (4, "'=HYPERLINK(\"http://x\")", 2, 1,
                                    round(1 / 12, 4), 4)]
    assert sheet.freeze_panes == f"A{header + 2}"
    assert values[0][0].startswith("Journée régionale « Agir ensemble » · Date\u00a0: ")
    ideas = [row for row in book["Idées"].iter_rows(values_only=True)]
    assert ideas[1][:4] == ("idée", "priorité", "thème", "statut")
    assert [(r[1], r[2], r[3], r[5], r[6]) for r in ideas[2:]] == [
        ("Logement abordable", "Logement", "approuvée", None, "logement"),
        ("'=HYPERLINK(\"http://x\")", None, "approuvée", None, None),
        ("Transport en commun", "Transport", "approuvée", None, None),
        ("Œuvres d'été", None, "approuvée", None, None),
        ("Transports", None, "fusionnée", "Transport en commun", None),
        ("Pub", None, "masquée", None, None)]
    groups = [row for row in book["Résultats par groupe"].iter_rows(values_only=True)]
    shown = {row[3] for row in groups[3:]}
    assert {"Ville", "Campagne"} <= shown  # 7 and 5 voters: both at least 5
    assert book["Participation"]["C3"].value == 12


def test_a_group_under_the_threshold_is_left_out_of_every_file(app, db, day, monkeypatch,
                                                               tmp_path):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    workshop, *_ = day
    ops.set_min_group_size(db, workshop, 6)
    out = tmp_path / "bilan.xlsx"
    _export(app, workshop, "--format", "xlsx", "-o", str(out))
    book = load_workbook(out)
    assert "Résultats par groupe" not in book.sheetnames  # Campagne (5) would be had
    pdf = tmp_path / "bilan.pdf"
    _export(app, workshop, "--format", "pdf", "-o", str(pdf))
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Campagne" not in text


def test_the_pdf_report_reads_back_in_french(app, db, day, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    workshop, *_ = day
    out = tmp_path / "bilan.pdf"
    _export(app, workshop, "--format", "pdf", "-o", str(out))
    reader = PdfReader(out)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for expected in ("Bilan de la journée", "Journée régionale « Agir ensemble »",
                     "Transport en commun", "Œuvres d'été", "Logement abordable",
                     "=HYPERLINK", "Ville", "Campagne", "Transports", "fusionnée",
                     "Méthodes", "2 points"):
        assert expected in text, expected
    assert text.index("Transport en commun") < text.index("Œuvres d'été")
    assert "priorité thème statut" in text  # the ideas' table carries each idea's theme
    assert "Logement abordable Logement approuvée" in text
    assert "11 92 %" in text  # 11 supporters of 12 voters, French spacing
    assert "Billets imprimés requis\u00a0: non" in text.replace(" : ", "\u00a0: ")
    english = tmp_path / "report.pdf"
    _export(app, workshop, "--format", "pdf", "--lang", "en", "-o", str(english))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(english).pages).split())
    for expected in ("Report of the day", "Printed tickets required: no", "Voters: 12",
                     "Borda points: a first place earns 2 points", "Œuvres d'été",
                     "11 92%"):  # supporters and share of voters: English writes no space
        assert expected in text, expected


def test_the_facilitator_page_links_every_file(app, db, day):
    workshop, secret, *_ = day
    with app.test_client() as browser:
        page = browser.get(f"/f/{secret}").get_data(as_text=True)
        for link in ("export.pdf", "export.xlsx", "export.csv?sep=;", "export.csv",
                     "export.json", "ballots.csv"):
            assert f"/f/{secret}/{link}" in page, link
        answer = browser.get(f"/f/{secret}/export.xlsx")
        assert answer.status_code == 200
        assert load_workbook(io.BytesIO(answer.data)).sheetnames[0] == "1. Nos priorités"
        assert browser.get(f"/f/{secret}/export.xml").status_code == 404


def test_the_facilitator_results_say_the_borda_rule_of_the_round(app, db, day):
    _workshop, secret, *_ = day
    with app.test_client() as browser:
        page = " ".join(browser.get(f"/f/{secret}").get_data(as_text=True).split())
    assert ("une première place rapporte 2 points, chaque place suivante un point de moins, "
            "donc la 2e place rapporte 1 point") in page


def test_a_disagreement_below_the_first_place_is_flagged_on_the_page_and_in_files(app, db):
    """Top 2 over ideas 1-4; ballots [4], [1, 3], [3, 4], [1], [1, 4], [1].
    Borda (2 points, 1 point): 1: 8, 4: 2 + 1 + 1 = 4, 3: 1 + 2 = 3, 2: 0; its first two
    places hold {1, 4}. Schulze: 1 first; 3 and 4 tie 2:2 head to head, so both are
    second: its first two places hold {1, 3, 4}. Same first, different top 2."""
    workshop, secret, ideas = workshop_with_ideas(db, ("Un", "Deux", "Trois", "Quatre"))
    one, two, three, four = (i.id for i in ideas)
    ops.open_round(db, workshop, title="Tête", method="ranking", settings={"top": 2})
    for ballot in ([four], [one, three], [three, four], [one], [one, four], [one]):
        ops.cast_ballot(db, ids_of(workshop, participant(db, workshop)), ballot, client_id())
    ops.close_round(db, workshop)
    with app.test_client() as browser:
        page = " ".join(browser.get(f"/f/{secret}").get_data(as_text=True).split())
        assert "ne donnent pas les mêmes 2 premières places" in page
        report = browser.get(f"/f/{secret}/export.json").get_json()
    [vote] = report["votes"]
    assert (vote["disagree_top"], vote["disagree_top_n"], vote["top_n"]) == (False, True, 2)
    assert [(r["text"], r["score"], r["rank"], r["schulze_rank"]) for r in vote["ranking"]] \
        == [("Un", 8, 1, 1), ("Quatre", 4, 2, 2), ("Trois", 3, 3, 2), ("Deux", 0, 4, 4)]
    assert vote["flag_text"] == "Borda et Schulze ne donnent pas les mêmes 2 premières places"


def test_the_place_of_the_day_heads_the_report_and_the_workbook(app, db, day, monkeypatch,
                                                                tmp_path, client):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    workshop, secret, *_ = day
    answer = client.post(f"/f/{secret}/do/rename",
                         json={"title": workshop.title, "place": "Rimouski, Cégep"})
    assert answer.json["ok"]
    assert client.post(f"/f/{secret}/do/rename", json={"title": "T", "place": "x" * 121}
                       ).json["error"] == "bad_place"
    pdf = tmp_path / "bilan.pdf"
    _export(app, workshop, "--format", "pdf", "-o", str(pdf))
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "Lieu : Rimouski, Cégep" in text.replace("\u00a0", " ")
    book = tmp_path / "bilan.xlsx"
    _export(app, workshop, "--format", "xlsx", "-o", str(book))
    cells = [cell for sheet in load_workbook(book) for row in sheet.iter_rows(
        values_only=True) for cell in row if isinstance(cell, str)]
    assert any("Rimouski, Cégep" in cell for cell in cells)
    assert client.get(f"/f/{secret}/export.json").json["workshop"]["place"] == \
        "Rimouski, Cégep"
