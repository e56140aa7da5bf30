"""What pages need to show the agenda: each kind's translated name and its templates.

Edge layer: the kinds (core/activities) mark their English texts with N_; they are
translated here, in the reader's language, when a page shows them.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale, gettext

from workshop.core.activities import KINDS, get_kind, template
from workshop.live.broadcast import server_now
from workshop.web.i18n import number


def activity_label(kind: str) -> str:
    """Return a kind's name in the reader's language."""
    return gettext(get_kind(kind).LABEL)


def activity_heading(activity: dict | None) -> str:
    """Return what a step is called on a page: its title, or its kind's name."""
    if not activity:
        return ""
    return activity["title"] or activity_label(activity["kind"])


def percent(share: float) -> str:
    """Return a share as the reader's language writes it: "52 %" in French (a no-break
    space before the sign, as the French texts have), "52%" in English."""
    locale = get_locale()
    french = locale is not None and locale.language == "fr"
    return number(round(100 * share)) + ("\u00a0%" if french else "%")


def init_app(app: Flask) -> None:
    """Give templates the kinds, their names and their template names."""
    app.jinja_env.globals.update(
        activity_kinds=tuple(KINDS), activity_label=activity_label,
        activity_heading=activity_heading, activity_template=template, percent=percent,
        # The server's clock, as pages count a timer down against it (_countdown.html).
        server_now=server_now,
        # What a vote's options can come from: collections, and earlier votes (runoffs).
        collecting_kinds=[name for name, kind in KINDS.items() if kind.COLLECTS_IDEAS],
        voting_kinds=[name for name, kind in KINDS.items() if kind.OPENS_ROUND])
