"""Purging a workshop's personal data (Law 25): after it, no row links a participant to a
ballot, an idea, a ticket or a profile; results, recounts and results by group stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from tests.factories import client_id, ids_of, participant, voting_workshop
from workshop import ops
from workshop.core.errors import Refused
from workshop.store import groups, views
from workshop.store.models import Base, Participant, Workshop, utcnow


def busy_workshop(db, people=12):
    """A closed dot vote with profiles, ideas from phones and a claimed ticket."""
    workshop, secret, ideas, _vote = voting_workshop(db, dots=3, cap=3)
    ops.add_template_questions(db, workshop, lambda t: t)
    ops.open_profiles(db, workshop)
    gender = groups.profile_questions(db, workshop)[0]
    code = ops.issue_tickets(db, workshop, 1)[0]
    for n in range(people):
        person = participant(db, workshop)
        ops.decide_consent(db, workshop, person, True)
        ops.answer_profile(db, workshop, person, {gender.id: "c1" if n % 2 else "c2"})
        ops.cast_ballot(db, ids_of(workshop, person), {ideas[n % 3].id: 3}, client_id())
        if n == 0:
            ops.claim_ticket(db, workshop, person, code)
    ops.close_round(db, workshop)
    ops.open_ideas(db, workshop)
    author = participant(db, workshop)
    ops.submit_idea(db, workshop, author, "Une idée d'un cellulaire", client_id())
    ops.open_lobby(db, workshop)
    return workshop, secret


def linking_rows(db, workshop_id: int) -> dict[str, list]:
    """Every row of every table that still names a participant of the workshop, found by
    reading each table's participant_id column (and the participants themselves)."""
    db.rollback()
    found = {}
    for table in Base.metadata.sorted_tables:
        if table.name == "participants":
            rows = db.execute(select(table).where(table.c.workshop_id == workshop_id)).all()
        elif "participant_id" in table.c:
            rows = db.execute(select(table).where(table.c.participant_id.is_not(None))).all()
        else:
            continue
        if rows:
            found[table.name] = rows
    return found


def test_the_purge_leaves_no_row_linking_a_participant_to_anything(db):
    workshop, _secret = busy_workshop(db)
    before_results = [views.tally_round(db, vote) for vote in workshop.rounds]
    before_ballots = views.export_ballots(db, workshop)
    before_groups = groups.closed_vote_views(db, workshop)
    assert before_groups and before_groups[0]["questions"][0]["groups"]
    assert set(linking_rows(db, workshop.id)) == {
        "participants", "ideas", "ballots", "receipts", "tickets", "profile_answers",
        "profile_consents"}

    assert ops.purge_personal_data(db, workshop) == 13
    assert linking_rows(db, workshop.id) == {}
    # every table, read whole: no participant id left anywhere
    for table in Base.metadata.sorted_tables:
        if "participant_id" in table.c:
            assert db.execute(select(table.c.participant_id)
                              .where(table.c.participant_id.is_not(None))).all() == []
    assert db.scalar(select(Participant.id)) is None

    db.expire_all()
    workshop = db.get(Workshop, workshop.id)
    assert workshop.purged_at is not None and not workshop.profiles_open
    assert [views.tally_round(db, vote) for vote in workshop.rounds] == before_results
    assert views.export_ballots(db, workshop) == before_ballots
    # results by group as they were shown, though the answers are gone
    assert groups.closed_vote_views(db, workshop) == before_groups
    assert db.execute(text("SELECT COUNT(*) FROM profile_answers")).scalar() == 0


def test_the_purge_waits_for_the_vote_to_close(db):
    workshop, _secret, ideas, _vote = voting_workshop(db)
    person = participant(db, workshop)
    ops.cast_ballot(db, ids_of(workshop, person), {ideas[0].id: 1}, client_id())
    with pytest.raises(Refused) as refused:
        ops.purge_personal_data(db, workshop)
    assert refused.value.code == "vote_running"
    assert db.scalar(select(Participant.id)) == person.id


def test_expired_workshops_are_those_past_their_retention_with_people(db):
    from workshop.ops.purge import expired_workshops, purge_due

    old, _s = busy_workshop(db, people=2)
    fresh, _s2 = busy_workshop(db, people=2)
    ops.set_retention(db, old, 1)
    for days in (0, 366, True, "7"):
        with pytest.raises(Refused) as refused:
            ops.set_retention(db, old, days)
        assert refused.value.code == "bad_retention"
    later = utcnow() + timedelta(days=2)
    assert [w.id for w in expired_workshops(db, later)] == [old.id]
    assert purge_due(fresh) - purge_due(old) >= timedelta(days=88)
    ops.purge_personal_data(db, old)
    assert expired_workshops(db, later) == []


def test_the_command_line_purges_one_workshop_or_the_expired(app, db, monkeypatch):
    from click.testing import CliRunner

    from workshop.cli import main

    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    workshop, _secret = busy_workshop(db, people=2)
    code = workshop.code
    db.rollback()

    class Runner:
        @staticmethod
        def invoke(args):
            return CliRunner().invoke(main, ["--lang", "en", *args])

    runner = Runner()
    result = runner.invoke(args=["purge"])
    assert result.exit_code != 0 and "CODE" in result.output
    result = runner.invoke(args=["purge", "NOPE1234"])
    assert result.exit_code != 0
    result = runner.invoke(args=["purge", "--expired"])
    assert result.exit_code == 0 and "no workshop to purge" in result.output
    result = runner.invoke(args=["purge", code])
    assert result.exit_code == 0, result.output
    assert f"{code}: personal data of 3 participants erased" in result.output
    assert linking_rows(db, workshop.id) == {}


def test_the_facilitator_purges_by_typing_the_code(app, db, client):
    workshop, secret = busy_workshop(db, people=2)
    db.rollback()
    refused = client.post(f"/f/{secret}/do/purge", json={"confirm": "nope"})
    assert refused.status_code == 400 and refused.get_json()["error"] == "purge_not_confirmed"
    assert linking_rows(db, workshop.id) != {}
    done = client.post(f"/f/{secret}/do/purge", json={"confirm": workshop.code.lower()})
    assert done.get_json() == {"ok": True, "participants": 3}
    assert linking_rows(db, workshop.id) == {}
    page = client.get(f"/f/{secret}/profiles").get_data(as_text=True)
    assert "effacées le" in page
