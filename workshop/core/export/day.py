"""The day's exports as tables: every vote's ranking with both orders, every idea with
its history, participation. Built from the report `store/report.day_report` gathers,
annotated by the edge with words in the reader's language (`web/exports.py`):

- each vote: `method_name`, `settings_text`, `status_text`, `tickets_text`, `note` (the
  method in one sentence, with the Borda rule when Borda scores are shown), `flag_text`
  (the Borda and Schulze orders differ on the top N, or "");
- each idea: `status_text` (its `theme`, `""` for none, is the report's own);
- `labels`: a header or title for each key the tables and files use.

Pure core: standard library only. Headers are English msgids (marked with N_) that the
edge translates; every spreadsheet cell goes through `cells.safe_cell` when written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workshop.core.export.cells import safe_cell
from workshop.core.voting.declare import N_

RANKING_COLUMNS = (N_("round"), N_("round_title"), N_("activity"), N_("method"),
                   N_("settings"), N_("tickets_required"), N_("status"), N_("voters"),
                   N_("rank"), N_("priority"), N_("score"), N_("supporters"),
                   N_("share_of_voters"), N_("schulze_rank"), N_("orders_differ"),
                   N_("method_note"))
IDEA_COLUMNS = (N_("idea"), N_("priority"), N_("theme"), N_("status"), N_("merged_into"),
                N_("merged_into_priority"), N_("original_wording"), N_("activity"),
                N_("proposed_at"))
PARTICIPATION_COLUMNS = (N_("what"), N_("channel"), N_("people"))
QUESTION_COLUMNS = (N_("question"), N_("kind"), N_("status"), N_("answered"), N_("answer"),
                    N_("count"), N_("share_of_answers"), N_("average"), N_("median"))


def share(value: float) -> float:
    """Round a share of voters (0 to 1) for a file: four decimals."""
    return round(value, 4)


def ranking_rows(votes: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
    """Return one row per priority of every vote (RANKING_COLUMNS), best first."""
    rows: list[list[Any]] = []
    for vote in votes:
        for s in vote["ranking"]:
            rows.append([vote["number"], vote["title"], vote["activity"], vote["method_name"],
                         vote["settings_text"], vote["tickets_text"], vote["status_text"],
                         vote["voters"], s["rank"], s["text"], s["score"], s["supporters"],
                         share(s["share"]), s.get("schulze_rank", ""), vote["flag_text"],
                         vote["note"]])
    return rows


def idea_rows(ideas: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
    """Return one row per idea submitted (IDEA_COLUMNS), in the order they came."""
    return [[idea["id"], idea["text"], idea["theme"], idea["status_text"],
             idea["merged_into"] or "",
             idea["merged_into_text"], idea["original_text"], idea["activity"],
             idea.get("time_text", idea["created_at"])] for idea in ideas]


def question_rows(questions: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
    """Return one row per choice, point of the scale, word or open answer of every question
    (QUESTION_COLUMNS); each question annotated by the edge with `question_text` (its
    prompt or title), `kind_text` and `status_text`. A scale's rows carry its average and
    median; an open answer's row has no count (each is one person's)."""
    rows: list[list[Any]] = []
    for question in questions:
        results = question["results"]
        head = [question["question_text"], question["kind_text"], question["status_text"],
                results["voters"]]
        if "rows" in results:
            average = results.get("mean")
            median = results.get("median")
            for row in results["rows"]:
                rows.append([*head, row.get("text", row.get("value")), row["count"],
                             share(row["share"]),
                             "" if average is None else round(average, 2),
                             "" if median is None else median])
        elif "words" in results:
            voters = results["voters"]
            rows += [[*head, row["word"], row["count"],
                      share(row["count"] / voters) if voters else 0.0, "", ""]
                     for row in results["words"]]
        else:
            rows += [[*head, text, "", "", "", ""] for text in results["answers"]]
        if not results["voters"]:
            rows.append([*head, "", 0, "", "", ""])
    return rows


def participation_rows(report: Mapping[str, Any], present: str, voted: str,
                       total: str) -> list[list[Any]]:
    """Return participation rows (PARTICIPATION_COLUMNS): present and voted, in all and
    by channel (phone, kiosk, paper...)."""
    part = report["participation"]
    named = part.get("channel_words", {})
    rows: list[list[Any]] = [[present, total, part["present"]]]
    rows += [[present, named.get(channel, channel), n]
             for channel, n in part["present_by_channel"].items()]
    rows.append([voted, total, part["voted"]])
    rows += [[voted, named.get(channel, channel), n]
             for channel, n in part["voted_by_channel"].items()]
    return rows


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]], sep: str = ",") -> str:
    """Write a table as CSV text: UTF-8 with a BOM (spreadsheets then read accents right),
    `sep` between cells (`;` for a spreadsheet set up in French), every cell through
    `safe_cell`, and decimals with a comma when the separator is `;`."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")

    def cell(value: Any) -> Any:
        if sep == ";" and isinstance(value, float):
            return repr(value).replace(".", ",")
        return safe_cell(value)

    writer.writerow([cell(h) for h in headers])
    for row in rows:
        writer.writerow([cell(c) for c in row])
    return out.getvalue()


def report_json(report: Mapping[str, Any]) -> str:
    """Write the whole report as JSON (text as typed: JSON is data, not a sheet)."""
    body = {key: value for key, value in report.items() if key != "labels"}
    return json.dumps(body, ensure_ascii=False, indent=2, default=str) + "\n"
