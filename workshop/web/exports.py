"""What the organisers take home, in the reader's language: the day's report annotated
with words (method names, settings, the Borda rule, statuses), and each file built from it.

Edge layer: translations happen here; the data come from `store.report.day_report`, the
files are written by `core.export` (CSV, JSON, XLSX, PDF). Used by the facilitator's
downloads and by `workshop export`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import force_locale, format_date, format_time, get_locale, gettext, pgettext
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from workshop.core import export
from workshop.core.export import day
from workshop.core.voting import METHODS
from workshop.store.models import Workshop
from workshop.store.report import day_report
from workshop.web.agenda import activity_label
from workshop.web.i18n import borda_rule, explain, method_name, number, score_unit


def _status(code: str) -> str:
    words = {"open": _("open"), "closed": _("closed"), "pending": _("waiting"),
             "approved": _("approved"), "hidden": _("hidden"), "merged": _("merged")}
    return words.get(code, code)


def settings_text(method: str, settings: dict[str, Any]) -> str:
    """Return a vote's settings in words: each setting's label and its value."""
    module = METHODS.get(method)
    if module is None:
        return ""
    return " · ".join(
        _("%(setting)s: %(value)s", setting=_capital(gettext(setting.described)),
          value=_("no limit") if settings.get(setting.name) is None
          else settings[setting.name])
        for setting in module.SETTINGS)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _flag(vote: dict[str, Any]) -> str:
    if not vote.get("disagree_top_n"):
        return ""
    return _("Borda and Schulze differ on the first %(num)d places", num=vote["top_n"])


def labels() -> dict[str, str]:
    """Return every header and title the files use, in the reader's language."""
    keys = (set(day.RANKING_COLUMNS) | set(day.IDEA_COLUMNS) | set(day.PARTICIPATION_COLUMNS)
            | set(day.QUESTION_COLUMNS)
            | set(export.GROUPS_HEADERS) | {"question", "group"})
    out = {key: gettext(key) for key in keys}
    out["score"] = pgettext("column of a results file", "score")
    out.update(
        report_title=_("Report of the day"), date=_("Date"), code=_("Join code"),
        participation=_("Participation"), present=_("Present"), voted=_("Voted"),
        total=_("in all"), votes=_("Votes"), ideas=_("Ideas"), methods=_("Methods"),
        questions=_("Questions"),
        groups=_("Results by group"), everyone=_("Everyone"),
        equal=_("Each group counts equally"), yes=_("yes"), no=_("no"),
        vote=pgettext("a vote (noun)", "Vote"), schulze=_("Schulze order"), borda=_("Borda order"),
        method_sheet_intro=_("How each method counts, in plain language."),
        no_votes=_("No vote yet."), page=_("Page"),
        gaps=_("Largest gaps between groups"),
        tickets_label=_("Printed tickets required"), voters_label=_("Voters"),
        groups_pdf_note=_("The first %(num)d priorities; every row is in the workbook.",
                          num=GROUP_ROWS_PDF),
        consensus_note=_("Lowest group support: the smallest share of a group's voters "
                         "who gave the priority at least one point; a high share means "
                         "every group supports it."))
    return out


def annotated_report(session: Session, workshop: Workshop) -> dict[str, Any]:
    """Return the day's report with its words in the reader's language (see core/export/day)."""
    return annotate(day_report(session, workshop))


def annotate(report: dict[str, Any]) -> dict[str, Any]:
    """Add the words of a report (`store.report.day_report`'s shape) in the reader's
    language, in place, and return it."""
    for vote in report["votes"]:
        note = explain(vote["method"])
        if vote["method"] == "ranking":
            note = f"{note} {borda_rule(vote)}"
        vote.update(method_name=method_name(vote["method"]),
                    settings_text=settings_text(vote["method"], vote["settings"]),
                    status_text=_status(vote["status"]),
                    tickets_text=_("yes") if vote["require_ticket"] else _("no"),
                    note=note, flag_text=_flag(vote), unit=score_unit(vote["method"]))
    for question in report.get("questions", []):
        question["question_text"] = question["prompt"] or question["title"] or \
            activity_label(question["kind"])
        question["kind_text"] = activity_label(question["kind"])
        question["status_text"] = _status(question["status"])
        results = question["results"]
        facts = [question["kind_text"], question["status_text"],
                 _("%(setting)s: %(value)s", setting=_capital(gettext("answered")),
                   value=number(results["voters"]))]
        if results.get("mean") is not None:
            facts += [_("%(setting)s: %(value)s", setting=_capital(gettext(name)),
                        value=number(results[key]))
                      for name, key in (("average", "mean"), ("median", "median"))]
        question["facts_text"] = " · ".join(facts)
    for idea in report["ideas"]:
        idea["status_text"] = _status(idea["status"])
    report["labels"] = labels()
    # French puts a no-break space before the percent sign, English none
    report["labels"]["percent_sign"] = "\u00a0%" if get_locale().language == "fr" else "%"
    report["labels"]["group_note"] = _(
        "Groups with fewer than %(num)d voters are not shown, so nobody can be recognised.",
        num=report["workshop"]["min_group_size"])
    report["methods"] = [{"name": method_name(name), "text": explain(name)}
                         for name in METHODS]
    report["workshop"]["date_text"] = format_date(_moment(report["workshop"]["created_at"]),
                                                   "long")
    for idea in report["ideas"]:
        idea["time_text"] = format_time(_moment(idea["created_at"]), "short")
    for vote in report["votes"]:
        vote["time_text"] = " – ".join(format_time(_moment(t), "short")
                                       for t in (vote["opened_at"], vote["closed_at"]) if t)
        vote["facts_text"] = " · ".join(
            [_("%(setting)s: %(value)s", setting=_("Printed tickets required"),
               value=vote["tickets_text"]),
             _("%(setting)s: %(value)s", setting=_("Voters"), value=vote["voters"]),
             vote["status_text"], vote["time_text"]])
        vote["activity_text"] = _("%(setting)s: %(value)s", setting=_("Activity"),
                                  value=vote["activity"])
    for group_vote in report["groups"]:
        for question in group_vote["questions"]:
            for gap in question.get("gaps", []):
                gap["line"] = _("%(priority)s: rank %(best)d for %(best_groups)s, rank "
                                "%(worst)d for %(worst_groups)s",
                                priority=gap["text"], best=gap["best_rank"],
                                worst=gap["worst_rank"],
                                best_groups=", ".join(gap["best"]),
                                worst_groups=", ".join(gap["worst"]))
    report["participation"]["channel_words"] = {
        channel: _channel(channel) for channel in
        {*report["participation"]["present_by_channel"],
         *report["participation"]["voted_by_channel"]}}
    meta = report["workshop"]
    meta["about_text"] = " · ".join(
        ([_("%(setting)s: %(value)s", setting=_("Place"), value=meta["place"])]
         if meta.get("place") else []) + [
        _("%(setting)s: %(value)s", setting=_("Date"), value=meta["date_text"]),
        _("%(setting)s: %(value)s", setting=_("Join code"), value=meta["code"])])
    return report


def _moment(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def _channel(code: str) -> str:
    words = {"phone": _("cellphone"), "kiosk": _("kiosk"), "paper": _("paper ballot")}
    return words.get(code, code)


GROUP_ROWS_PDF = 15


def sign(workshop: Workshop, address: str) -> Any:
    """Return what the poster and table tents say: the instruction in French, then in
    English, whatever the page's language."""
    from workshop.core.export.poster import Sign

    lines = []
    for language in ("fr", "en"):
        with force_locale(language):
            lines.append(_("Scan the code with your phone's camera, or type the address, "
                           "to take part."))
    return Sign(title=workshop.title, address=address, code=workshop.code,
                code_label=_("Code:"), lines=lines)


PRINTS = {"pdf": "application/pdf", "png": "image/png"}


def printed(workshop: Workshop, address: str, kind: str, paper: str, fmt: str) -> bytes:
    """Return a poster (pdf or png) or table tents (pdf) on a4 or letter paper."""
    from workshop.core.export import poster

    words = sign(workshop, address)
    if kind == "poster" and fmt == "pdf":
        return poster.poster_pdf(words, paper)
    if kind == "poster" and fmt == "png":
        return poster.poster_png(words, paper)
    if kind == "tents" and fmt == "pdf":
        return poster.tents_pdf(words, paper)
    raise ValueError(kind, fmt)

FILES = {"csv": "text/csv; charset=utf-8", "json": "application/json",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pdf": "application/pdf"}


def build(session: Session, workshop: Workshop, fmt: str, sep: str = ",",
          table: str = "rankings") -> tuple[bytes, str]:
    """Return (body, mimetype) of one of the day's files (`FILES`); a CSV holds one
    table: the rankings of the votes, or (`table="questions"`) the questions' answers, or
    (`table="idea_list"`) every idea with its theme and history, as the workbook's sheet."""
    report = annotated_report(session, workshop)
    words = report["labels"]
    if fmt == "csv" and table == "idea_list":
        text = day.to_csv([words[key] for key in day.IDEA_COLUMNS],
                          day.idea_rows(report["ideas"]), sep)
        return text.encode("utf-8"), FILES[fmt]
    if fmt == "csv" and table == "questions":
        text = day.to_csv([words[key] for key in day.QUESTION_COLUMNS],
                          day.question_rows(report["questions"]), sep)
        return text.encode("utf-8"), FILES[fmt]
    if fmt == "csv":
        headers = [words[key] for key in day.RANKING_COLUMNS]
        text = day.to_csv(headers, day.ranking_rows(report["votes"]), sep)
        return text.encode("utf-8"), FILES[fmt]
    if fmt == "json":
        return day.report_json(report).encode("utf-8"), FILES[fmt]
    if fmt == "xlsx":
        return export.workbook(report), FILES[fmt]
    if fmt == "pdf":
        return export.pdf_report(report), FILES[fmt]
    raise ValueError(fmt)


