"""The Alembic migrations build exactly the tables the models describe, on SQLite and
PostgreSQL, and a database made by an older release is brought up to date with its data.
"""

from __future__ import annotations

import json
import secrets

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from tests.support.cluster import POSTGRES as SERVER
from tests.support.services import postgres_or_skip
from workshop import create_app, ops
from workshop.store import lookups
from workshop.store.db import MIGRATIONS, session_for
from workshop.store.models import Base, Round, Workshop


def test_the_migrated_schema_is_the_models_schema(any_app):
    engine = any_app.extensions["workshop.engine"]
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def config_for(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


@pytest.mark.parametrize("old", ["0001"])
def test_an_older_database_is_upgraded_with_its_rounds_kept(tmp_path, old):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(config_for(url), old)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO workshops (id, code, title, facilitator_digest, phase, created_at) "
            "VALUES (1, 'ABCDEF', 'Ancien', :digest, 'vote', '2026-01-01 10:00:00')"),
            {"digest": "0" * 64})
        connection.execute(sa.text(
            "INSERT INTO rounds (id, workshop_id, number, title, method, settings, options, "
            "status, show_live, revealed, opened_at) VALUES (1, 1, 1, 'Vote 1', 'dots', "
            "'{}', '[]', 'open', 1, 0, '2026-01-01 10:05:00')"))
    command.upgrade(config_for(url), "head")
    with engine.connect() as connection:
        kept = connection.execute(sa.text("SELECT title, require_ticket FROM rounds")).all()
        tickets = connection.execute(sa.text("SELECT count(*) FROM tickets")).scalar()
    assert kept == [("Vote 1", 0)] and tickets == 0
    command.downgrade(config_for(url), old)
    with engine.connect() as connection:
        assert "tickets" not in sa.inspect(connection).get_table_names()
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """The URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    postgres_or_skip()
    admin = sa.create_engine(SERVER)
    schema = f"ws_migrate_{secrets.token_hex(4)}"
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield f"{SERVER}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def fill_0002(connection) -> None:
    """Three workshops as release 0002 left them: voting, collecting ideas, just created."""
    def insert(table: str, **row) -> None:
        names = ", ".join(row)
        connection.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES "
                                   f"({', '.join(':' + name for name in row)})"), row)

    at = "2026-01-01 10:00:00"
    for number, phase in ((1, "vote"), (2, "ideas"), (3, "lobby")):
        insert("workshops", id=number, code=f"ABCDE{number}", title=f"Atelier {number}",
               facilitator_digest=str(number) * 64, phase=phase, created_at=at)
    insert("participants", id=1, workshop_id=1, secret_digest="p" * 64, channel="phone",
           created_at=at)
    for idea, workshop, status in ((1, 1, "approved"), (2, 1, "approved"), (3, 1, "hidden"),
                                   (4, 2, "pending")):
        insert("ideas", id=idea, workshop_id=workshop, participant_id=1, text=f"Idée {idea}",
               status=status, created_at=at)
    for run, status in ((1, "closed"), (2, "open")):
        insert("rounds", id=run, workshop_id=1, number=run, title=f"Vote {run}",
               method="dots", settings='{"dots": 2, "max_per_option": 1}', options="[1, 2]",
               status=status, show_live=run == 1, require_ticket=False, revealed=False,
               opened_at=f"2026-01-01 1{run}:00:00",
               closed_at="2026-01-01 11:30:00" if status == "closed" else None)
        insert("ballots", id=run, round_id=run, participant_id=1, content='{"1": 1}',
               channel="phone", cast_at=at)
    connection.execute(sa.text("UPDATE workshops SET current_round_id = 2 WHERE id = 1"))


def test_existing_workshops_get_their_agenda_and_lose_nothing(empty_database):
    url = empty_database
    config = config_for(url.replace("%", "%%"))
    command.upgrade(config, "0002")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        fill_0002(connection)
    with engine.connect() as connection:
        before = {table: connection.execute(sa.text(
            f"SELECT * FROM {table} ORDER BY id")).all() for table in ("rounds", "ballots")}
    command.upgrade(config, "head")
    with engine.connect() as connection:
        steps = connection.execute(sa.text(
            "SELECT workshop_id, position, kind, status, round_id, title, settings "
            "FROM activities ORDER BY workshop_id, position")).all()
        current = dict(connection.execute(sa.text(
            "SELECT id, current_activity_id FROM workshops")).all())
        held = dict(connection.execute(sa.text("SELECT id, activity_id FROM ideas")).all())
        ids = {(w, p): i for i, w, p in connection.execute(sa.text(
            "SELECT id, workshop_id, position FROM activities")).all()}
        after = {table: connection.execute(sa.text(
            f"SELECT * FROM {table} ORDER BY id")).all() for table in ("rounds", "ballots")}
    engine.dispose()
    assert [row[:6] for row in steps] == [
        (1, 1, "ideas", "closed", None, ""), (1, 2, "vote", "closed", 1, "Vote 1"),
        (1, 3, "vote", "open", 2, "Vote 2"),
        (2, 1, "ideas", "open", None, ""),
        (3, 1, "ideas", "closed", None, "")]
    settings = steps[2][6] if isinstance(steps[2][6], dict) else json.loads(steps[2][6])
    assert settings == {"method": "dots", "method_settings": {"dots": 2, "max_per_option": 1},
                        "source": "approved", "collection": None, "of": None, "count": 3,
                        "show_live": False, "require_ticket": False}
    assert current == {1: ids[1, 3], 2: ids[2, 1], 3: None}
    assert held == {1: ids[1, 1], 2: ids[1, 1], 3: ids[1, 1], 4: ids[2, 1]}
    # rounds and ballots untouched (later revisions only add columns, at the end)
    assert {table: [row[:len(before[table][0])] for row in rows]
            for table, rows in after.items()} == before
    command.downgrade(config, "0002")
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        assert "activities" not in sa.inspect(connection).get_table_names()
        assert connection.execute(sa.text("SELECT count(*) FROM ballots")).scalar() == 2
    engine.dispose()


def test_a_migrated_workshop_runs_on(tmp_path, monkeypatch):
    """After the upgrade, the running vote closes through its activity and the day goes on."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(config_for(url), "0002")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        fill_0002(connection)
    engine.dispose()
    monkeypatch.setenv("WORKSHOP_INSTANCE", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": url,
                      "PUSH_INTERVAL": None, "WTF_CSRF_ENABLED": False,
                      "MIGRATE_ON_START": True})
    with app.app_context(), session_for(app) as db:
        workshop = db.get(Workshop, 1)
        ops.close_round(db, workshop)
        assert [a.status for a in lookups.agenda(db, workshop)] == ["closed"] * 3
        runoff = ops.plan_activity(db, workshop, "vote", settings={
            "source": "top", "of": lookups.agenda(db, workshop)[2].id, "count": 1})
        ops.start_activity(db, workshop, runoff.id)
        assert db.get(Round, workshop.current_round_id).options == [1]
    app.extensions["workshop.engine"].dispose()
