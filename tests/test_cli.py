"""The `workshop` command line: create, export, and the join address it prints."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.factories import client_id, ids_of, voting_workshop
from workshop import ops
from workshop.cli import main
from workshop.core import network


def test_create_prints_the_code_and_a_secret_facilitator_link(app, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    result = CliRunner().invoke(main, ["--lang", "en", "create", "Atelier régional",
                                       "--public-url", "http://10.1.2.3:5000"])
    assert result.exit_code == 0, result.output
    code = re.search(r"Join code: +(\w+)", result.output).group(1)
    link = re.search(r"(http://10\.1\.2\.3:5000/f/[\w-]{43,})", result.output).group(1)
    with app.test_client() as browser:
        assert browser.get(link.removeprefix("http://10.1.2.3:5000")).status_code == 200
        assert browser.get(f"/j/{code}").status_code == 200


def without_locale(monkeypatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)


def test_the_command_speaks_french_by_default(app, monkeypatch):
    without_locale(monkeypatch)
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    helped = CliRunner().invoke(main, ["--help"])
    assert helped.exit_code == 0
    assert "Utilisation\u00a0:" in helped.output and "Commandes\u00a0:" in helped.output
    assert "Créer un atelier" in helped.output and "Create a workshop" not in helped.output
    serve_help = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "Port d'écoute." in serve_help and "par défaut\u00a0: 5000" in serve_help
    created = CliRunner().invoke(main, ["create", "Atelier régional",
                                        "--public-url", "http://10.1.2.3:5000"])
    assert created.exit_code == 0, created.output
    assert re.search(r"^Code d'accès\u00a0: +\w+$", created.output, re.M), created.output
    assert "Lien de l'animation (à garder secret)\u00a0:" in created.output
    refused = CliRunner().invoke(main, ["purge"])
    assert refused.exit_code != 0 and "Erreur\u00a0: donnez le CODE" in refused.output
    assert "LANGUAGE" not in os.environ  # click's language is put back after the command


@pytest.mark.parametrize(("args", "env"), [
    (["--lang", "en", "--help"], {}), (["--lang=en", "--help"], {}),
    (["--help"], {"LANG": "en_CA.UTF-8"}), (["--help"], {"LC_ALL": "en_US.UTF-8"})])
def test_the_command_speaks_english_when_asked(monkeypatch, args, env):
    without_locale(monkeypatch)
    helped = CliRunner().invoke(main, args, env=env)
    assert helped.exit_code == 0, helped.output
    assert "Usage:" in helped.output and "Commands:" in helped.output
    assert "Create a workshop" in helped.output and "Créer" not in helped.output


def test_a_french_environment_keeps_french(monkeypatch):
    without_locale(monkeypatch)
    helped = CliRunner().invoke(main, ["--help"], env={"LANG": "fr_CA.UTF-8"})
    assert "Utilisation\u00a0:" in helped.output


def test_create_refuses_an_empty_title(app, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    result = CliRunner().invoke(main, ["create", "  "])
    assert result.exit_code != 0 and "bad_title" in result.output


def test_export_prints_the_ranking_as_json_and_csv(app, db, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    workshop, _secret, ideas, _vote = voting_workshop(db, dots=2)
    person, _ = ops.join_workshop(db, workshop)
    ops.cast_ballot(db, ids_of(workshop, person), {ideas[1].id: 1, ideas[2].id: 1}, client_id())
    result = CliRunner().invoke(main, ["export", workshop.code, "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["workshop"]["code"] == workshop.code
    [round_export] = report["votes"]
    assert round_export["voters"] == 1
    assert [(r["rank"], r["score"]) for r in round_export["ranking"]] == [(1, 1), (1, 1), (3, 0)]
    out = tmp_path / "ranking.csv"
    result = CliRunner().invoke(main, ["export", workshop.code.lower(), "--format", "csv",
                                       "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("\ufefftour,titre_du_tour,activité")
    assert CliRunner().invoke(main, ["export", "ZZZZZZ"]).exit_code != 0


def test_lan_address_is_not_loopback_when_the_machine_has_a_network():
    address = network.lan_address()
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", address)
    assert network.base_url("192.168.1.5", 5000) == "http://192.168.1.5:5000"
    assert network.base_url("::1", 8080) == "http://[::1]:8080"


def serve_once(instance, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `workshop serve` in its own process (it re-executes itself under gevent)."""
    env = {**os.environ, "WORKSHOP_INSTANCE": str(instance)}
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "workshop", "--lang", "en", "serve", *args],
                          env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.server
def test_a_port_in_use_is_one_clear_sentence_and_creates_nothing(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        for mode in ("gevent", "threading"):
            done = serve_once(tmp_path / "instance", "--host", "127.0.0.1", "--port", str(port),
                              "--demo", "--async-mode", mode)
            assert done.returncode == 1, done
            assert done.stderr.strip() == (
                f"Port {port} is already in use (another workshop server?): stop it or "
                f"choose another port with --port."), done.stderr
            assert "Traceback" not in done.stdout + done.stderr
    # Nothing was made before the port was known: no database, no demo.
    assert not (tmp_path / "instance" / "workshop.db").exists()
    assert not (tmp_path / "instance" / "demo.json").exists()


@pytest.mark.server
def test_the_demo_is_created_once_and_its_links_printed_again(tmp_path):
    from tests.conftest import start_server, stop_server

    instance = tmp_path / "instance"
    printed = []
    for _run in range(2):
        server = start_server(instance, args=("--host", "127.0.0.1", "--public-url",
                                              "http://192.0.2.7:5000", "--demo"),
                              command=(sys.executable, "-m", "workshop", "--lang", "en"))
        try:
            log = server.log.read_text()
        finally:
            stop_server(server)
        links = re.findall(r"^(Demo workshop \w+:|  \w+.*http://\S+)$", log, re.M)
        assert len(links) == 4, log
        printed.append(links)
        code = re.search(r"Demo workshop (\w+):", log).group(1)
        secret = re.search(r"/f/(\S+)", log).group(1)
    assert printed[0] == printed[1]
    kept = instance / "demo.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert json.loads(kept.read_text()) == {"code": code, "secret": secret}
    # The demo exists once in the database, its secret stored only hashed.
    with sqlite3.connect(instance / "workshop.db") as db:
        rows = db.execute("SELECT code, facilitator_digest FROM workshops").fetchall()
    assert [row[0] for row in rows] == [code] and secret not in rows[0][1]
    # A demo deleted from the database (a fresh database) is made again, and kept.
    for database in instance.glob("workshop.db*"):
        database.unlink()
    server = start_server(instance, args=("--host", "127.0.0.1", "--demo"))
    stop_server(server)
    assert json.loads(kept.read_text())["code"] != code
