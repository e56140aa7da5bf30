"""The phone's pages and commands: join, submit an idea, cast a ballot.

Edge layer (Flask). Everything here works as plain HTML forms; phone.js only adds live
updates and sends the same forms with fetch. A participant is known by a random secret in
their session cookie, stored hashed; nothing here can do what only the facilitator may.
Pages (GET) never write: a browser becomes a participant with its first command (the
join POST, an idea, a ballot or a ticket), so a link preview or a crawler makes nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from workshop import ops
from workshop.core import tokens
from workshop.core.errors import Refused
from workshop.core.fields import UnreadBallot
from workshop.core.voting import get_method
from workshop.store import groups, lookups, polls, views
from workshop.store.db import get_session
from workshop.store.models import Participant, Workshop
from workshop.web.answers import done, refused, wants_json
from workshop.web.i18n import refusal_message

bp = Blueprint("participant", __name__)


def _secrets() -> dict[str, str]:
    return session.get("participants", {})


def current_participant(workshop: Workshop) -> Participant | None:
    """Return the participant this browser is in a workshop, if it joined."""
    return lookups.find_participant(get_session(), workshop, _secrets().get(workshop.code))


def ensure_participant(workshop: Workshop) -> Participant:
    """Return this browser's participant, joining the workshop on its first command."""
    participant = current_participant(workshop)
    if participant is None:
        participant, secret = ops.join_workshop(get_session(), workshop)
        secrets_ = dict(_secrets())
        secrets_[workshop.code] = secret
        session["participants"] = secrets_
        session.permanent = True
    return participant


def workshop_or_404(code: str) -> Workshop:
    workshop = lookups.find_workshop(get_session(), code)
    if workshop is None:
        abort(404)
    if workshop.code != code:
        abort(redirect(url_for("participant.phone", code=workshop.code)))
    return workshop


@bp.get("/")
def home() -> str:
    """Show the welcome page: type a join code, or create a workshop."""
    return render_template("home.html")


@bp.post("/join")
def join_by_code() -> Response:
    """Go to the workshop whose code was typed."""
    code = tokens.normalise_code(request.form.get("code", ""))
    if code is None or lookups.find_workshop(get_session(), code) is None:
        return refused(Refused("workshop_not_found", 404), url_for("participant.home"))
    return redirect(url_for("participant.phone", code=code))


@bp.get("/new")
def new_workshop() -> str:
    """Show the form that creates a workshop."""
    return render_template("new.html")


@bp.post("/new")
def create_workshop() -> Response:
    """Create a workshop and open its facilitator page (the secret link)."""
    try:
        workshop, secret = ops.create_workshop(get_session(), request.form.get("title", ""))
    except Refused as error:
        return refused(error, url_for("participant.new_workshop"))
    return redirect(url_for("facilitator.page", secret=secret, created=1))


def phone_context(workshop: Workshop, participant: Participant | None,
                  view: dict[str, Any] | None = None, *, shared: bool = False,
                  ticket_holder: bool = False) -> dict[str, Any]:
    """Gather what the phone page shows: the public view plus this person's own things.

    A browser that has not joined (participant None) sees the same page with nothing of
    its own: no ideas, no ballot, no ticket. `shared` is the panel a push carries to every
    phone (workshop/web/pushed.py): nobody's own things, and the parts phone.js completes
    per person marked (see docs/protocol.md); `ticket_holder` its variant for a phone
    that holds a ticket. `view`: the public view, when already built.
    """
    db = get_session()
    if view is None:
        view = views.public_view(db, workshop)
    mine = [] if participant is None else views.own_ideas(db, workshop, participant.id)
    vote = views.current_round(db, workshop)
    ballot = views.own_ballot(db, vote, participant.id) \
        if vote is not None and participant is not None else None
    options = list(vote.options) if vote is not None else []
    texts = views.idea_texts(db, options)
    tickets_issued = views.ticket_counts(db, workshop)[0] > 0
    has_ticket = tickets_issued and (ticket_holder if shared else participant is not None
                                     and lookups.holds_ticket(db, participant))
    ticket_needed = vote is not None and vote.require_ticket and not has_ticket
    pair = None
    if vote is not None and vote.status == "open" and not ticket_needed \
            and participant is not None:
        # Steps are served to a participant (a judgement counts only on the pair served):
        # a browser that has not joined is shown none, and joins first.
        pair = views.next_step_for(db, vote, participant.id)
    activity = polls.views_activity(db, workshop)
    return {"workshop": workshop, "view": view, "mine": mine, "ballot": ballot,
            # a question's own answer (a push carries nobody's: phone.js keeps the card)
            "poll_answer": None if participant is None else
            polls.own_answer(db, activity, participant.id),
            "options": [{"id": i, "text": texts.get(i, "")} for i in options],
            "texts": texts, "pair": pair, "client_id": "" if shared else tokens.new_client_id(),
            "tickets_issued": tickets_issued, "has_ticket": has_ticket,
            "ticket_needed": ticket_needed, "joined": participant is not None,
            "shared": shared,
            # the ideas this phone gave a +1 (none in a shared panel: phone.js marks them)
            "supported": views.own_supports(db, workshop, participant.id)
            if participant is not None and not shared and view.get("supports") else [],
            # asked only while the questions are (a push makes every phone render this)
            "profile_consent": groups.consent_of(db, participant.id)
            if participant is not None and workshop.profiles_open else None}


def _seen(workshop: Workshop, participant: Participant | None) -> None:
    """Count a participant's page as its phone's presence (a phone without script has no
    socket to count it by; one with script is counted by its socket instead)."""
    if participant is not None:
        current_app.extensions["workshop.broadcaster"].page_seen(workshop.code, participant.id)


@bp.get("/j/<code>")
def phone(code: str) -> str:
    """Show the phone page for whatever the room is doing now."""
    workshop = workshop_or_404(code)
    participant = current_participant(workshop)
    _seen(workshop, participant)
    context = phone_context(workshop, participant)
    # What phone.js keeps of this person across pushes (which carry nobody's own things).
    context["answered_profile"] = participant is not None and \
        groups.consent_of(get_session(), participant.id) is not None
    return render_template("phone.html", **context)


@bp.get("/j/<code>/panel")
def phone_panel(code: str) -> str:
    """Return just the phone's changing part, for phone.js to swap in after a push."""
    workshop = workshop_or_404(code)
    participant = current_participant(workshop)
    return render_template("_phone_panel.html", **phone_context(workshop, participant))


@bp.get("/j/<code>/state")
def phone_state(code: str) -> Response:
    """Return the phone's whole state as JSON (what a reconnecting client resyncs from)."""
    workshop = workshop_or_404(code)
    participant = current_participant(workshop)
    context = phone_context(workshop, participant)
    return jsonify({**context["view"], "mine": context["mine"], "ballot": context["ballot"],
                    "pair": context["pair"], "has_ticket": context["has_ticket"],
                    "ticket_needed": context["ticket_needed"]})


def command_fields() -> dict[str, Any]:
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise Refused("bad_request")
        return body
    return request.form.to_dict()


@bp.post("/j/<code>/join")
def join(code: str) -> Response:
    """Join the workshop as a new participant, once per browser (again: the same one).

    phone.js posts it before its socket connects, so that the socket's handshake carries
    the participant's cookie; a plain form comes back to the phone page.
    """
    back = url_for("participant.phone", code=code)
    try:
        workshop = lookups.get_workshop(get_session(), code)
        ensure_participant(workshop)
    except Refused as error:
        return refused(error, back)
    return done({"ok": True, "joined": True}, back)


def _participant_command(code: str, act: Callable[[Workshop, Participant, dict[str, Any]],
                                                  dict[str, Any]], message: str) -> Response:
    """Carry out one command of a phone, joining first if this browser has not yet:
    JSON for phone.js, a redirect for a form."""
    back = url_for("participant.phone", code=code)
    try:
        workshop = lookups.get_workshop(get_session(), code)
        fields = command_fields()
        answer = act(workshop, ensure_participant(workshop), fields)
    except Refused as error:
        return refused(error, back)
    return done(answer, back, message)


def pending_bounds() -> ops.PendingBounds:
    """The pending-idea bounds of this app: IDEAS_PENDING_PER_PARTICIPANT and
    IDEAS_PENDING_PER_WORKSHOP, else the defaults (docs/security.md, "Limits")."""
    default = ops.PendingBounds()
    config = current_app.config
    return ops.PendingBounds(
        per_participant=int(config.get("IDEAS_PENDING_PER_PARTICIPANT",
                                       default.per_participant)),
        per_workshop=int(config.get("IDEAS_PENDING_PER_WORKSHOP", default.per_workshop)))


@bp.post("/j/<code>/ideas")
def submit_idea(code: str) -> Response:
    """Propose an idea (answered after it is stored; a re-send is recognised)."""
    return _participant_command(code, lambda w, p, f: ops.submit_idea(
        get_session(), w, p, f.get("text"), f.get("client_id"), pending_bounds()),
        _("Thank you! Your idea will appear once approved."))


@bp.post("/j/<code>/answer")
def submit_answer(code: str) -> Response:
    """Answer the question running now (or change the answer); a re-send is recognised."""
    return _participant_command(code, lambda w, p, f: ops.submit_answer(
        get_session(), w, p, f, f.get("client_id")), _("Your answer is recorded."))


def _wanted(value: Any) -> bool:
    """Read the +1 wanted: a JSON bool, or a form's "true"/"false"."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise Refused("bad_request")


@bp.post("/j/<code>/support")
def support_idea(code: str) -> Response:
    """Give an idea on the wall this phone's +1, or take it back (`on`)."""
    return _participant_command(code, lambda w, p, f: ops.support_idea(
        get_session(), w, p, f.get("idea"), _wanted(f.get("on")), f.get("client_id")),
        _("Done."))


@bp.post("/j/<code>/ticket")
def claim_ticket(code: str) -> Response:
    """Spend the printed ticket whose code was typed (or scanned) on this phone."""
    return _participant_command(code, lambda w, p, f: ops.claim_ticket(
        get_session(), w, p, f.get("ticket")), _("Your ticket is accepted: you can vote."))


@bp.post("/j/<code>/ballot")
def cast_ballot(code: str) -> Response:
    """Record or replace this phone's ballot; the answer comes only after the commit.

    The busiest route of a workshop: the phone and its workshop come from one query
    (`find_participant_ids`), not three ORM look-ups.
    """
    back = url_for("participant.phone", code=code)
    try:
        db = get_session()
        secret = _secrets().get(tokens.normalise_code(code) or "")
        voter = lookups.find_participant_ids(db, code, secret)
        if voter is None:  # no such workshop (404), or a first command: join, then vote
            workshop = lookups.get_workshop(db, code)
            ensure_participant(workshop)
            voter = lookups.find_participant_ids(db, workshop.code, _secrets()[workshop.code])
        fields = command_fields()
        # Read by the rules of the round it is cast in, inside the write transaction.
        ballot = UnreadBallot(fields, form=not request.is_json)
        answer = ops.cast_ballot(db, voter, ballot, fields.get("client_id"))
    except Refused as error:
        if not wants_json() and request.form:
            return _ballot_refused_page(code, error)
        return refused(error, back)
    # A whole ballot is confirmed by the page it comes back to (it shows the ballot and
    # says it is recorded): no second confirmation. A step of a stepwise vote is not.
    message = None if "ballot" in answer else _("Your answer is recorded.")
    return done(answer, back, message)


def _ballot_refused_page(code: str, error: Refused) -> Response:
    """Answer a refused plain-form ballot with the phone page itself: the ballot as typed
    (an over-budget ballot keeps its numbers, to be corrected rather than typed again)
    and the reason above it, with the refusal's status."""
    db = get_session()
    db.rollback()  # what the refused write began
    workshop = lookups.get_workshop(db, code)
    vote = views.current_round(db, workshop)
    if vote is None or vote.status != "open":
        # no ballot on the page to come back to (the vote closed meanwhile): say why
        return refused(error, url_for("participant.phone", code=workshop.code))
    context = phone_context(workshop, current_participant(workshop))
    try:
        typed = get_method(vote.method).read_form(request.form.to_dict())
        # in the shape a stored ballot has (JSON: ids as strings)
        context["ballot"] = {str(key): value for key, value in typed.items()} \
            if isinstance(typed, dict) else typed
    except Refused:
        pass  # unreadable: the page shows the ballot recorded before, if any
    context["ballot_error"] = refusal_message(error)
    page = render_template("phone.html", **context)
    return current_app.make_response((page, error.status))
