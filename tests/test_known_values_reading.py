"""Reading what people type, send or bring, against known values worked by hand.

- the strings a phone sends (workshop/core/voting/reading.py): numbers and ids;
- a paper ballot's printed number (workshop/core/paper.py): Damm check digits by hand;
- an earlier consultation's CSV (workshop/core/seed_csv.py) and the near-duplicate key
  and score that judge its repeats and the wall's (workshop/core/near_duplicates.py).

Kept apart from the tallies' known values: the reading of ids and numbers may be
tightened (see the input-validation work), and this file is then the one to update.
"""

from __future__ import annotations

import pytest

from tests.test_known_values_messages import app, worded  # noqa: F401 (a fixture)
from workshop.core import paper, seed_csv
from workshop.core.errors import Refused
from workshop.core.near_duplicates import (
    SIMILAR_AT,
    SUGGESTIONS_MAX,
    likely_duplicates,
    matching_key,
    similarity,
)
from workshop.core.voting.reading import idea_id, json_ballot, numbered, ticked, whole_number

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _keys_computed_afresh():
    """`matching_key` keeps the keys it computed: a test of the folding must compute its
    keys, not recall those an earlier test computed (under mutmut, the process a mutant's
    test is forked from has run every test once, so a recalled key hides the mutant)."""
    matching_key.cache_clear()


def test_whole_number_reads_digits_and_refuses_the_rest():
    assert whole_number(7) == 7
    assert whole_number(" 42 ") == 42
    assert whole_number("999999999") == 999999999
    assert whole_number(14.0) == 14 and isinstance(whole_number(14.0), int)
    for bad, code in ((True, "bad_request"), ("1000000000", "x"), ("-1", "x"), ("٣", "x"),
                      (None, "x"), ("", "x"), (1.5, "x"), (2.0**53, "x")):
        with pytest.raises(Refused) as caught:
            whole_number(bad, code) if code != "bad_request" else whole_number(bad)
        assert caught.value.code == code


def test_whole_floats_are_read_as_numbers_below_two_to_the_fifty_three():
    # 2**53 is the first float whose neighbours are not all whole numbers a float holds:
    # below it a whole float is an exact count, from it on it is left as it came.
    assert whole_number(1000.0) == 1000 and isinstance(whole_number(1000.0), int)
    assert whole_number(2.0**53 - 1) == 2**53 - 1
    assert json_ballot({"ballot": {"5": 1000.0}}) == {5: 1000}
    assert isinstance(json_ballot({"ballot": {"5": 1000.0}})[5], int)
    assert json_ballot({"ballot": {"5": 2.0**53 - 1}})[5] == 2**53 - 1
    kept = json_ballot({"ballot": {"5": 2.0**53, "6": -(2.0**53)}})
    assert kept == {5: 2.0**53, 6: -(2.0**53)}
    assert all(isinstance(value, float) for value in kept.values())


def test_ticked_says_yes_to_the_usual_yes_values_only():
    assert [ticked(v) for v in (True, False, "1", "TRUE", "on", "yes", "0", "", None)] == [
        True, False, True, True, True, True, False, False, False]


def test_numbered_fields_and_json_ballots():
    assert numbered({"ranked": "9", "rank-2": "1", "rank-3": " "}, "rank") == {2: 1, 3: 0}
    with pytest.raises(Refused) as caught:
        numbered({"rank-x": "1"}, "rank")
    assert caught.value.code == "bad_request"
    with pytest.raises(Refused) as caught:
        numbered({"rank-01": "1"}, "rank")  # not an id as written: the form had no such field
    assert caught.value.code == "bad_request"
    with pytest.raises(Refused) as caught:
        numbered({"rank-2": "two"}, "rank")
    assert caught.value.code == "bad_ballot"
    assert idea_id("12") == 12 and idea_id(3) == 3
    with pytest.raises(Refused) as caught:
        idea_id("a")
    assert (caught.value.code, caught.value.params["reason"]) == ("bad_ballot", "unknown_option")
    assert json_ballot({"ballot": [3, 1]}) == [3, 1]
    assert json_ballot({"ballot": {"5": 1, "6": 14.0, "7": 1.5}}) == {5: 1, 6: 14, 7: 1.5}
    with pytest.raises(Refused) as caught:
        json_ballot({})
    assert caught.value.code == "bad_request"


# --- paper ballots' numbers --------------------------------------------------------------
# A sheet's number is its sequence in four digits, a dash and a Damm check digit of the
# vote's number followed by those four digits. Damm's check digit is the last interim of
# the walk through his quasigroup table (as published by Damm, 2004; the table is the one
# on Wikipedia's "Damm algorithm" page), starting from 0:
#
#         0 1 2 3 4 5 6 7 8 9
#     0   0 3 1 7 5 9 8 6 4 2
#     1   7 0 9 2 1 5 4 8 6 3
#     2   4 2 0 6 8 7 1 3 5 9
#     3   1 7 5 0 9 8 3 4 2 6
#     4   6 1 2 3 0 4 5 9 7 8
#     5   3 6 7 4 2 0 9 5 8 1
#     6   5 8 6 9 7 2 0 1 3 4
#     7   8 9 4 5 3 6 2 0 1 7
#     8   9 4 3 8 6 1 7 2 0 5
#     9   2 5 8 1 4 3 6 7 9 0
#
# Worked by hand (row = interim, column = digit):
# - vote 3, sheet 1, "30001": 0→7→8→9→2→2: check 2, printed "0001-2";
# - vote 4, sheet 1, "40001": 0→5→3→1→7→9: "0001-9" (another vote, another check);
# - vote 12, sheet 345, "120345": 0→3→5→3→0→5→0: "0345-0";
# - vote 3, sheet 0, "30000": 0→7→8→9→2→4: "0000-4" (a number never printed);
# - vote 3, sheet 10, "30010": 0→7→8→9→5→3: "0010-3";
# - vote 3, sheet 2000, "32000": 0→7→4→6→5→3: "2000-3".


@pytest.mark.parametrize(("vote", "sequence", "printed"), [
    (3, 1, "0001-2"), (4, 1, "0001-9"), (12, 345, "0345-0"), (3, 0, "0000-4"),
    (3, 10, "0010-3"), (3, 2000, "2000-3")])
def test_printed_numbers_are_the_sequence_and_damms_check_digit(vote, sequence, printed):
    assert paper.format_number(vote, sequence) == printed


def test_a_typed_number_is_read_as_printed_with_spaces_and_dashes_ignored():
    assert paper.read_number("0001-2", 3, 10) == 1
    assert paper.read_number("00012", 3, 10) == 1
    assert paper.read_number(" 0001 - 2\t", 3, 10) == 1
    assert paper.read_number("0010-3", 3, 10) == 10  # the last sheet printed
    assert paper.read_number("0345-0", 12, 345) == 345
    assert paper.read_number("2000-3", 3, paper.PAPER_PER_VOTE) == 2000


def test_a_number_of_six_digits_is_read_and_five_or_six_are_the_only_lengths():
    assert paper.read_number("00001-2", 3, 10) == 1  # a leading zero too many
    assert paper.read_number("000001-2", 3, 10) is None  # seven digits
    assert paper.read_number("001-2", 3, 10) is None  # four digits, though 001 is 1


def test_a_typed_number_of_twenty_characters_is_read_and_of_twenty_one_is_not():
    assert paper.read_number("0001-2".ljust(20), 3, 10) == 1
    assert paper.read_number("0001-2".ljust(21), 3, 10) is None


@pytest.mark.parametrize("typed", [
    "0001-3",  # wrong check digit
    "0001-9",  # vote 4's sheet 1, typed on vote 3
    "0011-3",  # sheet 11 with sheet 10's check: not printed, and the check is wrong
    "0000-4",  # sheet 0 is never printed, though its check is right
    "0001-2a", "O001-2", "0001_2", "0001.2",  # anything but digits, spaces and dashes
    "", "-", "2", 30001, None, ["0001-2"]])
def test_anything_else_is_not_a_sheet_of_this_vote(typed):
    assert paper.read_number(typed, 3, 10) is None


def test_a_sheet_beyond_those_printed_is_not_read():
    assert paper.read_number("0010-3", 3, 9) is None
    assert paper.read_number("0010-3", 3, 10) == 10


def test_the_paper_limits_and_methods():
    assert (paper.PAPER_PER_BATCH, paper.PAPER_PER_VOTE) == (500, 2000)
    assert paper.METHODS == ("dots", "approval", "points", "ranking")


# --- an earlier consultation's CSV and near duplicates -----------------------------------
# Seed CSV (core/seed_csv.py): the priorities come from the first column whose heading is
# one of the known words (accents, case and spaces ignored), else from the first column of
# the first row; rows are numbered from the file's first line; repeats are judged by the
# near-duplicate key. Near duplicates (core/near_duplicates.py): the key folds accents,
# case, punctuation and small words, then French plural and feminine endings; two keys are
# compared by rapidfuzz's token set ratio, whose value for two single words is the Indel
# similarity 100 * (1 - distance / (len1 + len2)): "abcdefghij" and "abcdefghik" are 2
# edits apart over 20 letters, 90; "abcdefghi" and "abcdefghij" 1 over 19, 94.7368...;
# "abcdefghi" and "abcdefghk" 2 over 18, 88.89.


def refusal(text: str, limit: int = 280) -> Refused:
    with pytest.raises(Refused) as caught:
        seed_csv.read_priorities(text, limit)
    return caught.value


# --- seed CSV ------------------------------------------------------------------------------

def test_decoding_utf8_with_or_without_its_mark_else_windows_1252():
    assert seed_csv.decode("\ufeffPriorité".encode()) == "Priorité"
    assert seed_csv.decode("Priorité".encode()) == "Priorité"
    assert seed_csv.decode("Priorité « œuvre »".encode("cp1252")) == "Priorité « œuvre »"
    assert seed_csv.decode(b"a\x81b\xe9") == "a\ufffdbé"  # 0x81 is no cp1252 character


@pytest.mark.parametrize("heading", [
    "priorite", "Priorité", "PRIORITÉS", "idée", "Idées", "texte", "Libellé", "Énoncé",
    "proposition", "priority", "Priorities", "idea", "ideas", "text", "label", "statement",
    "  Idée  "])
def test_every_heading_word_names_the_column(heading):
    assert seed_csv.read_priorities(f"Numéro;{heading};Votes\n1;Parc;3\n2;École;4\n", 280) \
        == ["Parc", "École"]


def test_the_first_named_column_is_read_and_a_short_row_has_nothing_in_it():
    assert seed_csv.read_priorities("texte;priorité\nA;B\nC;D\n", 280) == ["A", "C"]
    assert seed_csv.read_priorities("votes,priorité\n3,Parc\n4\n5,École\n", 280) \
        == ["Parc", "École"]


def test_without_a_heading_word_the_first_row_is_a_priority():
    assert seed_csv.read_priorities("Parc;3\nÉcole;4\n", 280) == ["Parc", "École"]


def test_a_row_too_long_is_named_by_its_line_in_the_file():
    # Without a heading, the first line is row 1; with one, the first priority is row 2.
    error = refusal("x" * 281 + "\nParc\n")
    assert (error.code, error.params) == ("import_row_too_long", {"row": 1, "limit": 280})
    error = refusal("priorité\n" + "x" * 101 + "\n", limit=100)
    assert (error.code, error.params) == ("import_row_too_long", {"row": 2, "limit": 100})
    # a row of exactly the limit is read; spaces inside count once, as on the wall
    assert seed_csv.read_priorities("priorité\n" + "x" * 100 + "\n", 100) == ["x" * 100]
    assert seed_csv.read_priorities("priorité\n" + "x" * 50 + "   " + "y" * 49 + "\n", 100) \
        == ["x" * 50 + " " + "y" * 49]


def test_blank_and_invisible_rows_are_skipped_not_refused():
    assert seed_csv.read_priorities("priorité\n\u200b\n   \nParc\n", 280) == ["Parc"]


def test_repeats_by_key_are_left_out_and_a_text_of_small_words_is_its_own_key():
    assert seed_csv.read_priorities(
        "Logements sociaux\nlogement social\nLOGEMENT SOCIAL !\nParc\n", 280) \
        == ["Logements sociaux", "Parc"]
    # "de la" and "De la" have an empty key: compared as written, both kept; "pour" twice
    assert seed_csv.read_priorities("de la\nDe la\npour\npour\n", 280) \
        == ["de la", "De la", "pour"]


def test_three_hundred_priorities_are_read_and_three_hundred_and_one_refused():
    assert seed_csv.IMPORT_MAX == 300
    rows = [f"Idée {n}" for n in range(1, 302)]
    assert seed_csv.read_priorities("\n".join(rows[:300]), 280) == rows[:300]
    error = refusal("\n".join(rows))
    assert (error.code, error.params) == ("bad_import", {"limit": 300})
    error = refusal("priorité\n\n")
    assert (error.code, error.params) == ("bad_import", {"limit": 300})


def test_import_refusals_read_in_french_and_in_english(app):  # noqa: F811
    assert worded(app, refusal("priorité\n" + "x" * 101, limit=100)) == {
        "fr": f"La ligne 2 dépasse 100 caractères{NBSP}: raccourcissez-la dans le fichier "
              "et envoyez-le de nouveau. Rien n'a été importé.",
        "en": "Row 2 is longer than 100 characters: shorten it in the file and send it "
              "again. Nothing was imported."}
    assert worded(app, refusal("")) == {
        "fr": "Aucune priorité trouvée dans ce fichier. Envoyez un fichier CSV (d'Excel ou "
              "de LibreOffice) avec une priorité par ligne, au plus 300.",
        "en": "No priority found in this file. Send a CSV file (from Excel or LibreOffice) "
              "with one priority per row, at most 300."}


# --- near duplicates -----------------------------------------------------------------------

@pytest.mark.parametrize(("text", "key"), [
    ("sociaux", "social"),  # -aux after more than 4 letters: -al
    ("chaux", "chal"),
    ("baux", "bau"),  # 4 letters: only the final x goes
    ("lois", "loi"),  # a final s or x after more than 3 letters
    ("bus", "bus"),
    ("arbre", "arbr"),  # a final e after more than 4 letters
    ("aide", "aide"),
    ("aînées", "aine"),  # accents, then s, then e
    ("logement_social", "logement social"),  # the underscore separates words
    ("L'été des aînées", "ete aine"),
    ("Straße", "strass"),  # casefold: ß is ss
    ("Le, la, les; THE and of!", ""),
])
def test_matching_keys_worked_by_hand(text, key):
    assert matching_key(text) == key


def test_similarity_is_the_indel_ratio_of_the_keys():
    assert similarity("abcdefghij", "abcdefghik") == 90.0
    assert similarity("abcdefghi", "abcdefghk") == pytest.approx(100 * (1 - 2 / 18))
    assert similarity("Les logements sociaux", "logement social") == 100.0
    assert similarity("pour", "abcd") == 0.0  # an empty key against another


def test_a_suggestion_needs_ninety_and_ties_keep_the_walls_order():
    assert (SIMILAR_AT, SUGGESTIONS_MAX) == (90, 2)
    wall = [(9, "abcdefghik"), (3, "abcdefghij"), (5, "abcdefghik"), (1, "abcdefghi"),
            (2, "abcdefghk")]
    assert likely_duplicates("abcdefghij", wall, 5) == [
        (3, 100.0), (1, pytest.approx(100 * (1 - 1 / 19))), (9, 90.0), (5, 90.0)]
    assert likely_duplicates("abcdefghij", wall) == [
        (3, 100.0), (1, pytest.approx(100 * (1 - 1 / 19)))]
    assert likely_duplicates("abcdefghij", [(9, "abcdefghik"), (5, "abcdefghik")]) == [
        (9, 90.0), (5, 90.0)]
    assert likely_duplicates("abcdefghij", [(5, "abcdefghik"), (9, "abcdefghik")]) == [
        (5, 90.0), (9, 90.0)]
    assert likely_duplicates("abcdefghi", [(2, "abcdefghk")]) == []  # 88.9


def test_only_semicolons_commas_and_tabs_separate_cells():
    assert seed_csv.read_priorities("AXB\nCXD\nEXF\n", 280) == ["AXB", "CXD", "EXF"]
    assert seed_csv.read_priorities("A\tB\nC\tD\nE\tF\n", 280) == ["A", "C", "E"]


def test_a_row_of_invisible_characters_as_long_as_the_limit_is_skipped():
    # 100 zero-width spaces: nothing shows, and 100 is not more than the limit of 100
    text = "priorité\n" + "\u200b" * 100 + "\nParc\n"
    assert seed_csv.read_priorities(text, 100) == ["Parc"]
    error = refusal("priorité\n" + "\u200b" * 101 + "\nParc\n", limit=100)
    assert (error.code, error.params) == ("import_row_too_long", {"row": 2, "limit": 100})


def test_more_suggestions_than_five_when_asked():
    wall = [(n, "Logement social") for n in range(1, 8)]
    assert [idea for idea, _ in likely_duplicates("logements sociaux", wall, 7)] == [
        1, 2, 3, 4, 5, 6, 7]
