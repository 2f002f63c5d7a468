"""The round report as HTML (the page, and with `printed` the PDF's source), PDF (WeasyPrint),
XLSX (openpyxl, one sheet per table) and Word (python-docx, the charts as PNG).

Every output is drawn from the same list of sections and tables, so they always agree. The PDF, a
document to read and print, is laid out by WeasyPrint at about a thousand table cells a second
(for 60 mechanisms the full report made 235 pages and took a minute), so it shows the same
figures in fewer cells: it leaves out the appendix of frequency tables and says where they are
(the HTML, XLSX and Word files of the same report keep every table), lists each thematic area's
mechanisms rather than a column per mechanism, and shows added value by audience and by region
with a column per added value rather than a row per group and added value.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from assessments.reporting import charts
from assessments.reporting.selectors import ReportData

Cell = str | int | float | None
MAX_GROUPS_PER_PART = 6  # wider tables continue in a second table (HTML and PDF)
MAX_COLUMNS_PER_PART = 16
GRID_COLUMNS_PER_PART = 7  # added values side by side in the PDF (their labels are long)
SHORT_TABLE_ROWS = 20  # kept on one page in the PDF (no caption left alone at a page's foot)
SHEET_NAME_LENGTH = 31
WORD_PICTURE_WIDTH_CM = 16
WORD_PICTURE_PIXELS = 2400  # 380 dpi at 16 cm
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class Table:
    key: str
    title: str
    sheet: str
    columns: list[str]  # every column, the stub (row headers) first
    rows: list[list[Cell]]
    stub: int = 1
    groups: list[tuple[str, int]] = field(default_factory=list)  # spans after the stub
    note: str = ""
    per_part: int = 0  # columns (or groups) after the stub in each part, if not the default

    def parts(self) -> list[dict[str, Any]]:
        """The table cut into parts narrow enough for a page, each repeating the stub."""
        spans = self.groups or [("", 1)] * (len(self.columns) - self.stub)
        size = self.per_part or (MAX_GROUPS_PER_PART if self.groups else MAX_COLUMNS_PER_PART)
        parts, start = [], self.stub
        for index in range(0, max(len(spans), 1), size):
            chunk = spans[index : index + size]
            width = sum(span for _label, span in chunk)
            columns = list(range(self.stub)) + list(range(start, start + width))
            start += width
            parts.append({
                "continued": index > 0,
                "short": len(self.rows) <= SHORT_TABLE_ROWS,
                "groups": [{"label": label, "span": span} for label, span in chunk] if self.groups else [],
                "stub_columns": self.columns[: self.stub],
                "columns": [self.columns[i] for i in columns[self.stub :]],
                "rows": [
                    {"stub": [display(row[i]) for i in columns[: self.stub]],
                     "cells": [cell(row[i]) for i in columns[self.stub :]]}
                    for row in self.rows
                ],
            })  # fmt: skip
        return parts


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]
    chart: str = ""  # name of the chart drawn at the top of the section
    chart_title: str = ""
    note: str = ""  # a paragraph after the chart, before the tables


def display(value: Cell) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


class Numbers(str):
    """Figures written together as text ("12 (34.5)"), aligned as numbers."""


def cell(value: Cell) -> dict[str, Any]:
    numeric = value is None or isinstance(value, Numbers)
    numeric |= isinstance(value, int | float) and not isinstance(value, bool)
    return {"value": display(value), "numeric": numeric}


def counted(items: list[dict[str, Any]]) -> str:
    return "; ".join(f"{item['label']} ({item['count']})" for item in items)


# --- tables ------------------------------------------------------------------------------


def response_tables(data: ReportData) -> list[Table]:
    rate = _("Response rate (%)")
    return [
        Table(
            "rates_audience", _("Response rates by audience"), _("Rates by audience"),
            [_("Audience"), _("Participants"), _("With a submitted response"), rate],
            [[r["label"], r["participants"], r["responded"], r["percent"]]
             for r in data.response_rates_by_audience],
        ),
        Table(
            "rates_region", _("Response rates by region"), _("Rates by region"),
            [_("Region"), _("Mechanisms"), _("Mechanisms responding"), _("Expected responses"),
             _("Submitted responses"), rate],
            [[r["region"], r["mechanisms"], r["mechanisms_responded"], r["expected"],
              r["submitted"], r["percent"]] for r in data.response_rates_by_region],
            note=_("“—”: the once-answered parts of States and organizations, about no mechanism."),
        ),
        Table(
            "rates_mechanism", _("Response rates by mechanism"), _("Rates by mechanism"),
            [_("Mechanism"), _("Region"), _("Own response submitted"),
             _("Member States in the round"), _("State blocks submitted"), _("States (%)"),
             _("Organizations in the round"), _("Organization blocks submitted"),
             _("Organizations (%)")],
            [[r["mechanism"], r["region"], _("Yes") if r["own_response"] else _("No"),
              r["member_states"], r["state_blocks"], r["state_percent"], r["organizations"],
              r["organization_blocks"], r["organization_percent"]]
             for r in data.response_rates_by_mechanism],
        ),
    ]  # fmt: skip


def not_responding_note(names: list[str]) -> str:
    if not names:
        return ""
    return _("No submitted response from: %(names)s.") % {"names": ", ".join(names)}


def thematic_tables(data: ReportData, *, printed: bool = False) -> list[Table]:
    matrix = data.thematic_matrix
    if printed:
        return [thematic_list_table(data)]
    rows: list[list[Cell]] = [
        [area["label"], *("✓" if cell else "" for cell in area["cells"]), area["mechanisms"]]
        for area in matrix["areas"]
    ]
    rows.append([_("Thematic areas per mechanism"), *matrix["areas_per_mechanism"], None])
    return [
        Table(
            "thematic_matrix", _("Thematic matrix: current thematic areas by mechanism"),
            _("Thematic matrix"), [_("Thematic area"), *matrix["mechanisms"], _("Mechanisms")],
            rows, note=not_responding_note(matrix["not_responding"]),
        )
    ]  # fmt: skip


def thematic_list_table(data: ReportData) -> Table:
    """The matrix for print: each area with the acronyms of its mechanisms, rather than a
    column per mechanism (2,000 cells over four parts for 60 mechanisms: WeasyPrint lays out
    about a thousand cells a second). The chart above it draws the same matrix."""
    matrix = data.thematic_matrix
    rows: list[list[Cell]] = [
        [
            area["label"],
            area["mechanisms"],
            ", ".join(
                m for m, ticked in zip(matrix["mechanisms"], area["cells"], strict=True) if ticked
            )
            or None,
        ]
        for area in matrix["areas"]
    ]
    per_mechanism = zip(matrix["mechanisms"], matrix["areas_per_mechanism"], strict=True)
    rows.append(
        [
            _("Thematic areas per mechanism"),
            None,
            ", ".join(f"{m} ({n})" for m, n in per_mechanism) or None,
        ]
    )
    return Table(
        "thematic_matrix", _("Thematic matrix: current thematic areas by mechanism"),
        _("Thematic matrix"),
        [_("Thematic area"), _("Mechanisms"), _("Mechanisms with this thematic area")],
        rows, note=not_responding_note(matrix["not_responding"]),
    )  # fmt: skip


def contribution_tables(data: ReportData) -> list[Table]:
    return [
        Table(
            "contribution", _("Contribution to migration governance by level"),
            _("Contribution by level"),
            [_("Level"), _("Respondents"), _("Answered"), _("Yes"), _("No"), _("Don't know"),
             _("Reporting a contribution (%)"), _("Most frequent kinds")],
            [[r["level_label"], r["audience_label"], r["answered"], r["yes"], r["no"],
              r["dont_know"], r["percent"], counted(r["top_kinds"])] for r in data.contribution],
            stub=2,
        )
    ]  # fmt: skip


def structure_tables(data: ReportData) -> list[Table]:
    headers = {
        "chair_model": _("Chair model"), "chair_rotation": _("Chair rotation"),
        "secretariat_type": _("Secretariat"), "funding_sources": _("Funding sources"),
        "meeting_frequency": _("Meeting frequency"),
    }  # fmt: skip
    codes = [column["code"] for column in data.structures["columns"]]
    return [
        Table(
            "structures", _("Structures across mechanisms"), _("Structures"),
            [_("Mechanism"), _("Region"), *(headers.get(code, code) for code in codes)],
            [[r["mechanism"], r["region"], *("; ".join(r["values"][code]) or None for code in codes)]
             for r in data.structures["rows"]],
            note=not_responding_note(data.structures["not_responding"]),
        )
    ]  # fmt: skip


def partnership_tables(data: ReportData) -> list[Table]:
    return [
        Table(
            "partner_kinds", _("Partner kinds engaged by the mechanisms"), _("Partner kinds"),
            [_("Partner kind"), _("Mechanisms"), _("Mechanisms answering"), _("Share (%)"),
             _("Most frequent roles")],
            [[r["label"], r["mechanisms"], r["base"], r["percent"], counted(r["roles"])]
             for r in data.partner_kinds],
        )
    ]  # fmt: skip


def added_value_tables(data: ReportData, *, printed: bool = False) -> list[Table]:
    value = data.added_value
    columns = [_("Rank"), _("Added value"), _("Respondents naming it"), _("Share (%)")]
    overall = Table(
        "added_value", _("Added value, ranked (all respondents, n = %(n)s)") % {"n": value["base"]},
        _("Added value"), columns,
        [[r["rank"], r["label"], r["count"], r["percent"]] for r in value["overall"]], stub=2,
    )  # fmt: skip
    if printed:
        by_audience = [(g["label"], g["base"], g["rows"]) for g in value["by_audience"]]
        by_region = [(g["region"], g["base"], g["rows"]) for g in value["by_region"]]
        return [
            overall,
            added_value_grid("added_value_audience", _("Added value by audience"), _("Audience"),
                             by_audience, value["overall"]),
            added_value_grid("added_value_region", _("Added value by region"), _("Region"),
                             by_region, value["overall"]),
        ]  # fmt: skip
    return [
        overall,
        Table(
            "added_value_audience", _("Added value, ranked by audience"),
            _("Added value by audience"), [_("Audience"), _("Respondents answering"), *columns],
            [[group["label"], group["base"], r["rank"], r["label"], r["count"], r["percent"]]
             for group in value["by_audience"] for r in group["rows"]], stub=1,
        ),
        Table(
            "added_value_region", _("Added value, ranked by region"), _("Added value by region"),
            [_("Region"), _("Respondents answering"), *columns],
            [[group["region"], group["base"], r["rank"], r["label"], r["count"], r["percent"]]
             for group in value["by_region"] for r in group["rows"]], stub=1,
        ),
    ]  # fmt: skip


def added_value_grid(
    key: str,
    title: str,
    stub: str,
    groups: list[tuple[str, int, list[dict[str, Any]]]],
    overall: list[dict[str, Any]],
) -> Table:
    """Added value by audience or region for print: a row per group and a column per added
    value, in the overall ranking's order, rather than a row per group and added value (500
    rows over 17 pages for 37 regions). Each cell: respondents naming it (their share, %)."""
    labels = {r["code"]: r["label"] for r in overall}
    for _group, _base, rows in groups:
        labels.update((r["code"], r["label"]) for r in rows if r["code"] not in labels)
    grid: list[list[Cell]] = []
    for group, base, rows in groups:
        # A no-break space: a count never parts from its share.
        named = {r["code"]: Numbers(f"{r['count']}\u00a0({display(r['percent'])})") for r in rows}
        # An added value none of the group's respondents named is not among its rows.
        none = Numbers(f"0\u00a0({display(0.0)})") if base else None
        grid.append([group, base, *(named.get(code, none) for code in labels)])
    return Table(
        key, title, title, [stub, _("Respondents answering"), *labels.values()], grid, stub=2,
        per_part=GRID_COLUMNS_PER_PART,
        note=_("Added values in the order of the overall ranking. Each cell: the respondents "
               "naming it and, in brackets, their share (%) of the respondents answering."),
    )  # fmt: skip


def comparison_tables(data: ReportData) -> list[Table]:
    comparison = data.comparison
    if comparison is None:
        return []
    before, now = comparison["previous_round"], data.round_name
    change = _("Change (points)")
    shifts = lambda items: "; ".join(f"{i['label']} ({i['change']:+.1f})" for i in items)  # noqa: E731
    listed = lambda items: None if items is None else ("; ".join(items) or "—")  # noqa: E731
    return [
        Table(
            "compare_rates", _("Comparison: response rates by audience"), _("Compare rates"),
            [_("Audience"), _("Participants"), _("Responding"), _("Rate (%)"), _("Participants"),
             _("Responding"), _("Rate (%)"), change],
            [[r["label"], r["previous_participants"], r["previous_responded"],
              r["previous_percent"], r["participants"], r["responded"], r["percent"], r["change"]]
             for r in comparison["response_rates"]],
            groups=[(before, 3), (now, 3), ("", 1)],
        ),
        Table(
            "compare_mechanisms", _("Comparison by mechanism"), _("Compare mechanisms"),
            [_("Mechanism"), _("Thematic areas added"), _("Thematic areas dropped"),
             _("Contribution reported, %(round)s (%%)") % {"round": before},
             _("Contribution reported, %(round)s (%%)") % {"round": now}, change,
             _("Added value shifts (points)")],
            [[r["mechanism"], listed(r["themes_added"]), listed(r["themes_dropped"]),
              r["contribution_previous"], r["contribution_current"], r["contribution_change"],
              shifts(r["added_value_shifts"]) or None] for r in comparison["mechanisms"]],
            note=_("Thematic areas are compared only for mechanisms that answered in both rounds "
                   "(“—” otherwise)."),
        ),
        Table(
            "compare_contribution", _("Comparison: contribution reported by level"),
            _("Compare contribution"),
            [_("Level"), f"{before} (%)", f"{now} (%)", change],
            [[r["level_label"], r["previous"], r["current"], r["change"]]
             for r in comparison["contribution_levels"]],
        ),
        Table(
            "compare_added_value", _("Comparison: added value (share of respondents)"),
            _("Compare added value"),
            [_("Added value"), f"{before} (%)", f"{now} (%)", change],
            [[r["label"], r["previous"], r["current"], r["change"]]
             for r in comparison["added_value"]],
        ),
    ]  # fmt: skip


def frequency_table(frequency: dict[str, Any]) -> Table:
    groups = frequency["groups"]
    columns = [_("Answer")]
    for _group in groups:
        columns += [_("n"), "%"]
    rows = []
    for row in frequency["rows"]:
        cells: list[Cell] = [row["label"]]
        for n, share in zip(row["counts"], row["percents"], strict=True):
            cells += [n, share]
        rows.append(cells)
    return Table(
        f"frequency_{frequency['code']}",
        f"{frequency['question']} ({frequency['code']})",
        f"F {frequency['code']}",
        columns,
        rows,
        groups=[(f"{g['label']} (n = {g['base']})", 2) for g in groups],
    )


def report_sections(data: ReportData, *, printed: bool = False) -> list[Section]:
    """Every section; `printed` (the PDF): the frequency appendix's title and a note saying where
    its tables are instead of the tables, and the compact thematic and added value tables."""
    with translation.override(data.language):
        sections = [
            Section("response_rates", _("Response rates"), response_tables(data),
                    "response_rates", _("Response rates by audience and by region")),
            Section("thematic_focus", _("Thematic focus"), thematic_tables(data, printed=printed),
                    "thematic_matrix", _("Thematic matrix (mechanisms by thematic area)")),
            Section("contribution", _("Contribution by level"), contribution_tables(data)),
            Section("structures", _("Structures"), structure_tables(data)),
            Section("partnerships", _("Partnerships"), partnership_tables(data)),
            Section("added_value", _("Added value"), added_value_tables(data, printed=printed),
                    "added_value", _("Added value, ranked (share of respondents)")),
        ]  # fmt: skip
        if data.comparison is not None:
            sections.append(
                Section(
                    "comparison",
                    _("Comparison with %(round)s") % {"round": data.comparison["previous_round"]},
                    comparison_tables(data),
                )
            )
        title = _("Frequency tables of every closed question")
        if printed:
            sections.append(Section("frequencies", title, [], note=frequencies_elsewhere()))
        else:
            sections.append(
                Section("frequencies", title, [frequency_table(f) for f in data.frequencies])
            )
    return sections


def frequencies_elsewhere() -> str:
    return _(
        "The frequency tables of every closed question are not printed in this PDF. They are "
        "in the other files of this report: the workbook (XLSX), the HTML version and the Word "
        "document."
    )


def report_tables(data: ReportData, *, printed: bool = False) -> list[Table]:
    return [table for section in report_sections(data, printed=printed) for table in section.tables]


# --- charts ------------------------------------------------------------------------------


class ReportCharts:
    """The report's charts, each laid out once and drawn at most once per format for all the
    files of a job: SVG for the HTML and the PDF, PNG for Word."""

    def __init__(self, data: ReportData) -> None:
        self.data = data

    @cached_property
    def figures(self) -> dict[str, Any]:
        return report_figures(self.data)

    @cached_property
    def svg(self) -> dict[str, str]:
        return {name: charts.svg(figure) for name, figure in self.figures.items()}

    @cached_property
    def png(self) -> dict[str, bytes]:
        """At most WORD_PICTURE_PIXELS wide: Word shows every chart 16 cm wide, so the heat map
        of 60 mechanisms (73 cm) needs no 150 dpi (4,300 pixels, twice the drawing time)."""
        return {
            name: charts.png(figure, dpi=min(150, int(WORD_PICTURE_PIXELS / figure.get_figwidth())))
            for name, figure in self.figures.items()
        }


def report_figures(data: ReportData) -> dict[str, Any]:
    with translation.override(data.language):
        no_data = _("No answers")
        return {
            "response_rates": charts.response_rates_chart(
                data, (_("By audience (participants)"), _("By region (expected responses)"))
            ),
            "thematic_matrix": charts.thematic_heatmap(data, no_data),
            "added_value": charts.added_value_chart(data, no_data),
        }


# --- outputs -----------------------------------------------------------------------------


def to_html(data: ReportData, *, printed: bool = False, drawn: ReportCharts | None = None) -> str:
    """A standalone document: the staff page shows it; `printed`, WeasyPrint prints it (the
    sections for print, and the charts as SVG images rather than inline SVG, which WeasyPrint
    draws faster and without a warning for each of their style attributes). `drawn` shares the
    charts between the files of one job."""
    sections = report_sections(data, printed=printed)
    drawn = drawn or ReportCharts(data)
    with translation.override(data.language):
        return render_to_string(
            "assessments/report.html",
            {
                "data": data,
                "sections": [
                    {
                        "section": section,
                        "chart": chart_markup(drawn, section, printed) if section.chart else "",
                        "tables": [{"table": t, "parts": t.parts()} for t in section.tables],
                    }
                    for section in sections
                ],
            },
        )


def chart_markup(drawn: ReportCharts, section: Section, printed: bool) -> str:
    svg = drawn.svg[section.chart]
    if printed:
        source = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        label = escape(section.chart_title, {'"': "&quot;"})
        return f'<img src="data:image/svg+xml;base64,{source}" alt="{label}">'
    return charts.inline(svg, prefix=f"chart-{section.chart}", label=section.chart_title)


def to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


# The child's whole program: HTML on standard input, the PDF on standard output.
PDF_CHILD = (
    "import sys; from weasyprint import HTML; "
    "sys.stdout.buffer.write(HTML(string=sys.stdin.buffer.read().decode()).write_pdf())"
)


class PendingPdf:
    """A PDF laid out by WeasyPrint in a child process, so that a job writes its other files on
    the other core meanwhile (a report's PDF is half of its job). `result()` waits for it; leaving
    the `with` block stops a child still running (on an error or the task's time limit)."""

    def __init__(self, html: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", PDF_CHILD],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        self.pool = ThreadPoolExecutor(1)
        self.output = self.pool.submit(self.process.communicate, html.encode("utf-8"))

    def result(self) -> bytes:
        pdf, errors = self.output.result()
        if self.process.returncode != 0 or not pdf.startswith(b"%PDF"):
            detail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"The PDF could not be made: {detail[0]}")
        return pdf

    def __enter__(self) -> PendingPdf:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.pool.shutdown(wait=True)


def preload() -> None:
    """Import the PDF, Word and XLSX libraries and let WeasyPrint load its fonts, as a worker
    does when it starts, so that its first report or summary does not pay for it (~1 s)."""
    import docx  # noqa: F401
    import openpyxl  # noqa: F401

    to_pdf("<p>ISCM</p>")


def sheet_names(tables: list[Table]) -> Iterator[str]:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    seen: set[str] = set()
    for table in tables:
        base = re.sub(r"[\[\]:*?/\\]", "-", table.sheet)[:SHEET_NAME_LENGTH].strip() or "Table"
        name, number = base, 1
        while name.casefold() in seen:
            number += 1
            suffix = f" ({number})"
            name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        seen.add(name.casefold())
        yield name


def xlsx_header(table: Table) -> list[str]:
    """One header row: a group's label joins each of its columns' labels."""
    header = list(table.columns[: table.stub])
    position = table.stub
    for label, span in table.groups or [("", len(table.columns) - table.stub)]:
        for column in table.columns[position : position + span]:
            header.append(f"{label}: {column}" if label else column)
        position += span
    return header


def to_xlsx(data: ReportData) -> bytes:
    """Written row by row (openpyxl's write-only mode): half the time of a workbook of cells
    for the 50,000 cells of 60 mechanisms, and the same file."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    tables = report_tables(data)
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for table, name in zip(tables, sheet_names(tables), strict=True):
        sheet = workbook.create_sheet(name)
        header = xlsx_header(table)
        sheet.freeze_panes = "A2"
        for index, label in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(
                max(10, len(label) + 2), 50 if index <= table.stub else 24
            )
        titles = [WriteOnlyCell(sheet, value=label) for label in header]
        for title in titles:
            title.font = bold
        sheet.append(titles)
        for row in table.rows:
            sheet.append([None if value == "" else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_docx(data: ReportData, *, drawn: ReportCharts | None = None) -> bytes:
    """Word: the same sections and tables, the charts as PNG pictures."""
    from docx import Document
    from docx.shared import Cm, Pt

    sections = report_sections(data)
    drawn = drawn or ReportCharts(data)
    word = Document()
    word.styles["Normal"].font.size = Pt(9)
    with translation.override(data.language):
        word.add_heading(report_title(data), level=0)
        for paragraph in data.definitions:
            word.add_paragraph(paragraph)
        for section in sections:
            word.add_heading(section.title, level=1)
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

    word.add_paragraph(table.title, style="Caption")
    header = xlsx_header(table)
    grid = word.add_table(rows=0, cols=len(header))
    grid.style = "Table Grid"
    width = grid.columns[0].width.twips if header else 0
    rows = [docx_row(header, width, bold=True)]
    rows += [docx_row([display(v) if v != "" else "" for v in row], width) for row in table.rows]
    grid._tbl.extend(list(parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>")))
    if table.note:
        word.add_paragraph(table.note)


def docx_row(texts: list[str], width: int, *, bold: bool = False) -> str:
    properties = "<w:rPr><w:b/></w:rPr>" if bold else ""
    cell = f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr><w:p><w:r>{properties}'
    return "<w:tr>" + "".join(f"{cell}{docx_text(t)}</w:r></w:p></w:tc>" for t in texts) + "</w:tr>"


def docx_text(text: str) -> str:
    """A run's content as python-docx writes it: each tab and line break as an element."""
    parts = []
    for piece in re.split(r"([\t\r\n])", text):
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
