"""The report as Word (python-docx): the same sections and tables, the charts as PNG."""

from __future__ import annotations

import io
import re
from typing import Any
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _

from assessments.reporting.selectors import ReportData
from mechanisms.text import printable

from .figures import ReportCharts
from .sections import report_sections
from .tables import Table, display
from .workbook import xlsx_header

WORD_PICTURE_WIDTH_CM = 16


def to_docx(data: ReportData, *, drawn: ReportCharts | None = None) -> bytes:
    """Word: the same sections and tables, the charts as PNG pictures."""
    from docx import Document
    from docx.shared import Cm, Pt

    sections = report_sections(data)
    drawn = drawn or ReportCharts(data)
    word = Document()
    word.styles["Normal"].font.size = Pt(9)
    with translation.override(data.language):
        word.add_heading(printable(report_title(data)), level=0)
        for paragraph in data.definitions:
            word.add_paragraph(printable(paragraph))
        for section in sections:
            word.add_heading(printable(section.title), level=1)
            if section.chart:
                word.add_picture(
                    io.BytesIO(drawn.png[section.chart]), width=Cm(WORD_PICTURE_WIDTH_CM)
                )
                word.add_paragraph(section.chart_title, style="Caption")
            for table in section.tables:
                write_docx_table(word, table)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def write_docx_table(word: Any, table: Table) -> None:
    """The table's rows are written as one piece of WordprocessingML: python-docx's cell API
    looks each cell up through the whole table (quadratic: 4 s for the appendix's 5,000 rows),
    for the same XML as `cell.text = ...` and `run.bold = True` would write."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    word.add_paragraph(printable(table.title), style="Caption")
    header = xlsx_header(table)
    grid = word.add_table(rows=0, cols=len(header))
    grid.style = "Table Grid"
    width = grid.columns[0].width.twips if header else 0
    rows = [docx_row(header, width, bold=True)]
    rows += [docx_row([display(v) if v != "" else "" for v in row], width) for row in table.rows]
    grid._tbl.extend(list(parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>")))
    if table.note:
        word.add_paragraph(printable(table.note))


def docx_row(texts: list[str], width: int, *, bold: bool = False) -> str:
    properties = "<w:rPr><w:b/></w:rPr>" if bold else ""
    cell = f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr><w:p><w:r>{properties}'
    return "<w:tr>" + "".join(f"{cell}{docx_text(t)}</w:r></w:p></w:tc>" for t in texts) + "</w:tr>"


def docx_text(text: str) -> str:
    """A run's content as python-docx writes it: each tab and line break as an element."""
    parts = []
    # Word (XML 1.0) cannot hold a control character; forms refuse them, older text may not.
    for piece in re.split(r"([\t\r\n])", printable(text)):
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            parts.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if piece != piece.strip() else ""
            parts.append(f"<w:t{space}>{escape(piece)}</w:t>")
    return "".join(parts)


def report_title(data: ReportData) -> str:
    return _("Round report — %(round)s") % {"round": data.round_name}
