"""Exports against the exact files a reader gets: every JSON key, every CSV column.

The expected texts are written out in full: a renamed key, a dropped column, a blank
method note or a recount that loses a field fails here.
"""

from __future__ import annotations

import json

import pytest

from workshop.core.export import (
    FORMATS,
    ballots_table,
    ranking_table,
    recount,
    render,
    render_ballots,
    to_csv,
    to_json,
)

DOTS = {"number": 2, "title": "=Priorités", "method": "dots",
        "explanation": "Chaque personne place des gommettes.",
        "settings": {"max_per_option": 2, "dots": 3}, "status": "closed", "voters": 2,
        "ranking": [{"rank": 1, "idea": 7, "text": "Logement", "score": 3, "supporters": 2},
                    {"rank": 2, "idea": 8, "text": "-Transport", "score": 1,
                     "supporters": 1}]}
BARE = {"number": 1, "title": "Sans note", "method": "approval",
        "settings": {"max_approvals": None}, "status": "open", "voters": 0,
        "ranking": []}


def test_json_export_keys_and_values():
    body, mimetype = render([DOTS, BARE], "json")
    assert mimetype == "application/json"
    assert body.endswith("]\n") and "Priorités" in body  # UTF-8 as is, not \\u escapes
    assert json.loads(body) == [
        {"number": 2, "title": "=Priorités", "method": "dots",
         "explanation": "Chaque personne place des gommettes.",
         "settings": {"max_per_option": 2, "dots": 3}, "status": "closed", "voters": 2,
         "ranking": [{"rank": 1, "text": "Logement", "score": 3, "supporters": 2},
                     {"rank": 2, "text": "-Transport", "score": 1, "supporters": 1}]},
        {"number": 1, "title": "Sans note", "method": "approval",
         "settings": {"max_approvals": None}, "status": "open", "voters": 0, "ranking": []}]
    assert list(json.loads(body)[0]) == ["number", "title", "method", "explanation",
                                         "settings", "status", "voters", "ranking"]
    assert body == to_json([DOTS, BARE])
    assert body.startswith('[\n  {\n    "number": 2,\n')  # indented by two


def test_csv_export_columns_and_cells():
    body, mimetype = render([DOTS, BARE], "csv")
    assert mimetype == "text/csv; charset=utf-8"
    assert body == (
        "\ufeffround,round_title,method,settings,status,voters,rank,text,score,supporters,"
        "method_note\r\n"
        '2,\'=Priorités,dots,"{""dots"": 3, ""max_per_option"": 2}",closed,2,1,Logement,3,2,'
        "Chaque personne place des gommettes.\r\n"
        '2,\'=Priorités,dots,"{""dots"": 3, ""max_per_option"": 2}",closed,2,2,\'-Transport,1,'
        "1,Chaque personne place des gommettes.\r\n")


def test_ranking_table_without_an_explanation_leaves_the_note_blank():
    headers, rows = ranking_table([{**BARE, "ranking": DOTS["ranking"][:1]}])
    assert headers == ("round", "round_title", "method", "settings", "status", "voters",
                       "rank", "text", "score", "supporters", "method_note")
    assert rows == [[1, "Sans note", "approval", '{"max_approvals": null}', "open", 0, 1,
                     "Logement", 3, 2, ""]]


def test_formats_and_an_unknown_format():
    assert FORMATS == {"csv": "text/csv; charset=utf-8", "json": "application/json"}
    with pytest.raises(ValueError, match="xml"):
        render([DOTS], "xml")


def test_to_csv_writes_the_header_as_given_and_neutralises_each_cell():
    assert to_csv(("a", "b"), [["+1", 2], ["x", None]]) == "\ufeffa,b\r\n'+1,2\r\nx,\r\n"


ROUNDS = [{"number": 3, "title": "=Vote", "method": "points", "settings": {"points": 10},
           "status": "closed", "options": [[5, "Parcs"], [6, "Écoles"]],
           "ballots": [{"5": 4, "6": 6}, {"6": 10}]},
          {"number": 4, "title": "Rang", "method": "ranking", "settings": {"top": None},
           "status": "closed", "options": [[-2, "Moins deux"], [9, "Neuf"]],
           "ballots": [[9, -2]]}]


def test_ballots_table_has_one_row_per_ballot_with_the_rules():
    headers, rows = ballots_table(ROUNDS)
    assert headers == ("round", "round_title", "method", "settings", "status", "options",
                       "ballot")
    assert rows == [
        [3, "=Vote", "points", '{"points": 10}', "closed", '[[5, "Parcs"], [6, "Écoles"]]',
         '{"5": 4, "6": 6}'],
        [3, "=Vote", "points", '{"points": 10}', "closed", '[[5, "Parcs"], [6, "Écoles"]]',
         '{"6": 10}'],
        [4, "Rang", "ranking", '{"top": null}', "closed", '[[-2, "Moins deux"], [9, "Neuf"]]',
         "[9, -2]"]]


def test_ballots_table_sorts_the_keys_of_settings_and_ballots():
    rounds = [{"number": 1, "title": "t", "method": "dots", "status": "closed",
               "settings": {"max_per_option": 2, "dots": 3}, "options": [[5, "a"], [6, "b"]],
               "ballots": [{"6": 1, "5": 2}]}]
    _headers, [row] = ballots_table(rounds)
    assert (row[3], row[6]) == ('{"dots": 3, "max_per_option": 2}', '{"5": 2, "6": 1}')


def test_recount_reproduces_each_round_from_the_ballots_file():
    text = render_ballots(ROUNDS)
    assert text.startswith("\ufeffround,round_title,method,settings,status,options,ballot\r\n")
    assert "'=Vote" in text
    assert recount(text) == [
        {"number": 3, "title": "=Vote", "method": "points", "settings": {"points": 10},
         "status": "closed", "voters": 2,
         "ranking": [{"rank": 1, "idea": 6, "text": "Écoles", "score": 16, "supporters": 2},
                     {"rank": 2, "idea": 5, "text": "Parcs", "score": 4, "supporters": 1}]},
        {"number": 4, "title": "Rang", "method": "ranking", "settings": {"top": None},
         "status": "closed", "voters": 1,
         "ranking": [{"rank": 1, "idea": 9, "text": "Neuf", "score": 1, "supporters": 1},
                     {"rank": 2, "idea": -2, "text": "Moins deux", "score": 0,
                      "supporters": 0}]}]


def test_recount_reads_negative_ids_in_count_ballots_and_sorts_rounds():
    rounds = [{**ROUNDS[0], "number": 9, "title": "'quoted",
               "options": [[-5, "Moins cinq"], [6, "Six"]], "ballots": [{"-5": 2}]},
              {**BARE, "options": [[1, "Un"]], "ballots": [[1]]}]
    out = recount(render_ballots(rounds))
    assert [r["number"] for r in out] == [1, 9]
    # A title starting with a quote comes back as typed: the export doubles a leading
    # quote, so removing one always gives the text back.
    assert out[1]["title"] == "'quoted"
    assert out[1]["ranking"][0] == {"rank": 1, "idea": -5, "text": "Moins cinq", "score": 2,
                                    "supporters": 1}


def test_recount_refuses_a_tampered_ballot_with_its_line_number():
    text = render_ballots(ROUNDS).replace('"{""6"": 10}"', '"{""6"": 11}"')
    with pytest.raises(ValueError) as caught:
        recount(text)
    assert str(caught.value) == "line 3: invalid ballot (more points than allowed)"


def test_recount_refuses_a_ballot_naming_no_priority():
    text = render_ballots([{**ROUNDS[0], "ballots": [{"X1": 1}]}])
    with pytest.raises(ValueError) as caught:
        recount(text)
    assert str(caught.value) == "line 2: invalid ballot (this priority is not part of the round)"


def test_recount_refuses_a_file_without_the_ballot_columns():
    with pytest.raises(ValueError) as caught:
        recount("round,ballot\r\n1,[]\r\n")
    assert str(caught.value) == ("not a ballots file: missing columns ['method', 'options', "
                                 "'round_title', 'settings', 'status']")
    with pytest.raises(ValueError) as caught:
        recount("")
    assert "missing columns" in str(caught.value)
