"""Language choice (French first, English complete) and the texts for refusal codes.

Edge layer: Flask-Babel catalogs live in workshop/translations; a participant switches
with ?lang=en or ?lang=fr and the choice is remembered in their session.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from flask import Flask, current_app, request, session
from flask_babel import (
    Babel,
    format_date,
    format_decimal,
    format_percent,
    get_translations,
    gettext,
    ngettext,
)
from flask_babel import lazy_gettext as _l

from workshop.core.errors import Refused
from workshop.core.voting import METHODS

REFUSALS = {
    "workshop_not_found": _l("No workshop has this code. Check the code on the screen."),
    "bad_title": _l("Give a title of 1 to %(limit)s characters."),
    "bad_idea": _l("Write your idea in 1 to %(limit)s characters."),
    "bad_phase_move": _l("That step is not possible right now."),
    "unknown_method": _l("This voting method does not exist."),
    "bad_setting": _l("The vote settings are not valid: %(setting)s must be between "
                      "%(low)s and %(high)s."),
    "http_404": _l("This page does not exist. Check the address or the code."),
    "http_405": _l("This action is not possible here."),
    "http_500": _l("Something went wrong on the server. Try again in a moment."),
    "no_approved_ideas": _l("Approve at least one idea before starting a vote."),
    "no_round": _l("There is no vote yet."),
    "round_closed": _l("The vote is closed: your ballot was not recorded."),
    "round_changed": _l("The vote has changed since this page was shown: your ballot was not "
                        "recorded. Look at the new vote and vote again."),
    "pair_changed": _l("This comparison is not the one to make now (already made in "
                       "another tab?): here is the next one."),
    "round_open": _l("Close the vote before revealing the results."),
    "ideas_closed": _l("Ideas are not being collected right now."),
    "too_many_pending_ideas": _l("You already have %(limit)s ideas waiting for the "
                                 "facilitator. Keep this one and send it once some of yours "
                                 "have been read."),
    "idea_queue_full": _l("The facilitator has many ideas to read, yours among them. Keep "
                          "this one and send it again in a few minutes."),
    "bad_client_id": _l("This request is not valid. Reload the page and try again."),
    "busy": _l("The server is busy. Try again in a moment."),
    "bad_ballot": _l("This ballot breaks the rules of the vote. Check your dots and try again."),
    "idea_not_found": _l("This idea does not exist."),
    "idea_merged": _l("This idea was merged into another one."),
    "idea_in_open_round": _l("This idea is part of the open vote: close the vote first."),
    "merge_into_itself": _l("Choose another idea to merge into."),
    "merge_target_unavailable": _l("You cannot merge into a hidden or merged idea."),
    "tickets_already_printed": _l("These tickets were already printed: their codes are "
                                  "shown only once. If the printout is lost, print a new "
                                  "batch from the facilitator page."),
    "bad_import": _l("No priority found in this file. Send a CSV file (from Excel or "
                     "LibreOffice) with one priority per row, at most %(limit)s."),
    "import_row_too_long": _l("Row %(row)s is longer than %(limit)s characters: shorten "
                              "it in the file and send it again. Nothing was imported."),
    "bad_place": _l("The place must be 1 to %(limit)s characters, or empty."),
    "idea_not_merged": _l("This idea is not merged: there is nothing to undo."),
    "code_exhausted": _l("Could not create a join code. Try again."),
    "not_joined": _l("Open the workshop page again to join."),
    "bad_request": _l("This request is not valid."),
    "forbidden": _l("You are not allowed to do that."),
    "csrf": _l("The page was open too long. Reload it and try again."),
    "too_large": _l("This request is too large."),
    "unknown_host": _l("This address does not lead to this workshop. Use the address shown "
                       "on the screen or in the QR code."),
    "no_tickets": _l("Print ballot tickets first: this vote needs one ticket per person."),
    "bad_ticket_count": _l("Choose between 1 and %(limit)s tickets at a time."),
    "too_many_tickets": _l("This workshop already has the most tickets allowed "
                           "(%(limit)s)."),
    "bad_ticket": _l("This code is not valid or has already been used. Check the letters "
                     "on your ticket, or ask the team for a new ticket."),
    "ticket_already_held": _l("This phone already has a ticket: you can vote with it."),
    "ticket_needed": _l("This vote needs the code from your paper ticket. Type it first."),
    "rate_limited": _l("Too many attempts in a short time. Wait %(seconds)s seconds, then "
                       "try again."),
    # Profiles and results by group (ops/profiles.py).
    "no_consent": _l("Agree to answer the questions first."),
    "profiles_closed": _l("The questions are not open right now."),
    "bad_choice": _l("This answer is not one of the choices. Reload the page."),
    "question_not_found": _l("This question does not exist."),
    "bad_question": _l("Write a question of 1 to %(limit)s characters."),
    "bad_choices": _l("Give between %(low)s and %(high)s choices, one per line."),
    "duplicate_choice": _l("Two choices are the same: each must be different."),
    "choice_answered": _l("Someone chose an answer you are removing: keep it, or remove the "
                          "whole question."),
    "too_many_questions": _l("A workshop asks at most %(limit)s questions."),
    "bad_group_size": _l("The smallest group shown must be between %(low)s and %(high)s "
                         "people."),
    "no_questions": _l("Add profile questions first."),
    "round_not_found": _l("This vote does not exist."),
    "bad_shares": _l("Write one choice per line with its share in percent (for example "
                     "\"La Mitis;8,5\"); the shares add up to 100 at most."),
    "unknown_choice": _l("\"%(label)s\" is not one of the choices of this question."),
    "no_group_shown": _l("No group is large enough to be shown for this question."),
    "vote_running": _l("Close the vote first."),
    "purge_not_confirmed": _l("Type the join code to confirm."),
    "bad_retention": _l("Choose between %(low)s and %(high)s days."),
    # The agenda (ops/activities.py).
    "unknown_activity_kind": _l("This kind of activity does not exist."),
    "bad_activity_setting": _l("The settings of this activity are not valid."),
    "bad_activity_reference": _l("Choose an idea collection or a vote of this agenda."),
    "bad_prompt": _l("Give a question of at most %(limit)s characters."),
    "activity_not_found": _l("This activity is not on the agenda."),
    "activity_not_planned": _l("This activity has already started."),
    "activity_referenced": _l("Another activity relies on this one: change that one first."),
    "cannot_move": _l("This activity cannot move further."),
    "no_planned_activity": _l("Nothing more is planned on the agenda."),
    "no_open_activity": _l("No activity is running."),
    "runoff_source_open": _l("Close the earlier vote before starting its runoff."),
    # Questions (ops/polls.py).
    "bad_answer": _l("Check your answer: it is empty, too long or not one of the choices."),
    "poll_closed": _l("This question is closed: your answer was not recorded."),
    "no_poll": _l("There is no question to show."),
    "answer_not_found": _l("This answer does not exist."),
    # Timers (ops/activities.py).
    "bad_timer": _l("Choose a timer between %(low)s and %(high)s seconds."),
    "no_timer": _l("The running activity has no timer."),
    "activity_closed": _l("This activity is already closed."),
    "timer_not_due": _l("This activity's timer has not run out."),
    # Kiosks, helpers and paper ballots (ops/devices.py).
    "bad_pin": _l("This PIN is not the right one. Ask the facilitator."),
    "bad_label": _l("Give a name of at most %(limit)s characters."),
    "too_many_devices": _l("This workshop already has the most links allowed (kiosk, "
                           "helper, co-facilitator and moderator links: %(limit)s)."),
    "device_not_found": _l("This link does not exist."),
    # Co-facilitator and moderator links, automatic approval (web/facilitator.py,
    # ops/ideas.py).
    "moderators_moderate_only": _l("A moderator link approves, hides, merges and sorts "
                                   "ideas by theme only. Ask the facilitator."),
    "own_link_only": _l("Only the workshop's own facilitator link can replace itself."),
    "bad_blocklist": _l("Write one word per line: at most %(limit)s words, each at most 60 "
                        "characters."),
    # Themes (ops/ideas.py).
    "bad_themes": _l("Write one theme per line: at most %(limit)s themes, each at most "
                     "%(length)s characters."),
    "unknown_theme": _l("This theme is not one of the workshop's themes. Reload the page."),
    "phones_only": _l("This vote is made on cell phones only (one comparison at a time)."),
    "bad_paper_count": _l("Choose between 1 and %(limit)s paper ballots at a time."),
    "too_many_paper": _l("This vote already has the most paper ballots allowed (%(limit)s)."),
    "bad_paper_number": _l("This number is not one of the ballots printed for this vote. "
                           "Check each digit."),
}

BALLOT_REASONS = {
    "over_budget": _l("You used more dots than you have (%(budget)s)."),
    "unknown_option": _l("One of these priorities is not part of this vote."),
    "bad_count": _l("Dots must be whole numbers."),
    "bad_ballot": _l("This ballot is not in the expected form."),
    "too_many": _l("Your ballot has too many choices for this vote."),
    "duplicate_option": _l("The same priority appears twice in your ballot."),
    "duplicate_rank": _l("Two priorities have the same place: give each a different one."),
    "bad_judgement": _l("This comparison is not valid. Reload the page."),
    "same_option": _l("This comparison is not valid. Reload the page."),
    "bad_choice": _l("This comparison is not valid. Reload the page."),
}

def refusal_message(error: Refused) -> str:
    """Return the refusal's explanation in the reader's language."""
    params = dict(error.params)
    reason = params.get("reason")
    if error.code == "bad_ballot" and reason == "over_cap":
        cap = int(params.get("cap", 1))
        return ngettext("At most %(num)s dot on one priority.",
                        "At most %(num)s dots on one priority.", cap)
    worded = _method_reasons(params.get("method"))
    if error.code == "bad_ballot" and reason in worded:
        template = gettext(worded[reason])
    elif error.code == "bad_ballot" and reason in BALLOT_REASONS:
        template = BALLOT_REASONS[reason]
    else:
        template = REFUSALS.get(error.code, REFUSALS["bad_request"])
    if "setting" in params:
        params["setting"] = _setting_name(params["setting"])
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template).split("%(")[0].strip()


def _method(name: object) -> ModuleType | None:
    return METHODS.get(name) if isinstance(name, str) else None


def _method_reasons(name: object) -> dict[str, str]:
    """Return the refusal wordings a method declares for itself (points, not dots)."""
    return dict(getattr(_method(name), "REASONS", {}))


def _setting_name(name: str) -> str:
    """Return how a refusal names a vote setting, in the reader's language."""
    for module in METHODS.values():
        for setting in module.SETTINGS:
            if setting.name == name:
                return gettext(setting.described)
    return name


def explain(method: str) -> str:
    """Return the one plain sentence that explains a voting method."""
    module = _method(method)
    return gettext(module.TEXTS.explanation) if module is not None else ""


def borda_rule(vote: Mapping[str, Any]) -> str:
    """Return the Borda rule of a ranked vote in one sentence."""
    top = (vote.get("settings") or {}).get("top")
    if top is not None:
        return ngettext("Borda points: a first place earns %(num)d point, each place below "
                        "one point fewer, so the %(num)d-th place earns 1 point; a priority "
                        "left unranked earns 0.",
                        "Borda points: a first place earns %(num)d points, each place below "
                        "one point fewer, so the %(num)d-th place earns 1 point; a priority "
                        "left unranked earns 0.", top)
    return gettext("Borda points: a priority earns one point for each priority ranked below "
                   "it; the last place and an unranked priority earn 0.")


def method_name(method: str) -> str:
    """Return a voting method's name in the reader's language."""
    module = _method(method)
    return gettext(module.TEXTS.name) if module is not None else method


def score_unit(method: str) -> str:
    """Return what a method's scores count, in the reader's language."""
    module = _method(method)
    return gettext(module.TEXTS.unit) if module is not None else ""


def number(value: object) -> str:
    """Return a count or a score as the reader's language writes it: "52,3" and
    "1\u00a0234" in French, "52.3" and "1,234" in English; at most one decimal (a score
    out of 100 needs no more), none for a whole number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format_decimal(value, format="#,##0.#")


def said_score(method: str, score: object) -> str:
    """Return a result's score as the phone says it, in plain words and without the
    method's technical unit ("12 pastilles", "52,3 sur 100"); "" where the score needs the
    method's note to be understood (a ranking's Borda points), and the place says enough."""
    if not isinstance(score, (int, float)) or isinstance(score, bool):
        return ""
    shown = {"num": number(score)}
    count = int(score)
    words = get_translations()  # the plural form by the count, the count as written
    if method == "dots":
        return words.ngettext("%(num)s dot", "%(num)s dots", count) % shown
    if method == "points":
        return words.ngettext("%(num)s point", "%(num)s points", count) % shown
    if method == "approval":
        return words.ngettext("ticked by %(num)s person", "ticked by %(num)s people",
                              count) % shown
    if method == "pairwise":
        return words.gettext("%(num)s out of 100") % shown
    return ""


def select_locale() -> str:
    """Pick the page language: an explicit ?lang=, then the session, then French."""
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    return remembered if remembered in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    """Attach Flask-Babel with our locale selector and the method texts for templates."""
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals.update(explain=explain, method_name=method_name, borda_rule=borda_rule,
                                 score_unit=score_unit, voting_methods=METHODS,
                                 format_percent=format_percent, format_date=format_date,
                                 format_decimal=format_decimal,
                                 number=number, said_score=said_score)
