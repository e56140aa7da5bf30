"""Kiosk and helper links, kiosk ballots and paper entries: one path, counted once."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.factories import client_id, ids_of, participant, voting_workshop
from tests.support.together import run_together
from workshop import ops
from workshop.core import paper
from workshop.core.errors import Refused
from workshop.store import lookups, views
from workshop.store.db import session_for
from workshop.store.models import (
    Ballot,
    Device,
    PaperEntry,
    Participant,
    ProfileAnswer,
    Workshop,
)
from workshop.store.report import day_report


def _kiosk(db, workshop, pin="2468"):
    device, token = ops.issue_device(db, workshop, "kiosk", "Tablette", pin)
    return device, token


def _helper(db, workshop, label="Bénévole"):
    return ops.issue_device(db, workshop, "helper", label)


def _ballots(db, vote):
    db.rollback()
    return sorted(((b.channel, b.content) for b in db.scalars(
        select(Ballot).where(Ballot.round_id == vote.id))), key=repr)


def test_device_tokens_are_stored_hashed_and_revocable(db):
    workshop, _secret, _ideas, _vote = voting_workshop(db)
    device, token = _kiosk(db, workshop)
    assert token not in device.digest and len(device.digest) == 64
    assert lookups.find_device(db, token, "kiosk")[0].id == device.id
    assert lookups.find_device(db, token, "helper") is None  # a kiosk is no helper
    assert lookups.find_device(db, token[:-1] + "x", "kiosk") is None
    ops.revoke_device(db, workshop, device.id)
    assert lookups.find_device(db, token, "kiosk") is None


def test_a_kiosk_needs_a_pin_of_four_to_eight_digits_and_checks_it(db):
    workshop, *_ = voting_workshop(db)
    for pin in (None, "", "123", "123456789", "12a4", 1234):
        with pytest.raises(Refused):
            ops.issue_device(db, workshop, "kiosk", "", pin)
    device, _token = _kiosk(db, workshop, "0042")
    assert ops.pin_matches(device, "0042")
    assert not any(ops.pin_matches(device, p) for p in ("0043", "042", None, 42, "00420"))


def test_devices_of_another_workshop_cannot_be_revoked(db):
    workshop, *_ = voting_workshop(db)
    other, *_ = voting_workshop(db)
    device, token = _helper(db, workshop)
    with pytest.raises(Refused):
        ops.revoke_device(db, other, device.id)
    assert lookups.find_device(db, token, "helper") is not None


def test_each_kiosk_voter_is_a_new_participant_and_a_resent_form_counts_once(db):
    workshop, _secret, ideas, vote = voting_workshop(db, dots=2, cap=2)
    device, _token = _kiosk(db, workshop)
    first = {"client_id": client_id(), f"dots-{ideas[0].id}": "2"}
    assert ops.kiosk_vote(db, device, workshop, first)["ok"]
    assert ops.kiosk_vote(db, device, workshop, first)["duplicate"] is True
    ops.kiosk_vote(db, device, workshop, {"client_id": client_id(),
                                          f"dots-{ideas[1].id}": "1"})
    assert _ballots(db, vote) == [("kiosk", {str(ideas[0].id): 2}),
                                  ("kiosk", {str(ideas[1].id): 1})]
    assert views.channel_counts(db, vote) == {"phone": 0, "kiosk": 2, "paper": 0}


def test_a_kiosk_ballot_takes_the_one_path_and_its_refusals(db):
    workshop, _secret, ideas, vote = voting_workshop(db, dots=2, cap=2)
    device, _token = _kiosk(db, workshop)
    with pytest.raises(Refused) as refused:
        ops.kiosk_vote(db, device, workshop, {"client_id": client_id(),
                                              f"dots-{ideas[0].id}": "3"})
    assert refused.value.code == "bad_ballot"
    ops.close_round(db, workshop)
    with pytest.raises(Refused) as refused:
        ops.kiosk_vote(db, device, workshop, {"client_id": client_id(),
                                              f"dots-{ideas[0].id}": "1"})
    assert refused.value.code == "round_closed"
    assert _ballots(db, vote) == []


def test_kiosk_profile_answers_need_the_consent_box(db):
    workshop, _secret, ideas, _vote = voting_workshop(db)
    question = ops.add_template_questions(db, workshop, lambda text: text)[0]
    ops.open_profiles(db, workshop)
    device, _token = _kiosk(db, workshop)
    choice = question.choices[0]["key"]
    ops.kiosk_vote(db, device, workshop, {"client_id": client_id(), f"dots-{ideas[0].id}": "1",
                                          f"q-{question.id}": choice})
    assert db.scalars(select(ProfileAnswer)).all() == []
    ops.kiosk_vote(db, device, workshop, {"client_id": client_id(), f"dots-{ideas[0].id}": "1",
                                          "consent": "1", f"q-{question.id}": choice})
    assert [a.choice for a in db.scalars(select(ProfileAnswer))] == [choice]


def _printed(db, workshop, count=3):
    _vote, numbers = ops.print_paper(db, workshop, count)
    return numbers


def test_paper_numbers_are_checked_against_what_was_printed(db):
    workshop, _secret, ideas, vote = voting_workshop(db)
    numbers = _printed(db, workshop, 2)
    helper, _token = _helper(db, workshop)
    good = paper.read_number(numbers[1], vote.number, 2)
    assert good == 2
    for typed in ("0003-" + numbers[0][-1], numbers[0][:-1] + str((int(numbers[0][-1]) + 1) % 10),
                  "", "abc", None):
        with pytest.raises(Refused) as refused:
            ops.enter_paper(db, helper, workshop, {"number": typed, "client_id": client_id(),
                                                   f"dots-{ideas[0].id}": "1"})
        assert refused.value.code == "bad_paper_number"
    assert _ballots(db, vote) == []


def test_a_paper_number_counts_once_and_a_second_entry_waits_for_review(db):
    workshop, _secret, ideas, vote = voting_workshop(db, dots=2, cap=2)
    numbers = _printed(db, workshop)
    one, _ = _helper(db, workshop, "A")
    two, _ = _helper(db, workshop, "B")
    answer = ops.enter_paper(db, one, workshop, {"number": numbers[0], "client_id": client_id(),
                                                 f"dots-{ideas[0].id}": "1"})
    assert answer["ok"] and answer["number"] == numbers[0] and not answer.get("review")
    again = ops.enter_paper(db, two, workshop, {"number": numbers[0].replace("-", " "),
                                                "client_id": client_id(),
                                                f"dots-{ideas[1].id}": "2"})
    assert again == {"ok": True, "review": True, "number": numbers[0]}
    assert _ballots(db, vote) == [("paper", {str(ideas[0].id): 1})]
    assert views.paper_review_count(db, vote) == 1
    # The helper looks at the sheet and corrects the entry: replaced, not added.
    fixed = ops.enter_paper(db, two, workshop, {"number": numbers[0], "correct": "1",
                                                "client_id": client_id(),
                                                f"dots-{ideas[1].id}": "2"})
    assert fixed["corrected"] is True
    assert _ballots(db, vote) == [("paper", {str(ideas[1].id): 2})]
    assert views.paper_review_count(db, vote) == 0
    statuses = sorted(e["status"] for e in views.paper_entries(db, vote))
    assert statuses == ["counted", "resolved"]


def test_a_resent_paper_form_is_not_flagged_and_a_refused_one_frees_the_number(db):
    workshop, _secret, ideas, vote = voting_workshop(db, dots=2, cap=2)
    numbers = _printed(db, workshop)
    helper, _ = _helper(db, workshop)
    with pytest.raises(Refused):
        ops.enter_paper(db, helper, workshop, {"number": numbers[1], "client_id": client_id(),
                                               f"dots-{ideas[0].id}": "5"})
    form = {"number": numbers[1], "client_id": client_id(), f"dots-{ideas[0].id}": "2"}
    assert not ops.enter_paper(db, helper, workshop, form).get("review")
    assert ops.enter_paper(db, helper, workshop, form)["duplicate"] is True
    assert views.paper_review_count(db, vote) == 0
    assert _ballots(db, vote) == [("paper", {str(ideas[0].id): 2})]


def test_entries_cannot_be_changed_once_the_vote_is_closed(db):
    workshop, _secret, ideas, vote = voting_workshop(db)
    numbers = _printed(db, workshop)
    helper, _ = _helper(db, workshop)
    ops.enter_paper(db, helper, workshop, {"number": numbers[0], "client_id": client_id(),
                                           f"dots-{ideas[0].id}": "1"})
    ops.close_round(db, workshop)
    with pytest.raises(Refused) as refused:
        ops.enter_paper(db, helper, workshop, {"number": numbers[0], "correct": "1",
                                               "client_id": client_id(),
                                               f"dots-{ideas[1].id}": "1"})
    assert refused.value.code == "round_closed"
    assert _ballots(db, vote) == [("paper", {str(ideas[0].id): 1})]


def test_every_channel_lands_in_the_same_tally(db):
    workshop, _secret, ideas, vote = voting_workshop(db, dots=1)
    numbers = _printed(db, workshop)
    phone = participant(db, workshop)
    ops.cast_ballot(db, ids_of(workshop, phone), {ideas[0].id: 1}, client_id())
    kiosk, _ = _kiosk(db, workshop)
    ops.kiosk_vote(db, kiosk, workshop, {"client_id": client_id(), f"dots-{ideas[0].id}": "1"})
    helper, _ = _helper(db, workshop)
    for number in numbers[:2]:
        ops.enter_paper(db, helper, workshop, {"number": number, "client_id": client_id(),
                                               f"dots-{ideas[1].id}": "1"})
    ops.enter_paper(db, helper, workshop, {"number": numbers[0], "client_id": client_id(),
                                           f"dots-{ideas[1].id}": "1"})  # typed twice
    result = views.tally_round(db, vote)
    assert result.voters == 4
    assert {s.option: s.score for s in result.standings}[ideas[1].id] == 2
    assert views.channel_counts(db, vote) == {"phone": 1, "kiosk": 1, "paper": 2}
    assert day_report(db, workshop)["votes"][0]["channels"] == {"kiosk": 1, "paper": 2,
                                                                 "phone": 1}
    channels = {p.channel for p in db.scalars(select(Participant))}
    assert channels == {"phone", "kiosk", "paper"}


def test_paper_printing_has_limits_and_needs_an_open_vote(db):
    workshop, _secret, _ideas, _vote = voting_workshop(db)
    for count in (0, paper.PAPER_PER_BATCH + 1, "3", True):
        with pytest.raises(Refused):
            ops.print_paper(db, workshop, count)
    vote, numbers = ops.print_paper(db, workshop, 2)
    assert numbers == [paper.format_number(vote.number, 1), paper.format_number(vote.number, 2)]
    assert ops.print_paper(db, workshop, 1)[1] == [paper.format_number(vote.number, 3)]
    ops.close_round(db, workshop)
    with pytest.raises(Refused):
        ops.print_paper(db, workshop, 1)


def test_purge_removes_what_paper_entries_say(db):
    workshop, _secret, ideas, vote = voting_workshop(db)
    numbers = _printed(db, workshop)
    helper, _ = _helper(db, workshop)
    ops.enter_paper(db, helper, workshop, {"number": numbers[0], "client_id": client_id(),
                                           f"dots-{ideas[0].id}": "1"})
    ops.close_round(db, workshop)
    ops.purge_personal_data(db, workshop)
    assert db.scalars(select(PaperEntry)).all() == []
    assert _ballots(db, vote) == [("paper", {str(ideas[0].id): 1})]


@settings(max_examples=60, deadline=None)
@given(vote=st.integers(1, 99), sequence=st.integers(1, paper.PAPER_PER_VOTE),
       position=st.integers(0, 5), digit=st.integers(1, 9))
def test_a_single_wrong_digit_is_never_read_as_a_printed_number(vote, sequence, position,
                                                                 digit):
    number = paper.format_number(vote, sequence)
    assert paper.read_number(number, vote, paper.PAPER_PER_VOTE) == sequence
    digits = number.replace("-", "")
    wrong = list(digits)
    index = position % len(digits)
    wrong[index] = str((int(wrong[index]) + digit) % 10)
    assert paper.read_number("".join(wrong), vote, paper.PAPER_PER_VOTE) is None


ENTRY = st.tuples(st.integers(0, 3), st.integers(0, 2), st.booleans())  # sheet, idea, correct


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(ENTRY, min_size=1, max_size=8))
def test_any_sequence_of_paper_entries_counts_each_sheet_once(db, entries):
    """Whatever helpers type, in whatever order: one ballot per sheet entered, holding what
    its first entry or its latest correction said; every other save waits for review."""
    workshop, _secret, ideas, vote = voting_workshop(db)
    numbers = _printed(db, workshop, 4)
    helper, _ = _helper(db, workshop)
    expected: dict[int, int] = {}
    for sheet, idea, correct in entries:
        answer = ops.enter_paper(db, helper, workshop, {
            "number": numbers[sheet], "client_id": client_id(),
            f"dots-{ideas[idea].id}": "1", **({"correct": "1"} if correct else {})})
        if sheet not in expected or correct:
            expected[sheet] = idea
            assert not answer.get("review")
        else:
            assert answer["review"] is True
    stored = _ballots(db, vote)
    assert sorted(stored, key=repr) == sorted(
        (("paper", {str(ideas[idea].id): 1}) for idea in expected.values()), key=repr)
    assert views.tally_round(db, vote).voters == len(expected)
    statuses = [e["status"] for e in views.paper_entries(db, vote)]
    assert statuses.count("counted") == len(expected)


def test_a_pairwise_vote_is_for_phones_only(db):
    workshop, _secret, ideas, _vote = voting_workshop(db)
    ops.close_round(db, workshop)
    ops.open_round(db, workshop, method="pairwise", settings={"pairs": 2})
    kiosk, _ = _kiosk(db, workshop)
    helper, _ = _helper(db, workshop)
    with pytest.raises(Refused) as refused:
        ops.kiosk_vote(db, kiosk, workshop, {"client_id": client_id()})
    assert refused.value.code == "phones_only"
    with pytest.raises(Refused) as refused:
        ops.print_paper(db, workshop, 2)
    assert refused.value.code == "phones_only"
    with pytest.raises(Refused) as refused:
        ops.enter_paper(db, helper, workshop, {"number": "0001-0", "client_id": client_id()})
    assert refused.value.code == "phones_only"


def test_helpers_saving_the_same_sheets_at_once_count_each_once(any_app):
    """Three helpers type each of three sheets at the same moment, on SQLite and on
    PostgreSQL: three ballots, and six entries kept for review."""
    with any_app.app_context(), session_for(any_app) as db:
        workshop, _secret, ideas, vote = voting_workshop(db)
        numbers = _printed(db, workshop, 3)
        helpers = [_helper(db, workshop, f"H{n}")[0].id for n in range(3)]
        workshop_id, vote_id, idea = workshop.id, vote.id, ideas[0].id

    def save(helper_id, number):
        def job():
            with any_app.app_context(), session_for(any_app) as db:
                answer = ops.enter_paper(db, db.get(Device, helper_id),
                                         db.get(Workshop, workshop_id),
                                         {"number": number, "client_id": client_id(),
                                          f"dots-{idea}": "1"})
                return "review" if answer.get("review") else "counted"
        return job

    results = run_together([save(h, n) for n in numbers for h in helpers])
    assert sorted(results) == ["counted"] * 3 + ["review"] * 6
    with any_app.app_context(), session_for(any_app) as db:
        ballots = db.scalars(select(Ballot).where(Ballot.round_id == vote_id)).all()
        assert len(ballots) == 3 and {b.channel for b in ballots} == {"paper"}


def test_a_paper_question_and_its_choices_stay_on_one_page():
    """However many priorities and questions, no profile question is cut by a page."""
    import io

    from pypdf import PdfReader

    questions = [(f"Question {n} ?", [f"Choix {n}-{c} assez long pour la ligne"
                                      for c in range(7)]) for n in range(4)]
    for count in range(1, 13):
        sheet = paper.Sheet(
            title="Vote", method="approval", settings={}, mark="",
            options=[(n, f"Priorité numéro {n}") for n in range(1, count + 1)],
            instruction="Cochez.", number_label="N°", questions=questions,
            questions_intro="Facultatif.", consent="J’accepte.", footer="Merci.")
        pages = [page.extract_text() for page in PdfReader(io.BytesIO(
            paper.ballots_pdf(sheet, [paper.format_number(1, 1)]))).pages]
        for text, choices in questions:
            holding = [page for page in pages if text in page]
            assert len(holding) == 1, (count, text)
            assert all(choice in holding[0] for choice in choices), (count, text)


def test_a_paper_sheets_profile_ticks_need_its_consent_box_and_follow_corrections(db):
    workshop, _secret, ideas, _vote = voting_workshop(db)
    question = ops.add_template_questions(db, workshop, lambda text: text)[0]
    ops.open_profiles(db, workshop)
    numbers = _printed(db, workshop, 2)
    helper, _ = _helper(db, workshop)
    choice = question.choices[0]["key"]
    ops.enter_paper(db, helper, workshop, {"number": numbers[0], "client_id": client_id(),
                                           f"dots-{ideas[0].id}": "1",
                                           f"q-{question.id}": choice})
    assert db.scalars(select(ProfileAnswer)).all() == []  # ticked without the consent box
    ops.enter_paper(db, helper, workshop, {"number": numbers[0], "correct": "1",
                                           "client_id": client_id(), "consent": "1",
                                           f"dots-{ideas[0].id}": "1",
                                           f"q-{question.id}": choice})
    assert [a.choice for a in db.scalars(select(ProfileAnswer))] == [choice]
    ops.enter_paper(db, helper, workshop, {"number": numbers[0], "correct": "1",
                                           "client_id": client_id(),
                                           f"dots-{ideas[0].id}": "1"})
    db.rollback()
    assert db.scalars(select(ProfileAnswer)).all() == []  # the box unticked: erased


def test_printing_lets_the_server_breathe_between_sheets():
    calls = []
    sheet = paper.Sheet(title="Vote", method="points", settings={"points": 10}, mark="points :",
                        options=[(1, "Une"), (2, "Deux")], instruction="Écrivez.",
                        number_label="N°", questions=[], questions_intro="", consent="",
                        footer="Merci.")
    paper.ballots_pdf(sheet, [paper.format_number(3, n) for n in (1, 2, 3)],
                      between=lambda: calls.append(1))
    assert len(calls) == 3
