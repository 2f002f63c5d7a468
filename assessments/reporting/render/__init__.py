"""The round report as HTML (the page, and with `printed` the PDF's source), PDF (WeasyPrint),
XLSX (openpyxl, one sheet per table) and Word (python-docx, the charts as PNG).

Every output is drawn from the same list of sections and tables, so they always agree. The PDF, a
document to read and print, is laid out by WeasyPrint at about a thousand table cells a second
(for 60 mechanisms the full report made 235 pages and took a minute), so it shows the same
figures in fewer cells: it leaves out the appendix of frequency tables and says where they are
(the HTML, XLSX and Word files of the same report keep every table), lists each thematic area's
mechanisms rather than a column per mechanism, and shows added value by audience and by region
with a column per added value rather than a row per group and added value.

The parts: `tables` (a table and its cells), `sections` (every section's tables, from
`ReportData`), `figures` (the charts), and one module per output: `html`, `pdf`, `workbook`
(XLSX) and `word`. Callers look the outputs up on this package when they run (the report job;
the benchmark times them by wrapping them here); what is replaced for a test is replaced where it
is used (`pdf.PDF_CHILD`).
"""

from __future__ import annotations

from .figures import WORD_PICTURE_PIXELS, ReportCharts, report_figures
from .html import chart_markup, to_html
from .pdf import PDF_CHILD, PendingPdf, preload, to_pdf
from .sections import (
    GRID_COLUMNS_PER_PART,
    added_value_grid,
    added_value_tables,
    comparison_tables,
    contribution_tables,
    frequencies_elsewhere,
    frequency_table,
    not_responding_note,
    partnership_tables,
    report_sections,
    report_tables,
    response_tables,
    structure_tables,
    thematic_list_table,
    thematic_tables,
)
from .tables import (
    MAX_COLUMNS_PER_PART,
    MAX_GROUPS_PER_PART,
    SHORT_TABLE_ROWS,
    Cell,
    Numbers,
    Section,
    Table,
    cell,
    counted,
    display,
)
from .word import (
    WORD_PICTURE_WIDTH_CM,
    docx_row,
    docx_text,
    report_title,
    to_docx,
    write_docx_table,
)
from .workbook import SHEET_NAME_LENGTH, sheet_names, to_xlsx, xlsx_header

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

__all__ = [
    "CONTENT_TYPES",
    "GRID_COLUMNS_PER_PART",
    "MAX_COLUMNS_PER_PART",
    "MAX_GROUPS_PER_PART",
    "PDF_CHILD",
    "SHEET_NAME_LENGTH",
    "SHORT_TABLE_ROWS",
    "WORD_PICTURE_PIXELS",
    "WORD_PICTURE_WIDTH_CM",
    "Cell",
    "Numbers",
    "PendingPdf",
    "ReportCharts",
    "Section",
    "Table",
    "added_value_grid",
    "added_value_tables",
    "cell",
    "chart_markup",
    "comparison_tables",
    "contribution_tables",
    "counted",
    "display",
    "docx_row",
    "docx_text",
    "frequencies_elsewhere",
    "frequency_table",
    "not_responding_note",
    "partnership_tables",
    "preload",
    "report_figures",
    "report_sections",
    "report_tables",
    "report_title",
    "response_tables",
    "sheet_names",
    "structure_tables",
    "thematic_list_table",
    "thematic_tables",
    "to_docx",
    "to_html",
    "to_pdf",
    "to_xlsx",
    "write_docx_table",
    "xlsx_header",
]
