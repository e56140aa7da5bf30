"""The database's whole lifecycle: engine, per-request sessions, migrations.

Infra layer: imports SQLAlchemy, Alembic and Flask's app context, never the edges.
SQLite runs in WAL mode with synchronous=FULL so that a commit that was acknowledged
survives the process being killed; see docs/architecture.md. Every write goes through one
writing connection per process (reads use a pool of read-only connections), so that no two
connections ever write or checkpoint at once: the condition of SQLite's WAL-reset
corruption bug (fixed only in SQLite 3.51.3; see docs/security.md, "SQLite").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool, QueuePool

MIGRATIONS = Path(__file__).with_name("migrations")
WRITE_OPTION = "workshop_write"
WRITER_WAIT = 30  # seconds a write waits for the writing connection before "busy" (503)


def _in_memory(url: str) -> bool:
    return url.rstrip("/") in ("sqlite:", "sqlite:///:memory:") or "mode=memory" in url


def make_engine(url: str, *, writer: bool = False, read_only: bool = False) -> Engine:
    """Create an engine, with the SQLite settings that make commits durable.

    On SQLite, `writer=True` makes the process's single writing connection (a pool of
    one: writers queue for it, and every transaction on it starts with BEGIN IMMEDIATE)
    and `read_only=True` the pool readers use (PRAGMA query_only: a write that missed the
    writing connection fails loudly instead of racing it).
    """
    if url.startswith("sqlite"):
        options: dict = {"connect_args": {"timeout": 30, "check_same_thread": False}}
        if writer:
            options.update(poolclass=QueuePool, pool_size=1, max_overflow=0,
                           pool_timeout=WRITER_WAIT)
        engine = create_engine(url, **options)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # Take transactions out of the driver's hands so that reads happen inside them.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            if read_only:
                cursor.execute("PRAGMA query_only=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # A write transaction takes the write lock at BEGIN (IMMEDIATE): its checks
            # (is the round open?) and its writes are then one atomic step, and it waits
            # its turn instead of failing when another writer got in between. Reads stay
            # DEFERRED so they never block writers.
            write = writer or connection.get_execution_options().get(WRITE_OPTION)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class RoutedSession(Session):
    """A session whose write transactions run on the process's single writing connection.

    `info["writer"]` is that engine (SQLite files only). A transaction is a write one from
    `begin_write`, or from the first flush that has something to write; until it ends,
    every statement, reads included, goes to the writing connection.
    """

    def get_bind(self, mapper=None, **kwargs):  # type: ignore[override]
        writer = self.info.get("writer")
        if writer is not None and self.info.get("writing"):
            return writer
        return super().get_bind(mapper, **kwargs)


@event.listens_for(RoutedSession, "before_flush")
def _route_flush(session: Session, _context, _instances) -> None:
    if session.info.get("writer") is not None and (session.new or session.dirty or
                                                   session.deleted):
        session.info["writing"] = True


@event.listens_for(RoutedSession, "after_transaction_end")
def _end_write(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info["writing"] = False


def begin_write(session: Session, *refresh: object) -> None:
    """Start a write transaction (ending any read-only one) and reload `refresh` in it.

    Rows read before it may have changed since: they are expired, so that what the write
    transaction checks is read again inside it.
    """
    if session.in_transaction():
        session.commit()
        session.expire_all()
    session.info["writing"] = True
    session.connection(execution_options={WRITE_OPTION: True})
    for instance in refresh:
        session.refresh(instance)


class SchemaNotCurrent(RuntimeError):
    """The database is not at the newest migration, and this command may not migrate it."""


def _alembic_config(url: str):  # -> alembic.config.Config
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def newest_revision() -> str:
    """Return the revision of the newest migration this release ships."""
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(_alembic_config("sqlite://")).get_current_head())


def upgrade(url: str) -> None:
    """Bring the database schema to the newest migration (only `serve` and `migrate` do).

    A SQLite file is left in WAL mode, as the app runs it, so that a read-only command
    opening it afterwards finds nothing to change.
    """
    from alembic import command

    command.upgrade(_alembic_config(url), "head")
    if url.startswith("sqlite") and not _in_memory(url):
        engine = make_engine(url, writer=True)  # its connect sets the journal mode
        with engine.connect():
            pass
        engine.dispose()


def _sqlite_file(url: str) -> Path | None:
    """Return the file of a SQLite URL (None: not SQLite, in memory, or already a URI)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or _in_memory(url) or \
            "uri" in parsed.query or not parsed.database:
        return None
    return Path(parsed.database)


def current_revision(url: str) -> str | None:
    """Return the database's migration revision (None: no schema yet), reading only.

    A SQLite file is opened read-only (`mode=ro`): a check can neither create a missing
    database nor write or checkpoint a live one.
    """
    from alembic.migration import MigrationContext

    path = _sqlite_file(url)
    if path is not None:
        if not path.exists():
            return None
        url = f"sqlite:///file:{quote(str(path.resolve()))}?mode=ro&uri=true"
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def check_schema(url: str) -> None:
    """Refuse to go on, without writing anything, unless the database is at the newest
    migration: only `workshop serve` and `workshop migrate` migrate (docs/security.md)."""
    current, newest = current_revision(url), newest_revision()
    if current == newest:
        return
    where = make_url(url).render_as_string(hide_password=True)
    if current is None:
        raise SchemaNotCurrent(
            f"The database {where} has no schema yet (newest revision: {newest}). Run "
            f"`workshop migrate` (or start `workshop serve`, which migrates first), then "
            f"try again.")
    raise SchemaNotCurrent(
        f"The database {where} is at revision {current}, not the newest ({newest}); this "
        f"command only reads and does not upgrade it. Stop the server, run `workshop "
        f"migrate` (or start `workshop serve`, which migrates first), then try again.")


def init_app(app: Flask) -> None:
    """Create the engine for an app, and close sessions after each request.

    The schema, by MIGRATE_ON_START: True (`serve`, `migrate`) migrates it first; unset
    checks it, reading only, and raises SchemaNotCurrent unless it is at the newest
    migration (every other command); False trusts it (tests on a copy of a migrated file).
    """
    url = app.config["DATABASE_URL"]
    migrate = app.config.get("MIGRATE_ON_START")
    if migrate:
        upgrade(url)
    elif migrate is None:
        check_schema(url)
    single_writer = url.startswith("sqlite") and not _in_memory(url)
    engine = make_engine(url, read_only=single_writer)
    writer = make_engine(url, writer=True) if single_writer else None
    if writer is not None:
        event.listen(engine, "engine_disposed", lambda _engine: writer.dispose())
    app.extensions["workshop.db"] = sessionmaker(engine, class_=RoutedSession,
                                                 expire_on_commit=False,
                                                 info={"writer": writer})
    app.extensions["workshop.engine"] = engine
    app.extensions["workshop.writer"] = writer
    app.teardown_request(_close_session)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["workshop.db"]()
    return g.db_session


def writing_engine() -> Engine:
    """Return the engine this app writes through: SQLite's single writing connection, or
    the engine itself (PostgreSQL, in-memory SQLite)."""
    writer = current_app.extensions.get("workshop.writer")
    return writer if writer is not None else current_app.extensions["workshop.engine"]


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
