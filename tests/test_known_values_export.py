"""Exports against the exact files a reader gets: every JSON key, every CSV column.

The expected texts are written out in full: a renamed key, a dropped column, a blank
method note or a recount that loses a field fails here.
"""

from __future__ import annotations

import io
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
# A theme is typed by the facilitator: "=Santé" is neutralised in the files like any text.
IDEAS = [{"id": 7, "text": "Logement", "original_text": "logement", "theme": "=Santé",
          "status": "approved",
          "merged_into": None, "merged_into_text": "", "activity": "Idées",
          "created_at": "2026-11-29T16:00:00+00:00", "status_text": "approuvée",
          "time_text": "11:00"},
         {"id": 9, "text": "@Logement", "original_text": "", "theme": "", "status": "merged",
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
    assert IDEA_COLUMNS == ("idea", "priority", "theme", "status", "merged_into",
                            "merged_into_priority", "original_wording", "activity",
                            "proposed_at")
    assert idea_rows(IDEAS) == [
        [7, "Logement", "=Santé", "approuvée", "", "", "logement", "Idées", "11:00"],
        [9, "@Logement", "", "fusionnée", 7, "Logement", "", "", "11:01"]]
    assert to_csv(IDEA_COLUMNS, idea_rows(IDEAS)[:1]).splitlines()[1] == \
        "7,Logement,'=Santé,approuvée,,,logement,Idées,11:00"
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
        {"question": 2, "text": "Où habitez-vous\u00a0?", "k": 5, "voters": 20,
         "hidden_voters": 20, "groups": [], "equal_groups": [],
         "rows": [{"idea": 1, "text": "Logement", "rank": 1, "groups": [],
                   "equal_rank": None, "consensus": None}]},
        {"question": 1, "text": "Vous êtes\u00a0:", "k": 5, "voters": 20, "hidden_voters": 0,
         "groups": [{"key": "f", "label": "Une femme", "voters": 8},
                    {"key": "h", "label": "Un homme", "voters": 12}],
         "equal_groups": ["f", "h"],
         "rows": [{"idea": 1, "text": "Logement", "rank": 1, "groups": [1, 3],
                   "equal_rank": 2, "consensus": 0.167},
                  {"idea": 2, "text": "=Transport", "rank": 2, "groups": [2, 1],
                   "equal_rank": 1, "consensus": 0.0},
                  {"idea": 3, "text": "Parcs", "rank": 3, "groups": [2, 2],
                   "equal_rank": 3, "consensus": None}]}]},
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
        # (question 2, first, shows no group: no row); vote 9 has one group and no
        # equal ranking
        [9, "Matin", "Vous êtes\u00a0:", "Tout le monde", 11, 1, "Parc", ""],
        [9, "Matin", "Vous êtes\u00a0:", "Un homme", 6, 1, "Parc", ""]]


# --- the day's workbook, cell by cell --------------------------------------------------------

WORDS = {"vote": "Vote", "rank": "Rang", "priority": "Priorité", "score": "Score",
         "supporters": "Appuis", "share_of_voters": "Part", "schulze_rank": "Rang Schulze",
         "everyone": "Tout le monde", "equal": "À parts égales", "groups": "Par groupe",
         "group_note": "Les petits groupes sont omis.", "round": "Vote n°",
         "round_title": "Titre", "question": "Question", "group": "Groupe",
         "group_voters": "Votants", "lowest_group_support": "Appui minimal",
         "ideas": "Idées", "participation": "Participation", "present": "Présentes",
         "voted": "Ont voté", "total": "en tout", "methods": "Méthodes", "method": "Méthode",
         "method_note": "Comment on compte", "method_sheet_intro": "Les méthodes du jour.",
         "idea": "N°", "theme": "Thème", "status": "Statut", "merged_into": "Fusionnée dans",
         "merged_into_priority": "Priorité d'accueil", "original_wording": "Texte d'origine",
         "activity": "Activité", "proposed_at": "Heure", "what": "Quoi", "channel": "Canal",
         "people": "Personnes"}
LONG = "Une priorité écrite très longuement " * 3  # 108 characters: wider than 80
BOOK = {"workshop": {"title": "Atelier", "about_text": "29 novembre · Rimouski"},
        "participation": REPORT["participation"],
        "votes": [VOTE,
                  {**VOTE, "number": 3, "title": "Pastilles", "activity": "Pastilles",
                   "method": "dots", "method_name": "Pastilles", "settings_text": "5 pastilles",
                   "note": "Une pastille, un point.", "flag_text": "",
                   "ranking": [{"rank": 1, "idea": 9, "text": LONG, "score": 4,
                                "supporters": 2, "share": 0.5}]}],
        "ideas": IDEAS, "groups": GROUP_VIEWS[1:],
        "methods": [{"name": "Classement", "text": "Borda et Schulze."}],
        "labels": WORDS}


def test_the_workbook_has_a_sheet_per_vote_then_groups_ideas_participation_methods():
    from openpyxl import load_workbook

    from workshop.core.export.xlsx import workbook

    book = load_workbook(io.BytesIO(workbook(
        {**BOOK, "votes": [{**VOTE, "facts_text": "3 personnes ont voté"}, BOOK["votes"][1]]})))
    assert book.sheetnames == ["2. =Priorités", "3. Pastilles", "Par groupe", "Idées",
                               "Participation", "Méthodes"]
    heading = "Atelier · 29 novembre · Rimouski"
    values = {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
              for sheet in book.worksheets}
    # the ranking: title, vote and activity, method and settings, facts, note, then the
    # header and the rows; the Schulze column only where there is one; "-Transport" quoted
    assert values["2. =Priorités"] == [
        [heading, None, None, None, None, None],
        ["Vote 2 · =Priorités · Vote du midi", None, None, None, None, None],
        ["Classement · Le nombre de priorités à classer\u00a0: 2", None, None, None, None,
         None],
        ["3 personnes ont voté", None, None, None, None, None],
        ["Points Borda\u00a0: 2 puis 1.", None, None, None, None, None],
        ["Rang", "Priorité", "Score", "Appuis", "Part", "Rang Schulze"],
        [1, "Logement", 5, 3, 1.0, 1],
        [2, "'-Transport", 1, 1, 0.3333, 1]]
    # an activity named as the vote is not repeated; no facts given, no flag: no line
    assert values["3. Pastilles"] == [
        [heading, None, None, None, None], ["Vote 3 · Pastilles", None, None, None, None],
        ["Pastilles · 5 pastilles", None, None, None, None], [None] * 5,
        ["Une pastille, un point.", None, None, None, None],
        ["Rang", "Priorité", "Score", "Appuis", "Part"], [1, LONG, 4, 2, 0.5]]
    assert values["Par groupe"] == [
        [heading] + [None] * 7, ["Les petits groupes sont omis."] + [None] * 7,
        ["Vote n°", "Titre", "Question", "Groupe", "Votants", "Rang", "Priorité",
         "Appui minimal"],
        [9, "Matin", "Vous êtes\u00a0:", "Tout le monde", 11, 1, "Parc", None],
        [9, "Matin", "Vous êtes\u00a0:", "Un homme", 6, 1, "Parc", None]]
    assert values["Idées"] == [
        [heading] + [None] * 8,
        ["N°", "Priorité", "Thème", "Statut", "Fusionnée dans", "Priorité d'accueil",
         "Texte d'origine", "Activité", "Heure"],
        [7, "Logement", "'=Santé", "approuvée", None, None, "logement", "Idées", "11:00"],
        [9, "'@Logement", None, "fusionnée", 7, "Logement", None, None, "11:01"]]
    assert values["Participation"] == [
        [heading, None, None], ["Quoi", "Canal", "Personnes"],
        ["Présentes", "en tout", 4], ["Présentes", "cellulaire", 4],
        ["Ont voté", "en tout", 3], ["Ont voté", "cellulaire", 3]]
    # every method of the day, then each ranking vote's own rule
    assert values["Méthodes"] == [
        ["Les méthodes du jour.", None], ["Méthode", "Comment on compte"],
        ["Classement", "Borda et Schulze."],
        ["Vote 2 · =Priorités", "Points Borda\u00a0: 2 puis 1."]]


def test_the_workbook_headers_are_bold_and_frozen_shares_are_percents_columns_fit():
    from openpyxl import load_workbook

    from workshop.core.export.xlsx import workbook

    book = load_workbook(io.BytesIO(workbook({**BOOK, "groups": GROUP_VIEWS, "votes": [
        {**VOTE, "flag_text": "Borda et Schulze diffèrent sur les 2 premières."},
        {**BOOK["votes"][1], "activity": ""}]})))
    ranking, dots, groups = book["2. =Priorités"], book["3. Pastilles"], book["Par groupe"]
    # the flag is a sixth line above the header
    assert ranking["A6"].value == "Borda et Schulze diffèrent sur les 2 premières."
    assert [c.font.b for c in ranking[7]] == [True] * 6
    assert not ranking["A8"].font.b and not ranking["A1"].font.b
    assert (ranking.freeze_panes, dots.freeze_panes, groups.freeze_panes) == ("A8", "A7", "A4")
    assert [ranking.cell(row=r, column=5).number_format for r in (7, 8, 9)] == [
        "General", "0.0%", "0.0%"]
    assert groups["H4"].number_format == "0.0%" and groups["G4"].number_format == "General"
    # widths from the header row down, 2 more than the longest text, at least 6, at most
    # 80: rank "Rang" 4 → 6; priority "'-Transport" 11 → 13; share "100.0%" 6 → 8;
    # "Rang Schulze" 12 → 14. The lines above the header do not count.
    widths = {col: ranking.column_dimensions[col].width for col in "ABCDEF"}
    assert widths == {"A": 6, "B": 13, "C": 7, "D": 8, "E": 8, "F": 14}
    # a share written as a percent is as wide as "50.0%": 5 + 2 = 7 ("Part" is 4)
    assert dots.column_dimensions["E"].width == 7
    # a vote without an activity says nothing of it; the ranking where each group
    # counts equally is named in the reader's words (rows 13-15 of the groups sheet)
    assert dots["A2"].value == "Vote 3 · Pastilles"
    assert [groups.cell(row=r, column=4).value for r in (12, 13, 15, 16)] == [
        "Un homme", "À parts égales", "À parts égales", "Tout le monde"]
    # a text wider than 80 makes its column 80 wide and wraps it, below the header only
    assert dots.column_dimensions["B"].width == 80
    assert dots["B7"].alignment.wrap_text and dots["B7"].alignment.vertical == "top"
    assert not dots["B6"].alignment.wrap_text and not dots["A7"].alignment.wrap_text


def test_sheet_titles_are_what_excel_accepts_and_unique():
    from workshop.core.export.xlsx import _title

    taken: set[str] = set()
    assert _title("4. Vote: [A/B]*?", taken) == "4. Vote   A B"
    assert _title("'Citée'", taken) == "Citée"
    assert _title("", taken) == "—" and _title("[]", taken) == "— (2)"
    assert _title("x" * 40, taken) == "x" * 31
    assert _title("X" * 35, taken) == "X" * 27 + " (2)"  # Excel compares titles in any case
    assert _title("X" * 35, taken) == "X" * 27 + " (3)"
    assert _title("a\x01b", taken) == "a b"
    assert taken == {"4. vote   a b", "citée", "—", "— (2)", "x" * 31, "x" * 27 + " (2)",
                     "x" * 27 + " (3)", "a b"}


def test_rows_without_the_edges_words_fall_back_to_what_the_report_holds():
    idea = {**IDEAS[0]}
    del idea["time_text"]
    assert idea_rows([idea]) == [[7, "Logement", "=Santé", "approuvée", "", "", "logement",
                                  "Idées", "2026-11-29T16:00:00+00:00"]]
    bare = {"participation": {"present": 5, "present_by_channel": {"phone": 3, "kiosk": 2},
                              "voted": 1, "voted_by_channel": {"paper": 1}}}
    assert participation_rows(bare, "P", "V", "T") == [
        ["P", "T", 5], ["P", "phone", 3], ["P", "kiosk", 2], ["V", "T", 1], ["V", "paper", 1]]
    named = {"participation": {**bare["participation"], "channel_words": {"kiosk": "borne"}}}
    assert [row[1] for row in participation_rows(named, "P", "V", "T")] == [
        "T", "phone", "borne", "T", "paper"]


def test_the_recount_json_has_every_rounds_rules_voters_and_ranking():
    from workshop.core.export import to_json

    rounds = [{"number": 3, "title": "=Vote", "method": "points", "settings": {"points": 10},
               "status": "closed", "voters": 2, "explanation": "Borda\u00a0: 2 puis 1",
               "ranking": [{"rank": 1, "idea": 6, "text": "Écoles", "score": 16,
                            "supporters": 2, "extra": "left out"}]},
              {"number": 4, "title": "Rang", "method": "ranking", "settings": {"top": None},
               "status": "open", "voters": 0, "ranking": []}]
    assert to_json(rounds) == (
        '[\n  {\n    "number": 3,\n    "title": "=Vote",\n    "method": "points",\n'
        '    "explanation": "Borda\u00a0: 2 puis 1",\n    "settings": {\n      "points": 10\n'
        '    },\n    "status": "closed",\n    "voters": 2,\n    "ranking": [\n      {\n'
        '        "rank": 1,\n        "text": "Écoles",\n        "score": 16,\n'
        '        "supporters": 2\n      }\n    ]\n  },\n'
        '  {\n    "number": 4,\n    "title": "Rang",\n    "method": "ranking",\n'
        '    "settings": {\n      "top": null\n    },\n    "status": "open",\n'
        '    "voters": 0,\n    "ranking": []\n  }\n]\n')


def test_the_lazy_workbook_is_the_day_workbook():
    from openpyxl import load_workbook

    from workshop.core import export

    book = load_workbook(io.BytesIO(export.workbook(BOOK)))
    assert book.sheetnames == ["2. =Priorités", "3. Pastilles", "Par groupe", "Idées",
                               "Participation", "Méthodes"]


@pytest.mark.parametrize(("text", "cell"), [
    # a formula's first sign, a tab or a line break at the start: quoted
    ("=1+1", "'=1+1"), ("+33 6", "'+33 6"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("\nx", "'\nx"),
    # a text that starts with the quote itself gets one more, so one always comes off
    ("'déjà", "''déjà"),
    # a sign after anything invisible: space (Zs), no-break space, control (Cc), format
    # (Cf: zero-width space, byte-order mark), line and paragraph separators (Zl, Zp),
    # combining marks (Mn, Me), a blank letter (Hangul filler)
    (" =1", "' =1"), ("\u00a0=1", "'\u00a0=1"), ("\x01=1", "'\x01=1"),
    ("\u200b=1", "'\u200b=1"), ("\ufeff+1", "'\ufeff+1"), ("\u2028-1", "'\u2028-1"),
    ("\u2029@x", "'\u2029@x"), ("\u0301=1", "'\u0301=1"), ("\u20dd=1", "'\u20dd=1"),
    ("\u3164=1", "'\u3164=1"), ("\u2800=1", "'\u2800=1"),
    # a sign that folds to one under NFKC (full-width, small), and the minus sign
    ("\uff1d1", "'\uff1d1"), ("\ufe62", "'\ufe62"), ("\uff20x", "'\uff20x"),
    ("\u22121", "'\u22121"), ("\u200b\uff0b1", "'\u200b\uff0b1"),
    # a sign that folds to several: "⩵" is "==" under NFKC, and its first is a sign
    ("\u2a75x", "'\u2a75x"), ("\u2a76", "'\u2a76"),
    # anything visible first: left as it is; numbers and None too
    ("a=1", "a=1"), ("x-1", "x-1"), ("é=", "é="), ("", ""), ("   ", "   "), ("\u200b", "\u200b"),
    (" a=1", " a=1"), ("1=1", "1=1"), ("–1", "–1"), (3, 3), (0.5, 0.5), (None, None)])
def test_a_cell_is_quoted_exactly_when_it_could_start_a_formula(text, cell):
    from workshop.core.export import safe_cell, unformula

    assert safe_cell(text) == cell
    if isinstance(text, str):
        assert unformula(safe_cell(text)) == text


def test_columns_fit_their_longest_cell_from_the_header_down():
    from openpyxl import Workbook

    from workshop.core.export.xlsx import _fit

    sheet = Workbook().active
    sheet.append(["une ligne au-dessus, plus longue que tout le reste du tableau"])
    sheet.append(["N°", "Texte", "Part", "Note"])
    sheet.append([None, "abcdefghij", 0.125, "x" * 80])  # an empty cell first
    sheet.append([12345678, None, 1.0, ""])
    _fit(sheet, 2)
    # A: "12345678" 8 → 10; B: "abcdefghij" 10 → 12 (the empty cell before it does not
    # stop the row); C: "100.0%" 6 → 8 ("12.5%" is 5); D: 80 characters → 80, and 80 is
    # not wider than 80: no wrapping
    assert [sheet.column_dimensions[c].width for c in "ABCD"] == [10, 12, 8, 80]
    assert not sheet["D3"].alignment.wrap_text
