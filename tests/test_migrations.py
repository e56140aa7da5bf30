"""The Alembic migrations build exactly the tables the models describe, on SQLite and
PostgreSQL, and a database made by an older release is brought up to date with its data.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from workshop.store.db import MIGRATIONS
from workshop.store.models import Base


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
