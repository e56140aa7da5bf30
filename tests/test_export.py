"""Exports: one table per file, formulas neutralised, ties kept, every cell readable."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import load_workbook

from workshop.core.export import safe_cell, unformula
from workshop.core.export.day import ranking_rows, to_csv
from workshop.core.export.xlsx import workbook

VOTE = {"number": 1, "title": "Vos priorités", "activity": "", "method": "dots",
        "settings": {"dots": 5, "max_per_option": 1}, "status": "closed",
        "require_ticket": False, "voters": 3, "method_name": "Pastilles",
        "settings_text": "5", "status_text": "fermé", "tickets_text": "non", "note": "",
        "flag_text": "",
        "ranking": [{"rank": 1, "idea": 7, "text": "=HYPERLINK(\"http://x\")", "score": 2,
                     "supporters": 2, "share": 2 / 3},
                    {"rank": 1, "idea": 8, "text": "Logement", "score": 2, "supporters": 2,
                     "share": 2 / 3},
                    {"rank": 3, "idea": 9, "text": "@SUM(A1)", "score": 0, "supporters": 0,
                     "share": 0.0}]}


def test_csv_keeps_ties_and_neutralises_formulas():
    body = to_csv([f"c{n}" for n in range(16)], ranking_rows([VOTE, {**VOTE, "number": 2}]))
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))[1:]
    assert [r[0] for r in rows] == ["1", "1", "1", "2", "2", "2"]
    assert [r[8] for r in rows[:3]] == ["1", "1", "3"]
    assert [r[9] for r in rows[:3]] == ["'=HYPERLINK(\"http://x\")", "Logement", "'@SUM(A1)"]
    assert [r[13] for r in rows[:3]] == ["", "", ""]  # no Schulze rank outside ranking


@given(st.text())
def test_no_exported_text_cell_can_start_a_formula(text):
    cell = safe_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
    assert cell.removeprefix("'") == text or cell == text


def _report(texts):
    ranking = [{"rank": n + 1, "idea": n, "text": t, "score": 1, "supporters": 1,
                "share": 0.5} for n, t in enumerate(texts)]
    return {"workshop": {"title": texts[0] if texts else "t", "code": "ABC234",
                         "date_text": "29 novembre 2026", "about_text": "Date : 29"},
            "participation": {"present": 2, "present_by_channel": {}, "voted": 2,
                              "voted_by_channel": {}},
            "votes": [{**VOTE, "ranking": ranking, "facts_text": ""}], "ideas": [],
            "groups": [], "methods": [],
            "labels": {key: key for key in (
                "vote", "code", "rank", "priority", "score", "supporters", "share_of_voters",
                "schulze_rank", "everyone", "equal", "groups", "ideas", "participation",
                "present", "voted", "total", "methods", "method", "method_note",
                "method_sheet_intro", "idea", "theme", "status", "merged_into",
                "merged_into_priority", "original_wording", "activity", "proposed_at",
                "what", "channel", "people")}}


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=5))
def test_every_workbook_text_reads_back_as_typed_and_never_as_a_formula(texts):
    """Any participant text, written to the workbook and read back with openpyxl, is
    the text (one leading quote off) and never a formula; control characters XML cannot
    hold come back as U+FFFD, line ends as XML reads them (\\r\\n and \\r as \\n), and a cell
    openpyxl reads as empty is an empty text."""
    book = load_workbook(io.BytesIO(workbook(_report(texts))))
    sheet = book.worksheets[0]
    header = next(n for n, row in enumerate(sheet.iter_rows(values_only=True), 1)
                  if row[0] == "rank")
    read = [row[1] for row in sheet.iter_rows(min_row=header + 1, values_only=True)]
    for typed, cell in zip(texts, read, strict=True):
        cell = cell or ""
        assert cell.startswith("'") or not cell.startswith(("=", "+", "-", "@"))
        expected = "".join("\ufffd" if ord(c) < 32 and c not in "\t\n\r" else c
                           for c in typed).replace("\r\n", "\n").replace("\r", "\n")
        assert unformula(cell) == expected or (cell == "" and expected.strip() == "")
