"""The database's whole lifecycle: engine, per-request sessions, migrations.

Infra layer: imports SQLAlchemy, Alembic and Flask's app context, never the edges.
SQLite runs in WAL mode with synchronous=FULL so that a commit that was acknowledged
survives the process being killed; see docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
WRITE_OPTION = "workshop_write"


def make_engine(url: str) -> Engine:
    """Create an engine, with the SQLite settings that make commits durable."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # Take transactions out of the driver's hands so that reads happen inside them.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # A write transaction takes the write lock at BEGIN (IMMEDIATE): its checks
            # (is the round open?) and its writes are then one atomic step, and it waits
            # its turn instead of failing when another writer got in between. Reads stay
            # DEFERRED so they never block writers.
            write = connection.get_execution_options().get(WRITE_OPTION)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def begin_write(session: Session, *refresh: object) -> None:
    """Start a write transaction (ending any read-only one) and reload `refresh` in it."""
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITE_OPTION: True})
    for instance in refresh:
        session.refresh(instance)


def upgrade(url: str) -> None:
    """Bring the database schema to the newest migration."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


def init_app(app: Flask) -> None:
    """Create the engine for an app, migrate it, and close sessions after each request."""
    url = app.config["DATABASE_URL"]
    engine = make_engine(url)
    if app.config.get("MIGRATE_ON_START", True):
        upgrade(url)
    app.extensions["workshop.db"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["workshop.engine"] = engine
    app.teardown_request(_close_session)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["workshop.db"]()
    return g.db_session


@contextmanager
def session_for(app: Flask) -> Iterator[Session]:
    """Open a session outside any request (background pushes, command line)."""
    session = app.extensions["workshop.db"]()
    try:
        yield session
    finally:
        session.close()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
