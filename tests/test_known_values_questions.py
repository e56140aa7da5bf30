"""Known values, worked by hand, for the question kinds (core/activities/poll.py and the
four kinds), the blocklist of automatic approval (core/blocklist.py), the
representativeness monitor (core/groups/representation.py) and the questions' rows of the
day's files (core/export/day.py). Each expected value is written out here from the rule
the docstring states, never computed by the code under test."""

from __future__ import annotations

import pytest

from workshop.core import blocklist
from workshop.core.errors import Refused


def refusal(call, *args) -> Refused:
    with pytest.raises(Refused) as info:
        call(*args)
    return info.value


# --- the blocklist ---------------------------------------------------------------------

def test_folding_drops_case_and_accents_and_words_split_on_anything_but_letters_digits():
    assert blocklist.fold("Élevé ÇA") == "eleve ca"
    assert blocklist.words("L'Enculé_2x, ÉNORME-con!") == ["l", "encule", "2x", "enorme", "con"]
    assert blocklist.words("!!! …") == []


def test_a_typed_list_is_read_entry_by_entry_folded_and_bounded():
    assert blocklist.read_entries("Tête-de-nœud\nCRÉTIN ; crétin, Pas   FIN") == [
        "tete de nœud", "cretin", "pas fin"]  # œ is a letter of its own, not "oe"
    assert blocklist.read_entries("gros\tmot") == ["gros mot"]  # a tab separates words only
    assert blocklist.read_entries("\n, ;!!!\n") == []
    assert blocklist.read_entries("con\n\n , !!! ;salaud") == ["con", "salaud"]  # past blanks
    assert blocklist.read_entries("a" * 60) == ["a" * 60]  # the limit itself
    with pytest.raises(ValueError, match="^entry$"):
        blocklist.read_entries("a" * 61)
    # 100 distinct entries of 59 characters, 99 line breaks and a last one: 6,000 exactly
    hundred = "\n".join(f"{n:03d}" + "a" * 56 for n in range(100)) + "\n"
    assert len(hundred) == 6000 and len(blocklist.read_entries(hundred)) == 100
    with pytest.raises(ValueError, match="^blocklist$"):
        blocklist.read_entries(hundred + "\n")
    with pytest.raises(ValueError, match="^blocklist$"):
        blocklist.read_entries(["con"])
    three_hundred = ",".join(f"m{n}" for n in range(300))
    assert blocklist.read_entries(three_hundred)[-1] == "m299"
    with pytest.raises(ValueError, match="^entries$"):
        blocklist.read_entries(three_hundred + ",m300")
    assert blocklist.read_entries("mot\n" * 400) == ["mot"]  # repeats are dropped first


def test_an_entry_is_found_as_whole_words_in_the_lists_order():
    assert blocklist.first_match("un con de salaud", ["salaud", "con"]) == "salaud"
    assert blocklist.first_match("Con", ["con"]) == "con"  # the whole text
    assert blocklist.first_match("Pas, fin!", ["pas fin"]) == "pas fin"  # punctuation between
    assert blocklist.first_match("pas vraiment fin", ["pas fin"]) is None
    assert blocklist.first_match("con_artiste", ["con"]) == "con"  # "_" splits words
    assert blocklist.first_match("fuck2", ["fuck"]) is None  # digits are part of a word
    assert blocklist.first_match("", ["con"]) is None
    assert blocklist.first_match("!!!", [""]) is None  # no word: nothing to hold


# --- the question kinds: reading answers ---------------------------------------------

def test_a_choice_is_an_index_of_at_most_three_ascii_digits_below_the_number_of_choices():
    from workshop.core.activities.poll import read_choice

    three = ["Logement", "Transport", "Santé"]
    assert read_choice(three, False, {"choice": 2}) == {"choices": [2]}
    assert read_choice(three, False, {"choice": "002"}) == {"choices": [2]}
    assert read_choice(three, False, {"choices": 1}) == {"choices": [1]}  # one, not a list
    assert read_choice(three, True, {"choice_1": "on", "choice_2": True, "choice_0": "0"}) \
        == {"choices": [1, 2]}
    for fields in ({"choice": 3}, {"choice": "0002"}, {"choice": -1}, {"choice": "٣"},
                   {"choice": 1.0}, {"choice": False}, {"choice_1": False},
                   {"choice_1": None}, {"choice_1": ""}, {"choice_1": "0"}, {1: "1"},
                   {"choices": [0, 1]}, {"choices": []}):
        error = refusal(read_choice, three, False, fields)
        assert (error.code, error.params) == ("bad_answer", {}), fields
    assert read_choice(three, True, {"choices": [0, 1, 2]}) == {"choices": [0, 1, 2]}


def test_a_scale_is_one_to_five_and_its_refusal_names_the_ends():
    from workshop.core.activities.poll import read_scale

    assert read_scale({"value": "05"}) == {"value": 5}
    assert read_scale({"value": 1}) == {"value": 1}
    for value in (0, 6, "6", None, True, "1.0"):
        error = refusal(read_scale, {"value": value})
        assert (error.code, error.params) == ("bad_answer", {"low": 1, "high": 5})


def test_word_cloud_entries_up_to_the_limit_the_first_spelling_kept():
    from workshop.core.activities.poll import read_words

    assert read_words(2, {"words": ["Logement", "logement!", "LOGEMENT", "Santé", "santé"]}) \
        == {"words": ["Logement", "Santé"]}  # five entries, two words
    assert read_words(1, {"words": [" ", None, "Parc"]}) == {"words": ["Parc"]}
    assert read_words(3, {"word_5": "zèle", "word_6": "six", "word_1": "  un  "}) == {
        "words": ["un", "zèle"]}  # word_1 to word_5, in that order; no word_6
    assert read_words(1, {"words": "  Parc "}) == {"words": ["Parc"]}
    assert read_words(1, {"words": ["é" * 40]}) == {"words": ["é" * 40]}
    for limit, fields, params in (
            (2, {"words": ["a", "b", "c"]}, {"limit": 2}),
            (5, {"words": ["a"] * 6}, {"limit": 5}),  # six entries, even alike
            (3, {"words": ["é" * 41]}, {"limit": 40}),  # one entry's own limit
            (3, {"words": ["-!-"]}, {"limit": 3}),
            (3, {"words": ["", "  "]}, {"limit": 3}),
            (3, {"words": ("a",)}, {"limit": 3}),
            (3, {}, {"limit": 3})):
        error = refusal(read_words, limit, fields)
        assert (error.code, error.params) == ("bad_answer", params), fields


def test_an_open_answer_is_at_most_280_characters():
    from workshop.core.activities.poll import read_text

    assert read_text({"text": "é" * 280}) == {"text": "é" * 280}
    error = refusal(read_text, {"text": "é" * 281})
    assert (error.code, error.params) == ("bad_answer", {"limit": 280})


# --- the question kinds: tallies worked by hand ---------------------------------------

def test_a_choice_tally_counts_people_per_choice_in_the_choices_order():
    from workshop.core.activities.poll import tally_choice

    answers = [{"choices": [0]}, {"choices": [0, 2]}, {"choices": [2]}, {"choices": [0]},
               {"choices": [1, 1]}]  # the same choice twice counts once
    assert tally_choice(["Logement", "Transport", "Santé"], answers) == {
        "voters": 5,
        "rows": [{"index": 0, "text": "Logement", "count": 3, "share": 0.6},
                 {"index": 1, "text": "Transport", "count": 1, "share": 0.2},
                 {"index": 2, "text": "Santé", "count": 2, "share": 0.4}]}
    assert tally_choice(["Oui", "Non"], []) == {
        "voters": 0, "rows": [{"index": 0, "text": "Oui", "count": 0, "share": 0.0},
                              {"index": 1, "text": "Non", "count": 0, "share": 0.0}]}


def scale_rows(*counts_and_shares):
    return [{"value": value, "count": count, "share": share}
            for value, (count, share) in enumerate(counts_and_shares, start=1)]


def test_a_scale_tally_with_its_mean_and_median():
    from workshop.core.activities.poll import tally_scale

    # 4, 5, 1: mean 10/3, median the middle value 4
    assert tally_scale([{"value": v} for v in (4, 5, 1)]) == {
        "voters": 3, "rows": scale_rows((1, 1 / 3), (0, 0.0), (0, 0.0), (1, 1 / 3), (1, 1 / 3)),
        "mean": 3.3333333333333335, "median": 4}
    # 1, 1, 2, 5: mean 9/4, median between 1 and 2
    assert tally_scale([{"value": v} for v in (1, 1, 2, 5)]) == {
        "voters": 4, "rows": scale_rows((2, 0.5), (1, 0.25), (0, 0.0), (0, 0.0), (1, 0.25)),
        "mean": 2.25, "median": 1.5}
    assert tally_scale([]) == {"voters": 0, "rows": scale_rows(*[(0, 0.0)] * 5),
                               "mean": None, "median": None}


def test_word_cloud_spellings_merge_after_folding_case_accents_and_punctuation():
    from workshop.core.activities.poll import TOP_WORDS, tally_text, tally_words, word_key

    assert word_key("sécurité_alimentaire") == "securite alimentaire"
    assert word_key("  «Logement»  ") == "logement"
    assert word_key("ﬁnances") == "finances"  # the ligature ﬁ is f and i under NFKD
    assert word_key("Ça-va") == "ca va" and word_key("Москва") == "москва"
    assert word_key("") == ""
    answers = [{"words": ["Sécurité", "logement"]}, {"words": ["securite", "Logement!"]},
               {"words": ["SÉCURITÉ"]}, {"words": ["l'emploi"]}, {"words": ["L’emploi"]}]
    # sécurité 3 (each spelling once: not the capitals, then "S" before "s"); l'emploi 2
    # ("L" before "l"); logement 2 (not the one with "!" around); equal counts by key
    assert tally_words(answers) == {"voters": 5, "distinct": 3, "words": [
        {"word": "Sécurité", "count": 3, "key": "securite"},
        {"word": "L’emploi", "count": 2, "key": "l emploi"},
        {"word": "logement", "count": 2, "key": "logement"}]}
    # the spelling typed most wins, capitals or not
    assert tally_words([{"words": ["LOGEMENT"]}, {"words": ["LOGEMENT"]},
                        {"words": ["logement"]}])["words"][0]["word"] == "LOGEMENT"
    assert tally_words([]) == {"voters": 0, "distinct": 0, "words": []}
    assert TOP_WORDS == 40
    assert tally_text([]) == {"voters": 0, "answers": []}


def cloud(twice: int, once: list[str]) -> list[dict]:
    """`twice` words given by two people each (mot00, mot01...), then words given once."""
    return [{"words": [f"mot{n:02d}"]} for n in range(twice)] * 2 + \
        [{"words": [word]} for word in once]


def test_words_tied_at_the_fortieth_all_stay_and_the_others_past_it_go():
    from workshop.core.activities.poll import tally_words

    def shown(answers):
        return [(row["word"], row["count"]) for row in tally_words(answers)["words"]]

    twos = [(f"mot{n:02d}", 2) for n in range(39)]
    # 39 words twice, then three once: the 40th is "ours", tied with "yak" and "zèbre"
    assert shown(cloud(39, ["zèbre", "ours", "yak"])) == twos + [
        ("ours", 1), ("yak", 1), ("zèbre", 1)]
    # 40 words twice: the 40th is mot39, the words given once are past the cut
    assert shown(cloud(40, ["ours", "yak"])) == twos + [("mot39", 2)]
    # exactly 40 words: all shown
    assert len(shown(cloud(38, ["ours", "yak"]))) == 40
    assert len(tally_words(cloud(40, ["ours", "yak"]))["words"]) == 40
    assert tally_words(cloud(40, ["ours", "yak"]))["distinct"] == 42


# --- the question kinds: settings -----------------------------------------------------

def test_question_settings_at_and_beyond_their_bounds():
    from workshop.core.activities import get_kind

    choice, scale, cloud_kind, open_kind = (get_kind(name) for name in (
        "choice", "scale", "wordcloud", "open_question"))
    twelve = [f"Choix {n}" for n in range(12)]
    assert choice.check_settings({"choices": ("Oui", "", "Non"), "multiple": True}) == {
        "choices": ["Oui", "Non"], "multiple": True}
    assert choice.check_settings({"choices": twelve})["choices"] == twelve
    assert choice.check_settings({"choices": ["é" * 120, "Non"]})["choices"][0] == "é" * 120
    for choices in (twelve + ["Choix 12"], ["Oui", ""], ["Oui", "Oui"]):
        error = refusal(choice.check_settings, {"choices": choices})
        assert (error.code, error.params) == (
            "bad_activity_setting", {"setting": "choices", "low": 2, "high": 12})
    error = refusal(choice.check_settings, {"choices": ["é" * 121, "Non"]})
    assert (error.code, error.params) == ("bad_activity_setting", {"setting": "choices"})
    assert choice.settings_from_fields({}) == {"choices": [], "multiple": False}
    assert choice.settings_from_fields({"choices": ["A", "B"], "multiple": "on"}) == {
        "choices": ["A", "B"], "multiple": True}
    assert scale.check_settings({}) == {"low_label": "", "high_label": ""}
    assert scale.check_settings({"high_label": "é" * 60})["high_label"] == "é" * 60
    for name in ("low_label", "high_label"):
        error = refusal(scale.check_settings, {name: "é" * 61})
        assert (error.code, error.params) == ("bad_activity_setting", {"setting": name})
    assert scale.settings_from_fields({"low_label": None, "high_label": "Tout à fait"}) == {
        "low_label": "", "high_label": "Tout à fait"}
    assert cloud_kind.check_settings({}) == {"max_words": 3}
    assert [cloud_kind.check_settings({"max_words": n})["max_words"] for n in (1, 5)] == [1, 5]
    for n in (0, 6):
        assert refusal(cloud_kind.check_settings, {"max_words": n}).params == {
            "setting": "max_words", "low": 1, "high": 5}
    assert cloud_kind.settings_from_fields({}) == {}
    assert cloud_kind.settings_from_fields({"max_words": ""}) == {}
    assert cloud_kind.settings_from_fields({"max_words": "4"}) == {"max_words": 4}
    error = refusal(cloud_kind.settings_from_fields, {"max_words": "quatre"})
    assert (error.code, error.params) == ("bad_activity_setting", {"setting": "max_words"})
    assert open_kind.check_settings({}) == {} and open_kind.settings_from_fields({"x": 1}) == {}
    for kind in (choice, scale, cloud_kind, open_kind):
        assert kind.references({}) == []


def test_each_kind_reads_and_counts_with_its_own_settings():
    from workshop.core.activities import get_kind

    choice, scale, cloud_kind, open_kind = (get_kind(name) for name in (
        "choice", "scale", "wordcloud", "open_question"))
    several = {"choices": ["A", "B", "C"], "multiple": True}
    assert choice.read_answer(several, {"choices": [2, 0]}) == {"choices": [0, 2]}
    assert refusal(choice.read_answer, {**several, "multiple": False},
                   {"choices": [2, 0]}).code == "bad_answer"
    assert refusal(choice.read_answer, {"choices": ["A", "B"], "multiple": True},
                   {"choice": 2}).code == "bad_answer"
    assert choice.tally(several, [{"choices": [0, 2]}])["rows"][2] == {
        "index": 2, "text": "C", "count": 1, "share": 1.0}
    assert scale.read_answer({}, {"value": 3}) == {"value": 3}
    assert scale.tally({}, [{"value": 3}, {"value": 4}])["median"] == 3.5
    assert cloud_kind.read_answer({"max_words": 2}, {"words": ["a", "b"]}) == {
        "words": ["a", "b"]}
    assert refusal(cloud_kind.read_answer, {"max_words": 1}, {"words": ["a", "b"]}).params \
        == {"limit": 1}
    # the cloud keeps TOP_WORDS (40) words: 41 words once each are all tied at the cut;
    # w00 to w39 given once more, w40 is alone past it
    many = [{"words": [f"w{n:02d}"]} for n in range(41)]
    assert len(cloud_kind.tally({"max_words": 1}, many)["words"]) == 41
    many += [{"words": [f"w{n:02d}"]} for n in range(40)]
    assert [r["word"] for r in cloud_kind.tally({"max_words": 1}, many)["words"]] == [
        f"w{n:02d}" for n in range(40)]
    assert open_kind.read_answer({}, {"text": " Un parc "}) == {"text": "Un parc"}
    assert open_kind.tally({}, [{"text": "b"}, {"text": "a"}]) == {
        "voters": 2, "answers": ["b", "a"]}


def test_a_collection_reads_its_plus_one_boxes_only_when_the_form_offers_them():
    from workshop.core.activities import get_kind
    from workshop.core.activities.rules import Setting

    ideas = get_kind("ideas")
    assert ideas.settings_from_fields({}) == {}
    assert ideas.settings_from_fields({"supports_offered": "1"}) == {
        "supports": False, "supports_on_wall": False}
    assert ideas.settings_from_fields({"supports_offered": "1", "supports_on_wall": "on"}) == {
        "supports": False, "supports_on_wall": True}
    assert ideas.settings_from_fields({"supports": True}) == {"supports": True}
    assert ideas.settings_from_fields({"supports_on_wall": "0"}) == {"supports_on_wall": False}
    assert ideas.check_settings({}) == {"supports": False, "supports_on_wall": False}
    listed = Setting("choices", list, [])
    assert listed.check(("a", "b")) == ["a", "b"] and listed.check(["a"]) == ["a"]
    for bad in ("ab", {"a": 1}, None):
        assert refusal(listed.check, bad).params == {"setting": "choices"}


# --- the questions in the day's files ------------------------------------------------

def question(kind_text, results, text="Accord?", status="fermée"):
    return {"question_text": text, "kind_text": kind_text, "status_text": status,
            "results": results}


SCALE_RESULTS = {"voters": 3, "rows": scale_rows((1, 1 / 3), (0, 0.0), (0, 0.0), (1, 1 / 3),
                                                 (1, 1 / 3)),
                 "mean": 10 / 3, "median": 4}


def test_question_rows_one_per_choice_point_word_or_answer():
    from workshop.core.export.day import QUESTION_COLUMNS, question_rows

    assert QUESTION_COLUMNS == ("question", "kind", "status", "answered", "answer", "count",
                                "share_of_answers", "average", "median")
    head = ["Accord?", "Échelle", "fermée", 3]
    # a scale: shares to 4 decimals, the mean to 2, the median as it is
    assert question_rows([question("Échelle", SCALE_RESULTS)]) == [
        [*head, 1, 1, 0.3333, 3.33, 4], [*head, 2, 0, 0.0, 3.33, 4],
        [*head, 3, 0, 0.0, 3.33, 4], [*head, 4, 1, 0.3333, 3.33, 4],
        [*head, 5, 1, 0.3333, 3.33, 4]]
    choice = {"voters": 2, "rows": [{"index": 0, "text": "Oui", "count": 2, "share": 1.0},
                                    {"index": 1, "text": "Non", "count": 0, "share": 0.0}]}
    words = {"voters": 4, "distinct": 2, "words": [
        {"word": "Logement", "count": 3, "key": "logement"},
        {"word": "parc", "count": 1, "key": "parc"}]}
    answers = {"voters": 2, "answers": ["Plus de parcs", "=1+1"]}
    assert question_rows([question("Choix", choice, "Q1", "ouverte"),
                          question("Nuage", words, "Q2"), question("Ouverte", answers, "Q3")]) \
        == [["Q1", "Choix", "ouverte", 2, "Oui", 2, 1.0, "", ""],
            ["Q1", "Choix", "ouverte", 2, "Non", 0, 0.0, "", ""],
            ["Q2", "Nuage", "fermée", 4, "Logement", 3, 0.75, "", ""],
            ["Q2", "Nuage", "fermée", 4, "parc", 1, 0.25, "", ""],
            ["Q3", "Ouverte", "fermée", 2, "Plus de parcs", "", "", "", ""],
            ["Q3", "Ouverte", "fermée", 2, "=1+1", "", "", "", ""]]
    # nobody answered: the rows there are, then one saying 0
    nobody = {"voters": 0, "rows": scale_rows(*[(0, 0.0)] * 5), "mean": None, "median": None}
    assert question_rows([question("Échelle", nobody)])[-2:] == [
        ["Accord?", "Échelle", "fermée", 0, 5, 0, 0.0, "", ""],
        ["Accord?", "Échelle", "fermée", 0, "", 0, "", "", ""]]
    assert question_rows([question("Nuage", {"voters": 0, "distinct": 0, "words": []}),
                          question("Ouverte", {"voters": 0, "answers": []})]) == [
        ["Accord?", "Nuage", "fermée", 0, "", 0, "", "", ""],
        ["Accord?", "Ouverte", "fermée", 0, "", 0, "", "", ""]]
    # a word given by one of three people: 0.3333 of those who answered
    assert question_rows([question("Nuage", {"voters": 3, "words": [
        {"word": "parc", "count": 1, "key": "parc"}]})])[0][6] == 0.3333


def test_the_semicolon_csv_writes_the_mean_and_median_with_a_decimal_comma():
    from workshop.core.export.day import question_rows, to_csv

    results = {"voters": 2, "rows": scale_rows((0, 0.0), (1, 0.5), (1, 0.5), (0, 0.0),
                                               (0, 0.0)), "mean": 2.5, "median": 2.5}
    text = to_csv(["q", "k", "s", "n", "a", "c", "p", "m", "med"],
                  question_rows([question("Échelle", results, "=Accord")])[:2], sep=";")
    assert text == ("\ufeffq;k;s;n;a;c;p;m;med\r\n"
                    "'=Accord;Échelle;fermée;2;1;0;0,0;2,5;2,5\r\n"
                    "'=Accord;Échelle;fermée;2;2;1;0,5;2,5;2,5\r\n")
    text = to_csv(["a"] * 9, question_rows([question("Échelle", SCALE_RESULTS)])[:1], sep=";")
    assert text.splitlines()[1] == "Accord?;Échelle;fermée;3;1;1;0,3333;3,33;4"


def test_the_workbook_has_a_questions_sheet_only_when_there_are_questions():
    import io

    from openpyxl import load_workbook

    from tests.test_known_values_export import BOOK, WORDS
    from workshop.core.export.xlsx import workbook

    labels = {**WORDS, "questions": "Questions", "kind": "Genre", "answered": "Réponses",
              "answer": "Réponse", "count": "Nombre", "share_of_answers": "Part",
              "average": "Moyenne", "median": "Médiane"}
    report = {**BOOK, "labels": labels, "questions": [question("Échelle", SCALE_RESULTS)]}
    book = load_workbook(io.BytesIO(workbook(report)))
    assert book.sheetnames == ["2. =Priorités", "3. Pastilles", "Par groupe", "Questions",
                               "Idées", "Participation", "Méthodes"]
    sheet = book["Questions"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[:3] == [
        ["Atelier · 29 novembre · Rimouski"] + [None] * 8,
        ["Question", "Genre", "Statut", "Réponses", "Réponse", "Nombre", "Part", "Moyenne",
         "Médiane"],
        ["Accord?", "Échelle", "fermée", 3, 1, 1, 0.3333, 3.33, 4]]
    assert len(rows) == 7
    assert sheet["G3"].number_format == "0.0%" and sheet["F3"].number_format == "General"
    assert sheet.freeze_panes == "A3" and sheet["A2"].font.b
    assert "Questions" not in load_workbook(io.BytesIO(workbook(
        {**report, "questions": []}))).sheetnames
    assert "Questions" not in load_workbook(io.BytesIO(workbook(BOOK))).sheetnames


# --- expected shares and the representativeness monitor ------------------------------

def test_a_first_row_naming_columns_is_left_out_of_the_expected_shares():
    from workshop.core.groups.template import read_expected_shares

    labels = ["Kamouraska", "La Mitis"]
    assert read_expected_shares(labels, "MRC;Part\nKamouraska;60\nLa Mitis;40") == {
        "Kamouraska": 60.0, "La Mitis": 40.0}
    assert read_expected_shares(labels, '\n"MRC"\t"Part (%)"\nLa Mitis\t"8,5 %"') == {
        "La Mitis": 8.5}  # blank lines first, quotes, a tab: still the first row
    # a row is a heading only when its label is no choice and its value no number
    for typed, code, params in (("Kamouraska;Part\nLa Mitis;40", "bad_shares", {}),
                                ('"Kamouraska";Part\nLa Mitis;40', "bad_shares", {}),
                                ("Québec;5\nLa Mitis;40", "unknown_choice", {"label": "Québec"}),
                                ("MRC\nLa Mitis;40", "bad_shares", {}),
                                ("La Mitis;40\nMRC;Part", "unknown_choice", {"label": "MRC"}),
                                ("MRC;Part\nTotal;Part", "unknown_choice", {"label": "Total"})):
        error = refusal(read_expected_shares, labels, typed)
        assert (error.code, error.params) == (code, params), typed
    # a choice's row is never a heading, whatever letters it starts or ends with
    assert refusal(read_expected_shares, ["Xavier", "Autre"], "Xavier;Part").code == "bad_shares"
    # 21 lines are read after the heading, if any: the 22nd is never looked at
    lines = "Kamouraska;1\n" * 20 + "La Mitis;1\nAilleurs;1"
    for typed in (lines, "MRC;Part\n" + lines):
        assert read_expected_shares(labels, typed) == {"Kamouraska": 1.0, "La Mitis": 1.0}


def test_under_heard_means_a_share_below_three_quarters_of_the_expected_one():
    from workshop.core.groups.representation import basis, shares

    # 12 voted of whom 3 in the first group: 25 % against 100/3 % expected, 0.75 exactly
    rows = [{"voted": 3, "expected": 100 / 3}, {"voted": 9, "expected": 66.0}]
    assert shares(rows, "voted") == [{"share": 0.25, "under": False},
                                     {"share": 0.75, "under": False}]
    # 2 of 12: 16.67 % < 25 %: under-heard; 10 of 12 is above 75 % of 66 %
    assert shares([{"voted": 2, "expected": 100 / 3}, {"voted": 10, "expected": 66.0}],
                  "voted") == [{"share": 2 / 12, "under": True},
                               {"share": 10 / 12, "under": False}]
    # 1 of 5 is 20 %, against 75 % of 26.8 % = 20.1 %: under by a tenth of a point
    assert shares([{"voted": 1, "expected": 26.8}, {"voted": 4, "expected": None}],
                  "voted") == [{"share": 0.2, "under": True}, {"share": 0.8, "under": False}]
    # no expected share: never under-heard; the counted column is the one named
    assert shares([{"voted": 0, "present": 4}, {"voted": 1, "present": 0}], "present") == [
        {"share": 1.0, "under": False}, {"share": 0.0, "under": False}]
    assert shares([], "voted") == []
    assert basis({"voted": 1}) == "voted" and basis({"present": 1}) == "present"
    assert basis({"answered": 1, "voted": -1}) == "answered"
