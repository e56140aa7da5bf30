"""The permission matrix: every HTTP route and command and every socket event, for every role.

Each row says, for each role, whether the call is allowed or refused; a refused call must
change nothing in the target workshop W (and nothing at all when the caller holds no
facilitator link) and must not show W's private data. The rows are checked against the
app itself: a new route, facilitator command, socket event, socket role or participant
channel without its row makes `test_the_matrix_covers_*` fail.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import g
from sqlalchemy import select

from tests.factories import client_id
from tests.security_support import (
    KIOSK_PIN,
    PRIVATE_MARK,
    ROLES,
    Scene,
    arrange,
    everything,
    http_routes,
    rows_of,
    url_for_role,
)
from workshop import ops
from workshop.live import broadcast
from workshop.live.sockets import socketio
from workshop.store.lookups import ParticipantIds
from workshop.store.models import Activity, Answer, Participant
from workshop.web.facilitator import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
ALLOW, REFUSE = "allow", "refuse"
JSON = {"Accept": "application/json"}


def only(*allowed: str) -> dict[str, str]:
    return {role: ALLOW if role in allowed else REFUSE for role in ROLES}


EVERYONE = only(*ROLES)
# The workshop's own link and a co-facilitator's have the same powers (but one: replacing
# the own link); a moderator's link reaches the moderation page and the ideas' queue only.
FACILITATOR = only("facilitator", "cofacilitator")
MODERATING = only("facilitator", "cofacilitator", "moderator")
JOINED = only("participant")


def voting(db, scene: Scene) -> None:
    ops.open_round(db, scene.w, settings={"dots": 3, "max_per_option": 1})


def closed(db, scene: Scene) -> None:
    voting(db, scene)
    ops.close_round(db, scene.w)


def tickets_printed(db, scene: Scene) -> None:
    scene.ticket = ops.issue_tickets(db, scene.w, 2)[0]


def vote_done(db, scene: Scene) -> None:
    """W's dot vote is closed; `scene.activity` is its step on the agenda."""
    ops.open_round(db, scene.w, settings={"dots": 3, "max_per_option": 1})
    vote = ops.close_round(db, scene.w)
    scene.activity = db.scalar(select(Activity.id).where(Activity.round_id == vote.id))


def merged(db, scene: Scene) -> None:
    """W's idea C is merged into A."""
    ops.merge_ideas(db, scene.w, scene.ideas["C"], scene.ideas["A"])


def paper_printed(db, scene: Scene) -> None:
    """W votes and has two paper ballots printed; `scene.paper` is the first number."""
    voting(db, scene)
    scene.paper = ops.print_paper(db, scene.w, 2)[1][0]


def lobby(db, scene: Scene) -> None:
    ops.open_lobby(db, scene.w)


def planned(db, scene: Scene) -> None:
    """Two steps planned on W's agenda; `scene.activity` is the first."""
    scene.activity = ops.plan_activity(db, scene.w, "ideas", title="Solutions").id
    ops.plan_activity(db, scene.w, "vote", settings={"method": "approval"})


def polling(db, scene: Scene) -> None:
    """W asks a multiple-choice question now; `scene.activity` is it."""
    scene.activity = ops.plan_activity(db, scene.w, "choice",
                                       settings={"choices": ["Oui", "Non"]}).id
    ops.start_activity(db, scene.w, scene.activity)


def written(db, scene: Scene) -> None:
    """W asks an open question and has one answer; `scene.answer` is its id."""
    scene.activity = ops.plan_activity(db, scene.w, "open_question").id
    ops.start_activity(db, scene.w, scene.activity)
    person, _secret = ops.join_workshop(db, scene.w)
    ops.submit_answer(db, scene.w, person, {"text": "Une réponse"}, client_id())
    scene.answer = db.scalar(select(Answer.id).where(Answer.participant_id == person.id))


def timed(db, scene: Scene) -> None:
    """W runs an idea collection with a two-minute timer; `scene.activity` is it."""
    planned(db, scene)
    ops.start_activity(db, scene.w, scene.activity)
    ops.set_timer(db, scene.w, scene.activity, 120)


def supports_open(db, scene: Scene) -> None:
    """W runs an idea collection whose phones may +1 the wall's ideas (A among them)."""
    collection = ops.plan_activity(db, scene.w, "ideas", settings={"supports": True})
    ops.start_activity(db, scene.w, collection.id)


def questions(db, scene: Scene) -> None:
    """W asks the ADS+ Québec questions; `scene.question` is the first."""
    scene.question = ops.add_template_questions(db, scene.w, lambda text: text)[0].id
    ops.open_profiles(db, scene.w)


def consented(db, scene: Scene) -> None:
    """W asks its questions and every participant of W agreed to answer them."""
    questions(db, scene)
    for person in db.scalars(select(Participant).where(Participant.workshop_id == scene.w.id)):
        ops.decide_consent(db, scene.w, person, True)


def projected(db, scene: Scene) -> None:
    """W shows a closed vote's results by group on the projector."""
    questions(db, scene)
    vote = ops.open_round(db, scene.w, settings={"dots": 3, "max_per_option": 3})
    for _n in range(6):
        person, _secret = ops.join_workshop(db, scene.w)
        ops.decide_consent(db, scene.w, person, True)
        ops.answer_profile(db, scene.w, person, {scene.question: "c1"})
        ops.cast_ballot(db, ParticipantIds.of(scene.w, person), {scene.ideas["A"]: 3},
                        client_id())
    ops.close_round(db, scene.w)
    ops.project_groups(db, scene.w, vote.id, scene.question, "groups")


@dataclass(frozen=True)
class Row:
    """Who may make one call, the state W must be in first, and what the call sends."""

    who: dict[str, str]
    prepare: Callable[[Any, Scene], None] | None = None
    body: Callable[[Scene], dict[str, Any]] | None = None
    form: bool = False


def command(body=None, prepare=None, who=FACILITATOR) -> Row:
    return Row(who, prepare, body or (lambda s: {}))


HTTP: dict[str, Row] = {
    "GET /static/<path:filename>": Row(EVERYONE),
    "GET /": Row(EVERYONE),
    "GET /new": Row(EVERYONE),
    "POST /new": Row(EVERYONE, body=lambda s: {"title": "Un autre atelier"}, form=True),
    "POST /join": Row(EVERYONE, body=lambda s: {"code": s.w.code}, form=True),
    "GET /j/<code>": Row(EVERYONE),
    "GET /j/<code>/panel": Row(EVERYONE),
    "GET /j/<code>/state": Row(EVERYONE),
    # A phone's commands: a browser that has not joined W yet joins with its first one.
    "POST /j/<code>/join": Row(EVERYONE),
    "POST /j/<code>/ideas": Row(EVERYONE, body=lambda s: {"text": "Une idée de plus",
                                                           "client_id": client_id()}),
    "POST /j/<code>/ballot": Row(EVERYONE, voting, lambda s: {
        "client_id": client_id(), "ballot": {str(s.ideas["A"]): 1}}),
    "POST /j/<code>/answer": Row(EVERYONE, polling, lambda s: {
        "choice": "1", "client_id": client_id()}),
    "POST /j/<code>/support": Row(EVERYONE, supports_open, lambda s: {
        "idea": s.ideas["A"], "on": True, "client_id": client_id()}),
    "POST /j/<code>/ticket": Row(EVERYONE, tickets_printed, lambda s: {
        "ticket": s.ticket, "client_id": client_id()}),
    # Profiles: consenting joins like any first command; answering needs the consent.
    "GET /j/<code>/profile": Row(EVERYONE),
    "POST /j/<code>/consent": Row(EVERYONE, questions, lambda s: {"agreed": True}),
    "POST /j/<code>/profile": Row(JOINED, consented, lambda s: {
        "answers": {str(s.question): "c1"}}),
    "GET /s/<code>": Row(EVERYONE),
    "GET /f/<secret>": Row(MODERATING),
    "GET /f/<secret>/panel": Row(MODERATING),
    "GET /f/<secret>/export.csv": Row(FACILITATOR),
    "GET /f/<secret>/export.json": Row(FACILITATOR),
    "GET /f/<secret>/export.xlsx": Row(FACILITATOR),
    "GET /f/<secret>/export.pdf": Row(FACILITATOR),
    "GET /f/<secret>/poster-a4.pdf": Row(FACILITATOR),
    "GET /f/<secret>/poster-a4.png": Row(FACILITATOR),
    "GET /f/<secret>/poster-letter.pdf": Row(FACILITATOR),
    "GET /f/<secret>/poster-letter.png": Row(FACILITATOR),
    "GET /f/<secret>/tents-a4.pdf": Row(FACILITATOR),
    "GET /f/<secret>/tents-letter.pdf": Row(FACILITATOR),
    "GET /f/<secret>/ballots.csv": Row(FACILITATOR),
    "GET /f/<secret>/profiles": Row(FACILITATOR),
    "GET /f/<secret>/groups.json": Row(FACILITATOR),
    "GET /f/<secret>/groups.csv": Row(FACILITATOR),
    "GET /f/<secret>/results": Row(FACILITATOR),
    "POST /f/<secret>/tickets": Row(FACILITATOR, body=lambda s: {"count": 3}),
    "POST /f/<secret>/duplicate": Row(FACILITATOR, body=lambda s: {}),
    "POST /f/<secret>/do/rename": command(lambda s: {"title": "Pris en otage"}),
    "POST /f/<secret>/do/open-lobby": command(),
    "POST /f/<secret>/do/open-ideas": command(prepare=lobby),
    "POST /f/<secret>/do/open-round": command(lambda s: {"dots": 3, "max_per_option": 1}),
    "POST /f/<secret>/do/close-round": command(prepare=voting),
    "POST /f/<secret>/do/show-live": command(lambda s: {"show": False}, voting),
    "POST /f/<secret>/do/reveal": command(lambda s: {"reveal": True}, closed),
    "POST /f/<secret>/do/add-idea": command(lambda s: {"text": "Injectée"}),
    "POST /f/<secret>/do/approve": command(lambda s: {"idea": s.ideas["C"]}, who=MODERATING),
    "POST /f/<secret>/do/hide": command(lambda s: {"idea": s.ideas["A"]}, who=MODERATING),
    "POST /f/<secret>/do/edit": command(lambda s: {"idea": s.ideas["A"], "text": "Modifiée"}),
    "POST /f/<secret>/do/merge": command(lambda s: {"idea": s.ideas["C"],
                                                    "into": s.ideas["A"]}, who=MODERATING),
    "POST /f/<secret>/do/unmerge": command(lambda s: {"idea": s.ideas["C"]}, merged,
                                           who=MODERATING),
    "POST /f/<secret>/do/import-ideas": command(lambda s: {"csv": "priorité\nInjectée"}),
    "POST /f/<secret>/do/approve-ideas": command(lambda s: {"ideas": [s.ideas["C"]]},
                                                 who=MODERATING),
    "POST /f/<secret>/do/auto-approve": command(lambda s: {"on": True, "blocklist": "con"}),
    # The list of themes and the wall's grouping are settings; an idea's theme is queue work.
    "POST /f/<secret>/do/set-themes": command(lambda s: {"group": True,
                                                         "themes": "Logement\nTransport"}),
    "POST /f/<secret>/do/set-theme": command(lambda s: {"idea": s.ideas["A"],
                                                        "theme": "Logement"}, who=MODERATING),
    "POST /f/<secret>/do/plan-ready-agenda": command(),
    "POST /f/<secret>/do/plan-solutions": command(lambda s: {"activity": s.activity,
                                                             "count": 2}, vote_done),
    "POST /f/<secret>/do/plan-activity": command(lambda s: {
        "kind": "ideas", "title": "Solutions", "prompt": "Quelles solutions?"}),
    "POST /f/<secret>/do/edit-activity": command(lambda s: {
        "activity": s.activity, "title": "Modifiée", "prompt": "Autre question"}, planned),
    "POST /f/<secret>/do/remove-activity": command(lambda s: {"activity": s.activity},
                                                   planned),
    "POST /f/<secret>/do/move-activity": command(lambda s: {"activity": s.activity,
                                                            "direction": "down"}, planned),
    "POST /f/<secret>/do/start-activity": command(lambda s: {"activity": s.activity},
                                                  planned),
    "POST /f/<secret>/do/start-next": command(prepare=planned),
    "POST /f/<secret>/do/close-activity": command(),
    "POST /f/<secret>/do/reveal-poll": command(lambda s: {"reveal": True}, polling),
    "POST /f/<secret>/do/hide-answer": command(lambda s: {"answer": s.answer, "hidden": True},
                                               written),
    "POST /f/<secret>/do/set-timer": command(lambda s: {
        "activity": s.activity, "seconds": 300, "auto_close": True}, planned),
    "POST /f/<secret>/do/extend-timer": command(lambda s: {"seconds": 60}, timed),
    "POST /f/<secret>/do/stop-timer": command(prepare=timed),
    "POST /f/<secret>/do/add-profile-template": command(),
    "POST /f/<secret>/do/add-profile-question": command(lambda s: {
        "text": "Quel âge avez-vous ?", "choices": ["Moins de 30 ans", "30 ans et plus"]}),
    "POST /f/<secret>/do/edit-profile-question": command(lambda s: {
        "question": s.question, "text": "Genre", "choices": ["F", "H", "X"]}, questions),
    "POST /f/<secret>/do/remove-profile-question": command(lambda s: {"question": s.question},
                                                           questions),
    "POST /f/<secret>/do/set-group-size": command(lambda s: {"size": 7}),
    "POST /f/<secret>/do/open-profiles": command(lambda s: {"open": False}, questions),
    "POST /f/<secret>/do/set-retention": command(lambda s: {"days": 30}),
    "POST /f/<secret>/do/purge": command(lambda s: {"confirm": s.w.code}),
    "POST /f/<secret>/do/project-groups": command(lambda s: {"view": "off"}, projected),
    "POST /f/<secret>/do/set-expected-shares": command(lambda s: {
        "question": s.question, "shares": "A woman;51"}, questions),
    # Kiosks, helpers and paper ballots: the facilitator makes the links and prints; only
    # the tablet started with W's kiosk link votes at it, only W's helper link enters paper.
    "POST /f/<secret>/kiosks": Row(FACILITATOR, body=lambda s: {"pin": "1357"}),
    "POST /f/<secret>/helpers": Row(FACILITATOR, body=lambda s: {"label": "Bénévole"}),
    "POST /f/<secret>/paper": Row(FACILITATOR, voting, lambda s: {"count": 2}),
    "POST /f/<secret>/do/revoke-device": command(lambda s: {"device": s.devices["helper"][0]}),
    # Co-facilitator and moderator links: made by either facilitator; the workshop's own
    # link is replaced only by itself.
    "POST /f/<secret>/links": Row(FACILITATOR, body=lambda s: {"kind": "moderator",
                                                               "label": "Bénévole"}),
    "POST /f/<secret>/rotate": Row(only("facilitator"), body=lambda s: {}),
    "GET /k/<token>": Row(only("kiosk")),
    "POST /k/<token>": Row(only("kiosk")),
    "GET /kiosk": Row(only("kiosk")),
    "POST /kiosk/ballot": Row(only("kiosk"), voting, lambda s: {
        "client_id": client_id(), f"dots-{s.ideas['A']}": 1}),
    "POST /kiosk/leave": Row(only("kiosk"), body=lambda s: {"pin": KIOSK_PIN}),
    "GET /h/<token>": Row(only("helper")),
    "POST /h/<token>/entry": Row(only("helper"), paper_printed, lambda s: {
        "number": s.paper, "client_id": client_id(), f"dots-{s.ideas['A']}": 1}),
}

# Socket events: (event, role asked in `join`). "*" is any event nobody handles.
SOCKET: dict[tuple[str, str | None], dict[str, str]] = {
    ("connect", None): EVERYONE,
    ("join", "phone"): EVERYONE,
    ("join", "screen"): EVERYONE,
    ("join", "facilitator"): FACILITATOR,
    ("join", "moderator"): only("moderator"),
    ("ballot", None): JOINED,
    ("step", None): JOINED,  # a phone's next pair in a pairwise round
    ("disconnect", None): EVERYONE,
    ("*", None): only(),
}


def socket_roles() -> set[str]:
    """The roles `join` accepts, read from events.on_join and broadcast's audiences."""
    tree = ast.parse((ROOT / "workshop" / "web" / "events.py").read_text())
    roles: set[str] = set(getattr(broadcast, "AUDIENCES", {}))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "on_join":
            for compare in ast.walk(node):
                if isinstance(compare, ast.Compare) and isinstance(compare.left, ast.Name) \
                        and compare.left.id == "role":
                    for side in compare.comparators:
                        roles.update(c.value for c in ast.walk(side)
                                     if isinstance(c, ast.Constant) and isinstance(c.value, str))
    return roles


def participant_channels() -> set[str]:
    """Every kind of participant the code creates or tests for (Participant.channel)."""
    found: set[str] = set()
    for path in (ROOT / "workshop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "channel" and \
                    isinstance(node.value, ast.Constant):
                found.add(node.value.value)
            elif isinstance(node, ast.arguments):
                named = node.args[len(node.args) - len(node.defaults):]
                for arg, default in zip(named, node.defaults, strict=True):
                    if arg.arg == "channel" and isinstance(default, ast.Constant):
                        found.add(default.value)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and \
                    node.target.id == "channel" and isinstance(node.value, ast.Call):
                found.update(k.value.value for k in node.value.keywords
                             if k.arg == "default" and isinstance(k.value, ast.Constant))
            elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and \
                    node.left.attr == "channel":
                found.update(c.value for c in node.comparators if isinstance(c, ast.Constant))
    return {value for value in found if isinstance(value, str)}


# --- the matrix covers the app ----------------------------------------------------------

def test_the_matrix_covers_every_http_route_and_command(app):
    routes = http_routes(app)
    assert routes - set(HTTP) == set(), "routes without a row in the permission matrix"
    assert set(HTTP) - routes == set(), "rows for routes that no longer exist"
    assert all(set(row.who) == set(ROLES) for row in HTTP.values())


def test_the_matrix_covers_every_socket_event_and_role(app):
    handled = set(socketio.server.handlers["/"])
    assert handled == {event for event, _role in SOCKET}, "socket events without a row"
    assert socket_roles() == {role for event, role in SOCKET if event == "join"}, \
        "a socket role without its row: add it to SOCKET (and to ROLES if it is a new caller)"
    assert all(set(who) == set(ROLES) for who in SOCKET.values())


def test_every_kind_of_participant_has_a_column():
    # Phones, kiosk voters and paper sheets. A new channel needs its role in ROLES
    # (tests/security_support.py) and its column in HTTP and SOCKET.
    assert participant_channels() == {"phone", "kiosk", "paper"}


# --- every HTTP cell --------------------------------------------------------------------

@pytest.mark.parametrize("route", sorted(HTTP))
def test_http_permission_matrix(app, db, route):
    """Every role calls every route on a scene as arranged. A refused call must leave
    everything as it was, so the next role reuses that scene (every role has a browser of
    its own in it); after an allowed call, or one that reached another workshop, the next
    role gets a fresh scene. (A scene per role made this the slowest part of the fast loop.)"""
    row = HTTP[route]
    method = route.split(" ", 1)[0]
    scene = None
    for role in ROLES:
        if scene is None:
            scene = arrange(app, db)
            if row.prepare:
                row.prepare(db, scene)
            before_w, before_all = rows_of(db, scene.w.id), everything(db)
        browser = scene.browsers[role]
        url = url_for_role(route, scene, role)
        if method == "GET":
            answer = browser.get(url)
        else:
            body = row.body(scene) if row.body else {}
            answer = (browser.post(url, data=body) if row.form
                      else browser.post(url, json=body, headers={"Accept": "application/json"}))
        text = answer.get_data().decode("utf-8", "replace")  # PDF, XLSX, PNG are bytes
        answer.close()
        cell = f"{route} as {role}: {answer.status_code}"
        if method == "GET":  # a page, a link preview or a crawler: nothing is written
            assert everything(db) == before_all, cell + ": a GET changed something"
        if row.who[role] == ALLOW:
            assert answer.status_code < 400, cell + " " + text[:300]
            joined_again = route == "POST /j/<code>/join" and role == "participant"
            if method == "POST" and not joined_again and (
                    "/do/" in route or route.startswith("POST /j/") or route.endswith("/tickets")
                    or route.endswith(("/ballot", "/entry", "/kiosks", "/helpers", "/paper",
                                       "/links", "/rotate"))):
                assert rows_of(db, scene.w.id) != before_w, cell + ": allowed but no effect"
            scene = None
            continue
        assert rows_of(db, scene.w.id) == before_w, cell + ": a refused call changed W"
        assert PRIVATE_MARK not in text, cell + ": W's private data leaked"
        if role == "facilitator_elsewhere" and "/f/<secret>" in route:
            # Their own link only ever reaches their own workshop, whatever the ids sent.
            scene = None
            continue
        assert answer.status_code in (400, 403, 404, 405), cell
        assert everything(db) == before_all, cell + ": a refused call changed something"


# --- every socket cell ------------------------------------------------------------------

def received(sio, event: str) -> list[dict]:
    return [m["args"][0] for m in sio.get_received() if m["name"] == event]


@pytest.mark.parametrize("key", sorted(SOCKET, key=str))
def test_socket_permission_matrix(app, db, key):
    event, join_role = key
    scene = None
    for role in ROLES:
        # Events that must change nothing ("*", connect, disconnect: asserted below) leave
        # the scene to the next role; the others arrange one per role.
        if scene is None or event not in ("*", "connect", "disconnect"):
            scene = arrange(app, db)
        before_w = rows_of(db, scene.w.id)
        sio = socketio.test_client(app, flask_test_client=scene.browsers[role])
        try:
            cell = f"{event}:{join_role} as {role}"
            if event == "join":
                answer = sio.emit("join", {"code": scene.w.code, "role": join_role,
                                           "secret": scene.secret_for(role)}, callback=True)
                assert answer["ok"] is (SOCKET[key][role] == ALLOW), (cell, answer)
                sio.get_received()
                ops.rename_workshop(db, scene.w, "Renommé pour voir qui l'apprend")
                ops.add_idea(db, scene.w, "Ajoutée pour voir qui l'apprend")
                app.extensions["workshop.broadcaster"].flush()
                pushed = sio.get_received()
                names = {m["name"] for m in pushed}
                if SOCKET[key][role] == ALLOW:
                    audience = {"phone": "workshop_changed", "screen": "screen_changed",
                                "facilitator": "facilitator_changed",
                                "moderator": "moderator_changed"}[join_role]
                    assert audience in names, cell
                else:
                    assert pushed == [] and answer["error"] in ("forbidden",), cell
                    assert PRIVATE_MARK not in str(answer), cell
                continue
            if event == "ballot":
                voting(db, scene)
                before_w = rows_of(db, scene.w.id)
                sio.emit("join", {"code": scene.w.code, "role": "phone"}, callback=True)
                answer = sio.emit("ballot", {"client_id": client_id(),
                                             "ballot": {str(scene.ideas["A"]): 1}},
                                  callback=True)
                if SOCKET[key][role] == ALLOW:
                    assert answer["ok"] is True, (cell, answer)
                    assert rows_of(db, scene.w.id) != before_w, cell + ": allowed, no effect"
                else:
                    assert answer == {**answer, "ok": False, "error": "not_joined"}, cell
                    assert rows_of(db, scene.w.id) == before_w, cell
                continue
            if event == "step":
                ops.open_round(db, scene.w, method="pairwise", settings={"pairs": 2})
                before_w = rows_of(db, scene.w.id)
                sio.emit("join", {"code": scene.w.code, "role": "phone"}, callback=True)
                answer = sio.emit("step", {}, callback=True)
                if SOCKET[key][role] == ALLOW:
                    assert answer["ok"] is True and len(answer["pair"]) == 2, (cell, answer)
                    assert set(answer["pair"]) <= set(scene.ideas.values()), cell
                else:
                    assert answer == {**answer, "ok": False, "error": "not_joined"}, cell
                    assert "pair" not in answer, cell
                assert rows_of(db, scene.w.id) == before_w, cell  # a step only reads
                continue
            if event == "*":
                for name in (*COMMANDS, "close_round", "cast_ballot", "set_phase", "message"):
                    sio.emit(name, {"code": scene.w.code, "secret": scene.secret_for(role),
                                    "idea": scene.ideas["C"], "title": "Pris en otage"})
                assert rows_of(db, scene.w.id) == before_w, cell
            if event == "connect":  # anyone may connect; only joining says who they are
                assert sio.is_connected(), cell
                assert app.extensions["workshop.broadcaster"].connected_phones(
                    scene.w.code) == 0, cell
                assert sio.get_received() == [], cell
                assert rows_of(db, scene.w.id) == before_w, cell
            if event == "disconnect":
                sio.emit("join", {"code": scene.w.code, "role": "phone"}, callback=True)
                sio.disconnect()
                assert app.extensions["workshop.broadcaster"].connected_phones(
                    scene.w.code) == 0, cell
                assert rows_of(db, scene.w.id) == before_w, cell
        finally:
            if sio.is_connected():
                sio.disconnect()


# --- CSRF on every state-changing route -------------------------------------------------

@pytest.mark.parametrize("route", sorted(r for r in HTTP if r.startswith("POST ")))
def test_every_state_changing_route_needs_the_csrf_token(app, db, route):
    """A page on another site cannot post with our visitors' cookies: without the session's
    token every POST is refused and changes nothing; with it, the same call goes through."""
    row = HTTP[route]
    role = next(r for r in ROLES if row.who[r] == ALLOW)
    scene = arrange(app, db)
    app.config["WTF_CSRF_ENABLED"] = True  # after the scene's browsers joined
    if row.prepare:
        row.prepare(db, scene)
    browser = scene.browsers[role]
    # The db fixture's app context outlives requests, and Flask-WTF caches the token of the
    # last page drawn in `g`: forget it, so that this browser's page makes its own.
    g.pop("csrf_token", None)
    page = browser.get("/" if "<code>" not in route else f"/j/{scene.w.code}")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))
    url = url_for_role(route, scene, role)
    before = everything(db)
    for headers in ({}, {"X-CSRFToken": "forged"}, {"Origin": "http://evil.example"}):
        body = row.body(scene) if row.body else {}
        answer = (browser.post(url, data=body, headers={**headers, **JSON}) if row.form
                  else browser.post(url, json=body, headers={**headers, **JSON}))
        assert answer.status_code == 400 and answer.json["error"] == "csrf", (route, headers)
    assert everything(db) == before, route
    body = row.body(scene) if row.body else {}
    answer = (browser.post(url, data=body, headers={"X-CSRFToken": token.group(1)})
              if row.form else browser.post(url, json=body, headers={
                  "X-CSRFToken": token.group(1), **JSON}))
    assert answer.status_code < 400, (route, answer.get_data(as_text=True)[:200])
