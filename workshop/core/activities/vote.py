"""A vote: a Round over a chosen set of ideas, with a voting method and its settings.

Pure core (activity kind): standard library and core only. The options come from a
source: every approved idea (optionally only those of one idea collection), or the top N
of an earlier closed vote (a runoff), where ideas tied at the cut all go through: a tie is
never broken silently.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from workshop.core.activities.rules import N_, Setting, check_declared
from workshop.core.errors import Refused
from workshop.core.fields import settings_from_fields as method_settings_from_fields
from workshop.core.ids import MAX_ID, bounded_id
from workshop.core.voting import BallotError, get_method
from workshop.core.voting.methods import DEFAULT_METHOD, METHODS
from workshop.core.voting.reading import ticked, whole_number

NAME = "vote"
PHASE = "vote"  # phones show the ballot while it runs
PHASE_AFTER = "results"  # closed: phones wait for the results
LABEL = N_("Vote on priorities")
SOURCES = ("approved", "top")
SETTINGS: tuple[Setting, ...] = (
    Setting("method", str, DEFAULT_METHOD, choices=tuple(METHODS)),
    Setting("method_settings", dict, {}),
    Setting("source", str, "approved", choices=SOURCES),
    Setting("collection", int, None, low=1, high=MAX_ID, optional=True),  # activity ids
    Setting("of", int, None, low=1, high=MAX_ID, optional=True),
    Setting("count", int, 3, low=1, high=100),
    Setting("show_live", bool, True),
    Setting("require_ticket", bool, False),
)
# A vote is closed only on purpose (no ballot commits after): starting another activity
# while it is open is refused instead.
CLOSED_BY_NEXT = False
COLLECTS_IDEAS = False
OPENS_ROUND = True
TAKES_ANSWERS = False


def check_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return a vote's complete settings, its method's checked too, or refuse.

    Refusals keep the codes a round has always had (`unknown_method`, `bad_setting`)
    and add `bad_activity_setting` for the option source.
    """
    method = settings.get("method", DEFAULT_METHOD) if isinstance(settings, Mapping) else None
    if isinstance(settings, Mapping) and (not isinstance(method, str) or method not in METHODS):
        raise Refused("unknown_method", method=str(method)[:40])
    clean = check_declared(SETTINGS, settings)
    try:
        clean["method_settings"] = get_method(clean["method"]).check_settings(
            clean["method_settings"])
    except BallotError as error:
        raise Refused("bad_setting", **error.params) from error
    if clean["source"] == "top":
        if clean["of"] is None:
            raise Refused("bad_activity_setting", setting="of")
        clean["collection"] = None
    else:
        clean["of"] = None
    return clean


def _number(value: Any, setting: str) -> int | None:
    """Read a whole-number field (blank: not given); `collection` and `of` are ids."""
    if value is None or value == "":
        return None
    if setting in ("collection", "of"):
        return bounded_id(value, "bad_activity_setting", setting=setting)
    try:
        return whole_number(value)
    except Refused as error:  # refused again, naming the setting
        raise Refused("bad_activity_setting", setting=setting) from error


def settings_from_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Read a vote's settings from the facilitator's form (the vote form's fields)."""
    method = fields.get("method") or DEFAULT_METHOD
    settings: dict[str, Any] = {
        "method": method,
        "method_settings": method_settings_from_fields(method, fields)
        if isinstance(method, str) and method in METHODS else {},
        "source": fields.get("source") or "approved",
        # An unticked box sends nothing: the form says it offered the box.
        "show_live": ticked(fields.get("show_live"))
        if "show_live" in fields or "live_offered" in fields else True,
        "require_ticket": ticked(fields.get("require_ticket")),  # missing: not ticked
    }
    for name in ("collection", "of", "count"):
        value = _number(fields.get(name), name)
        if value is not None:
            settings[name] = value
    return settings


def references(settings: Mapping[str, Any]) -> list[tuple[str, int, str]]:
    """Return (setting, activity id, kind it must be) for each activity the source names."""
    found = []
    if settings.get("collection") is not None:
        found.append(("collection", settings["collection"], "ideas"))
    if settings.get("of") is not None:
        found.append(("of", settings["of"], NAME))
    return found


def runoff_options(standings: Iterable[tuple[Hashable, int]], count: int) -> list[Hashable]:
    """Return the options ranked `count` or better, best first: ties at the cut all stay.

    `standings` are (option, rank) pairs where tied options share a rank (1, 2, 2, 4), as
    every tally gives them; with a cut at 2 that keeps three options, never two of the
    tied ones chosen at random.
    """
    return [option for option, rank in standings if rank <= count]
