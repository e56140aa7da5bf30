"""The `workshop` command: serve the app, migrate its database, create a workshop, export
its ranking.

Wiring layer: builds the app with create_app and calls operations; no logic of its own.
Only `serve` and `migrate` change the database's schema; every other command checks it,
reading only, and stops with one clear sentence if it is not at the newest migration (a
second process upgrading a live SQLite database would break its one-writer rule,
docs/security.md).
"""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path

import click

from workshop import create_app, ops
from workshop.core import export
from workshop.core.errors import Refused
from workshop.core.network import base_url, lan_address
from workshop.store import lookups, views
from workshop.store.db import SchemaNotCurrent, newest_revision, session_for

DEMO_TITLE = "Priorités régionales contre la pauvreté — démo"
DEMO_IDEAS = (
    "Un transport collectif abordable entre les MRC",
    "Des logements sociaux près des services",
    "L'aide alimentaire accessible sans honte",
    "Un accès Internet abordable en région",
    "Des services de garde pour les horaires atypiques",
    "Reconnaître l'expertise des personnes en situation de pauvreté",
)


@click.group()
def main() -> None:
    """Live participatory priority-setting: QR code, ideas, votes, ranked results."""


def _checked_app():
    """Build the app for a command that must not migrate: a database that is not at the
    newest migration stops it with the reason and what to run."""
    try:
        return create_app()
    except SchemaNotCurrent as error:
        raise click.ClickException(str(error)) from error


def _facilitator_url(base: str, secret: str) -> str:
    return f"{base}/f/{secret}"


# The demo's join code and facilitator secret (stored only hashed in the database), kept
# in the instance folder like secret_key, so that `./dev run` shows the same demo each time.
DEMO_FILE = "demo.json"


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read (0600 from the start, never world-readable)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)
    path.chmod(0o600)  # an older file kept its mode through O_TRUNC


def _demo_workshop(app) -> tuple[str, str]:
    """Return the demo workshop's code and facilitator secret: the kept one if it still
    exists, else a new one with a few approved ideas."""
    path = Path(app.instance_path) / DEMO_FILE
    with app.app_context(), session_for(app) as db:
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            workshop = lookups.find_workshop_by_secret(db, kept["secret"])
            if workshop is not None and workshop.code == kept["code"]:
                return workshop.code, kept["secret"]
        except (OSError, ValueError, KeyError, TypeError):
            pass  # no demo yet, or a file we did not write: make a new one
        workshop, secret = ops.create_workshop(db, DEMO_TITLE)
        for text in DEMO_IDEAS:
            ops.add_idea(db, workshop, text)
        ops.open_ideas(db, workshop)
        code = workshop.code
    _write_private(path, json.dumps({"code": code, "secret": secret}))
    return code, secret


@main.command()
@click.option("--host", default="0.0.0.0", show_default=True,  # noqa: S104 - a LAN server
              help="Interface to listen on (all, so phones on the Wi-Fi can connect).")
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--public-url", default=None,
              help="Address phones should use (a domain or a reverse proxy); "
                   "default: this machine's LAN address. An https:// address makes the "
                   "session cookie Secure; its host is served besides localhost, addresses "
                   "as digits and ALLOWED_HOSTS (docs/deploy.md).")
@click.option("--demo/--no-demo", default=False,
              help="Print the links of a demo workshop with a few approved ideas (created "
                   "on first use, then the same one each run).")
@click.option("--async-mode", type=click.Choice(["gevent", "threading"]), default="gevent",
              show_default=True,
              help="gevent serves thousands of phones from one process (docs/performance.md); "
                   "threading is the fallback with Werkzeug, for a few dozen.")
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
              help="Override an app setting, e.g. --set RATELIMIT_JOIN='3000 per minute' "
                   "for a hall of thousands behind one address (a JSON value is decoded).")
def serve(host: str, port: int, public_url: str | None, demo: bool, async_mode: str,
          settings: tuple[str, ...]) -> None:
    """Run the server and print the address phones on the same network can join at."""
    from workshop import serving as server

    overrides = {}
    for setting in settings:
        name, equals, value = setting.partition("=")
        if not equals or not name.isupper():
            raise click.BadParameter(f"expected NAME=VALUE, got {setting!r}",
                                     param_hint="--set")
        try:
            overrides[name] = json.loads(value)
        except ValueError:
            overrides[name] = value

    problem = server.unavailable(host, port)
    if problem:  # said before anything is built or created (the demo workshop above all)
        click.echo(problem, err=True)
        sys.exit(1)
    if async_mode == "gevent" and not server.gevent_patched():
        if not server.gevent_available():
            click.echo("gevent is not installed: serving with threads (a few dozen phones).",
                       err=True)
            async_mode = "threading"
        else:
            server.restart_patched()  # does not return: the same command, gevent-patched
    public = (public_url or base_url(lan_address(), port)).rstrip("/")
    app = create_app({"PUBLIC_URL": public, "ASYNC_MODE": async_mode,
                      "MIGRATE_ON_START": True, **overrides})
    from workshop.live.sockets import socketio

    click.echo(f"Workshop is running. Phones on this network join at: {public}")
    click.echo(f"Database: {app.config['DATABASE_URL']}")
    if demo:
        code, secret = _demo_workshop(app)
        click.echo(f"Demo workshop {code}:")
        click.echo(f"  facilitator (keep secret): {_facilitator_url(public, secret)}")
        click.echo(f"  projector:                 {public}/s/{code}")
        click.echo(f"  phones:                    {public}/j/{code}")
    vendor = Path(app.static_folder or "") / "vendor" / "socket.io.min.js"
    if not vendor.exists():
        click.echo("Warning: the Socket.IO browser client is missing (run `npm ci` and the "
                   "README's set-up): pages work as plain forms, without live updates.",
                   err=True)
    sys.stdout.flush()
    try:
        server.run(app, socketio, host, port, async_mode)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        # Taken in the instant since it was checked.
        click.echo(server.unavailable(host, port) or f"Cannot serve: {error}.", err=True)
        sys.exit(1)


@main.command()
def migrate() -> None:
    """Bring the database to the newest migration (`serve` does it too when it starts).

    With SQLite, run it while no server uses the database: it writes through its own
    connection.
    """
    app = create_app({"MIGRATE_ON_START": True})
    app.extensions["workshop.engine"].dispose()
    click.echo(f"The database is at the newest revision ({newest_revision()}).")


@main.command()
@click.argument("title")
@click.option("--public-url", default=None, help="Base address to print the links with.")
def create(title: str, public_url: str | None) -> None:
    """Create a workshop and print its join code and secret facilitator link."""
    app = _checked_app()
    public = (public_url or base_url(lan_address(), 5000)).rstrip("/")
    with app.app_context(), session_for(app) as db:
        try:
            workshop, secret = ops.create_workshop(db, title)
        except Refused as error:
            raise click.ClickException(f"refused: {error.code}") from error
        click.echo(f"Join code: {workshop.code}")
        click.echo(f"Facilitator link (keep secret): {_facilitator_url(public, secret)}")
        click.echo(f"Projector: {public}/s/{workshop.code}")


@main.command("export")
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "xlsx", "pdf"]),
              default="csv", show_default=True)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True,
              help="Language of the headers, statuses and method notes.")
@click.option("--sep", type=click.Choice([",", ";"]), default=",", show_default=True,
              help="CSV separator (`;` for a spreadsheet set up in French).")
@click.option("--ballots", is_flag=True,
              help="Export the anonymised ballots (CSV, for `workshop recount`) instead.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write (default: standard output).")
def export_command(code: str, fmt: str, lang: str, sep: str, ballots: bool,
                   output: str | None) -> None:
    """Export the day's report of a workshop (or its anonymised ballots).

    Reads only: it never migrates the database (see `workshop migrate`).
    """
    from workshop.web import exports

    app = _checked_app()
    with app.app_context(), session_for(app) as db:
        workshop = lookups.find_workshop(db, code)
        if workshop is None:
            raise click.ClickException(f"no workshop with code {code}")
        if ballots:
            body = export.render_ballots(views.export_ballots(db, workshop)).encode("utf-8")
        else:
            with app.test_request_context(f"/?lang={lang}"):
                body, _mimetype = exports.build(db, workshop, fmt, sep)
    if output:
        Path(output).write_bytes(body)
    elif fmt in ("xlsx", "pdf") and not ballots:
        raise click.UsageError(f"a {fmt} file needs --output FILE")
    else:
        # The BOM stays: a spreadsheet opening the redirected output reads accents right.
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()


@main.command("purge")
@click.argument("code", required=False)
@click.option("--expired", is_flag=True,
              help="Purge every workshop whose retention period is over (for cron).")
def purge_command(code: str | None, expired: bool) -> None:
    """Erase a workshop's personal data: profiles and who cast, proposed or held what."""
    from workshop.ops.purge import expired_workshops

    if bool(code) == expired:
        raise click.UsageError("give a workshop CODE, or --expired")
    app = create_app()
    with app.app_context(), session_for(app) as db:
        if expired:
            targets = expired_workshops(db)
        else:
            workshop = lookups.find_workshop(db, code or "")
            if workshop is None:
                raise click.ClickException(f"no workshop with code {code}")
            targets = [workshop]
        for workshop in targets:
            try:
                count = ops.purge_personal_data(db, workshop)
            except Refused as error:
                raise click.ClickException(
                    f"{workshop.code}: refused: {error.code} (close the vote first)") from error
            click.echo(f"{workshop.code}: personal data of {count} participants erased")
        if expired and not targets:
            click.echo("no workshop to purge")


@main.command("recount")
@click.argument("ballots", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def recount_command(ballots: str, fmt: str) -> None:
    """Recompute every round's ranking from an exported ballots CSV, with no database."""
    try:
        rounds = export.recount(Path(ballots).read_text(encoding="utf-8"))
    except (ValueError, KeyError) as error:
        raise click.ClickException(str(error)) from error
    if fmt == "json":
        click.echo(export.to_json(rounds), nl=False)
        return
    for vote in rounds:
        click.echo(f"Round {vote['number']}: {vote['title']} ({vote['method']}, "
                   f"{vote['voters']} ballots)")
        click.echo(f"{'rank':>4}  {'score':>10}  {'supporters':>10}  text")
        for row in vote["ranking"]:
            click.echo(f"{row['rank']:>4}  {row['score']:>10}  {row['supporters']:>10}  "
                       f"{row['text']}")
        click.echo("")
