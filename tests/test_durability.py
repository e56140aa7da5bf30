"""Durability: the server is killed with SIGKILL at ten random moments of a 500-phone vote
burst and restarted each time; every acknowledged ballot is in the database and counted
exactly once, and phones resync. The run itself is tests/support/chaos.py, which
bench/chaos.py also runs (its long variant has more phones, kills and runs: see
docs/reliability.md)."""

from __future__ import annotations

import os
import sqlite3

import pytest

from tests.support.chaos import run
from workshop import create_app

pytestmark = pytest.mark.server

PHONES = int(os.environ.get("WORKSHOP_CHAOS_PHONES", "500"))
KILLS = int(os.environ.get("WORKSHOP_CHAOS_KILLS", "10"))


# Clients whose server is SIGKILLed under them (the socket clients' reconnection attempts,
# urllib3 pools dropping half-open connections) leave sockets for the garbage collector,
# which may run at any moment of the run: those warnings are about the test's clients.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_no_acknowledged_ballot_is_lost_or_counted_twice_across_ten_sigkills(tmp_path):
    report = run(tmp_path, phones=PHONES, kills=KILLS, sockets=10, seed=2026)
    print(report)
    assert report.kills == KILLS and report.starts == KILLS + 1
    assert report.acknowledged == report.commands_sent
    assert report.lost == 0 and report.duplicated == 0 and report.mismatched == 0
    assert report.ballots_counted == PHONES == report.export_voters
    assert report.export_matches
    assert report.receipts == report.commands_sent
    assert report.integrity == "ok" and report.log_errors == 0
    assert report.sockets_resynced == report.sockets
    assert report.ok()


def test_sqlite_runs_in_wal_with_full_sync_and_one_writing_connection(tmp_path, monkeypatch):
    """The settings the chaos run relies on, and the guard against SQLite's WAL-reset bug:
    every write goes through one connection, readers cannot write."""
    monkeypatch.setenv("WORKSHOP_INSTANCE", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "PUSH_INTERVAL": None,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
                      "MIGRATE_ON_START": True})
    try:
        reader = app.extensions["workshop.engine"]
        writer = app.extensions["workshop.writer"]
        assert writer.pool.size() == 1 and writer.pool._max_overflow == 0
        for engine in (reader, writer):
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        with reader.connect() as connection, pytest.raises(Exception, match="readonly"):
            connection.exec_driver_sql("CREATE TABLE nope (x)")
    finally:
        app.extensions["workshop.engine"].dispose()
    assert sqlite3.sqlite_version  # the build in use is named in docs/security.md
