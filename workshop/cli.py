"""The `workshop` command: serve the app, migrate its database, create a workshop, export
its ranking.

It speaks French unless asked for English (`workshop --lang en ...`, or an English LANG,
LC_MESSAGES or LC_ALL): its help, its output and click's own words ("Usage:", "Options")
come from the same catalogs as the pages (workshop/translations).

Wiring layer: builds the app with create_app and calls operations; no logic of its own.
Only `serve` and `migrate` change the database's schema; every other command checks it,
reading only, and stops with one clear sentence if it is not at the newest migration (a
second process upgrading a live SQLite database would break its one-writer rule,
docs/security.md).
"""

from __future__ import annotations

import errno
import gettext as stdlib_gettext
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from workshop import create_app, ops
from workshop.core import export
from workshop.core.errors import Refused
from workshop.core.network import base_url, lan_address
from workshop.core.voting.declare import N_
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


# --- the command line's language ------------------------------------------------------

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
LANGUAGES = ("fr", "en")
_chosen: list[str] = []  # the --lang of the running command, if one was given


def language() -> str:
    """Return the command's language: --lang, else the environment's (LC_ALL, LC_MESSAGES,
    LANG, the first one set): English if it is English, French otherwise."""
    if _chosen:
        return _chosen[-1]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "fr"
    return "fr"


def _(text: str) -> str:
    """Translate one of the command's texts into its language."""
    return stdlib_gettext.translation("messages", TRANSLATIONS, languages=[language()],
                                      fallback=True).gettext(text)


@contextmanager
def _click_speaks(lang: str) -> Iterator[None]:
    """Let click's own words (it reads them with the standard gettext, in the domain
    "messages" and the language of LANGUAGE) come from our catalogs while a command runs."""
    stdlib_gettext.bindtextdomain("messages", str(TRANSLATIONS))
    before = os.environ.get("LANGUAGE")
    os.environ["LANGUAGE"] = lang
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = before


# Click's own words, marked here so that the catalogs carry them (click translates them).
CLICK_WORDS = (N_("Usage:"), N_("Options"), N_("Commands"), N_("Show this message and exit."),
               N_("Error: {message}"), N_("Try '{command} {option}' for help."),
               N_("default: {default}"), N_("No such command {name!r}."),
               N_("No such option {name!r}."), N_("Missing argument"),
               N_("Missing parameter: {param_name}"),
               N_("Invalid value for {param_hint}: {message}"),
               N_("{value!r} is not a valid {number_type}."), N_("Aborted!"),
               N_("Choose from:\n\t{choices}"), N_("Missing command."))


class _Translated:
    """A command whose help (its own, its options', its subcommands' summaries) is written
    as English msgids and shown in the command's language."""

    def get_help(self, ctx: click.Context) -> str:
        texts: list[tuple[Any, str, Any]] = []
        parts = [self, *getattr(self, "params", [])]
        parts += list(getattr(self, "commands", {}).values())
        for part in parts:
            for name in ("help", "short_help"):
                value = getattr(part, name, None)
                if isinstance(value, str) and value:
                    texts.append((part, name, value))
                    setattr(part, name, _(value))
        try:
            return super().get_help(ctx)  # type: ignore[misc]
        finally:
            for part, name, value in texts:
                setattr(part, name, value)


class _Formatter(click.HelpFormatter):
    """Click's help layout, with French typography in its headings ("Options :")."""

    def write_heading(self, heading: str) -> None:
        colon = "\u00a0:" if language() == "fr" else ":"
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")


class _Context(click.Context):
    formatter_class = _Formatter


class Command(_Translated, click.Command):
    """A `workshop` subcommand (help translated)."""

    context_class = _Context


class Group(_Translated, click.Group):
    """The `workshop` command: picks the language before anything else runs."""

    command_class = Command
    context_class = _Context

    def main(self, *args: Any, **kwargs: Any) -> Any:
        _chosen.clear()
        given = kwargs["args"] if "args" in kwargs else (args[0] if args else None)
        argv = list(sys.argv[1:] if given is None else given)
        # Known before parsing, so that `workshop --lang en --help` is in English.
        asked = argv[1] if argv[:1] == ["--lang"] and len(argv) > 1 else (
            argv[0].removeprefix("--lang=") if argv and argv[0].startswith("--lang=") else "")
        if asked in LANGUAGES:
            _chosen.append(asked)
        try:
            with _click_speaks(language()):
                return super().main(*args, **kwargs)
        finally:
            _chosen.clear()


def _choose_language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        _chosen[:] = [value]
        os.environ["LANGUAGE"] = value


@click.group(cls=Group,
             help=N_("Live participatory priority-setting: QR code, ideas, votes, ranked "
                     "results."))
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, is_eager=True,
              expose_value=False, callback=_choose_language,
              help=N_("Language of the messages (default: French, or English if LANG is "
                      "English)."))
def main() -> None:
    pass


def _checked_app():
    """Build the app for a command that must not migrate: a database that is not at the
    newest migration stops it with the reason and what to run."""
    try:
        return create_app()
    except SchemaNotCurrent as error:
        raise click.ClickException(str(error)) from error


def _facilitator_url(base: str, secret: str) -> str:
    return f"{base}/f/{secret}"


def ngettext(singular: str, plural: str, count: int) -> str:
    """Pick a text's singular or plural form by the count, in the command's language."""
    return stdlib_gettext.translation("messages", TRANSLATIONS, languages=[language()],
                                      fallback=True).ngettext(singular, plural, count)


def _number(value: object) -> str:
    """Write a count or a score as the command's language does ("52,3" in French)."""
    from babel.numbers import format_decimal

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return format_decimal(value, format="#,##0.####", locale=language())


def _no_workshop(code: str) -> str:
    return _("no workshop with code %(code)s") % {"code": code}


def _links(rows: list[tuple[str, str]], indent: str = "") -> None:
    """Print labelled lines with their values lined up, whatever the labels' language."""
    width = max(len(label) for label, _value in rows)
    for label, value in rows:
        click.echo(f"{indent}{label.ljust(width)} {value}")


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


@main.command(help=N_("Run the server and print the address phones on the same network can "
                      "join at."))
@click.option("--host", default="0.0.0.0", show_default=True,  # noqa: S104 - a LAN server
              help=N_("Interface to listen on (all, so phones on the Wi-Fi can connect)."))
@click.option("--port", default=5000, show_default=True, type=int,
              help=N_("Port to listen on."))
@click.option("--public-url", default=None,
              help=N_("Address phones should use (a domain or a reverse proxy); "
                      "default: this machine's LAN address. An https:// address makes the "
                      "session cookie Secure; its host is served besides localhost, addresses "
                      "as digits and ALLOWED_HOSTS (docs/deploy.md)."))
@click.option("--demo/--no-demo", default=False,
              help=N_("Print the links of a demo workshop with a few approved ideas (created "
                      "on first use, then the same one each run)."))
@click.option("--async-mode", type=click.Choice(["gevent", "threading"]), default="gevent",
              show_default=True,
              help=N_("gevent serves thousands of phones from one process "
                      "(docs/performance.md); threading is the fallback with Werkzeug, for a "
                      "few dozen."))
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE",
              help=N_("Override an app setting, e.g. --set RATELIMIT_JOIN='3000 per minute' "
                      "for a hall of thousands behind one address (a JSON value is "
                      "decoded)."))
def serve(host: str, port: int, public_url: str | None, demo: bool, async_mode: str,
          settings: tuple[str, ...]) -> None:
    from workshop import serving as server

    overrides = {}
    for setting in settings:
        name, equals, value = setting.partition("=")
        if not equals or not name.isupper():
            raise click.BadParameter(_("expected NAME=VALUE, got %(setting)r")
                                     % {"setting": setting}, param_hint="--set")
        try:
            overrides[name] = json.loads(value)
        except ValueError:
            overrides[name] = value

    problem = server.unavailable(host, port, _)
    if problem:  # said before anything is built or created (the demo workshop above all)
        click.echo(problem, err=True)
        sys.exit(1)
    if async_mode == "gevent" and not server.gevent_patched():
        if not server.gevent_available():
            click.echo(_("gevent is not installed: serving with threads (a few dozen "
                         "phones)."), err=True)
            async_mode = "threading"
        else:
            server.restart_patched()  # does not return: the same command, gevent-patched
    public = (public_url or base_url(lan_address(), port)).rstrip("/")
    app = create_app({"PUBLIC_URL": public, "ASYNC_MODE": async_mode,
                      "MIGRATE_ON_START": True, **overrides})
    from workshop.live.sockets import socketio

    click.echo(_("Workshop is running. Phones on this network join at: %(url)s")
               % {"url": public})
    click.echo(_("Database: %(url)s") % {"url": app.config["DATABASE_URL"]})
    if demo:
        code, secret = _demo_workshop(app)
        click.echo(_("Demo workshop %(code)s:") % {"code": code})
        _links([(_("facilitator (keep secret):"), _facilitator_url(public, secret)),
                (_("projector:"), f"{public}/s/{code}"),
                (_("phones:"), f"{public}/j/{code}")], indent="  ")
    vendor = Path(app.static_folder or "") / "vendor" / "socket.io.min.js"
    if not vendor.exists():
        click.echo(_("Warning: the Socket.IO browser client is missing (run `npm ci` and the "
                     "README's set-up): pages work as plain forms, without live updates."),
                   err=True)
    sys.stdout.flush()
    try:
        server.run(app, socketio, host, port, async_mode)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        # Taken in the instant since it was checked.
        click.echo(server.unavailable(host, port, _)
                   or _("Cannot serve: %(error)s.") % {"error": error}, err=True)
        sys.exit(1)


@main.command(help=N_("Bring the database to the newest migration (`serve` does it too when "
                      "it starts). With SQLite, run it while no server uses the database: it "
                      "writes through its own connection."))
def migrate() -> None:
    app = create_app({"MIGRATE_ON_START": True})
    app.extensions["workshop.engine"].dispose()
    click.echo(_("The database is at the newest revision (%(revision)s).")
               % {"revision": newest_revision()})


@main.command(help=N_("Create a workshop and print its join code and secret facilitator "
                      "link."))
@click.argument("title")
@click.option("--public-url", default=None, help=N_("Base address to print the links with."))
def create(title: str, public_url: str | None) -> None:
    app = _checked_app()
    public = (public_url or base_url(lan_address(), 5000)).rstrip("/")
    with app.app_context(), session_for(app) as db:
        try:
            workshop, secret = ops.create_workshop(db, title)
        except Refused as error:
            raise click.ClickException(_("refused: %(code)s") % {"code": error.code}) \
                from error
        _links([(_("Join code:"), workshop.code),
                (_("Facilitator link (keep secret):"), _facilitator_url(public, secret)),
                (_("Projector:"), f"{public}/s/{workshop.code}")])


@main.command("export", help=N_("Export the day's report of a workshop (or its anonymised "
                                "ballots). Reads only: it never migrates the database (see "
                                "`workshop migrate`)."))
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
            raise click.ClickException(_no_workshop(code))
        if ballots:
            body = export.render_ballots(views.export_ballots(db, workshop)).encode("utf-8")
        else:
            with app.test_request_context(f"/?lang={lang}"):
                body, _mimetype = exports.build(db, workshop, fmt, sep)
    if output:
        Path(output).write_bytes(body)
    elif fmt in ("xlsx", "pdf") and not ballots:
        raise click.UsageError(_("a %(format)s file needs --output FILE") % {"format": fmt})
    else:
        # The BOM stays: a spreadsheet opening the redirected output reads accents right.
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()


@main.command("purge", help=N_("Erase a workshop's personal data: profiles and who cast, "
                               "proposed or held what."))
@click.argument("code", required=False)
@click.option("--expired", is_flag=True,
              help=N_("Purge every workshop whose retention period is over (for cron)."))
def purge_command(code: str | None, expired: bool) -> None:
    from workshop.ops.purge import expired_workshops

    if bool(code) == expired:
        raise click.UsageError(_("give a workshop CODE, or --expired"))
    app = create_app()
    with app.app_context(), session_for(app) as db:
        if expired:
            targets = expired_workshops(db)
        else:
            workshop = lookups.find_workshop(db, code or "")
            if workshop is None:
                raise click.ClickException(_no_workshop(code or ""))
            targets = [workshop]
        for workshop in targets:
            try:
                count = ops.purge_personal_data(db, workshop)
            except Refused as error:
                raise click.ClickException(
                    _("%(code)s: refused: %(reason)s (close the vote first)")
                    % {"code": workshop.code, "reason": error.code}) from error
            click.echo(ngettext("%(code)s: personal data of %(num)s participant erased",
                                 "%(code)s: personal data of %(num)s participants erased",
                                 count) % {"code": workshop.code, "num": count})
        if expired and not targets:
            click.echo(_("no workshop to purge"))


@main.command("recount", help=N_("Recompute every round's ranking from an exported ballots "
                                 "CSV, with no database."))
@click.argument("ballots", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help=N_("A table to read, or JSON."))
def recount_command(ballots: str, fmt: str) -> None:
    try:
        rounds = export.recount(Path(ballots).read_text(encoding="utf-8"))
    except (ValueError, KeyError) as error:
        raise click.ClickException(str(error)) from error
    if fmt == "json":
        click.echo(export.to_json(rounds), nl=False)
        return
    for vote in rounds:
        ballots_cast = ngettext("%(num)s ballot", "%(num)s ballots", vote["voters"]) % {
            "num": _number(vote["voters"])}
        click.echo(_("Round %(number)s: %(title)s (%(method)s, %(ballots)s)") % {
            "number": vote["number"], "title": vote["title"], "method": vote["method"],
            "ballots": ballots_cast})
        headers = (_("rank"), _("score"), _("supporters"), _("text"))
        click.echo(f"{headers[0]:>5}  {headers[1]:>10}  {headers[2]:>12}  {headers[3]}")
        for row in vote["ranking"]:
            click.echo(f"{row['rank']:>5}  {_number(row['score']):>10}  "
                       f"{_number(row['supporters']):>12}  {row['text']}")
        click.echo("")
