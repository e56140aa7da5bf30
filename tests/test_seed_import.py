"""Importing an earlier consultation's priorities from a CSV: Excel's and LibreOffice's
files read alike, repeats and blank rows left out, a bad file refused whole."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import workshop_with_ideas
from workshop import ops
from workshop.core import seed_csv
from workshop.core.errors import Refused
from workshop.store import views


def test_french_excel_and_utf8_files_read_alike():
    excel = "Numéro;Priorité;Votes\r\n1;Logement social abordable;12\r\n2;Épicerie " \
            "solidaire;8\r\n".encode("cp1252")
    libre = "\ufeffpriorite,votes\nLogement social abordable,12\nÉpicerie solidaire,8\n" \
        .encode("utf-8")
    expected = ["Logement social abordable", "Épicerie solidaire"]
    assert seed_csv.read_priorities(seed_csv.decode(excel), 280) == expected
    assert seed_csv.read_priorities(seed_csv.decode(libre), 280) == expected


def test_without_a_heading_the_first_column_is_read_from_the_first_row():
    text = "Logement\nTransport en commun\n\n  \nlogements\nTransport en commun gratuit\n"
    assert seed_csv.read_priorities(text, 280) == [
        "Logement", "Transport en commun", "Transport en commun gratuit"]


def test_a_row_too_long_refuses_the_whole_file_and_names_it():
    text = "priorité\nLogement\n" + "x" * 281 + "\n"
    with pytest.raises(Refused) as refused:
        seed_csv.read_priorities(text, 280)
    assert (refused.value.code, refused.value.params["row"]) == ("import_row_too_long", 3)


@pytest.mark.parametrize("text", ["", "priorité\n\n", "\u200b\n",
                                  "\n".join(f"Idée {n}" for n in range(301))])
def test_an_empty_or_huge_file_is_refused(text):
    with pytest.raises(Refused) as refused:
        seed_csv.read_priorities(text, 280)
    assert refused.value.code == "bad_import"


@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=30))
def test_whatever_the_cells_what_comes_out_is_clean_and_bounded(cells):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([cell] for cell in cells)
    try:
        found = seed_csv.read_priorities(buffer.getvalue(), 280)
    except Refused as refused:
        assert refused.code in ("bad_import", "import_row_too_long")
        return
    assert 1 <= len(found) <= len(cells)
    assert all(0 < len(text) <= 280 and "\n" not in text for text in found)


def test_imported_priorities_go_on_the_wall_without_repeating_it(client, db):
    workshop, secret, _ideas = workshop_with_ideas(db, ("Logement social",))
    data = {"file": (io.BytesIO("Priorité\nLogements sociaux\nTransport collectif\n"
                                "=HYPERLINK(\"x\")\n".encode()), "consultation.csv")}
    page = client.get(f"/f/{secret}").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.post(f"/f/{secret}/do/import-ideas", data={**data, "csrf_token": token},
                         content_type="multipart/form-data", follow_redirects=True)
    assert "2 priorités importées. 1 était déjà là." in answer.get_data(as_text=True)
    db.rollback()
    wall = [idea["text"] for idea in views.approved_wall(db, workshop)]
    assert sorted(wall) == sorted(["Logement social", "Transport collectif",
                                   "=HYPERLINK(\"x\")"])
    again = client.post(f"/f/{secret}/do/import-ideas",
                        json={"csv": "priorité\n" + "y" * 300})
    assert again.status_code == 400 and again.json["error"] == "import_row_too_long"
    assert ops.import_ideas(db, workshop, ["Nouvelle"]) == {"added": 1, "skipped": 0}
