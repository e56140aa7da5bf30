"""The facilitator's page and commands: moderate ideas, move the room, reveal, export.

Edge layer (Flask). Every route is reached only through a secret facilitator link
(/f/<secret>); an unknown or revoked secret gets the same 404 as a missing page, so links
cannot be probed. Three kinds of link open these routes (docs/security.md, "Facilitator
links"): the workshop's own, a co-facilitator's (the same powers, except replacing the
workshop's own link), and a moderator's, which opens only the moderation page and the
ideas commands of MODERATOR_COMMANDS (anything else: 403). Commands are listed in
COMMANDS, the table the permission tests walk.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy.orm import Session

from workshop import ops
from workshop.core import export, seed_csv, tokens
from workshop.core.activities import settings_from_fields
from workshop.core.activities.kinds import kind_with
from workshop.core.errors import Refused
from workshop.core.ids import bounded_id
from workshop.core.qr import qr_svg
from workshop.core.voting.reading import ticked, whole_number
from workshop.store import lookups, polls, views
from workshop.store.db import get_session
from workshop.store.models import FACILITATOR_LINK_KINDS, IDEA_MAX, IDEA_STATUSES, Workshop
from workshop.web import exports
from workshop.web.answers import done, join_url, public_url, refused, wants_json
from workshop.web.devices import paper_pdf
from workshop.web.profiles import COMMANDS as PROFILE_COMMANDS
from workshop.web.profiles import groups_csv, groups_json, present, profiles_page

bp = Blueprint("facilitator", __name__, url_prefix="/f/<secret>")


# What a moderator's link may do: the ideas' queue, nothing else. Sorting an idea under a
# theme is part of reading the queue (one select beside each idea), and changes no ballot
# nor what the projector shows beyond where an idea sits; the list of themes and the
# wall's grouping are the workshop's settings, the facilitator's.
MODERATOR_COMMANDS = ("approve", "approve-ideas", "hide", "merge", "unmerge", "set-theme")


def _workshop(secret: str, moderator: bool = False) -> Workshop:
    """Return the workshop the link opens (404 if none); a moderator's link is refused
    (403) unless the route lets it in (`moderator`). The link's role is kept in `g.role`."""
    found = lookups.find_facilitator_link(get_session(), secret)
    if found is None:
        abort(404)
    workshop, g.role = found
    if g.role == "moderator" and not moderator:
        abort(403)
    return workshop


def _connected(workshop: Workshop) -> int:
    from flask import current_app

    broadcaster = current_app.extensions.get("workshop.broadcaster")
    return broadcaster.connected_phones(workshop.code) if broadcaster else 0


# The page of each idea list asked for, as query arguments (`?pending=3`): a page number,
# anything else (or nothing) is the first page. Beyond the last page: the last one.
PAGE_ARGUMENT_MAX = 6


def _pages() -> dict[str, int]:
    pages = {}
    for status in IDEA_STATUSES:
        value = request.args.get(status, "")
        if value.isascii() and value.isdigit() and len(value) <= PAGE_ARGUMENT_MAX:
            pages[status] = max(1, int(value))
    return pages


def _context(secret: str, workshop: Workshop, view: dict[str, Any] | None = None,
             role: str | None = None) -> dict[str, Any]:
    """What the page and its panel show: the facilitator's view, and one page of each idea
    list (so the page costs what it shows, however many ideas there are). `view`: the
    facilitator's view, when already built (a push: workshop/web/pushed.py); `role`: the
    link's, else the request's (`g.role`)."""
    db = get_session()
    if view is None:
        view = views.facilitator_view(db, workshop, _connected(workshop),
                                      lambda: present(workshop))
    targets = views.merge_targets(db, workshop)
    lists = views.with_duplicate_suggestions(
        views.moderation_lists(db, workshop, view["idea_counts"], _pages()), targets)
    # The page each list is on, in every link and in the panel's own address, so that a
    # live refresh stays on the page being read.
    pages = {entry["status"]: entry["page"] for entry in lists if entry["page"] > 1}

    def page_url(status: str, page: int) -> str:
        wanted = {**pages, status: page}
        return url_for("facilitator.page", secret=secret,
                       **{name: n for name, n in wanted.items() if n > 1}) + f"#ideas-{status}"

    return {"workshop": workshop, "secret": secret, "view": view,
            "moderator": (role or g.get("role")) == "moderator",
            "blocklist": ops.blocklist_of(workshop), "themes": ops.themes_of(workshop),
            "idea_lists": lists, "pages": pages, "page_url": page_url,
            "merge_targets": targets, "supports": views.support_counts(db, workshop),
            "credits": views.merge_credits(
                db, workshop, [idea["id"] for entry in lists for idea in entry["ideas"]]),
            "created": request.args.get("created") == "1",
            "tickets": {**view.get("tickets", {}), "batch_max": ops.TICKETS_PER_BATCH,
                        # the print form's key: reloading the printed page prints nothing
                        "batch": tokens.new_client_id()}}


@bp.get("")
def page(secret: str) -> str:
    """Show the facilitator's control page (a moderator's link: the moderation page)."""
    workshop = _workshop(secret, moderator=True)
    if g.role == "moderator":
        return render_template("moderator.html", **_context(secret, workshop))
    return render_template("facilitator.html", **_context(secret, workshop),
                           rotated=request.args.get("rotated") == "1", role=g.role)


@bp.get("/panel")
def panel(secret: str) -> str:
    """Return the page's changing part, for facilitator.js to swap in after a push."""
    workshop = _workshop(secret, moderator=True)
    template = "_moderator_panel.html" if g.role == "moderator" else "_facilitator_panel.html"
    return render_template(template, **_context(secret, workshop))


def _id(fields: dict[str, Any], name: str) -> int:
    """Return the id a command's field names (`bounded_id`), or refuse with bad_request."""
    return bounded_id(fields.get(name))


def _ids(fields: dict[str, Any], name: str) -> list[int]:
    """Return the ids a command's list field names: a JSON list, or a form's ticked boxes
    (several fields of one name), each read by `bounded_id`; more than ops.APPROVE_MAX of
    them is refused before any is read."""
    values = fields.get(name) if request.is_json else request.form.getlist(name)
    if not isinstance(values, list) or len(values) > ops.APPROVE_MAX:
        raise Refused("bad_request")
    return [bounded_id(value) for value in values]


def _imported(fields: dict[str, Any]) -> list[str]:
    """Return the priorities of an imported CSV: the form's file (`file`), else the
    pasted or JSON text (`csv`); read by core.seed_csv."""
    upload = None if request.is_json else request.files.get("file")
    if upload is not None and upload.filename:
        text = seed_csv.decode(upload.read())
    else:
        text = fields.get("csv")
        if not isinstance(text, str):
            raise Refused("bad_import", limit=seed_csv.IMPORT_MAX)
    return seed_csv.read_priorities(text, IDEA_MAX)


def _solutions_for(priority: str) -> tuple[str, str]:
    """Name the idea collection that asks for solutions to one priority (its words cut
    to fit a title)."""
    short = priority if len(priority) <= 80 else priority[:79].rstrip() + "…"
    return (_("Solutions: %(priority)s", priority=short),
            _("What solutions for “%(priority)s”?", priority=short))


def _count(value: Any) -> int:
    """Read a whole number (a form's text or JSON's number); refused as a bad setting."""
    try:
        return whole_number(value)
    except Refused as error:
        raise Refused("bad_activity_setting", setting="count") from error


def _flag(fields: dict[str, Any], name: str) -> bool:
    return ticked(fields.get(name))


def _open_round(db: Session, w: Workshop, f: dict[str, Any]) -> Any:
    """Start a vote now, its fields read as the agenda's vote form's are."""
    read = settings_from_fields(kind_with("OPENS_ROUND"), f)
    title = f.get("title") or _("Which priorities matter most for the region?")
    vote = ops.open_round(db, w, title=title, method=read["method"],
                          settings=read["method_settings"], show_live=read["show_live"],
                          require_ticket=read["require_ticket"])
    return {"round": vote.id}


# Fields of an activity command that are not the kind's settings.
_ACTIVITY_FIELDS = {"activity", "kind", "title", "prompt", "csrf_token"}


def _plan_activity(db: Session, w: Workshop, f: dict[str, Any]) -> Any:
    kind = f.get("kind")
    activity = ops.plan_activity(db, w, kind, title=f.get("title"), prompt=f.get("prompt"),
                                 settings=settings_from_fields(kind, f))
    return {"activity": activity.id}


def _edit_activity(db: Session, w: Workshop, f: dict[str, Any]) -> Any:
    activity = lookups.get_activity(db, w, _id(f, "activity"))
    # Only a title and a prompt sent: the settings stay as planned.
    settings = settings_from_fields(activity.kind, f) if set(f) - _ACTIVITY_FIELDS else None
    ops.edit_activity(db, w, activity.id, title=f.get("title"), prompt=f.get("prompt"),
                      settings=settings)
    return {"activity": activity.id}


def _started(activity: Any) -> dict[str, Any]:
    answer = {"activity": activity.id}
    if activity.round_id is not None:
        answer["round"] = activity.round_id
    return answer


def _timer_seconds(fields: dict[str, Any]) -> int | None:
    """Read a timer's length: `seconds` (JSON, or a form's text) or a form's `minutes`;
    blank, 0 or null takes the timer away (None). Bounds are the verb's."""
    name = "seconds" if "seconds" in fields else "minutes"
    value = fields.get(name)
    if value is None or value == "" or value == 0 or value == "0":
        return None
    try:
        number = whole_number(value, "bad_timer")
    except Refused as error:
        raise Refused("bad_timer", low=ops.TIMER_MIN, high=ops.TIMER_MAX) from error
    if name == "minutes":
        if number > ops.TIMER_MAX // 60:
            raise Refused("bad_timer", low=ops.TIMER_MIN, high=ops.TIMER_MAX)
        return number * 60
    return number


def _set_timer(db: Session, w: Workshop, f: dict[str, Any]) -> Any:
    activity = ops.set_timer(db, w, _id(f, "activity"), _timer_seconds(f),
                             _flag(f, "auto_close"))
    return {"activity": activity.id, "timer": views.timer_view(activity)}


def _extend_timer(db: Session, w: Workshop, f: dict[str, Any]) -> Any:
    seconds = _timer_seconds(f)
    if seconds is None:
        raise Refused("bad_timer", low=1, high=ops.EXTEND_MAX)
    activity = ops.extend_timer(db, w, seconds)
    return {"activity": activity.id, "timer": views.timer_view(activity)}


Command = Callable[[Session, Workshop, dict[str, Any]], Any]

COMMANDS: dict[str, Command] = {
    "rename": lambda db, w, f: ops.rename_workshop(db, w, f.get("title"), f.get("place")),
    "open-lobby": lambda db, w, f: ops.open_lobby(db, w),
    "open-ideas": lambda db, w, f: ops.open_ideas(db, w),
    "open-round": _open_round,
    "close-round": lambda db, w, f: ops.close_round(db, w),
    "show-live": lambda db, w, f: ops.show_live_results(db, w, _flag(f, "show")),
    "reveal": lambda db, w, f: ops.reveal_results(db, w, _flag(f, "reveal")),
    "add-idea": lambda db, w, f: ops.add_idea(db, w, f.get("text")),
    "approve": lambda db, w, f: ops.approve_idea(db, w, _id(f, "idea")),
    "hide": lambda db, w, f: ops.hide_idea(db, w, _id(f, "idea")),
    "edit": lambda db, w, f: ops.edit_idea(db, w, _id(f, "idea"), f.get("text")),
    "merge": lambda db, w, f: ops.merge_ideas(db, w, _id(f, "idea"), _id(f, "into")),
    "unmerge": lambda db, w, f: ops.unmerge_idea(db, w, _id(f, "idea")),
    "import-ideas": lambda db, w, f: ops.import_ideas(db, w, _imported(f)),
    "approve-ideas": lambda db, w, f: {"approved": ops.approve_ideas(db, w, _ids(f, "ideas"))},
    "plan-activity": _plan_activity,
    "plan-solutions": lambda db, w, f: {"activities": [step.id for step in ops.plan_solutions(
        db, w, _id(f, "activity"), _count(f.get("count", 5)), _solutions_for)]},
    "plan-ready-agenda": lambda db, w, f: {
        "activities": [step.id for step in ops.plan_ready_agenda(db, w, _)]},
    "edit-activity": _edit_activity,
    "remove-activity": lambda db, w, f: ops.remove_activity(db, w, _id(f, "activity")),
    "move-activity": lambda db, w, f: ops.move_activity(db, w, _id(f, "activity"),
                                                        f.get("direction")),
    "start-activity": lambda db, w, f: _started(ops.start_activity(db, w, _id(f, "activity"))),
    "start-next": lambda db, w, f: _started(ops.start_next_activity(db, w)),
    "close-activity": lambda db, w, f: {"activity": ops.close_activity(db, w).id},
    "set-timer": _set_timer,
    "extend-timer": _extend_timer,
    "stop-timer": lambda db, w, f: {"activity": ops.stop_timer(db, w).id},
    "revoke-device": lambda db, w, f: ops.revoke_device(db, w, _id(f, "device")),
    "auto-approve": lambda db, w, f: ops.set_auto_approve(db, w, _flag(f, "on"),
                                                          f.get("blocklist")),
    "set-themes": lambda db, w, f: ops.set_themes(db, w, _flag(f, "group"), f.get("themes")),
    "set-theme": lambda db, w, f: ops.set_idea_theme(db, w, _id(f, "idea"), f.get("theme")),
    "reveal-poll": lambda db, w, f: {"activity": ops.reveal_poll(db, w, _flag(f, "reveal")).id},
    "hide-answer": lambda db, w, f: {"answer": ops.hide_answer(db, w, _id(f, "answer"),
                                                               _flag(f, "hidden")).id},
    **PROFILE_COMMANDS,
}


@bp.post("/do/<command>")
def run_command(secret: str, command: str) -> Response:
    """Carry out one facilitator command from the table above (a moderator's link: only
    those of MODERATOR_COMMANDS)."""
    workshop = _workshop(secret, moderator=True)
    # A form of the profiles page comes back to it; every other form to the main page.
    page = "facilitator.profiles" if request.form.get("next") == "profiles" \
        else "facilitator.page"
    back = url_for(page, secret=secret)
    handler = COMMANDS.get(command)
    if handler is None:
        abort(404)
    if g.role == "moderator" and command not in MODERATOR_COMMANDS:
        return refused(Refused("moderators_moderate_only", 403), back)
    if request.is_json:
        fields = request.get_json(silent=True)
        if not isinstance(fields, dict):
            return refused(Refused("bad_request"), back)
    else:
        fields = request.form.to_dict()
    try:  # the verb owns its transaction: a refusal has changed nothing
        result = handler(get_session(), workshop, fields)
    except Refused as error:
        return refused(error, back)
    payload = {"ok": True}
    if isinstance(result, dict):
        payload.update(result)
    message = _("Done.")
    if command == "import-ideas":
        message = ngettext("%(num)s priority imported.", "%(num)s priorities imported.",
                           payload["added"]) + " " + \
            ngettext("%(num)s was already there.", "%(num)s were already there.",
                     payload["skipped"])
    return done(payload, back, message)


@bp.post("/duplicate")
def duplicate(secret: str) -> Response:
    """Start a new workshop from this one (agenda, profile questions, settings; nobody's
    data) and open its facilitator page: a new secret link, shown as /new shows one."""
    workshop = _workshop(secret)
    try:
        copy, copy_secret = ops.duplicate_workshop(
            get_session(), workshop, lambda title: _("%(title)s (copy)", title=title))
    except Refused as error:
        return refused(error, url_for("facilitator.page", secret=secret))
    page = url_for("facilitator.page", secret=copy_secret, created=1)
    if wants_json():
        return jsonify({"ok": True, "code": copy.code,
                        "facilitator": url_for("facilitator.page", secret=copy_secret)})
    return redirect(page)


@bp.post("/tickets")
def issue_tickets(secret: str) -> Response | str:
    """Draw new single-use ballot tickets and show them once, as a page ready to print."""
    workshop = _workshop(secret)
    back = url_for("facilitator.page", secret=secret)
    fields = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    try:
        if not isinstance(fields, dict):
            raise Refused("bad_request")
        try:
            count = whole_number(fields.get("count"))
        except Refused:
            count = 0  # refused just below, with the range allowed
        batch = fields.get("batch")
        codes = ops.issue_tickets(get_session(), workshop, count,
                                  None if batch is None else str(batch))
    except Refused as error:
        return refused(error, back)
    if wants_json():
        return jsonify({"ok": True, "tickets": codes})
    base = join_url(workshop.code)
    slips = []
    for number, code in enumerate(codes, 1):
        slips.append({"code": code, "qr": Markup(qr_svg(f"{base}#ticket={code}", quick=True))})  # noqa: S704 - our own SVG
        if number % 10 == 0:
            time.sleep(0)  # under gevent, let the room's ballots through between codes
    return render_template("tickets.html", workshop=workshop, secret=secret, slips=slips,
                           join_address=base)


@bp.get("/results")
def results(secret: str) -> str:
    """Show every vote of the day with its results, oldest first: the earlier ones stay
    readable after the room has moved on (the page's panel shows only the current one)."""
    workshop = _workshop(secret)
    db = get_session()
    votes = [(vote, views.results_view(db, vote)) for vote in views.rounds_of(db, workshop)]
    return render_template("results.html", workshop=workshop, secret=secret, votes=votes,
                           questions=polls.polls_of(db, workshop))


def _fields() -> dict[str, Any]:
    fields = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    if not isinstance(fields, dict):
        raise Refused("bad_request")
    return fields


def _device_link(kind: str) -> Response | str:
    """Create a kiosk, helper, co-facilitator or moderator link and show it once, with its
    QR code, ready to open."""
    secret = request.view_args["secret"]
    workshop = _workshop(secret)
    back = url_for("facilitator.page", secret=secret)
    try:
        fields = _fields()
        device, token = ops.issue_device(get_session(), workshop, kind, fields.get("label"),
                                         fields.get("pin"))
    except Refused as error:
        return refused(error, back)
    if kind in FACILITATOR_LINK_KINDS:
        link = public_url() + url_for("facilitator.page", secret=token)
    else:
        endpoint = "devices.kiosk_start_page" if kind == "kiosk" else "devices.helper"
        link = public_url() + url_for(endpoint, token=token)
    if wants_json():
        return jsonify({"ok": True, "device": device.id, "link": link})
    return render_template("device_link.html", workshop=workshop, secret=secret, kind=kind,
                           device=device, link=link,
                           qr=Markup(qr_svg(link)))  # noqa: S704 - our own SVG


@bp.post("/kiosks")
def issue_kiosk(secret: str) -> Response | str:
    """Create a kiosk link for a shared tablet, with the PIN that leaves kiosk mode."""
    return _device_link("kiosk")


@bp.post("/helpers")
def issue_helper(secret: str) -> Response | str:
    """Create a helper link: the entry screen for paper ballots."""
    return _device_link("helper")


@bp.post("/links")
def issue_link(secret: str) -> Response | str:
    """Create a co-facilitator link (`kind` cofacilitator: the same powers) or a moderator
    link (`kind` moderator: the ideas' queue only), shown once."""
    kind = _fields_or_empty().get("kind")
    return _device_link(kind if kind in FACILITATOR_LINK_KINDS else "")


def _fields_or_empty() -> dict[str, Any]:
    try:
        return _fields()
    except Refused:
        return {}


@bp.post("/rotate")
def rotate(secret: str) -> Response:
    """Replace the workshop's own link by a new one (the old one opens nothing from now
    on) and open the page at the new address, shown as a new workshop's is. Only from the
    workshop's own link: a co-facilitator's link cannot take it from its holder."""
    workshop = _workshop(secret)
    back = url_for("facilitator.page", secret=secret)
    if g.role != "facilitator":
        return refused(Refused("own_link_only", 403), back)
    try:
        new_secret = ops.rotate_facilitator_link(get_session(), workshop)
    except Refused as error:
        return refused(error, back)
    page = url_for("facilitator.page", secret=new_secret)
    if wants_json():
        return jsonify({"ok": True, "facilitator": page})
    return redirect(url_for("facilitator.page", secret=new_secret, rotated=1))


@bp.post("/paper")
def print_paper(secret: str) -> Response:
    """Number more paper ballots for the open vote and download them as a PDF to print."""
    workshop = _workshop(secret)
    back = url_for("facilitator.page", secret=secret)
    try:
        fields = _fields()
        try:
            count = whole_number(fields.get("count"))
        except Refused:
            count = 0  # refused just below, with the range allowed
        vote, numbers = ops.print_paper(get_session(), workshop, count)
    except Refused as error:
        return refused(error, back)
    body = paper_pdf(get_session(), workshop, vote, numbers)
    filename = f"workshop-{workshop.code}-paper-{vote.number}-{numbers[0]}.pdf"
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/profiles")
def profiles(secret: str) -> str:
    """Show the profile questions and the results by group of every closed vote."""
    return profiles_page(get_session(), _workshop(secret), secret)


@bp.get("/groups.json")
def groups_export(secret: str) -> Response:
    """Download the results by group of every closed vote (small groups left out)."""
    return groups_json(get_session(), _workshop(secret))


@bp.get("/groups.csv")
def groups_spreadsheet(secret: str) -> Response:
    """Download the results by group of every closed vote as CSV (small groups left out)."""
    return groups_csv(get_session(), _workshop(secret))


@bp.get("/export.<fmt>")
def download(secret: str, fmt: str) -> Response:
    """Download the day's report: csv (`?sep=;` for a spreadsheet set up in French,
    `?table=questions` for the questions' answers, `?table=idea_list` for every idea with its
    theme), json, xlsx or pdf, in the page's language."""
    workshop = _workshop(secret)
    if fmt not in exports.FILES:
        abort(404)
    sep = ";" if request.args.get("sep") == ";" else ","
    # `?table=questions` or `?table=idea_list`: that CSV instead of the rankings
    wanted = request.args.get("table")
    table = wanted if fmt == "csv" and wanted in ("questions", "idea_list") else "rankings"
    body, mimetype = exports.build(get_session(), workshop, fmt, sep, table=table)
    filename = f"workshop-{workshop.code}-{'report' if table == 'rankings' else table}.{fmt}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/poster-<paper>.<fmt>")
def poster(secret: str, paper: str, fmt: str) -> Response:
    """Download the QR poster (pdf or png), on a4 or letter paper."""
    return _printed(secret, "poster", paper, fmt)


@bp.get("/tents-<paper>.pdf")
def tents(secret: str, paper: str) -> Response:
    """Download the table tents (pdf), on a4 or letter paper."""
    return _printed(secret, "tents", paper, "pdf")


def _printed(secret: str, kind: str, paper: str, fmt: str) -> Response:
    from workshop.core.export.poster import PAPERS

    workshop = _workshop(secret)
    if paper not in PAPERS or fmt not in exports.PRINTS:
        abort(404)
    body = exports.printed(workshop, join_url(workshop.code), kind, paper, fmt)
    filename = f"workshop-{workshop.code}-{kind}-{paper}.{fmt}"
    return Response(body, mimetype=exports.PRINTS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/ballots.csv")
def download_ballots(secret: str) -> Response:
    """Download every round's anonymised ballots (one row per ballot, no identity)."""
    workshop = _workshop(secret)
    body = export.render_ballots(views.export_ballots(get_session(), workshop))
    filename = f"workshop-{workshop.code}-ballots.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
