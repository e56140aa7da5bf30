"""The day's workbook (XLSX, openpyxl): a sheet per vote, results by group, every idea,
participation and how each method counts.

Pure core (openpyxl, no framework). Numbers are written as numbers (shares as
percentages), header rows are frozen, columns are as wide as their text (within bounds),
and every text cell goes through `cells.safe_cell`, so a participant's idea never runs
as a formula.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from workshop.core.export import day
from workshop.core.export.cells import safe_cell
from workshop.core.export.tables import groups_table

BOLD = Font(bold=True)
WIDEST = 80
# Characters openpyxl refuses in a cell (XML 1.0 control characters) and in a sheet title.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TITLE_BAD = re.compile(r"[\\/*?:\[\]]")


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return safe_cell(_ILLEGAL.sub("\ufffd", value))
    return value


def _title(text: str, taken: set[str]) -> str:
    """Return a sheet title Excel accepts (31 characters, no \\ / * ? : [ ]), unique."""
    base = _TITLE_BAD.sub(" ", _ILLEGAL.sub(" ", text)).strip().strip("'")[:31] or "—"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _sheet(book: Workbook, title: str, taken: set[str], headers: Sequence[str],
           rows: Iterable[Sequence[Any]], above: Sequence[str] = (),
           percent: Iterable[int] = ()) -> Worksheet:
    """Add a sheet: optional lines of text above, a bold frozen header row, the rows."""
    sheet = book.create_sheet(_title(title, taken))
    for line in above:
        sheet.append([_cell(line)])
    sheet.append([_cell(h) for h in headers])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = BOLD
    for row in rows:
        sheet.append([_cell(c) for c in row])
    for column in percent:
        for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=column,
                                       max_col=column):
            cell.number_format = "0.0%"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    _fit(sheet, header_row)
    return sheet


def _fit(sheet: Worksheet, header_row: int) -> None:
    """Make each column as wide as its longest cell from the header row down."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=header_row):
        for cell in row:
            if cell.value is None:
                continue
            text = (f"{cell.value:.1%}" if isinstance(cell.value, float) else str(cell.value))
            widths[cell.column] = max(widths.get(cell.column, 0), len(text))
    for column, width in widths.items():
        letter = sheet.cell(row=header_row, column=column).column_letter
        sheet.column_dimensions[letter].width = min(max(width + 2, 6), WIDEST)
        if width > WIDEST:
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=column,
                                           max_col=column):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


VOTE_COLUMNS = ("rank", "priority", "score", "supporters", "share_of_voters",
                "schulze_rank")


def workbook(report: Mapping[str, Any]) -> bytes:
    """Return the day's workbook as XLSX bytes (the report annotated by the edge)."""
    words = report["labels"]
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    meta = report["workshop"]
    heading = f"{meta['title']} · {meta['about_text']}"
    for vote in report["votes"]:
        above = [heading, f"{words['vote']} {vote['number']} · {vote['title']}"
                 + (f" · {vote['activity']}" if vote["activity"] not in ("", vote["title"])
                    else ""),
                 f"{vote['method_name']} · {vote['settings_text']}",
                 vote.get("facts_text", ""), vote["note"]]
        if vote["flag_text"]:
            above.append(vote["flag_text"])
        has_schulze = any("schulze_rank" in s for s in vote["ranking"])
        columns = VOTE_COLUMNS if has_schulze else VOTE_COLUMNS[:-1]
        rows = [[s["rank"], s["text"], s["score"], s["supporters"], day.share(s["share"]),
                 *([s.get("schulze_rank")] if has_schulze else [])]
                for s in vote["ranking"]]
        _sheet(book, f"{vote['number']}. {vote['title']}", taken,
               [words[c] for c in columns], rows, above, percent=[5])
    groups = groups_table(report["groups"], words["everyone"], words["equal"])
    if groups:
        _sheet(book, words["groups"], taken,
               [words[c] for c in ("round", "round_title", "question", "group",
                                   "group_voters", "rank", "priority",
                                   "lowest_group_support")],
               groups, [heading, words["group_note"]], percent=[8])
    if report.get("questions"):
        _sheet(book, words["questions"], taken, [words[c] for c in day.QUESTION_COLUMNS],
               day.question_rows(report["questions"]), [heading], percent=[7])
    _sheet(book, words["ideas"], taken, [words[c] for c in day.IDEA_COLUMNS],
           day.idea_rows(report["ideas"]), [heading])
    _sheet(book, words["participation"], taken,
           [words[c] for c in day.PARTICIPATION_COLUMNS],
           day.participation_rows(report, words["present"], words["voted"], words["total"]),
           [heading])
    _sheet(book, words["methods"], taken, [words["method"], words["method_note"]],
           [[m["name"], m["text"]] for m in report["methods"]]
           + [[f"{words['vote']} {v['number']} · {v['title']}", v["note"]]
              for v in report["votes"] if v["method"] == "ranking"],
           [words["method_sheet_intro"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
