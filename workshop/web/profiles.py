"""Profiles and results by group (ADS+): the phone's consent and questions, the
facilitator's questions page and the by-group results of closed votes.

Edge layer (Flask). The phone asks nothing before the consent screen, and every answer
is optional; the facilitator's page and its JSON show only what `store.groups` returns,
where small groups are already left out.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from workshop import ops
from workshop.core import export, seed_csv
from workshop.core.errors import Refused
from workshop.core.groups.template import CHOICES_MAX, PREFER_NOT
from workshop.core.voting.reading import whole_number
from workshop.ops.purge import purge_due
from workshop.store import groups, lookups, room
from workshop.store.db import get_session
from workshop.store.models import Workshop
from workshop.web.answers import done, refused
from workshop.web.participant import (
    command_fields,
    current_participant,
    ensure_participant,
    workshop_or_404,
)

phone_bp = Blueprint("profiles", __name__)


# --- the phone -------------------------------------------------------------------------------

@phone_bp.get("/j/<code>/profile")
def profile(code: str) -> str:
    """Show the consent screen, then the questions (each optional), or what was answered."""
    workshop = workshop_or_404(code)
    participant = current_participant(workshop)
    db = get_session()
    consent, answers = (None, {}) if participant is None else \
        groups.own_profile(db, participant.id)
    return render_template("profile_phone.html", workshop=workshop, consent=consent,
                           answers=answers, questions=groups.profile_questions(db, workshop),
                           min_group_size=workshop.min_group_size, prefer_not=PREFER_NOT,
                           purge_due=purge_due(workshop))


@phone_bp.post("/j/<code>/consent")
def consent(code: str) -> Response:
    """Agree to the profile questions, or decline (declining erases any answer given)."""
    here = url_for("profiles.profile", code=code)
    try:
        workshop = lookups.get_workshop(get_session(), code)
        fields = command_fields()
        agreed = fields.get("agreed")
        if isinstance(agreed, str):
            agreed = {"yes": True, "no": False}.get(agreed)
        answer = ops.decide_consent(get_session(), workshop, ensure_participant(workshop),
                                    agreed)
    except Refused as error:
        return refused(error, here)
    if answer["agreed"]:
        return done(answer, here)
    return done(answer, url_for("participant.phone", code=code),
                _("Understood: no question will be asked, and nothing you answered is kept."))


@phone_bp.post("/j/<code>/profile")
def answer(code: str) -> Response:
    """Record the answers: a form sends every question (a question left blank is erased);
    JSON sends {"answers": {question id: choice key or null}}, only those it changes."""
    here = url_for("profiles.profile", code=code)
    try:
        db = get_session()
        workshop = lookups.get_workshop(db, code)
        fields = command_fields()
        if request.is_json:
            chosen = fields.get("answers")
        else:
            chosen = {q.id: fields.get(f"q-{q.id}") or None
                      for q in groups.profile_questions(db, workshop)}
        participant = current_participant(workshop)
        if participant is None:  # answers follow a consent: nobody joins by answering
            raise Refused("not_joined", 403)
        result = ops.answer_profile(db, workshop, participant, chosen)
    except Refused as error:
        return refused(error, here)
    return done(result, url_for("participant.phone", code=code),
                _("Thank you! You can change your answers at any time."))


# --- the facilitator -------------------------------------------------------------------------

def _choices(fields: dict[str, Any]) -> Any:
    """Read choices as a list (JSON) or one per line (the form's text area)."""
    raw = fields.get("choices")
    if isinstance(raw, str):
        return [line for line in raw.splitlines() if line.strip()][:CHOICES_MAX + 1]
    return raw


def _question(db: Session, w: Workshop, f: dict[str, Any]) -> int:
    return lookups.get_profile_question(db, w, whole_number(f.get("question"))).id


def _purge(db: Session, w: Workshop, f: dict[str, Any]) -> Any:
    """Purge, once the facilitator typed the workshop's code to confirm."""
    typed = f.get("confirm")
    if not isinstance(typed, str) or typed.strip().upper() != w.code:
        raise Refused("purge_not_confirmed")
    return {"participants": ops.purge_personal_data(db, w)}


def _number(f: dict[str, Any], name: str) -> int:
    """A whole number field; anything else is 0, which the verb refuses with its range."""
    try:
        return whole_number(f.get(name))
    except Refused:
        return 0


def _shares(fields: dict[str, Any]) -> object:
    """Return the expected shares typed or pasted (`shares`), or those of a CSV file sent
    with the form (`file`: UTF-8 or French Excel's Windows-1252), read the same way."""
    upload = None if request.is_json else request.files.get("file")
    if upload is not None and upload.filename:
        return seed_csv.decode(upload.read())
    return fields.get("shares")


COMMANDS = {
    "add-profile-template": lambda db, w, f: {
        "questions": [q.id for q in ops.add_template_questions(db, w, _)]},
    "add-profile-question": lambda db, w, f: {"question": ops.add_profile_question(
        db, w, f.get("text"), _choices(f), _).id},
    "edit-profile-question": lambda db, w, f: ops.edit_profile_question(
        db, w, _question(db, w, f), f.get("text"), _choices(f)),
    "remove-profile-question": lambda db, w, f: ops.remove_profile_question(
        db, w, _question(db, w, f)),
    "set-group-size": lambda db, w, f: ops.set_min_group_size(db, w, _number(f, "size")),
    "open-profiles": lambda db, w, f: ops.open_profiles(
        db, w, f.get("open") in (True, "1", "true", "on")),
    "set-retention": lambda db, w, f: ops.set_retention(db, w, _number(f, "days")),
    "set-expected-shares": lambda db, w, f: ops.set_expected_shares(
        db, w, _question(db, w, f), _shares(f)),
    "project-groups": lambda db, w, f: ops.project_groups(
        db, w, f.get("round"), f.get("question"),
        None if f.get("view") in (None, "", "off") else f.get("view")),
    "purge": _purge,
}


def present(workshop: Workshop) -> frozenset[int]:
    """Return the participants with a phone connected to a workshop now (every process)."""
    broadcaster = current_app.extensions.get("workshop.broadcaster")
    return broadcaster.present(workshop.code) if broadcaster else frozenset()


def profiles_page(db: Session, workshop: Workshop, secret: str) -> str:
    """The facilitator's page of profile questions and results by group."""
    return render_template("profiles.html", workshop=workshop, secret=secret,
                           questions=groups.profile_questions(db, workshop),
                           consents=groups.consent_counts(db, workshop),
                           votes=groups.closed_vote_views(db, workshop), prefer_not=PREFER_NOT,
                           purge_due=purge_due(workshop),
                           monitor=room.monitor(db, workshop, lambda: present(workshop)),
                           choices_max=CHOICES_MAX)


def groups_csv(db: Session, workshop: Workshop) -> Response:
    """The results by group of every closed vote as a spreadsheet, headers in the reader's
    language, every cell neutralised."""
    rows = export.groups_table(groups.closed_vote_views(db, workshop), _("Everyone"),
                               _("Each group counts equally"))
    body = export.to_csv([_(header) for header in export.GROUPS_HEADERS], rows)
    filename = f"workshop-{workshop.code}-groups.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def groups_json(db: Session, workshop: Workshop) -> Response:
    """The results by group of every closed vote, as JSON."""
    return jsonify({"workshop": workshop.code, "min_group_size": workshop.min_group_size,
                    "votes": groups.closed_vote_views(db, workshop)})

