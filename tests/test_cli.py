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
    result = CliRunner().invoke(main, ["create", "Atelier régional",
                                       "--public-url", "http://10.1.2.3:5000"])
    assert result.exit_code == 0, result.output
    code = re.search(r"Join code: (\w+)", result.output).group(1)
    link = re.search(r"(http://10\.1\.2\.3:5000/f/[\w-]{43,})", result.output).group(1)
    with app.test_client() as browser:
        assert browser.get(link.removeprefix("http://10.1.2.3:5000")).status_code == 200
        assert browser.get(f"/j/{code}").status_code == 200


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
    return subprocess.run([sys.executable, "-m", "workshop", "serve", *args], env=env,
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
                                              "http://192.0.2.7:5000", "--demo"))
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
