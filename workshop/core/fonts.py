"""The fonts every PDF the app prints uses: DejaVu Sans, as shipped inside matplotlib.

Pure core. One function, so that every PDF (paper ballots, reports) loads them the same way.
DejaVu Sans covers French (é, «, the no-break spaces) and is readable in large type.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
from fpdf import FPDF

FONT = "DejaVu"


def add_fonts(pdf: FPDF) -> None:
    """Register DejaVu Sans (regular and bold) with a PDF under the name FONT."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdf.add_font(FONT, "", str(folder / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(folder / "DejaVuSans-Bold.ttf"))
