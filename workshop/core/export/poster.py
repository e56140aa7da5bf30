"""Printed materials for the room: a QR poster (A4 or letter, PDF or PNG) and table tents.

Pure core (qrcode, fpdf2, Pillow; no framework). Each shows the QR code of the join
address, the address and the code written out, and one line of instruction in French and
one in English (given by the edge, translated). The poster's code is 16 cm wide: phones
read a code from about ten times its width, so from well beyond 1.5 m. Black on white.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import qrcode
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from workshop.core.export.pdf_fonts import FAMILY, add_fonts, font_files

# Paper sizes in millimetres (width, height), portrait.
PAPERS = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
POSTER_QR_MM = 160.0
TENT_QR_MM = 70.0
PNG_DPI = 150


@dataclass(frozen=True)
class Sign:
    """What a poster or a table tent says: the workshop's title, the join address and
    code, and the instruction lines (French first, then English)."""

    title: str
    address: str
    code: str
    code_label: str  # "Code:" in the reader's language, its punctuation included
    lines: Sequence[str]


def qr_matrix(data: str) -> list[list[bool]]:
    """Return the QR code of `data` as rows of dark (True) modules, quiet zone included."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def _draw_qr(pdf: FPDF, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    """Draw the code as vector squares (sharp at any print size), each row's dark runs
    as one rectangle."""
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module + 0.01,
                     module + 0.01, style="F")


def _centered(pdf: FPDF, text: str, size: float, bold: bool = False, height: float = 0
              ) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    # Shrink a long line (a long address) until it fits the width.
    while size > 8 and pdf.get_string_width(text) > pdf.epw:
        size -= 1
        pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, height or size * 0.45, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _new(paper: str) -> FPDF:
    width, height = PAPERS[paper]
    pdf = FPDF(unit="mm", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(12, 12, 12)
    add_fonts(pdf)
    return pdf


def poster_pdf(sign: Sign, paper: str = "a4") -> bytes:
    """Return a one-page poster (PDF bytes): title, the QR code, the code, the address,
    the instruction in French and English."""
    pdf = _new(paper)
    pdf.set_title(sign.title)
    pdf.add_page()
    width, _height = PAPERS[paper]
    pdf.set_y(14)
    _centered(pdf, sign.title, 26, bold=True)
    pdf.ln(3)
    top = pdf.get_y() + 2
    _draw_qr(pdf, qr_matrix(sign.address), (width - POSTER_QR_MM) / 2, top, POSTER_QR_MM)
    pdf.set_y(top + POSTER_QR_MM + 4)
    _centered(pdf, f"{sign.code_label} {sign.code}", 34, bold=True)
    pdf.ln(1)
    _centered(pdf, sign.address, 20)
    pdf.ln(3)
    for line in sign.lines:
        _centered(pdf, line, 18)
        pdf.ln(1)
    return bytes(pdf.output())


def tents_pdf(sign: Sign, paper: str = "letter") -> bytes:
    """Return a table tent (PDF bytes): fold the page in half across; the same face is
    printed upside down on the top half, so each side of the table reads one."""
    pdf = _new(paper)
    pdf.set_title(sign.title)
    pdf.add_page()
    width, height = PAPERS[paper]
    half = height / 2
    pdf.set_draw_color(150, 150, 150)
    pdf.set_dash_pattern(dash=2, gap=2)
    pdf.line(6, half, width - 6, half)
    pdf.set_dash_pattern()
    with pdf.rotation(180, width / 2, half / 2):
        _tent_face(pdf, sign, 0)  # the top half, upside down
    _tent_face(pdf, sign, half)
    return bytes(pdf.output())


def _tent_face(pdf: FPDF, sign: Sign, top: float) -> None:
    pdf.set_y(top + 8)
    _centered(pdf, sign.title, 15, bold=True)
    y = pdf.get_y() + 2
    _draw_qr(pdf, qr_matrix(sign.address), 14, y, TENT_QR_MM)
    pdf.set_left_margin(14 + TENT_QR_MM + 6)
    pdf.set_xy(14 + TENT_QR_MM + 6, y + 10)
    pdf.set_font(FAMILY, "B", 24)
    pdf.multi_cell(0, 11, f"{sign.code_label} {sign.code}", align="L", new_x="LMARGIN",
                   new_y="NEXT")
    pdf.set_font(FAMILY, "", 12)
    pdf.multi_cell(0, 6, sign.address, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for line in sign.lines:
        pdf.set_font(FAMILY, "", 11)
        pdf.multi_cell(0, 5.5, line, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    pdf.set_left_margin(12)


def poster_png(sign: Sign, paper: str = "a4", dpi: int = PNG_DPI) -> bytes:
    """Return the poster as a PNG image at `dpi` (the same layout as the PDF)."""
    width_mm, height_mm = PAPERS[paper]
    px = dpi / 25.4
    image = Image.new("L", (round(width_mm * px), round(height_mm * px)), 255)
    draw = ImageDraw.Draw(image)
    fonts = font_files()
    margin = 12 * px

    def font(size_pt: float, bold: bool = False) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(fonts["B" if bold else ""]), round(size_pt * dpi / 72))

    def centred(text: str, y: float, size_pt: float, bold: bool = False) -> float:
        face = font(size_pt, bold)
        while size_pt > 8 and draw.textlength(text, font=face) > image.width - 2 * margin:
            size_pt -= 1
            face = font(size_pt, bold)
        left = (image.width - draw.textlength(text, font=face)) / 2
        draw.text((left, y), text, font=face, fill=0)
        box = draw.textbbox((left, y), text, font=face)
        return box[3] + size_pt * dpi / 72 * 0.35

    y = centred(sign.title, 14 * px, 26, bold=True) + 5 * px
    matrix = qr_matrix(sign.address)
    modules = len(matrix)
    module = POSTER_QR_MM * px / modules
    left = (image.width - POSTER_QR_MM * px) / 2
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                draw.rectangle([left + c * module, y + r * module,
                                left + (c + 1) * module - 1, y + (r + 1) * module - 1], fill=0)
    y += POSTER_QR_MM * px + 4 * px
    y = centred(f"{sign.code_label} {sign.code}", y, 34, bold=True)
    y = centred(sign.address, y + 1 * px, 20) + 3 * px
    for line in sign.lines:
        y = centred(line, y, 18) + 1 * px
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()
