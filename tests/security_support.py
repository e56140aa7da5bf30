"""Shared by the security tests: a workshop arranged for every command, and its rows as text.

`Scene` holds two workshops (W, the target, and W2, somebody else's) and one browser per
role. `rows_of` dumps everything the database holds about one workshop, so that a test can
prove that a refused call changed nothing. `http_routes` lists every route the app answers
and `url_for_role` the address a role calls for one (the permission matrix, the fuzzer and
the policy check all walk them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import join_phone
from tests.factories import client_id
from workshop import ops
from workshop.core.export.poster import PAPERS
from workshop.store.models import (
    Activity,
    Answer,
    Ballot,
    Device,
    Idea,
    PaperEntry,
    Participant,
    ProfileAnswer,
    ProfileConsent,
    ProfileQuestion,
    Receipt,
    Round,
    Ticket,
    Workshop,
)
from workshop.web.exports import FILES, PRINTS
from workshop.web.facilitator import COMMANDS

# Who can be asking. A new kind of participant or screen (a kiosk, a paper-ballot helper)
# must be added here and given its column in every matrix (tests/test_permissions.py).
ROLES = ("nobody", "participant", "participant_elsewhere", "facilitator",
         "facilitator_elsewhere", "kiosk", "helper", "cofacilitator", "moderator")
KIOSK_PIN = "246810"

PRIVATE_MARK = "Marqueur-privé-W"  # a pending idea of W: only W's facilitator may see it


@dataclass
class Scene:
    """Two workshops and a browser for each role; ids of W's ideas."""

    app: Flask
    w: Workshop
    secret: str
    w2: Workshop
    secret2: str
    ideas: dict[str, int]
    browsers: dict[str, FlaskClient]
    # W's kiosk, helper, co-facilitator and moderator links: (device id, token)
    devices: dict[str, tuple[int, str]]

    def secret_for(self, role: str) -> str:
        """The facilitator link a role would use: its own, or its best guess at W's."""
        if role == "facilitator":
            return self.secret
        if role == "facilitator_elsewhere":
            return self.secret2
        if role in ("cofacilitator", "moderator"):  # the link W's facilitator gave them
            return self.devices[role][1]
        # A guess one character away from the real link.
        return self.secret[:-1] + ("A" if self.secret[-1] != "A" else "B")

    def token_for(self, role: str, kind: str) -> str:
        """The kiosk or helper link a role would use: W's own (the kiosk or the helper
        asking for its kind), else a guess one character away from it."""
        token = self.devices[kind][1]
        if role == kind:
            return token
        return token[:-1] + ("A" if token[-1] != "A" else "B")


def arrange(app: Flask, db) -> Scene:
    """W and W2 collecting ideas: two approved ideas and one pending each; browsers."""
    w, secret = ops.create_workshop(db, "Atelier-W")
    w2, secret2 = ops.create_workshop(db, "Atelier-Autre")
    ideas = {}
    for workshop, mark in ((w, "W"), (w2, "Autre")):
        a = ops.add_idea(db, workshop, f"{mark}-idée-A")
        b = ops.add_idea(db, workshop, f"{mark}-idée-B")
        ops.open_ideas(db, workshop)
        author, _ = ops.join_workshop(db, workshop)
        text = PRIVATE_MARK if workshop is w else "Autre-en-attente"
        pending = ops.submit_idea(db, workshop, author, text, client_id())["idea"]["id"]
        if workshop is w:
            ideas = {"A": a.id, "B": b.id, "C": pending}
    browsers = {role: app.test_client() for role in ROLES}
    join_phone(browsers["participant"], w.code)
    join_phone(browsers["participant_elsewhere"], w2.code)
    devices = {}
    for kind in ("kiosk", "helper", "cofacilitator", "moderator"):
        device, token = ops.issue_device(db, w, kind, kind, KIOSK_PIN if kind == "kiosk"
                                         else None)
        devices[kind] = (device.id, token)
    # The kiosk's tablet was started with W's kiosk link: its session holds the link.
    assert browsers["kiosk"].post(f"/k/{devices['kiosk'][1]}").status_code == 302
    return Scene(app, w, secret, w2, secret2, ideas, browsers, devices)


def rows_of(db, workshop_id: int) -> str:
    """Everything stored about one workshop, as canonical JSON text."""
    db.rollback()
    db.expire_all()

    def dump(model, where) -> list[dict[str, Any]]:
        return [{c.name: str(getattr(obj, c.key)) for c in model.__table__.columns}
                for obj in db.scalars(select(model).where(where).order_by(model.id))]

    people = select(Participant.id).where(Participant.workshop_id == workshop_id)
    rounds = select(Round.id).where(Round.workshop_id == workshop_id)
    rows = {
        "workshop": dump(Workshop, Workshop.id == workshop_id),
        "participants": dump(Participant, Participant.workshop_id == workshop_id),
        "ideas": dump(Idea, Idea.workshop_id == workshop_id),
        "rounds": dump(Round, Round.workshop_id == workshop_id),
        "ballots": dump(Ballot, Ballot.round_id.in_(rounds)),
        "receipts": dump(Receipt, Receipt.participant_id.in_(people)),
        "tickets": dump(Ticket, Ticket.workshop_id == workshop_id),
        "devices": dump(Device, Device.workshop_id == workshop_id),
        "paper_entries": dump(PaperEntry, PaperEntry.round_id.in_(rounds)),
        "activities": dump(Activity, Activity.workshop_id == workshop_id),
        "answers": dump(Answer, Answer.activity_id.in_(
            select(Activity.id).where(Activity.workshop_id == workshop_id))),
        "profile_questions": dump(ProfileQuestion, ProfileQuestion.workshop_id == workshop_id),
        "profile_answers": dump(ProfileAnswer, ProfileAnswer.participant_id.in_(people)),
        "profile_consents": [{c.name: str(getattr(obj, c.key))
                              for c in ProfileConsent.__table__.columns}
                             for obj in db.scalars(select(ProfileConsent).where(
                                 ProfileConsent.participant_id.in_(people))
                                 .order_by(ProfileConsent.participant_id))],
    }
    return json.dumps(rows, sort_keys=True)


def everything(db) -> str:
    """Every row of every table, as canonical JSON text."""
    db.rollback()
    db.expire_all()
    rows = {}
    for model in (Workshop, Participant, Idea, Round, Ballot, Receipt, Ticket, Activity,
                  ProfileQuestion, ProfileAnswer, ProfileConsent, Device, PaperEntry):
        key = model.__table__.primary_key.columns.values()[0]
        rows[model.__tablename__] = [
            {c.name: str(getattr(obj, c.key)) for c in model.__table__.columns}
            for obj in db.scalars(select(model).order_by(key))]
    return json.dumps(rows, sort_keys=True)


def http_routes(app) -> set[str]:
    """Every (method, rule) the app answers, facilitator commands and formats expanded."""
    found = set()
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths = [rule.rule]
            if "<command>" in rule.rule:
                paths = [rule.rule.replace("<command>", c) for c in COMMANDS]
            if "<paper>" in rule.rule:
                paths = [rule.rule.replace("<paper>", paper) for paper in PAPERS]
            if "<fmt>" in rule.rule:
                formats = PRINTS if "poster" in rule.rule else FILES
                paths = [path.replace("<fmt>", f) for path in paths for f in formats]
            found.update(f"{method} {path}" for path in paths)
    return found


def url_for_role(route: str, scene: Scene, role: str) -> str:
    """The address a role would call for a route of the matrix ("POST /j/<code>/ideas")."""
    path = route.split(" ", 1)[1]
    kind = "kiosk" if path.startswith("/k/") else "helper"
    return (path.replace("<code>", scene.w.code)
            .replace("<secret>", scene.secret_for(role))
            .replace("<token>", scene.token_for(role, kind))
            .replace("<path:filename>", "css/app.css"))
