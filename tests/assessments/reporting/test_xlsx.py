"""The streaming XLSX writer: what openpyxl (a spreadsheet's reader) reads back from it."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from assessments.reporting import xlsx
from assessments.reporting.xlsx import Workbook, column_letter, sheet_title


def written(sheets: dict[str, list[list[str]]]) -> bytes:
    target = io.BytesIO()
    with Workbook(target) as workbook:
        for title, rows in sheets.items():
            sheet = workbook.add_sheet(title)
            for row in rows:
                sheet.append(row)
    return target.getvalue()


def read_back(data: bytes, *, read_only: bool) -> dict[str, list[list[str]]]:
    workbook = load_workbook(io.BytesIO(data), read_only=read_only)
    return {
        sheet.title: [
            ["" if value is None else value for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        for sheet in workbook.worksheets
    }


ROWS = [
    ["response_id", "question", "value", "label"],
    ["1", "q1", "Yes & no <b>bold</b> \"quoted\" 'single'", ""],
    ["2", "", "  leading and trailing spaces  ", "Électricité; ñandú; 中文; 🙂"],
    ["3", "q3", "line one\nline two\r\nline three\ttabbed", "x"],
    ["", "", "", ""],  # an empty row stays a row
    ["5", '=HYPERLINK("http://evil")', "+1", "-2"],  # formulas stay text
    ["6", "0042", "1e5", "2024-01-01"],  # numbers and dates stay text
]


@pytest.mark.parametrize("read_only", [True, False])
def test_every_value_reads_back_as_the_same_text_in_its_cell(read_only):
    data = written({"first": ROWS, "second": [["a"], ["b", "c"]]})
    assert read_back(data, read_only=read_only) == {
        "first": ROWS,
        "second": [["a", ""], ["b", "c"]],  # rows padded to the sheet's width
    }


def test_no_cell_is_a_formula_a_number_or_a_date():
    workbook = load_workbook(io.BytesIO(written({"s": ROWS})))
    types = {cell.data_type for row in workbook["s"].iter_rows() for cell in row if cell.value}
    assert types == {"s"}


def test_characters_xml_cannot_hold_are_dropped_and_the_rest_kept():
    row = ["a\x00b\x07c\x0bd\x1fe\ufffef", "tab\tline\nreturn\r", "\x01" * 100 + "long" * 30]
    data = written({"s": [row]})
    (values,) = read_back(data, read_only=True)["s"]
    assert values == ["abcdef", "tab\tline\nreturn\r", "long" * 30]


def test_short_texts_are_shared_and_long_ones_written_in_their_cell():
    long_text = "x" * (xlsx.SHARED_LENGTH + 1)
    data = written({"s": [["same", "same", long_text], ["same", long_text, "other"]]})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        strings = archive.read("xl/sharedStrings.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert strings.count("<si>") == 2  # "same" and "other", once each
    assert sheet.count(long_text) == 2  # inline, in each of its cells
    assert read_back(data, read_only=True)["s"][1] == ["same", long_text, "other"]


def test_the_shared_table_stops_growing_at_its_limit(monkeypatch):
    monkeypatch.setattr(xlsx, "SHARED_COUNT", 3)
    rows = [[f"v{i}", "common"] for i in range(10)]
    data = written({"s": rows})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("xl/sharedStrings.xml").decode().count("<si>") == 3
    assert read_back(data, read_only=False)["s"] == rows


def test_the_same_rows_give_the_same_bytes():
    assert written({"s": ROWS}) == written({"s": ROWS})


def test_the_package_is_well_formed_with_its_dimension_and_fixed_timestamps():
    data = written({"s": ROWS})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        for info in archive.infolist():
            assert info.date_time == xlsx.ZIP_DATE
            ElementTree.fromstring(archive.read(info))  # every part parses as XML
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<dimension ref="A1:D7"/>' in sheet


def test_an_error_while_writing_leaves_no_file(tmp_path):
    target = tmp_path / "out.xlsx"
    with pytest.raises(RuntimeError), Workbook(target) as workbook:
        workbook.add_sheet("s").append(["a"])
        raise RuntimeError("stop")
    assert not target.exists()


def test_a_workbook_without_sheets_still_opens():
    target = io.BytesIO()
    Workbook(target).close()
    assert load_workbook(target).sheetnames == ["Sheet"]


def test_sheet_names_are_made_acceptable_and_unique():
    assert sheet_title("a/b:c*d?e[f]g\\h", set()) == "a_b_c_d_e_f_g_h"
    assert sheet_title("x" * 40, set()) == "x" * 31
    assert sheet_title("Answers", {"answers"}) == "Answers (2)"
    data = written({"R&D <1>": [["a"]], "r&d <1>": [["b"]]})
    assert load_workbook(io.BytesIO(data)).sheetnames == ["R&D <1>", "r&d <1> (2)"]


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702, 16383)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD",
    ]  # fmt: skip


def test_libreoffice_opens_the_workbook_and_reads_the_same_values(tmp_path):
    if not shutil.which("libreoffice"):  # .ci/run installs it (libreoffice-calc-nogui)
        message = "LibreOffice is not installed (apt-get install libreoffice-calc-nogui)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    (tmp_path / "book.xlsx").write_bytes(written({"first": ROWS}))
    # CSV filter: comma, double quote, UTF-8, every cell quoted as text as it is.
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false"
    subprocess.run(
        ["libreoffice", "--headless", "--convert-to", csv_filter, "book.xlsx", "--outdir", "."],
        cwd=tmp_path, check=True, capture_output=True, timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},  # its own profile: no lock shared with others
    )  # fmt: skip
    with open(tmp_path / "book.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    # LibreOffice writes a CR LF inside a cell as a line feed, and leaves trailing empty cells out
    expected = [[v.replace("\r\n", "\n") for v in row] for row in ROWS]
    assert [row + [""] * (len(ROWS[0]) - len(row)) for row in rows] == expected
