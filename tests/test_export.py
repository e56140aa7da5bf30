"""Exports: one table, serialised as CSV and JSON; formulas neutralised; ties kept."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given
from hypothesis import strategies as st

from workshop.core.export import ranking_table, render, safe_cell

ROUND = {"number": 1, "title": "Vos priorités", "method": "dots",
         "settings": {"dots": 5, "max_per_option": 1}, "status": "closed", "voters": 3,
         "ranking": [{"rank": 1, "idea": 7, "text": "=HYPERLINK(\"http://x\")", "score": 2,
                      "supporters": 2},
                     {"rank": 1, "idea": 8, "text": "Logement", "score": 2, "supporters": 2},
                     {"rank": 3, "idea": 9, "text": "@SUM(A1)", "score": 0, "supporters": 0}]}


def test_json_has_one_object_per_round_with_its_ranking():
    body, mimetype = render([ROUND], "json")
    assert mimetype == "application/json"
    [data] = json.loads(body)
    assert {"title", "method", "voters", "ranking"} <= set(data)
    assert data["ranking"][1] == {"rank": 1, "text": "Logement", "score": 2, "supporters": 2}


def test_csv_keeps_ties_and_neutralises_formulas():
    body, _ = render([ROUND], "csv")
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert [r["rank"] for r in rows] == ["1", "1", "3"]
    assert rows[0]["text"] == "'=HYPERLINK(\"http://x\")"
    assert rows[2]["text"] == "'@SUM(A1)"
    assert rows[1]["text"] == "Logement"
    assert json.loads(rows[0]["settings"]) == {"dots": 5, "max_per_option": 1}


@given(st.text())
def test_no_exported_text_cell_can_start_a_formula(text):
    cell = safe_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
    assert cell.removeprefix("'") == text or cell == text


def test_ranking_table_lists_every_standing_of_every_round():
    headers, rows = ranking_table([ROUND, {**ROUND, "number": 2}])
    assert headers[0] == "round" and len(rows) == 6
    assert [r[0] for r in rows] == [1, 1, 1, 2, 2, 2]
