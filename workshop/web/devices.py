"""The kiosk (a shared tablet where people vote one after the other) and the helper's entry
screen for paper ballots.

Edge layer (Flask). A kiosk link (/k/<token>) is opened once on the tablet: its POST puts
the token in the tablet's session cookie and leads to /kiosk, so the link is no longer on
the screen for a voter to copy. Leaving kiosk mode takes the PIN the facilitator chose.
A helper link (/h/<token>) opens the entry screen itself. An unknown or revoked token gets
the same 404 as a missing page, and counts as a guess (guard/http_limits.py).
"""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from workshop import ops
from workshop.core import paper, tokens
from workshop.core.errors import Refused
from workshop.core.phases import Phase
from workshop.core.voting import get_method
from workshop.store import groups, lookups, views
from workshop.store.db import get_session
from workshop.store.models import Device, Workshop
from workshop.web.answers import done, refused, wants_json
from workshop.web.participant import command_fields

bp = Blueprint("devices", __name__)


def _device(token: str, kind: str) -> tuple[Device, Workshop]:
    found = lookups.find_device(get_session(), token, kind)
    if found is None:
        abort(404)
    return found


def _kiosk() -> tuple[Device, Workshop] | None:
    token = session.get("kiosk")
    return lookups.find_device(get_session(), token, "kiosk") if token else None


def _ballot_context(workshop: Workshop, action: str) -> dict[str, Any]:
    """What a kiosk or helper form shows: the open vote (if one can be voted here), its
    priorities, and the profile questions while they are asked."""
    db = get_session()
    vote = views.current_round(db, workshop)
    usable = vote is not None and vote.status == "open" and workshop.phase == Phase.VOTE \
        and not get_method(vote.method).STEPWISE
    options = list(vote.options) if usable else []
    texts = views.idea_texts(db, options)
    questions = groups.profile_questions(db, workshop) if workshop.profiles_open else []
    return {"workshop": workshop, "vote": vote if usable else None, "ballot": None,
            "options": [{"id": i, "text": texts.get(i, "")} for i in options],
            "client_id": tokens.new_client_id(), "ballot_action": action,
            "questions": questions, "phones_only": vote is not None and vote.status == "open"
            and not usable}


@bp.get("/k/<token>")
def kiosk_start_page(token: str) -> str:
    """Show the button that turns this browser into a kiosk (GET changes nothing)."""
    device, workshop = _device(token, "kiosk")
    return render_template("kiosk_start.html", workshop=workshop, device=device, token=token)


@bp.post("/k/<token>")
def kiosk_start(token: str) -> Response:
    """Make this browser the kiosk: its session holds the link, the address shows none."""
    _device(token, "kiosk")
    session["kiosk"] = token
    session.permanent = True
    return redirect(url_for("devices.kiosk"))


@bp.get("/kiosk")
def kiosk() -> Response | str:
    """Show the kiosk's fresh anonymous ballot (or that no vote is open: it looks again)."""
    found = _kiosk()
    if found is None:
        abort(404)
    _device_row, workshop = found
    return render_template("kiosk.html", **_ballot_context(workshop,
                                                           url_for("devices.kiosk_ballot")))


@bp.post("/kiosk/ballot")
def kiosk_ballot() -> Response | str:
    """Record one person's kiosk ballot, thank them, and get ready for the next one."""
    found = _kiosk()
    if found is None:
        abort(404)
    device, workshop = found
    back = url_for("devices.kiosk")
    try:
        answer = ops.kiosk_vote(get_session(), device, workshop, command_fields())
    except Refused as error:
        return refused(error, back)
    if wants_json():
        return done(answer, back)
    page = render_template("kiosk_thanks.html", workshop=workshop)
    session.pop("lang", None)  # the next person starts in French again
    return page


@bp.post("/kiosk/leave")
def kiosk_leave() -> Response:
    """Leave kiosk mode with the facilitator's PIN; a wrong PIN counts as a guess."""
    found = _kiosk()
    if found is None:
        abort(404)
    device, _workshop = found
    try:
        pin = command_fields().get("pin")
        if not ops.pin_matches(device, pin):  # every try counts (RATELIMIT_PIN)
            raise Refused("bad_pin", 403)
    except Refused as error:
        return refused(error, url_for("devices.kiosk"))
    session.pop("kiosk", None)
    return done({"ok": True, "kiosk": False}, url_for("participant.home"),
                _("Kiosk mode is off on this tablet."))


@bp.get("/h/<token>")
def helper(token: str) -> str:
    """Show the paper ballot entry screen: the number, what the sheet says, save."""
    device, workshop = _device(token, "helper")
    context = _ballot_context(workshop, url_for("devices.helper_entry", token=token))
    vote = context["vote"]
    context.update(device=device, token=token,
                   option_texts={o["id"]: o["text"] for o in context["options"]},
                   entries=views.paper_entries(get_session(), vote) if vote else [],
                   printed=vote.paper_printed if vote else 0)
    return render_template("helper.html", **context)


@bp.post("/h/<token>/entry")
def helper_entry(token: str) -> Response:
    """Save one paper ballot as typed: counted once per number, or kept for review."""
    device, workshop = _device(token, "helper")
    back = url_for("devices.helper", token=token)
    try:
        answer = ops.enter_paper(get_session(), device, workshop, command_fields())
    except Refused as error:
        return refused(error, back)
    if answer.get("review"):
        if wants_json():
            return done(answer, back)
        # Not counted: shown as a warning, not as a success.
        flash(_("Ballot %(number)s was already entered: this entry is kept for review and "
                "not counted.", number=answer["number"]), "error")
        return redirect(back)
    if answer.get("corrected"):
        return done(answer, back, _("Ballot %(number)s is corrected.", number=answer["number"]))
    return done(answer, back, _("Ballot %(number)s is saved.", number=answer["number"]))


def _instruction(method: str, settings: dict[str, Any]) -> str:
    """What a paper ballot of this method asks, in one or two short sentences."""
    dots, cap = settings.get("dots") or 1, settings.get("max_per_option") or 1
    most = settings.get("max_approvals")
    top = settings.get("top")
    points = settings.get("points") or 0
    texts = {
        "dots": (ngettext("You have %(num)s dot. Tick the box of the priority that matters "
                          "most to you.",
                          "You have %(num)s dots. Tick at most %(num)s boxes, on the "
                          "priorities that matter most to you.", dots)
                 + (" " + ngettext("At most %(num)s box on one priority.",
                                   "At most %(num)s boxes on one priority.", cap)
                    if cap > 1 else "")),
        "approval": (_("Tick every priority you support.")
                     + (" " + ngettext("At most %(num)s.", "At most %(num)s.", most)
                        if most else "")),
        "points": _("You have %(num)s points. Write how many you give to each priority: "
                    "%(num)s in all, at most.", num=points),
        "ranking": (_("Write 1 beside the priority that matters most to you, then 2, then 3.")
                    + (" " + ngettext("Rank %(num)s priority at most.",
                                      "Rank %(num)s priorities at most.", top)
                       if top else "")),
    }
    return texts[method]


def paper_pdf(db: Any, workshop: Workshop, vote: Any, numbers: list[str]) -> bytes:
    """Return the printable PDF of these numbered paper ballots of a vote, in the
    language of the page that asked for them."""
    texts = views.idea_texts(db, list(vote.options))
    questions = [(q.text, [c["label"] for c in q.choices])
                 for q in groups.profile_questions(db, workshop)]
    marks = {"points": _("points:"), "ranking": _("place:")}
    sheet = paper.Sheet(
        title=vote.title, method=vote.method, settings=dict(vote.settings),
        options=[(i, texts.get(i, "")) for i in vote.options],
        instruction=_instruction(vote.method, dict(vote.settings)),
        mark=marks.get(vote.method, ""), number_label=_("Ballot no."),
        questions=questions,
        questions_intro=_("Optional: these questions help check that every group is heard. "
                          "Tick the first box to answer them."),
        consent=_("I agree to answer the questions below."),
        footer=_("Give this ballot to a volunteer. Each number is counted once."))
    # Under gevent, let the room's ballots through between sheets (as tickets do).
    return paper.ballots_pdf(sheet, numbers, between=lambda: time.sleep(0))
