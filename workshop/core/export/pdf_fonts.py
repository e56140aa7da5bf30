"""Fonts for every PDF the app writes (the day's report, posters, paper ballots).

Pure core. DejaVu Sans, which ships inside matplotlib, covers French and English
typography (é à ç œ « » and the no-break spaces), so no system font is needed. Call
`add_fonts(pdf)` on an `fpdf.FPDF`, then `pdf.set_font(FAMILY, "" or "B", size)`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

FAMILY = "DejaVu"


def font_dir() -> Path:
    """Return the folder of the TrueType fonts matplotlib ships."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def font_files() -> dict[str, Path]:
    """Return the regular ("") and bold ("B") DejaVu Sans files, by fpdf2 style."""
    folder = font_dir()
    return {"": folder / "DejaVuSans.ttf", "B": folder / "DejaVuSans-Bold.ttf"}


def add_fonts(pdf: object) -> None:
    """Register DejaVu Sans (regular and bold) on an fpdf2 document as FAMILY."""
    for style, path in font_files().items():
        pdf.add_font(FAMILY, style, str(path))  # type: ignore[attr-defined]
