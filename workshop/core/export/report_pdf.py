"""The day's report as a PDF ("bilan de la journée"): fpdf2 for the pages, matplotlib
for the bar charts, DejaVu Sans (`pdf_fonts`) for French typography.

Pure core (fpdf2, matplotlib with its Agg canvas; no framework). Black on white, bars in
grey with their values written beside them, so it reads printed in black and white.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from workshop.core.export import day
from workshop.core.export.pdf_fonts import FAMILY, add_fonts

CHART_BARS = 10
CHART_LABEL = 48
CHART_WIDTH = 7.0  # inches, drawn across the page's text width


def chart_inches(bars: int) -> float:
    """Return a bar chart's height in inches: a third of an inch a bar, and the axis."""
    return 0.34 * max(bars, 1) + 0.7


def bar_chart(labels: Sequence[str], values: Sequence[float], unit: str) -> bytes:
    """Return a horizontal bar chart (PNG bytes), the first bar on top, values written
    at the end of each bar; grey bars on white so it prints in black and white."""
    height = chart_inches(len(labels))
    figure = Figure(figsize=(CHART_WIDTH, height), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    wrapped = [textwrap.shorten(label, CHART_LABEL, placeholder="…") for label in labels]
    positions = list(range(len(values)))[::-1]
    bars = axes.barh(positions, values, color="#6b6b6b", edgecolor="black", linewidth=0.6)
    axes.set_yticks(positions, wrapped, fontsize=9)
    axes.bar_label(bars, labels=[f"{v:g}" for v in values], padding=3, fontsize=9)
    axes.set_xlabel(unit, fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
    axes.margins(x=0.12)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


class _Report(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.cell(0, 6, f"{self.footer_text} · {self.page_no()}", align="C")


def _heading(pdf: FPDF, text: str, size: float = 14) -> None:
    pdf.set_font(FAMILY, "B", size)
    pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.ln(1.5)
    pdf.set_font(FAMILY, "", 10)


def _para(pdf: FPDF, text: str, size: float = 10, bold: bool = False) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.set_font(FAMILY, "", 10)


def _table(pdf: FPDF, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           widths: Sequence[float], size: float = 9) -> None:
    """Draw a table: a bold header row (drawn again at the top of each new page), a thin
    rule under every row, long cells wrapped. Written with plain cells: fpdf2's own table
    lays every cell out twice, which is slow for the hundreds of rows of a large day."""
    scale = pdf.epw / sum(widths)
    columns = [w * scale for w in widths]
    line = size * 0.45
    pad = pdf.c_margin

    def lines_of(text: str, width: float) -> list[str]:
        if "\n" not in text and pdf.get_string_width(text) <= width - 2 * pad:
            return [text]
        return pdf.multi_cell(width, line, text, dry_run=True, output="LINES")

    def draw(cells: Sequence[str], bold: bool) -> None:
        pdf.set_font(FAMILY, "B" if bold else "", size)
        wrapped = [lines_of(text, width) for text, width in zip(cells, columns, strict=True)]
        height = max(len(w) for w in wrapped) * line + 1.2
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            if not bold:
                draw(heads, True)
                pdf.set_font(FAMILY, "", size)
        top, x = pdf.get_y(), pdf.l_margin
        for texts, width in zip(wrapped, columns, strict=True):
            for n, text in enumerate(texts):
                pdf.set_xy(x, top + 0.6 + n * line)
                pdf.cell(width, line, text)
            x += width
        pdf.line(pdf.l_margin, top + height, pdf.l_margin + pdf.epw, top + height)
        pdf.set_xy(pdf.l_margin, top + height)

    heads = [str(text).replace("_", " ") for text in headers]  # keys read as words
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    draw(heads, True)
    for row in rows:
        draw(["" if value is None else str(value) for value in row], False)
    pdf.set_font(FAMILY, "", 10)
    pdf.ln(3)


def _percent(value: float, sign: str) -> str:
    """A share as a whole percent, with the reader's sign: French writes "52 %" (a no-break
    space before the sign), English "52%"."""
    return f"{value * 100:.0f}{sign}"


GROUP_ROWS = 15


def _group_table(pdf: FPDF, words: Mapping[str, Any], vote: Mapping[str, Any],
                 question: Mapping[str, Any]) -> None:
    """One question's results by group: a row per priority (the first GROUP_ROWS), its
    rank for everyone, in each group shown, when each group counts equally, and its
    lowest group support; then the largest gaps."""
    _heading(pdf, f"{vote['title']} · {question['text']}", 11)
    groups = question["groups"]
    equal = bool(question["equal_groups"])
    headers = [words["priority"], f"{words['everyone']} ({question['voters']})",
               *[f"{g['label']} ({g['voters']})" for g in groups],
               *([words["equal"]] if equal else []), words["lowest_group_support"]]
    rows = []
    for row in sorted(question["rows"], key=lambda r: r["rank"])[:GROUP_ROWS]:
        rows.append([row["text"], row["rank"], *row["groups"],
                     *([row["equal_rank"]] if equal else []),
                     "" if row["consensus"] is None
                     else _percent(row["consensus"], words["percent_sign"])])
    _table(pdf, headers, rows, (5, *([1.4] * (len(headers) - 1))), size=8)
    lines = [gap["line"] for gap in question.get("gaps", []) if gap.get("line")]
    if lines:
        _para(pdf, words["gaps"], 9, bold=True)
        for line in lines:
            _para(pdf, f"• {line}", 8.5)
    pdf.ln(2)


def _questions(pdf: FPDF, words: Mapping[str, Any],
               questions: Sequence[Mapping[str, Any]]) -> None:
    """Draw every question asked (multiple choice, scale, word cloud, open question): its
    wording, its facts in words (`facts_text`, by the edge: kind, state, answers, a scale's
    average and median) and its rows as in the workbook's sheet."""
    if not questions:
        return
    _heading(pdf, words["questions"], 13)
    for question in questions:
        if pdf.get_y() + 40 > pdf.page_break_trigger:
            pdf.add_page()  # a question's heading stays with the start of its table
        _heading(pdf, question["question_text"], 12)
        _para(pdf, question["facts_text"], 9.5)
        rows = [[row[4], row[5], "" if row[6] == "" else _percent(row[6], words["percent_sign"])]
                for row in day.question_rows([question]) if row[4] != ""]
        if rows:
            _table(pdf, [words["answer"], words["count"], words["share_of_answers"]], rows,
                   (7, 1.3, 1.5))


def pdf_report(report: Mapping[str, Any]) -> bytes:
    """Return the day's report as PDF bytes (the report annotated by the edge)."""
    words = report["labels"]
    meta = report["workshop"]
    pdf = _Report(format="A4")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    add_fonts(pdf)
    pdf.footer_text = f"{meta['title']} · {meta['date_text']}"
    pdf.set_title(f"{words['report_title']} · {meta['title']}")
    pdf.add_page()
    _heading(pdf, words["report_title"], 20)
    _heading(pdf, meta["title"], 16)
    _para(pdf, meta["about_text"])
    pdf.ln(3)

    _heading(pdf, words["participation"], 13)
    _table(pdf, [words[c] for c in day.PARTICIPATION_COLUMNS],
           day.participation_rows(report, words["present"], words["voted"], words["total"]),
           (2, 2, 1))

    _heading(pdf, words["votes"], 13)
    if not report["votes"]:
        _para(pdf, words["no_votes"])
    for vote in report["votes"]:
        bars = min(len(vote["ranking"]), CHART_BARS) if vote["voters"] else 0
        chart_height = pdf.epw * chart_inches(bars) / CHART_WIDTH if bars else 0
        if pdf.get_y() + chart_height + 45 > pdf.page_break_trigger:
            pdf.add_page()  # the vote's heading and notes stay with its chart
        _heading(pdf, f"{words['vote']} {vote['number']} · {vote['title']}", 12)
        lines = [f"{vote['method_name']} · {vote['settings_text']}", vote["facts_text"]]
        if vote["activity"] and vote["activity"] != vote["title"]:
            lines.insert(0, vote["activity_text"])
        for line in lines:
            _para(pdf, line, 9.5)
        _para(pdf, vote["note"], 9)
        if vote["flag_text"]:
            _para(pdf, f"⚠ {vote['flag_text']}", 10, bold=True)
        ranking = vote["ranking"]
        if ranking and vote["voters"]:
            head = ranking[:CHART_BARS]
            chart = bar_chart([s["text"] for s in head], [s["score"] for s in head],
                              vote.get("unit") or words["score"])
            if pdf.get_y() + chart_height > pdf.page_break_trigger:
                pdf.add_page()
            pdf.image(io.BytesIO(chart), w=pdf.epw)
            pdf.ln(2)
        has_schulze = any("schulze_rank" in s for s in ranking)
        headers = [words["rank"], words["priority"], words["score"], words["supporters"],
                   words["share_of_voters"]] + ([words["schulze_rank"]] if has_schulze
                                                else [])
        sign = words["percent_sign"]
        rows = [[s["rank"], s["text"], s["score"], s["supporters"], _percent(s["share"], sign)]
                + ([s.get("schulze_rank", "")] if has_schulze else []) for s in ranking]
        _table(pdf, headers, rows, (1, 7, 1.3, 1.5, 1.5, 1.3) if has_schulze
               else (1, 7, 1.3, 1.5, 1.5))

    _questions(pdf, words, report.get("questions", []))

    if any(q["groups"] for v in report["groups"] for q in v["questions"]):
        pdf.add_page()
        _heading(pdf, words["groups"], 13)
        _para(pdf, words["group_note"], 9)
        _para(pdf, words["consensus_note"], 9)
        _para(pdf, words["groups_pdf_note"], 9)
        pdf.ln(2)
        for vote in report["groups"]:
            for question in vote["questions"]:
                if question["groups"]:
                    _group_table(pdf, words, vote, question)
    pdf.add_page()
    _heading(pdf, words["ideas"], 13)
    _table(pdf, [words[c] for c in ("idea", "priority", "theme", "status",
                                     "original_wording", "activity", "proposed_at")],
           [[i["id"], i["text"], i["theme"],
             i["status_text"] + (f" → {i['merged_into']}. {i['merged_into_text']}"
                                 if i["merged_into"] else ""),
             i["original_text"], i["activity"], i.get("time_text", i["created_at"])]
            for i in report["ideas"]], (1.1, 4.4, 2, 3.2, 2.6, 1.8, 1.7), size=8)

    _heading(pdf, words["methods"], 13)
    for method in report["methods"]:
        _para(pdf, method["name"], 10, bold=True)
        _para(pdf, method["text"], 9.5)
        pdf.ln(1)
    return bytes(pdf.output())
