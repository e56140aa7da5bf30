"""Exports: the day's report (CSV, JSON, XLSX, PDF), results by group, and the
anonymised ballots with their recount.

Pure core: standard library, openpyxl, fpdf2 and matplotlib. Text typed by participants
is neutralised for spreadsheets in the one place every spreadsheet cell passes through
(`cells.safe_cell`, called by the CSV and XLSX writers).
"""

from workshop.core.export.cells import unformula
from workshop.core.export.formats import render_ballots, safe_cell, to_csv, to_json
from workshop.core.export.recount import ballots_table, recount
from workshop.core.export.tables import GROUPS_HEADERS, groups_table


def workbook(report):  # noqa: ANN001, ANN201 - imported lazily: openpyxl is slow to load
    """Return the day's workbook (XLSX bytes); see `core.export.xlsx`."""
    from workshop.core.export.xlsx import workbook as build
    return build(report)


def pdf_report(report):  # noqa: ANN001, ANN201 - matplotlib and fpdf2 are slow to load
    """Return the day's report (PDF bytes); see `core.export.report_pdf`."""
    from workshop.core.export.report_pdf import pdf_report as build
    return build(report)


__all__ = ["GROUPS_HEADERS", "ballots_table", "groups_table", "pdf_report", "recount",
           "render_ballots", "safe_cell", "to_csv", "to_json", "unformula", "workbook"]
