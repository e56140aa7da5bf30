"""Anonymised ballots export and `workshop recount`: the same ranking as the app, every method."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from tests.factories import client_id, ids_of, workshop_with_ideas
from workshop import ops
from workshop.cli import main
from workshop.core import export
from workshop.store import views
from workshop.store.report import day_report

TEXTS = ("Transport", "Logement", "=Alimentation", "Internet", "Garderies")


def random_ballot(method, options, settings, rng):
    if method == "dots":
        ballot = {}
        for _ in range(rng.randint(0, settings["dots"])):
            option = rng.choice(options)
            if ballot.get(option, 0) < settings["max_per_option"]:
                ballot[option] = ballot.get(option, 0) + 1
        return ballot
    if method == "approval":
        return rng.sample(options, rng.randint(0, len(options)))
    if method == "points":
        left, ballot = settings["points"], {}
        for option in rng.sample(options, rng.randint(0, len(options))):
            ballot[option] = rng.randint(0, left)
            left -= ballot[option]
        return ballot
    if method == "ranking":
        most = settings.get("top") or len(options)
        return rng.sample(options, rng.randint(0, min(most, len(options))))
    raise AssertionError(method)


def vote_round(db, workshop, method, settings, voters, rng):
    vote = ops.open_round(db, workshop, method=method, settings=settings)
    for _ in range(voters):
        person, _ = ops.join_workshop(db, workshop)
        if method == "pairwise":
            while (pair := views.next_step_for(db, vote, person.id)) is not None:
                choice = rng.choice([pair[0], pair[1], None])
                judgement = (pair[0], pair[1], choice)
                ops.cast_ballot(db, ids_of(workshop, person), judgement, client_id())
        else:
            ballot = random_ballot(method, vote.options, vote.settings, rng)
            ops.cast_ballot(db, ids_of(workshop, person), ballot, client_id())
    ops.close_round(db, workshop)
    return vote


@pytest.mark.parametrize("method,settings", [
    ("dots", {"dots": 3, "max_per_option": 2}), ("approval", {}), ("points", {"points": 100}),
    ("ranking", {}), ("ranking", {"top": 3}), ("pairwise", {"pairs": 4})])
def test_recount_of_exported_ballots_reproduces_the_apps_ranking(db, tmp_path, method,
                                                                 settings):
    workshop, _secret, _ideas = workshop_with_ideas(db, TEXTS)
    vote_round(db, workshop, method, settings, voters=12, rng=random.Random(7))
    official = [{"number": v["number"], "title": v["title"], "method": v["method"],
                 "settings": v["settings"], "status": v["status"], "voters": v["voters"],
                 "ranking": [{k: row[k] for k in ("rank", "text", "score", "supporters")}
                             for row in v["ranking"]]}
                for v in day_report(db, workshop)["votes"]]
    ballots_csv = export.render_ballots(views.export_ballots(db, workshop))
    assert "participant" not in ballots_csv.splitlines()[0]
    path = tmp_path / "ballots.csv"
    path.write_text(ballots_csv, encoding="utf-8")
    result = CliRunner().invoke(main, ["recount", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == official
    table = CliRunner().invoke(main, ["recount", str(path)])
    assert table.exit_code == 0 and "=Alimentation" in table.output


def test_recount_refuses_a_tampered_ballot(db, tmp_path):
    workshop, _secret, ideas = workshop_with_ideas(db, TEXTS)
    vote_round(db, workshop, "dots", {"dots": 1, "max_per_option": 1}, 3, random.Random(1))
    text = export.render_ballots(views.export_ballots(db, workshop))
    lines = text.splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + f',"{{""{ideas[0].id}"": 9}}"'
    path = tmp_path / "ballots.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = CliRunner().invoke(main, ["recount", str(path)])
    assert result.exit_code != 0 and "line 2" in result.output


def test_recount_refuses_a_file_that_is_not_a_ballots_export(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["recount", str(path)])
    assert result.exit_code != 0 and "missing columns" in result.output
