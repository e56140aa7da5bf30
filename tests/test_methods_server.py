"""One round of every voting method through a real server; the export equals the engine."""

from __future__ import annotations

import random
import re

import pytest
import requests

from tests.conftest import csrf_of
from workshop.core.voting import get_method

pytestmark = pytest.mark.server
IDEAS = ("Transport collectif", "Logement social", "Aide alimentaire", "Internet abordable",
         "Garderies", "Emploi")
SETTINGS = {"dots": {"dots": 4, "max_per_option": 2}, "approval": {"max_approvals": 3},
            "points": {"points": 100}, "ranking": {"top": 4}, "pairwise": {"pairs": 5}}


class Http:
    """A browser-like session that knows its page's CSRF token."""

    def __init__(self, base: str, path: str) -> None:
        self.base = base
        self.session = requests.Session()
        page = self.session.get(base + path, timeout=10)
        page.raise_for_status()
        self.page = page.text
        self.csrf = csrf_of(page.text)

    def post(self, path: str, body: dict) -> dict:
        answer = self.session.post(self.base + path, json=body, timeout=30,
                                   headers={"X-CSRFToken": self.csrf})
        assert answer.status_code == 200, (path, answer.text)
        return answer.json()

    def get(self, path: str) -> dict:
        return self.session.get(self.base + path, timeout=10).json()


def ballot_for(method, options, rng):
    settings = SETTINGS[method]
    if method == "dots":
        ballot = {}
        for option in rng.sample(options, 3):
            ballot[str(option)] = rng.randint(0, 1)
        return ballot
    if method == "approval":
        return rng.sample(options, rng.randint(0, settings["max_approvals"]))
    if method == "points":
        first, second = rng.sample(options, 2)
        share = rng.randint(0, 100)
        return {str(first): share, str(second): 100 - share}
    if method == "ranking":
        return rng.sample(options, rng.randint(1, settings["top"]))
    raise AssertionError(method)


def test_every_method_end_to_end_matches_the_engine(live_server):
    base = live_server.url
    facilitator = Http(base, "/new")
    created = facilitator.session.post(base + "/new", data={"title": "Méthodes",
                                                            "csrf_token": facilitator.csrf},
                                       allow_redirects=False, timeout=10)
    steer_path = created.headers["Location"].split("?")[0]
    facilitator.page = facilitator.session.get(base + steer_path, timeout=10).text
    code = re.search(r'data-code="([A-Z0-9]+)"', facilitator.page).group(1)
    for text in IDEAS:
        facilitator.post(f"{steer_path}/do/add-idea", {"text": text})
    phones = [Http(base, f"/j/{code}") for _ in range(8)]
    for phone in phones:  # as phone.js does: the page makes nobody a participant
        phone.post(f"/j/{code}/join", {})
    rng = random.Random(3)
    sent: dict[str, list] = {}
    for method in ("dots", "approval", "points", "ranking", "pairwise"):
        answer = facilitator.post(f"{steer_path}/do/open-round",
                                  {"method": method, "title": f"Tour {method}",
                                   **SETTINGS[method]})
        assert answer["ok"]
        options = phones[0].get(f"/j/{code}/state")["round"]["options"]
        sent[method] = []
        for n, phone in enumerate(phones):
            if method == "pairwise":
                judgements = []
                while (pair := phone.get(f"/j/{code}/state")["pair"]) is not None:
                    choice = rng.choice([pair[0], pair[1], None])
                    phone.post(f"/j/{code}/ballot", {"client_id": f"pair-{n}-{len(judgements)}-xx",
                                                     "judgement": [*pair, choice]})
                    judgements.append((pair[0], pair[1], choice))
                assert len(judgements) == SETTINGS[method]["pairs"]
                sent[method].append(judgements)
            else:
                ballot = ballot_for(method, options, rng)
                phone.post(f"/j/{code}/ballot", {"client_id": f"{method}-{n}-xxxx",
                                                 "ballot": ballot})
                sent[method].append(ballot)
        facilitator.post(f"{steer_path}/do/close-round", {})
        exported = facilitator.session.get(f"{base}{steer_path}/export.json", timeout=10).json()
        this_round = exported["votes"][-1]
        assert this_round["method"] == method and this_round["voters"] == len(phones)
        assert this_round["note"]
        engine = get_method(method)
        shaped = [{int(k): v for k, v in b.items()} if isinstance(b, dict) else b
                  for b in sent[method]]
        result = engine.tally([engine.validate(b, options, SETTINGS[method]) for b in shaped],
                              options, SETTINGS[method])
        texts = dict(zip(options, [r for r in IDEAS], strict=True))
        expected = [{"rank": s.rank, "text": texts[s.option], "score": s.score,
                     "supporters": s.supporters} for s in result.standings]
        assert [{key: row[key] for key in ("rank", "text", "score", "supporters")}
                for row in this_round["ranking"]] == expected, method
