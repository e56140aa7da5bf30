"""The parts of the pages that pushes carry, rendered once for everyone of an audience.

Edge layer (Flask). A push used to carry only a view, and the phone and facilitator pages
then fetched their changing part over HTTP: N phones made N requests the moment the room
moved on, and the facilitator page one full tally per push. Now the broadcaster asks this
module, once per workshop, view and language, for the HTML those pages swap in, and the
push carries it (docs/protocol.md, "Pushes"):

- phones: `panel`, the phone's panel with nobody's own things in it (no ideas, no ballot,
  no ticket, no pair), and, when the workshop has issued tickets, `panel_ticket`, the same
  for a phone that holds one. phone.js completes it with what the page keeps of its
  person (docs/protocol.md says which parts);
- moderators: `panel`, the moderation queue alone, rendered as the facilitator's is;
- facilitators: `panel`, the control panel with the first page of each idea list, its
  addresses holding a placeholder (`secret_placeholder`) where the facilitator's secret
  goes, which the server never stores and so cannot write: facilitator.js puts its own
  secret in. Forms carry an empty CSRF field that each page fills from its own token.

Rendered outside any request, in a request context of its own, in the push's language
(forced: a socket event's context may have settled its own already).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, render_template
from flask_babel import force_locale

from workshop import ops
from workshop.live.broadcast import FACILITATORS, MODERATORS, PHONES, Broadcaster
from workshop.store import lookups
from workshop.store.db import get_session, session_for

# Where the facilitator's secret goes in a pushed panel: drawn per process, so that no
# participant's text can contain it on purpose.
SECRET_PLACEHOLDER = "secret-" + secrets.token_hex(8)


def _no_csrf() -> str:
    return ""


def phone_parts(app: Flask, code: str, lang: str, view: dict[str, Any]) -> dict[str, str]:
    """Render the phone's shared panel (and its variant for a ticket holder)."""
    from workshop.web.participant import phone_context

    with app.test_request_context(f"/j/{code}/panel"), force_locale(lang):
        workshop = lookups.find_workshop(get_session(), code)
        if workshop is None:
            return {}
        parts = {}
        for name, holder in (("panel", False), ("panel_ticket", True)):
            context = phone_context(workshop, None, view, shared=True, ticket_holder=holder)
            if holder and not context["tickets_issued"]:
                break
            parts[name] = render_template("_phone_panel.html", **context,
                                          csrf_token=_no_csrf)
        return parts


def facilitator_parts(app: Flask, code: str, lang: str, view: dict[str, Any],
                      template: str = "_facilitator_panel.html") -> dict[str, str]:
    """Render the facilitator's panel (first page of each list) with a placeholder secret."""
    from workshop.web.facilitator import _context

    with app.test_request_context("/f/panel"), force_locale(lang):
        workshop = lookups.find_workshop(get_session(), code)
        if workshop is None:
            return {}
        role = "facilitator"
        if template == "_moderator_panel.html":
            role = "moderator"
            # The moderator's view is a part of the facilitator's: the lists are read
            # from the database as the facilitator's panel reads them.
            view = {**view, "round": None, "in_open_vote": view.get("in_open_vote", [])}
        # The role said, never read from `g`: a join renders inside the socket's context.
        context = _context(SECRET_PLACEHOLDER, workshop, view, role)
        return {"panel": render_template(template, **context, csrf_token=_no_csrf),
                "secret_placeholder": SECRET_PLACEHOLDER}


def moderator_parts(app: Flask, code: str, lang: str, view: dict[str, Any]
                    ) -> dict[str, str]:
    """Render the moderator's panel (the queue, first page of each list), as the
    facilitator's is rendered: a placeholder secret, empty CSRF fields."""
    return facilitator_parts(app, code, lang, view, "_moderator_panel.html")


def close_due(app: Flask) -> list[int]:
    """Close the activities whose timer ran out (ops.close_due_activities), in a session
    of its own; the pusher runs it about once a second (Broadcaster.due_tasks)."""
    with app.app_context(), session_for(app) as session:
        return ops.close_due_activities(session)


def init_app(app: Flask) -> None:
    """Have the broadcaster's pushes to phones and facilitators carry their panels, and
    its pusher close the activities whose timer ran out."""
    broadcaster: Broadcaster = app.extensions["workshop.broadcaster"]
    broadcaster.renderers[PHONES] = phone_parts
    broadcaster.renderers[FACILITATORS] = facilitator_parts
    broadcaster.renderers[MODERATORS] = moderator_parts
    broadcaster.due_tasks.append(lambda: close_due(app))
