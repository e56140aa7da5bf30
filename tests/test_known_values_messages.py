"""What a refused ballot or setting reads like, in French and in English.

A refusal starts in the pure core (a BallotError with its code and parameters), goes
through the ballot writer's reading (ops/ballots.py) and is worded by web/i18n.py. The
expected sentences are the catalogs' texts with the parameters filled in by hand: a
refusal that loses its cap or budget shows here as a garbled or wrong sentence.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.test_i18n import compile_catalogs
from workshop.core.activities import get_kind
from workshop.core.errors import Refused
from workshop.ops.ballots import _read, _Round
from workshop.store.lookups import ParticipantIds
from workshop.web import i18n

VOTER = ParticipantIds(1, "ABCD", 1, "phone")
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def app():
    compile_catalogs()
    app = Flask("workshop")
    app.config.update(SECRET_KEY="t", BABEL_DEFAULT_LOCALE="fr", LANGUAGES=("fr", "en"))
    i18n.init_app(app)
    return app


def ballot_refusal(method, settings, ballot, options=(1, 2, 3)) -> Refused:
    vote = _Round(5, True, method, list(options), settings, False)
    with pytest.raises(Refused) as caught:
        _read(vote, {}, VOTER, ballot, "t")
    return caught.value


def worded(app, error: Refused) -> dict[str, str]:
    said = {}
    for lang in ("fr", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            said[lang] = i18n.refusal_message(error)
    return said


def test_too_many_dots_on_one_priority(app):
    error = ballot_refusal("dots", {"dots": 5, "max_per_option": 2}, {1: 3})
    assert (error.code, error.params) == ("bad_ballot", {"reason": "over_cap", "method": "dots",
                                                         "option": 1, "cap": 2})
    assert worded(app, error) == {"fr": "Au maximum 2 pastilles sur une même priorité.",
                                  "en": "At most 2 dots on one priority."}
    one = ballot_refusal("dots", {"dots": 5, "max_per_option": 1}, {1: 2})
    assert worded(app, one) == {"fr": "Au maximum 1 pastille sur une même priorité.",
                                "en": "At most 1 dot on one priority."}


def test_more_dots_than_the_budget(app):
    error = ballot_refusal("dots", {"dots": 3, "max_per_option": 3}, {1: 2, 2: 2})
    assert error.params == {"reason": "over_budget", "method": "dots", "budget": 3}
    assert worded(app, error) == {"fr": "Vous avez mis plus de pastilles que vous en avez (3).",
                                  "en": "You used more dots than you have (3)."}


def test_more_points_than_the_budget(app):
    error = ballot_refusal("points", {"points": 10}, {1: 6, 2: 5})
    assert error.params == {"reason": "over_budget", "method": "points", "budget": 10}
    assert worded(app, error) == {"fr": "Vous avez donné plus de points que vous en avez (10).",
                                  "en": "You gave more points than you have (10)."}
    count = ballot_refusal("points", {}, {1: -4})
    assert worded(app, count) == {
        "fr": "Les points doivent être des nombres entiers, comme 0, 10 ou 25.",
        "en": "Points must be whole numbers."}


@pytest.mark.parametrize(("method", "settings", "ballot"), [
    ("approval", {"max_approvals": 1}, [1, 2]),
    ("ranking", {"top": 2}, [3, 2, 1]),
    ("pairwise", {"pairs": 1}, (1, 2, 1)),
])
def test_too_many_choices(app, method, settings, ballot):
    if method == "pairwise":  # a phone sends one judgement; the stored one counts first
        vote = _Round(5, True, method, [1, 2, 3], settings, False)
        stored = {(5, VOTER.participant_id): [(2, 3, None)]}
        with pytest.raises(Refused) as caught:
            _read(vote, stored, VOTER, ballot, "t")
        error = caught.value
    else:
        error = ballot_refusal(method, settings, ballot)
    cap = next(iter(settings.values()))
    assert error.params == {"reason": "too_many", "method": method, "cap": cap}
    assert worded(app, error) == {"fr": "Votre vote contient trop de choix pour ce tour.",
                                  "en": "Your ballot has too many choices for this vote."}


def test_a_priority_twice_or_not_in_the_vote(app):
    twice = ballot_refusal("approval", {}, [2, 2])
    assert twice.params == {"reason": "duplicate_option", "method": "approval", "option": 2}
    assert worded(app, twice) == {"fr": "La même priorité apparaît deux fois dans votre vote.",
                                  "en": "The same priority appears twice in your ballot."}
    unknown = ballot_refusal("ranking", {}, [9])
    assert unknown.params == {"reason": "unknown_option", "method": "ranking", "option": 9}
    assert worded(app, unknown) == {
        "fr": "Une de ces priorités ne fait pas partie de ce vote.",
        "en": "One of these priorities is not part of this vote."}


@pytest.mark.parametrize(("method", "settings", "named_fr", "named_en", "high"), [
    ("dots", {"dots": 101}, "le nombre de pastilles par personne",
     "the number of dots per person", 100),
    ("dots", {"max_per_option": 0}, "le nombre de pastilles sur une même priorité",
     "the number of dots on one priority", 100),
    ("points", {"points": 0}, "le nombre de points par personne",
     "the number of points per person", 10000),
    ("approval", {"max_approvals": 1001}, "le nombre de priorités qu'on peut cocher",
     "the number of priorities one can tick", 1000),
    ("ranking", {"top": 0}, "le nombre de priorités à classer",
     "the number of priorities to rank", 1000),
    ("pairwise", {"pairs": 201}, "le nombre de comparaisons par personne",
     "the number of comparisons per person", 200),
])
def test_a_vote_setting_out_of_bounds(app, method, settings, named_fr, named_en, high):
    with pytest.raises(Refused) as caught:
        get_kind("vote").check_settings({"method": method, "method_settings": settings})
    error = caught.value
    assert (error.code, error.params) == ("bad_setting", {"setting": next(iter(settings)),
                                                          "low": 1, "high": high})
    assert worded(app, error) == {
        "fr": f"Les réglages du vote ne sont pas bons{NBSP}: {named_fr} doit être entre 1 "
              f"et {high}.",
        "en": f"The vote settings are not valid: {named_en} must be between 1 and {high}."}
