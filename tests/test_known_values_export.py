"""Exports against the exact files a reader gets: every JSON key, every CSV column.

The expected texts are written out in full: a renamed key, a dropped column, a blank
method note or a recount that loses a field fails here.
"""

from __future__ import annotations

import json

import pytest

from workshop.core.export import ballots_table, recount, render_ballots, to_csv
from workshop.core.export.day import (
    IDEA_COLUMNS,
    RANKING_COLUMNS,
    idea_rows,
    participation_rows,
    ranking_rows,
    report_json,
)

VOTE = {"number": 2, "title": "=Priorités", "activity": "Vote du midi", "method": "ranking",
        "settings": {"top": 2}, "status": "closed", "require_ticket": True, "voters": 3,
        "channels": {"phone": 3}, "opened_at": "2026-11-29T17:00:00+00:00",
        "closed_at": "2026-11-29T17:10:00+00:00",
        "ranking": [{"rank": 1, "idea": 7, "text": "Logement", "score": 5, "supporters": 3,
                     "share": 1.0, "schulze_rank": 1},
                    {"rank": 2, "idea": 8, "text": "-Transport", "score": 1,
                     "supporters": 1, "share": 1 / 3, "schulze_rank": 1}],
        "disagree_top": True, "disagree_top_n": False, "top_n": 2,
        "method_name": "Classement", "settings_text": "Le nombre de priorités à classer\u00a0: 2",
        "status_text": "fermé", "tickets_text": "oui", "unit": "points Borda",
        "note": "Points Borda\u00a0: 2 puis 1.", "flag_text": ""}
IDEAS = [{"id": 7, "text": "Logement", "original_text": "logement", "status": "approved",
          "merged_into": None, "merged_into_text": "", "activity": "Idées",
          "created_at": "2026-11-29T16:00:00+00:00", "status_text": "approuvée",
          "time_text": "11:00"},
         {"id": 9, "text": "@Logement", "original_text": "", "status": "merged",
          "merged_into": 7, "merged_into_text": "Logement", "activity": "",
          "created_at": "2026-11-29T16:01:00+00:00", "status_text": "fusionnée",
          "time_text": "11:01"}]
BARE = {"number": 1, "title": "Sans note", "method": "approval",
        "settings": {"max_approvals": None}, "status": "open"}
REPORT = {"workshop": {"title": "Atelier", "code": "ABC234",
                       "created_at": "2026-11-29T15:00:00+00:00", "min_group_size": 5},
          "participation": {"present": 4, "present_by_channel": {"phone": 4}, "voted": 3,
                            "voted_by_channel": {"phone": 3},
                            "channel_words": {"phone": "cellulaire"}},
          "votes": [VOTE], "ideas": IDEAS, "groups": [], "methods": [],
          "labels": {"anything": "left out of the JSON"}}


def test_the_ranking_csv_has_sixteen_columns_and_neutralised_cells():
    # The 2nd row: Borda 2 + 2 + 1 = 5 for Logement (3 supporters of 3), 1 for -Transport.
    headers = [f"h{n}" for n in range(len(RANKING_COLUMNS))]
    body = to_csv(headers, ranking_rows([VOTE]))
    assert RANKING_COLUMNS == (
        "round", "round_title", "activity", "method", "settings", "tickets_required",
        "status", "voters", "rank", "priority", "score", "supporters", "share_of_voters",
        "schulze_rank", "orders_differ", "method_note")
    assert body == (
        "\ufeffh0,h1,h2,h3,h4,h5,h6,h7,h8,h9,h10,h11,h12,h13,h14,h15\r\n"
        "2,'=Priorités,Vote du midi,Classement,Le nombre de priorités à classer\u00a0: 2,oui,"
        "fermé,3,1,Logement,5,3,1.0,1,,Points Borda\u00a0: 2 puis 1.\r\n"
        "2,'=Priorités,Vote du midi,Classement,Le nombre de priorités à classer\u00a0: 2,oui,"
        "fermé,3,2,'-Transport,1,1,0.3333,1,,Points Borda\u00a0: 2 puis 1.\r\n")


def test_the_semicolon_csv_writes_decimals_with_a_comma_and_quotes_as_needed():
    body = to_csv(("a", "b", "c"), [[0.3333, "x;y", 2], [1.0, "=1", None]], ";")
    assert body == "\ufeffa;b;c\r\n0,3333;\"x;y\";2\r\n1,0;'=1;\r\n"


def test_idea_and_participation_rows():
    assert IDEA_COLUMNS == ("idea", "priority", "status", "merged_into",
                            "merged_into_priority", "original_wording", "activity",
                            "proposed_at")
    assert idea_rows(IDEAS) == [
        [7, "Logement", "approuvée", "", "", "logement", "Idées", "11:00"],
        [9, "@Logement", "fusionnée", 7, "Logement", "", "", "11:01"]]
    assert participation_rows(REPORT, "Présentes", "Ont voté", "en tout") == [
        ["Présentes", "en tout", 4], ["Présentes", "cellulaire", 4],
        ["Ont voté", "en tout", 3], ["Ont voté", "cellulaire", 3]]


def test_to_csv_writes_the_header_as_given_and_neutralises_each_cell():
    assert to_csv(("a", "b"), [["+1", 2], ["x", None]]) == "\ufeffa,b\r\n'+1,2\r\nx,\r\n"


def test_the_report_json_is_every_field_but_the_labels():
    body = report_json(REPORT)
    assert body.endswith("}\n") and "Priorités" in body  # UTF-8 as is, not \\u escapes
    data = json.loads(body)
    assert list(data) == ["workshop", "participation", "votes", "ideas", "groups", "methods"]
    assert data["votes"] == [VOTE] and data["ideas"] == IDEAS
    assert data["ideas"][1]["text"] == "@Logement"  # JSON keeps text as typed
    assert body.startswith('{\n  "workshop": {\n')  # indented by two


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


def test_ranking_rows_leave_the_schulze_place_blank_for_other_methods():
    dots = {**VOTE, "method": "dots", "ranking": [
        {"rank": 1, "idea": 7, "text": "Logement", "score": 4, "supporters": 2, "share": 2 / 3}]}
    assert ranking_rows([dots]) == [
        [2, "=Priorités", "Vote du midi", "Classement", VOTE["settings_text"], "oui", "fermé",
         3, 1, "Logement", 4, 2, 0.6667, "", "", VOTE["note"]]]


def test_the_report_json_writes_dates_and_other_values_as_text():
    from datetime import UTC, datetime

    body = report_json({"workshop": {"closed_at": datetime(2026, 11, 29, 17, 5, tzinfo=UTC)},
                        "labels": {}})
    assert json.loads(body) == {"workshop": {"closed_at": "2026-11-29 17:05:00+00:00"}}


GROUP_VIEWS = [
    {"round": 12, "title": "Priorités", "method": "dots", "questions": [
        {"question": 1, "text": "Vous êtes\u00a0:", "k": 5, "voters": 20, "hidden_voters": 0,
         "groups": [{"key": "f", "label": "Une femme", "voters": 8},
                    {"key": "h", "label": "Un homme", "voters": 12}],
         "equal_groups": ["f", "h"],
         "rows": [{"idea": 1, "text": "Logement", "rank": 1, "groups": [1, 3],
                   "equal_rank": 2, "consensus": 0.167},
                  {"idea": 2, "text": "=Transport", "rank": 2, "groups": [2, 1],
                   "equal_rank": 1, "consensus": 0.0},
                  {"idea": 3, "text": "Parcs", "rank": 3, "groups": [2, 2],
                   "equal_rank": 3, "consensus": None}]},
        {"question": 2, "text": "Où habitez-vous\u00a0?", "k": 5, "voters": 20,
         "hidden_voters": 20, "groups": [], "equal_groups": [],
         "rows": [{"idea": 1, "text": "Logement", "rank": 1, "groups": [],
                   "equal_rank": None, "consensus": None}]}]},
    {"round": 9, "title": "Matin", "method": "approval", "questions": [
        {"question": 1, "text": "Vous êtes\u00a0:", "k": 5, "voters": 11, "hidden_voters": 5,
         "groups": [{"key": "h", "label": "Un homme", "voters": 6}], "equal_groups": [],
         "rows": [{"idea": 4, "text": "Parc", "rank": 1, "groups": [1], "equal_rank": None,
                   "consensus": None}]}]}]


def test_the_groups_table_has_everyone_each_group_and_the_equal_ranking_in_rows():
    from workshop.core.export import GROUPS_HEADERS, groups_table

    assert GROUPS_HEADERS == ("round", "round_title", "question", "group", "group_voters",
                              "rank", "priority", "lowest_group_support")
    q1 = [12, "Priorités", "Vous êtes\u00a0:"]
    assert groups_table(GROUP_VIEWS, "Tout le monde", "Chaque groupe compte autant") == [
        # everyone, in the overall order, with the lowest support among the groups shown
        [*q1, "Tout le monde", 20, 1, "Logement", 0.167],
        [*q1, "Tout le monde", 20, 2, "=Transport", 0.0],
        [*q1, "Tout le monde", 20, 3, "Parcs", ""],
        # each group in its own order (ties in the overall order)
        [*q1, "Une femme", 8, 1, "Logement", ""],
        [*q1, "Une femme", 8, 2, "=Transport", ""],
        [*q1, "Une femme", 8, 2, "Parcs", ""],
        [*q1, "Un homme", 12, 1, "=Transport", ""],
        [*q1, "Un homme", 12, 2, "Parcs", ""],
        [*q1, "Un homme", 12, 3, "Logement", ""],
        # each group counting equally, in that ranking's order
        [*q1, "Chaque groupe compte autant", 20, 1, "=Transport", ""],
        [*q1, "Chaque groupe compte autant", 20, 2, "Logement", ""],
        [*q1, "Chaque groupe compte autant", 20, 3, "Parcs", ""],
        # question 2 shows no group: no row; vote 9 has one group and no equal ranking
        [9, "Matin", "Vous êtes\u00a0:", "Tout le monde", 11, 1, "Parc", ""],
        [9, "Matin", "Vous êtes\u00a0:", "Un homme", 6, 1, "Parc", ""]]
