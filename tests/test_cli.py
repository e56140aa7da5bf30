"""The `workshop` command line: create, export, and the join address it prints."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from tests.factories import client_id, voting_workshop
from workshop import ops
from workshop.cli import main
from workshop.core import network
from workshop.store.lookups import Voter


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
    ops.cast_ballot(db, Voter.of(workshop, person), {ideas[1].id: 1, ideas[2].id: 1}, client_id())
    result = CliRunner().invoke(main, ["export", workshop.code, "--format", "json"])
    assert result.exit_code == 0, result.output
    [round_export] = json.loads(result.output)
    assert round_export["voters"] == 1
    assert [(r["rank"], r["score"]) for r in round_export["ranking"]] == [(1, 1), (1, 1), (3, 0)]
    out = tmp_path / "ranking.csv"
    result = CliRunner().invoke(main, ["export", workshop.code.lower(), "--format", "csv",
                                       "-o", str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("\ufeffround,round_title")
    assert CliRunner().invoke(main, ["export", "ZZZZZZ"]).exit_code != 0


def test_lan_address_is_not_loopback_when_the_machine_has_a_network():
    address = network.lan_address()
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", address)
    assert network.base_url("192.168.1.5", 5000) == "http://192.168.1.5:5000"
    assert network.base_url("::1", 8080) == "http://[::1]:8080"
