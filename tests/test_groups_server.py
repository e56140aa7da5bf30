"""A real server, 150 participants with a known profile mix: the results by group, the
ranking where each group counts equally and the lowest support in a group, as exported,
equal what this test computes itself from the ballots it sent."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

import pytest
import requests

from tests.conftest import Facilitator, join_over_http

pytestmark = pytest.mark.server

PEOPLE = 150


def profile_of(n: int) -> tuple[str, str]:
    """Gender (100 women, 40 men, 10 prefer not to say) and lived experience of poverty
    (every third person of the 140 who said their gender, the same 10 prefer not to say)."""
    gender = "c1" if n < 100 else "c2" if n < 140 else "prefer_not"
    lived = "prefer_not" if n >= 140 else "c1" if n % 3 == 0 else "c2"
    return gender, lived


def ballot_of(n: int, ideas: list[int]) -> dict[int, int]:
    """Three dots: women put two on the first idea, men all three on the third (so that
    with each group counting equally the third comes first), those with lived experience
    put their last dot on the second."""
    gender, lived = profile_of(n)
    if gender == "c2":
        return {ideas[2]: 3}
    first = ideas[0] if gender == "c1" else ideas[3]
    dots = {first: 2}
    other = ideas[1] if lived == "c1" else ideas[n % 4]
    dots[other] = dots.get(other, 0) + 1
    return dots


def ranks(scores: dict[int, Fraction]) -> dict[int, int]:
    """Competition ranks (1, 2, 2, 4) by descending score."""
    return {idea: 1 + sum(1 for other in scores.values() if other > score)
            for idea, score in scores.items()}


def test_results_by_group_of_150_participants_are_what_the_ballots_say(live_server):
    base = live_server.url
    facilitator = Facilitator(base, "Journée ADS+")
    for text in ("Logement", "Transport", "Alimentation", "Revenu"):
        facilitator.steer("add-idea", {"text": text})
    facilitator.steer("add-profile-template")
    facilitator.steer("open-profiles", {"open": True})
    facilitator.steer("open-round", {"method": "dots", "dots": 3, "max_per_option": 3})
    state = requests.get(f"{base}/j/{facilitator.code}/state", timeout=10).json()
    ideas = state["round"]["options"]
    groups_page = facilitator.http.get(f"{base}{facilitator.path}/profiles", timeout=10).text
    question_ids = sorted({int(v) for v in __import__("re").findall(
        r'name="question" value="(\d+)"', groups_page)})
    gender_q, lived_q = question_ids[0], question_ids[3]

    sent = {}
    for n in range(PEOPLE):
        phone = requests.Session()
        token = join_over_http(phone, base, facilitator.code)
        headers = {"X-CSRFToken": token, "Accept": "application/json"}
        assert phone.post(f"{base}/j/{facilitator.code}/consent", json={"agreed": True},
                          headers=headers, timeout=10).json()["ok"]
        gender, lived = profile_of(n)
        answer = phone.post(f"{base}/j/{facilitator.code}/profile", headers=headers,
                            json={"answers": {str(gender_q): gender, str(lived_q): lived}},
                            timeout=10)
        assert answer.json() == {"ok": True}, answer.text
        sent[n] = ballot_of(n, ideas)
        cast = phone.post(f"{base}/j/{facilitator.code}/ballot", headers=headers, timeout=10,
                          json={"client_id": f"client-{n:06d}-groups",
                                "ballot": {str(k): v for k, v in sent[n].items()}})
        assert cast.json()["ok"], cast.text
    facilitator.steer("close-round")
    exported = facilitator.http.get(f"{base}{facilitator.path}/groups.json", timeout=30).json()
    vote = exported["votes"][0]
    by_question = {q["question"]: q for q in vote["questions"]}

    for question, answer_of in ((gender_q, lambda n: profile_of(n)[0]),
                                (lived_q, lambda n: profile_of(n)[1])):
        found = by_question[question]
        members = {}
        for n in range(PEOPLE):
            members.setdefault(answer_of(n), []).append(n)
        shown = [key for key in ("c1", "c2") if key in members]
        assert [g["key"] for g in found["groups"]] == shown
        assert [g["voters"] for g in found["groups"]] == [len(members[k]) for k in shown]
        assert found["hidden_voters"] == 10  # the ten who preferred not to say
        rows = {row["idea"]: row for row in found["rows"]}
        # each group's ranking, from the dots its members sent
        for position, key in enumerate(shown):
            scores = {idea: Fraction(sum(sent[n].get(idea, 0) for n in members[key]))
                      for idea in ideas}
            assert {idea: rows[idea]["groups"][position] for idea in ideas} == ranks(scores)
        # each group counts equally: the shown groups share their voters' weight equally
        total = sum(len(members[k]) for k in shown)
        weight = {n: Fraction(total, len(shown) * len(members[answer_of(n)]))
                  if answer_of(n) in shown else Fraction(1) for n in range(PEOPLE)}
        equal = {idea: sum(weight[n] * sent[n].get(idea, 0) for n in range(PEOPLE))
                 for idea in ideas}
        assert {idea: rows[idea]["equal_rank"] for idea in ideas} == ranks(equal)
        if question == gender_q:  # the 40 men weigh as much as the 100 women
            assert rows[ideas[0]]["rank"] == 1 and rows[ideas[2]]["equal_rank"] == 1
        # the lowest share of a shown group's voters giving the idea any dot
        for idea in ideas:
            lowest = min(Fraction(sum(1 for n in members[k] if sent[n].get(idea)),
                                  len(members[k])) for k in shown)
            assert rows[idea]["consensus"] == round(float(lowest), 3)

    spreadsheet = facilitator.http.get(f"{base}{facilitator.path}/groups.csv", timeout=30)
    table = list(csv.reader(io.StringIO(spreadsheet.text.lstrip("\ufeff"))))
    assert {row[3] for row in table[1:]} == {"Tout le monde", "Une femme", "Un homme", "Oui",
                                             "Non", "Chaque groupe compte autant"}
