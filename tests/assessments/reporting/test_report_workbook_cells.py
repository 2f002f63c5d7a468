"""The report workbook writes texts as text: a name or example starting with "=" never becomes a
formula, and characters XML cannot hold are dropped instead of breaking the file."""

from __future__ import annotations

import io
from unittest import mock

import openpyxl

from assessments.reporting.render import workbook
from assessments.reporting.render.tables import Table


def test_texts_stay_text_and_unsafe_characters_are_dropped():
    table = Table(
        key="t", title="T", sheet="Hostile", columns=["Mechanism", "Rate"],
        rows=[["=HYPERLINK(\"http://evil.example\",\"x\")", 0.5], ["A\ufffeB\x01C", ""]],
    )  # fmt: skip
    with mock.patch.object(workbook, "report_tables", return_value=[table]):
        content = workbook.to_xlsx(data=None)

    sheet = openpyxl.load_workbook(io.BytesIO(content))["Hostile"]
    first, second = list(sheet.iter_rows(min_row=2, values_only=True))
    assert first == ('=HYPERLINK("http://evil.example","x")', 0.5)
    assert sheet["A2"].data_type == "s"  # a string, not a formula
    assert second == ("ABC", None)
