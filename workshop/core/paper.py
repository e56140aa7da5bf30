"""Paper ballots: their printed numbers and the printable PDF of a vote's ballots.

Pure core: plain values in, bytes out (fpdf2, qrcode's matrix, stdnum's Damm check
digit); every word printed comes translated from the caller. A ballot's number is its
sequence in the vote and a check digit (Damm, which catches every single wrong digit and
every swap of two neighbours), computed with the vote's number mixed in, so that a
mistyped number, or most numbers of another vote's sheets, are refused instead of counted.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import qrcode
from fpdf import FPDF
from qrcode.constants import ERROR_CORRECT_M
from stdnum import damm

from workshop.core.export.pdf_fonts import FAMILY as FONT
from workshop.core.export.pdf_fonts import add_fonts

PAPER_PER_BATCH = 500  # sheets in one printing
PAPER_PER_VOTE = 2000  # numbers a vote may ever have
METHODS = ("dots", "approval", "points", "ranking")  # what a paper sheet can carry
_DIGITS = re.compile(r"\d")


def _check_digit(vote_number: int, sequence: int) -> str:
    return damm.calc_check_digit(f"{vote_number}{sequence:04d}")


def format_number(vote_number: int, sequence: int) -> str:
    """Return a sheet's printed number: its sequence in four digits, a dash, the check."""
    return f"{sequence:04d}-{_check_digit(vote_number, sequence)}"


def read_number(typed: object, vote_number: int, printed: int) -> int | None:
    """Return the sequence of a typed or scanned number (spaces and dashes ignored), or
    None if it is not a sheet printed for this vote."""
    if not isinstance(typed, str) or len(typed) > 20:
        return None
    digits = "".join(_DIGITS.findall(typed))
    if len(digits) != len(re.sub(r"[\s-]", "", typed)) or not 5 <= len(digits) <= 6:
        return None
    sequence = int(digits[:-1])
    if not 1 <= sequence <= printed or _check_digit(vote_number, sequence) != digits[-1]:
        return None
    return sequence


@dataclass(frozen=True)
class Sheet:
    """What every sheet of one printing shows (the words already translated)."""

    title: str
    method: str
    settings: Mapping[str, Any]
    options: Sequence[tuple[int, str]]  # (idea id, text)
    instruction: str  # what to do, in one or two short sentences
    mark: str  # the method's mark beside a priority: "rank", "points"... (already worded)
    number_label: str  # "Ballot number"
    questions: Sequence[tuple[str, Sequence[str]]]  # profile questions and their choices
    questions_intro: str  # "Optional: ..." (consent is the first tick box)
    consent: str  # the consent tick box's words
    footer: str


class _Ballots(FPDF):
    number = ""
    qr = ""

    def header(self) -> None:  # every page of a sheet carries its number and its QR code
        self.set_font(FONT, "B", 24)
        self.set_xy(self.l_margin, 12)
        self.cell(self.get_string_width(self.number) + 6, 14, self.number, border=1)
        _draw_qr(self, self.qr, self.w - self.r_margin - 32, 10, 32)
        self.set_xy(self.l_margin, 30)


@functools.lru_cache(maxsize=4)
def _qr_matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """The modules of a QR code of `text` (one fixed mask: a sheet prints hundreds)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2, mask_pattern=2)
    code.add_data(text)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def _draw_qr(pdf: FPDF, text: str, x: float, y: float, size: float) -> None:
    """Draw a QR code of `text` as filled squares (vector: sharp at any printer)."""
    matrix = _qr_matrix(text)
    cell = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            if dark:
                pdf.rect(x + col * cell, y + row * cell, cell + 0.01, cell + 0.01, style="F")


def _mark_width(sheet: Sheet) -> float:
    """How wide the place to mark beside a priority is, so the words take the rest."""
    if sheet.method == "dots" and int(sheet.settings.get("max_per_option") or 1) > 1:
        return min(int(sheet.settings["max_per_option"]), 10) * 11
    return 14 if sheet.method in ("dots", "approval") else 48


def _marks(pdf: FPDF, sheet: Sheet, y: float) -> float:
    """Draw the place to write beside one priority; return its width."""
    right = pdf.w - pdf.r_margin
    if sheet.method == "dots" and int(sheet.settings.get("max_per_option") or 1) > 1:
        boxes = min(int(sheet.settings["max_per_option"]), 10)
        for n in range(boxes):
            pdf.rect(right - (boxes - n) * 11, y + 1, 9, 9)
        return boxes * 11
    if sheet.method in ("dots", "approval"):
        pdf.rect(right - 12, y, 12, 12)
        return 14
    pdf.set_font(FONT, "", 14)
    pdf.set_xy(right - 44, y + 6)
    pdf.cell(44, 6, sheet.mark, align="L")
    pdf.line(right - 44, y + 12, right, y + 12)
    return 48


def ballots_pdf(sheet: Sheet, numbers: Sequence[str],
                between: Callable[[], None] = lambda: None) -> bytes:
    """Return a PDF with one sheet per number, A4, large type.

    `between` is called after each sheet: a server under gevent passes a yield, so that a
    few hundred sheets (a second for 15 to 30 of them) never hold the room's ballots up.
    """
    if sheet.method not in METHODS:
        raise ValueError(sheet.method)
    pdf = _Ballots(format="A4")
    add_fonts(pdf)
    pdf.set_margins(18, 14, 18)
    pdf.set_auto_page_break(True, 18)
    pdf.set_title(sheet.title)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    heights: dict[str, float] = {}
    for number in numbers:
        pdf.number, pdf.qr = f"{sheet.number_label} {number}", number
        pdf.add_page()
        pdf.set_font(FONT, "B", 22)
        pdf.multi_cell(width - 38, 11, sheet.title, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(pdf.get_y() + 2, 46))
        pdf.set_font(FONT, "", 16)
        pdf.multi_cell(width, 8, sheet.instruction, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        words = width - _mark_width(sheet) - 8
        for _idea, text in sheet.options:
            pdf.set_font(FONT, "", 18)
            if text not in heights:  # every sheet lays the same priorities out
                lines = pdf.multi_cell(words, 9, text, align="L", dry_run=True,
                                       output="LINES")
                heights[text] = max(14, 9 * len(lines) + 4)
            height = heights[text]
            if pdf.get_y() + height > pdf.h - pdf.b_margin:
                pdf.add_page()
                pdf.set_y(46)
            top = pdf.get_y()
            _marks(pdf, sheet, top)
            pdf.set_xy(pdf.l_margin, top + 1)
            pdf.set_font(FONT, "", 18)
            pdf.multi_cell(words, 9, text, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_draw_color(170, 170, 170)
            pdf.line(pdf.l_margin, top + height, pdf.w - pdf.r_margin, top + height)
            pdf.set_draw_color(0, 0, 0)
            pdf.set_y(top + height + 2)
        if sheet.questions:
            _questions(pdf, sheet, width, heights)
        pdf.set_font(FONT, "", 11)
        pdf.set_y(max(pdf.get_y() + 4, pdf.h - pdf.b_margin - 8))
        pdf.multi_cell(width, 6, sheet.footer, align="L", new_x="LMARGIN", new_y="NEXT")
        between()
    return bytes(pdf.output())


def _questions(pdf: FPDF, sheet: Sheet, width: float, heights: dict[str, float]) -> None:
    """Draw the consent box and the profile questions as tick boxes, choices in rows."""
    pdf.ln(4)
    pdf.set_font(FONT, "", 14)
    pdf.multi_cell(width, 7, sheet.questions_intro, align="L", new_x="LMARGIN", new_y="NEXT")
    _tick(pdf, sheet.consent, bold=True)
    for text, choices in sheet.questions:
        key = "\0question\0" + text
        if key not in heights:
            heights[key] = _question_height(pdf, text, choices, width)
        if pdf.get_y() + heights[key] > pdf.h - pdf.b_margin:  # kept on one page
            pdf.add_page()
            pdf.set_y(46)
        pdf.set_font(FONT, "B", 14)
        pdf.multi_cell(width, 7, text, align="L", new_x="LMARGIN", new_y="NEXT")
        x = pdf.l_margin
        pdf.set_font(FONT, "", 13)
        for choice in choices:
            room = 9 + pdf.get_string_width(choice) + 8
            if x + room > pdf.w - pdf.r_margin:
                x = pdf.l_margin
                pdf.ln(9)
            if pdf.get_y() + 9 > pdf.h - pdf.b_margin:  # a box and its words stay together
                pdf.add_page()
                pdf.set_y(46)
                pdf.set_font(FONT, "", 13)
                x = pdf.l_margin
            y = pdf.get_y()
            pdf.rect(x, y + 1, 6, 6)
            pdf.set_xy(x + 8, y)
            pdf.cell(room - 8, 8, choice)
            pdf.set_y(y)
            x += room
        pdf.ln(11)


def _question_height(pdf: FPDF, text: str, choices: Sequence[str], width: float) -> float:
    """How tall a question and its rows of choices are, drawn as `_questions` draws them."""
    pdf.set_font(FONT, "B", 14)
    height = 7 * len(pdf.multi_cell(width, 7, text, dry_run=True, output="LINES"))
    pdf.set_font(FONT, "", 13)
    rows, x = 1, 0.0
    for choice in choices:
        room = 9 + pdf.get_string_width(choice) + 8
        if x and x + room > width:
            rows, x = rows + 1, 0.0
        x += room
    return height + 9 * (rows - 1) + 11


def _tick(pdf: FPDF, text: str, bold: bool = False) -> None:
    y = pdf.get_y()
    pdf.rect(pdf.l_margin, y + 1, 7, 7)
    pdf.set_font(FONT, "B" if bold else "", 14)
    pdf.set_xy(pdf.l_margin + 10, y)
    pdf.multi_cell(pdf.w - pdf.r_margin - pdf.l_margin - 10, 9, text, align="L",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
