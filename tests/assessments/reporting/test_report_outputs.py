"""The round report's outputs: the HTML, XLSX, charts, PDF and Word files."""

from __future__ import annotations

import io

import pytest

from tests.assessments.reporting.report_helpers import (
    pdf_text,
)

pytestmark = pytest.mark.django_db


def test_the_html_has_every_table_with_captions_and_headers_and_inline_charts(report):
    import re

    from assessments.reporting.render import report_tables, to_html

    html = to_html(report)
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") == 3
    assert 'role="img"' in html
    tables = report_tables(report)
    assert len(tables) == 14 + len(report.frequencies)
    assert html.count("<caption>") >= len(tables)
    for title in ("Response rates by audience", "Thematic matrix: current thematic areas by mechanism",
                  "Contribution to migration governance by level", "Structures across mechanisms",
                  "Partner kinds engaged by the mechanisms", "Added value, ranked by region",
                  "Comparison by mechanism", "Introduction and definitions"):  # fmt: skip
        assert title in html
    assert '<th scope="col">Response rate (%)</th>' in html
    assert '<th scope="row">Member States</th><td>4</td><td>3</td><td>75.0</td>' in html
    assert 'scope="colgroup"' in html  # the frequency tables' groups
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "ids must be unique across the inline SVGs and tables"
    assert to_html(report) == html  # deterministic, charts included


def test_the_workbook_has_one_sheet_per_table_with_a_bold_frozen_header(report):
    from openpyxl import load_workbook

    from assessments.reporting.render import report_tables, to_xlsx, xlsx_header

    workbook = load_workbook(io.BytesIO(to_xlsx(report)))
    tables = report_tables(report)
    assert len(workbook.sheetnames) == len(tables)
    assert len(set(workbook.sheetnames)) == len(tables)
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    for sheet, table in zip(workbook.worksheets, tables, strict=True):
        header = [cell.value for cell in sheet[1]]
        assert header == xlsx_header(table)
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.max_row == 1 + len(table.rows)
    rates = workbook["Rates by audience"]
    assert [c.value for c in rates[3]] == ["Member States", 4, 3, 75.0]
    relevance = workbook["F relevance"]
    assert relevance["A1"].value == "Answer"
    assert relevance["B1"].value == "All respondents (n = 6): n"


def test_charts_are_deterministic_svg_and_png(report):
    from assessments.reporting import charts

    first = charts.svg(charts.added_value_chart(report))
    assert first == charts.svg(charts.added_value_chart(report))
    assert first.startswith("<svg") and "<dc:date>" not in first
    assert charts.png(charts.thematic_heatmap(report)).startswith(b"\x89PNG")


def test_the_pdf_leaves_out_the_frequency_appendix_and_says_where_it_is(report):
    from assessments.reporting.render import report_tables, to_html, to_pdf

    printed = to_html(report, printed=True)
    text = pdf_text(to_pdf(printed))
    assert "Frequency tables of every closed question" in text  # the appendix's heading stays
    assert (
        "The frequency tables of every closed question are not printed in this PDF. They are in "
        "the other files of this report: the workbook (XLSX), the HTML version and the Word "
        "document."
    ) in text
    assert report.frequencies
    assert 'id="table-frequency_' not in printed
    for frequency in report.frequencies:
        assert f"({frequency['code']})" not in text, frequency["code"]
    # Every other table is printed, in the same order.
    screen = [t.key for t in report_tables(report) if not t.key.startswith("frequency_")]
    assert [t.key for t in report_tables(report, printed=True)] == screen
    assert all(f'id="table-{key}"' in printed for key in screen)
    assert "Comparison by mechanism" in text and "Response rates by mechanism" in text
    assert printed.count('<img src="data:image/svg+xml;base64,') == 3  # the charts, as images
    assert "<svg" not in printed


def test_the_pdfs_note_and_compact_tables_follow_the_report_language(rounds):
    from assessments.reporting.render import to_html
    from assessments.reporting.selectors import round_report_data

    current, _previous = rounds
    french = to_html(round_report_data(current, language="fr"), printed=True)
    assert "ne sont pas imprimés dans ce PDF" in french
    assert "Mécanismes ayant ce domaine thématique" in french
    spanish = to_html(round_report_data(current, language="es"), printed=True)
    assert "no se imprimen en este PDF" in spanish
    assert "Valores añadidos en el orden de la clasificación general" in spanish


def test_the_pdf_lists_each_thematic_areas_mechanisms_with_the_same_counts(report):
    from assessments.reporting.render import report_tables

    matrix = {t.key: t for t in report_tables(report)}["thematic_matrix"]
    listed = {t.key: t for t in report_tables(report, printed=True)}["thematic_matrix"]
    mechanisms = matrix.columns[1:-1]
    assert mechanisms == ["RCM", "SACM"]
    assert len(listed.rows) == len(matrix.rows)
    for grid_row, list_row in zip(matrix.rows[:-1], listed.rows[:-1], strict=True):
        ticked = [m for m, tick in zip(mechanisms, grid_row[1:-1], strict=True) if tick == "✓"]
        assert list_row == [grid_row[0], grid_row[-1], ", ".join(ticked) or None]
    governance = listed.rows[0]
    assert governance[1:] == [2, "RCM, SACM"]  # GOV: both mechanisms
    assert listed.rows[-1] == ["Thematic areas per mechanism", None, "RCM (3), SACM (2)"]
    assert listed.note == matrix.note == "No submitted response from: CMC."


def test_the_pdf_shows_added_value_by_audience_and_region_as_grids_with_the_same_figures(report):
    from assessments.reporting.render import report_tables

    long = {t.key: t for t in report_tables(report)}
    grids = {t.key: t for t in report_tables(report, printed=True)}
    for key in ("added_value_audience", "added_value_region"):
        grid = grids[key]
        values = grid.columns[2:]
        assert values[:2] == ["Trust-building", "Networking"]  # the overall ranking's order
        cells = {
            (row[0], value): n
            for row in grid.rows
            for value, n in zip(values, row[2:], strict=True)
        }
        named = {(group, label): (count, percent)
                 for group, _base, _rank, label, count, percent in long[key].rows}  # fmt: skip
        for (group, value), n in cells.items():
            count, percent = named.get((group, value), (0, 0.0))
            assert n == f"{count}\u00a0({percent:.1f})", (key, group, value)
        bases = {row[0]: row[1] for row in long[key].rows}
        assert {row[0]: row[1] for row in grid.rows} == bases
    audience = {row[0]: row for row in grids["added_value_audience"].rows}
    # The States' 4 blocks: TRUST in 2, NETWORKING in 3, COMMON_UNDERSTANDING in none.
    assert audience["Member States"][1:4] == [4, "2\u00a0(50.0)", "3\u00a0(75.0)"]
    labels = grids["added_value_audience"].columns
    common = labels.index("Common understandings and approaches to migration issues")
    assert audience["Member States"][common] == "0\u00a0(0.0)"


def test_word_tables_are_the_xml_python_docx_would_write(report):
    from docx import Document
    from lxml import etree

    from assessments.reporting.render import Table, display, write_docx_table, xlsx_header

    table = Table(
        "t", "A caption", "T", ["Label", "n", "Text"],
        [[" spaced ", 3, "a & b <c>"], ["tab\there", None, ""], ["two\nlines", 1.25, "—"]],
        note="A note",
    )  # fmt: skip
    fast = Document()
    write_docx_table(fast, table)
    api = Document()  # what write_docx_table did cell by cell with python-docx's API
    api.add_paragraph(table.title, style="Caption")
    grid = api.add_table(rows=1 + len(table.rows), cols=3)
    grid.style = "Table Grid"
    for row, values in zip(grid.rows, [xlsx_header(table), *table.rows], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = display(value) if value != "" else ""
    for cell in grid.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True
    api.add_paragraph(table.note)
    assert etree.tostring(fast.element.body) == etree.tostring(api.element.body)
