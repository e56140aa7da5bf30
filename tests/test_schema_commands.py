"""Which commands may change the database's schema: `serve` and `migrate`, nothing else.

`workshop export` reads. Run next to a live SQLite server, an upgrade from it would be a
second writing connection, against the one-writer rule (docs/security.md, "SQLite"). So a
command that is not `serve` or `migrate` checks the revision, without writing, and on a
database that is not at the newest one says so and stops.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from workshop import create_app
from workshop.cli import main
from workshop.store.db import MIGRATIONS


def config_for(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


def newest_revision() -> str:
    return ScriptDirectory.from_config(config_for("sqlite://")).get_current_head()


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def revision(path: Path) -> str | None:
    with sqlite3.connect(path) as db:
        try:
            return db.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        except sqlite3.OperationalError:
            return None


@pytest.fixture
def old_database(tmp_path, monkeypatch) -> Path:
    """A database two migrations behind, as a server of the previous release left it."""
    path = tmp_path / "old.db"
    command.upgrade(config_for(f"sqlite:///{path}"), "0002")
    monkeypatch.setenv("WORKSHOP_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    return path


@pytest.mark.parametrize("args", [["export", "ABCDEF"], ["export", "ABCDEF", "--ballots"],
                                  ["create", "Un atelier"]])
def test_commands_other_than_serve_and_migrate_never_upgrade(old_database, args):
    before = fingerprint(old_database)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "0002" in result.output and newest_revision() in result.output
    assert "workshop migrate" in result.output
    assert "Traceback" not in result.output
    assert revision(old_database) == "0002" and fingerprint(old_database) == before


def test_a_missing_database_is_not_created_by_export(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_INSTANCE", str(tmp_path / "instance"))
    missing = tmp_path / "nowhere.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    result = CliRunner().invoke(main, ["export", "ABCDEF"])
    assert result.exit_code == 1 and "workshop migrate" in result.output, result.output
    assert not missing.exists()


def test_migrate_brings_the_database_to_the_newest_revision_then_export_reads(old_database):
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 0, result.output
    assert revision(old_database) == newest_revision()
    assert newest_revision() in result.output
    before = fingerprint(old_database)
    result = CliRunner().invoke(main, ["--lang", "en", "export", "ABCDEF"])
    assert result.exit_code == 1 and "no workshop with code ABCDEF" in result.output
    assert fingerprint(old_database) == before
    again = CliRunner().invoke(main, ["migrate"])  # nothing left to do, said plainly
    assert again.exit_code == 0 and newest_revision() in again.output


def test_create_app_checks_unless_told_to_migrate(old_database):
    from workshop.store.db import SchemaNotCurrent

    with pytest.raises(SchemaNotCurrent, match="0002"):
        create_app({"TESTING": True, "SECRET_KEY": "t", "PUSH_INTERVAL": None})
    assert revision(old_database) == "0002"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "PUSH_INTERVAL": None,
                      "MIGRATE_ON_START": True})
    app.extensions["workshop.engine"].dispose()
    assert revision(old_database) == newest_revision()
