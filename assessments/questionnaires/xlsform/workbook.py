"""Reading, first step: an XLSForm workbook (.xlsx or .xls) -> the rows of its survey, choices
and settings sheets, through pyxform's own reader and header aliases, so that every spelling
pyxform accepts is accepted (`label:English`, `label::English (en)`, `select one x`...).

Before pyxform loads anything, the workbook's size is checked against the caps below (rows,
columns, cells, uncompressed size), from the sheets' XML streamed in chunks: a small file can
declare a cell at column XFD on thousands of rows, which a naive reader would expand into
millions of empty cells.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import xlrd
from defusedxml import ElementTree
from django.utils.translation import gettext as _
from pyxform import aliases, constants
from pyxform.errors import PyXFormError
from pyxform.parsing.sheet_headers import dealias_and_group_headers
from pyxform.question import MultipleChoiceQuestion, Option
from pyxform.survey import Survey
from pyxform.xls2json import clean_text_values
from pyxform.xls2json_backends import Definition, SupportedFileTypes, definition_to_dict

from .common import Finding, XLSFormError

MAX_ROWS = 5000  # per sheet
MAX_COLUMNS = 200
MAX_CELLS = 200_000  # per workbook
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_SECONDS = 20.0
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
READ_SHEETS = (constants.SURVEY, constants.CHOICES, constants.SETTINGS)
_CHUNK = 1024 * 1024
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL_REFERENCE = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]+)"')
_CELL_TAG = re.compile(rb"<c[\s>/]")
_ROW_TAG = re.compile(rb"<row[\s>/]")


@dataclass
class Sheet:
    """One sheet after pyxform's dealiasing: each row a nested dict (`label` -> {language:
    text}, `bind` -> {`relevant`: ...}) with its Excel row number under `__row`; `headers` the
    dealiased header tokens, `columns` the original header by token tuple."""

    name: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    headers: tuple[tuple[str, ...], ...] = ()


@dataclass
class Workbook:
    sheets: dict[str, Sheet]
    fallback_name: str | None
    default_language: str | None


def read_workbook(content: bytes, filename: str | None = None) -> Workbook:
    """The survey, choices and settings sheets of an XLSForm; raises XLSFormError."""
    started = time.monotonic()
    if content.startswith(ZIP_SIGNATURE):
        file_type = SupportedFileTypes.xlsx
        _check_xlsx_size(content)
    elif content.startswith(OLE2_SIGNATURE):
        file_type = SupportedFileTypes.xls
        _check_xls_size(content)
    else:
        raise XLSFormError([_refusal("", _("file"), _not_a_workbook())])
    stem = PurePath(filename).stem if filename else None
    definition = Definition(data=io.BytesIO(content), file_type=file_type, file_path_stem=stem)
    try:
        data = definition_to_dict(definition=definition, file_type=file_type.value)
        workbook = _dealias(data)
    except PyXFormError as exc:
        raise XLSFormError([_refusal("", _("workbook"), str(exc))]) from exc
    except (AttributeError, TypeError, ValueError) as exc:
        # pyxform's reader fails this way on some cells, e.g. a number as a column header.
        message = _("the workbook could not be read; is every column header a text?")
        raise XLSFormError([_refusal("", _("workbook"), message)]) from exc
    if time.monotonic() - started > MAX_SECONDS:
        raise XLSFormError(
            [
                _refusal(
                    "",
                    _("reading time"),
                    _("reading the workbook took longer than %(seconds)d seconds")
                    % {"seconds": MAX_SECONDS},
                )
            ]
        )
    return workbook


def _not_a_workbook() -> str:
    return _("the file is not an Excel workbook (.xlsx or .xls)")


def _refusal(sheet: str, construct: str, message: str, row: int = 0) -> Finding:
    return Finding(sheet, row, construct, message)


def _too_big(sheet: str, what: str, found: int, cap: int) -> XLSFormError:
    messages = {
        "rows": _("the sheet has %(found)d rows; at most %(cap)d are accepted"),
        "columns": _("the sheet reaches column %(found)d; at most %(cap)d columns are accepted"),
        "cells": _("the workbook has %(found)d cells; at most %(cap)d are accepted"),
        "size": _("the workbook holds %(found)d bytes uncompressed; at most %(cap)d are accepted"),
    }
    constructs = {
        "rows": _("rows"),
        "columns": _("columns"),
        "cells": _("cells"),
        "size": _("size"),
    }
    message = messages[what] % {"found": found, "cap": cap}
    return XLSFormError([_refusal(sheet, constructs[what], message)])


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_xlsx_size(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        total = sum(member.file_size for member in archive.infolist())
        if total > MAX_UNCOMPRESSED_BYTES:
            raise _too_big("", "size", total, MAX_UNCOMPRESSED_BYTES)
        sheets = _sheet_paths(archive)
        cells = 0
        for title, path in sheets.items():
            if title.lower() not in READ_SHEETS and len(sheets) > 1:
                continue
            cells += _check_sheet_xml(archive, path, title)
            if cells > MAX_CELLS:
                raise _too_big("", "cells", cells, MAX_CELLS)
    except XLSFormError:
        raise
    except Exception as exc:  # zipfile and XML parsing raise many types for damaged files
        raise XLSFormError([_refusal("", _("file"), _not_a_workbook())]) from exc


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its XML in the archive, from the workbook's own small index files (not
    openpyxl, which without a <dimension> scans every sheet to size it)."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    links = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {link.get("Id"): link.get("Target", "") for link in links}
    paths: dict[str, str] = {}
    for sheet in book.iter(f"{{{_MAIN}}}sheet"):
        target = targets.get(sheet.get(f"{{{_RELATIONSHIPS}}}id"), "")
        paths[sheet.get("name", "")] = (
            target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        )
    return paths


def _check_sheet_xml(archive: zipfile.ZipFile, path: str, title: str) -> int:
    """Stream the sheet's XML: the highest row and column any cell names, and its cells."""
    max_row = max_column = cells = rows = 0
    carry = b""
    with archive.open(path) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            data = carry + chunk
            # Cut at the last tag start so that no tag is split between two chunks.
            cut = data.rfind(b"<") if chunk else len(data)
            cut = len(data) if cut <= 0 else cut
            data, carry = data[:cut], data[cut:]
            for match in _CELL_REFERENCE.finditer(data):
                max_column = max(max_column, _column_number(match.group(1)))
                max_row = max(max_row, int(match.group(2)))
            cells += len(_CELL_TAG.findall(data))
            rows += len(_ROW_TAG.findall(data))
            if max_column > MAX_COLUMNS:
                raise _too_big(title, "columns", max_column, MAX_COLUMNS)
            if max(max_row, rows) > MAX_ROWS:
                raise _too_big(title, "rows", max(max_row, rows), MAX_ROWS)
            if cells > MAX_CELLS:
                raise _too_big(title, "cells", cells, MAX_CELLS)
            if not chunk:
                return cells


def _check_xls_size(content: bytes) -> None:
    try:
        book = xlrd.open_workbook(file_contents=content, on_demand=True)
    except Exception as exc:  # xlrd raises several types for damaged files
        raise XLSFormError([_refusal("", _("file"), _not_a_workbook())]) from exc
    try:
        cells = 0
        for index, title in enumerate(book.sheet_names()):
            sheet = book.sheet_by_index(index)
            if sheet.ncols > MAX_COLUMNS:
                raise _too_big(title, "columns", sheet.ncols, MAX_COLUMNS)
            if sheet.nrows > MAX_ROWS:
                raise _too_big(title, "rows", sheet.nrows, MAX_ROWS)
            cells += sheet.nrows * sheet.ncols
            if cells > MAX_CELLS:
                raise _too_big("", "cells", cells, MAX_CELLS)
            book.unload_sheet(index)
    finally:
        book.release_resources()


def _dealias(data: Any) -> Workbook:
    """pyxform's cleaning and header dealiasing, sheet by sheet, keeping the row numbers."""
    settings_rows = list(data.settings or [])
    default_language = None
    sheets: dict[str, Sheet] = {}
    if settings_rows:
        result = dealias_and_group_headers(
            sheet_name=constants.SETTINGS,
            sheet_data=clean_text_values(constants.SETTINGS, settings_rows, add_row_number=True),
            sheet_header=data.settings_header or [],
            header_aliases=aliases.settings_header,
            header_columns=set(Survey.get_slot_names()),
        )
        sheets[constants.SETTINGS] = Sheet(constants.SETTINGS, list(result.data), result.headers)
        first = next((row for row in result.data if len(row) > 1), {})
        default_language = first.get(constants.DEFAULT_LANGUAGE_KEY) or None
    language = default_language or constants.DEFAULT_LANGUAGE_VALUE
    if data.choices:
        result = dealias_and_group_headers(
            sheet_name=constants.CHOICES,
            sheet_data=clean_text_values(constants.CHOICES, data.choices, add_row_number=True),
            sheet_header=data.choices_header or [],
            header_aliases=aliases.list_header,
            header_columns=set(Option.get_slot_names()),
            default_language=language,
        )
        sheets[constants.CHOICES] = Sheet(constants.CHOICES, list(result.data), result.headers)
    if data.survey is not None:
        survey = clean_text_values(
            constants.SURVEY, data.survey, strip_whitespace=True, add_row_number=True
        )
        result = dealias_and_group_headers(
            sheet_name=constants.SURVEY,
            sheet_data=survey,
            sheet_header=data.survey_header or [],
            header_aliases=aliases.survey_header,
            header_columns=set(MultipleChoiceQuestion.get_slot_names()),
            default_language=language,
        )
        # Types stay as written (QUESTION_TYPE_DICT knows the aliases), so that a refusal
        # names the type the author wrote.
        sheets[constants.SURVEY] = Sheet(constants.SURVEY, list(result.data), result.headers)
    return Workbook(sheets, data.fallback_form_name, default_language)
