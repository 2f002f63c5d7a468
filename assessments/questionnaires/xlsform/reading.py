"""Reading: an XLSForm workbook -> a questionnaire in our format and the warnings about what was
left out (`xlsform_to_questionnaire`). Refusals (what would change the meaning of the answers)
raise `XLSFormError`, each with its sheet, row and construct."""

from __future__ import annotations

import os
import re
from pathlib import PurePath
from typing import Any, BinaryIO

from django.utils.translation import gettext as _
from pyxform import constants

from .codes import KEY, choice_codes, form_key
from .common import (
    AUDIENCES,
    CHOICE_WORDING,
    DEFAULT_AUDIENCE,
    DEFAULT_STATUS,
    FORMAT_MARKER,
    FORMAT_VERSION,
    STATUSES,
    TITLE_TRANSLATION,
    Finding,
    Imported,
    XLSFormError,
)
from .rows import Cells, Report, language_code
from .sections import assemble
from .survey import ENGLISH_FROM, Entry, read_row, read_sources
from .workbook import Sheet, read_workbook

CHOICES, SETTINGS, SURVEY = constants.CHOICES, constants.SETTINGS, constants.SURVEY
LABEL_LENGTH = 300
MAX_VERSION = 2**31 - 1


def xlsform_to_questionnaire(
    source: bytes | BinaryIO | str | os.PathLike[str],
    *,
    key: str | None = None,
    filename: str | None = None,
) -> Imported:
    """Read an XLSForm (.xlsx or .xls: bytes, binary file or path) into our format.

    `key` overrides the settings' form_id; `filename` stands in for a missing form_id and
    form_title, as pyxform does. Raises XLSFormError listing every refusal.
    """
    content, filename = _content(source, filename)
    workbook = read_workbook(content, filename)
    report = Report(default_language=workbook.default_language)
    survey = workbook.sheets.get(SURVEY)
    if survey is None or not any(len(row) > 1 for row in survey.rows):
        raise XLSFormError(
            [Finding(SURVEY, 0, _("sheet"), _("the workbook has no survey sheet with questions"))]
        )
    header = _settings(workbook.sheets.get(SETTINGS), key, workbook.fallback_name, report)
    lists = _choice_lists(workbook.sheets.get(CHOICES), report)
    entries = _survey(survey, lists, report)
    sections, rows = assemble(entries, header["title"], report)
    if not rows and not report.refusals:
        report.refuse(SURVEY, 0, _("questions"), _("the form has no question that can be imported"))
    if report.refusals:
        raise XLSFormError(report.refusals)
    description = header.pop("description")
    questionnaire: dict[str, Any] = {
        "format": FORMAT_MARKER,
        "format_version": FORMAT_VERSION,
        **header,
    }
    if description:
        questionnaire["description"] = description
    questionnaire["sections"] = sections
    return Imported(questionnaire, report.finish(), rows)


def _content(source: Any, filename: str | None) -> tuple[bytes, str | None]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), filename
    if isinstance(source, str | os.PathLike):
        try:
            with open(source, "rb") as file:
                return file.read(), filename or PurePath(os.fspath(source)).name
        except OSError as exc:
            raise XLSFormError(
                [
                    Finding(
                        "",
                        0,
                        _("file"),
                        _("the file could not be read (%(error)s)")
                        % {"error": exc.strerror or exc},
                    )
                ]
            ) from exc
    read = getattr(source, "read", None)
    content = read() if callable(read) else None
    if not isinstance(content, bytes | bytearray):
        raise XLSFormError(
            [Finding("", 0, _("file"), _("the file is not an Excel workbook (.xlsx or .xls)"))]
        )
    name = getattr(source, "name", None)
    return bytes(content), filename or (name if isinstance(name, str) else None)


# --- settings ----------------------------------------------------------------------------


def _settings(
    sheet: Sheet | None, key: str | None, fallback: str | None, report: Report
) -> dict[str, Any]:
    row = next((row for row in (sheet.rows if sheet else []) if len(row) > 1), {})
    cells = Cells(SETTINGS, row, report)
    form_id = cells.get("id_string")
    # As pyxform: the id defaults to the file name, the title to the id.
    name = key or form_id or fallback or constants.DEFAULT_FORM_NAME
    form_key_text = name if KEY.fullmatch(name) and len(name) <= 64 else form_key(name)
    if form_key_text is None:
        form_key_text = constants.DEFAULT_FORM_NAME
    if form_key_text != name:
        report.warn(
            SETTINGS,
            cells.number,
            "form_id",
            _("“%(name)s” is imported as the key “%(key)s”") % {"name": name, "key": form_key_text},
        )
    title = cells.texts("title", max_length=LABEL_LENGTH)
    for language, text in cells.texts(
        TITLE_TRANSLATION, max_length=LABEL_LENGTH, stand_in=False
    ).items():
        title.setdefault(language, text)
    if not title:
        title = {"en": form_id or name}
    cells.get("default_language")
    header = {
        "key": form_key_text,
        "version": _version(cells),
        "audience": _one_of(cells, "audience", AUDIENCES, DEFAULT_AUDIENCE),
        "status": _one_of(cells, "status", STATUSES, DEFAULT_STATUS),
        "title": title,
        "description": cells.texts("description"),
    }
    cells.left_out()
    return header


def _version(cells: Cells) -> int:
    text = cells.get("version")
    if not text:
        return 1
    if re.fullmatch(r"\d{1,10}", text) and 1 <= int(text) <= MAX_VERSION:
        return int(text)
    cells.report.warn(
        SETTINGS,
        cells.number,
        "version",
        _("“%(version)s” is not a whole number up to %(max)d: imported as version 1")
        % {"version": text, "max": MAX_VERSION},
    )
    return 1


def _one_of(cells: Cells, column: str, allowed: tuple[str, ...], default: str) -> str:
    text = cells.get(column)
    if not text or text in allowed:
        return text or default
    cells.report.warn(
        SETTINGS,
        cells.number,
        column,
        _("“%(value)s” is not one of %(allowed)s: %(default)s is used")
        % {"value": text, "allowed": ", ".join(allowed), "default": default},
    )
    return default


# --- choices -----------------------------------------------------------------------------


def _choice_lists(sheet: Sheet | None, report: Report) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[tuple[Cells, str]]] = {}
    for row in sheet.rows if sheet else []:
        cells = Cells(CHOICES, row, report)
        if not cells:
            continue
        list_name, name = cells.get(constants.LIST_NAME_S), cells.get("name")
        if not list_name or not name:
            report.warn(
                CHOICES,
                cells.number,
                _("choice"),
                _("a choice needs a list_name and a name: not imported"),
            )
            continue
        rows.setdefault(list_name, []).append((cells, name))
    lists: dict[str, list[dict[str, Any]]] = {}
    for list_name, choices in rows.items():
        names = [name for _cells, name in choices]
        codes = choice_codes(names)
        items: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for (cells, name), code in zip(choices, codes, strict=True):
            if name in seen:
                report.refuse(
                    CHOICES,
                    cells.number,
                    _("choice “%(name)s”") % {"name": name},
                    _("the name appears twice in list “%(list)s” (first in row %(row)d)")
                    % {"list": list_name, "row": seen[name]},
                )
                continue
            seen[name] = cells.number
            items.append(_choice(cells, name, code))
            cells.left_out()
        mapped = [name for name, code in zip(names, codes, strict=True) if name != code]
        if mapped:
            report.warn(
                CHOICES,
                choices[0][0].number,
                _("list “%(list)s”") % {"list": list_name},
                _(
                    "%(count)d choice names are stored under other codes (kept in the export): "
                    "%(names)s"
                )
                % {"count": len(mapped), "names": ", ".join(mapped[:5])},
            )
        lists[list_name] = items
    return lists


def _choice(cells: Cells, name: str, code: str) -> dict[str, Any]:
    # A list's missing English is only worth saying if a question uses the list (the export
    # also writes the registry's lists): noted on the item, reported by the survey step.
    english_from, cells.report.english_from = cells.report.english_from, None
    item: dict[str, Any] = {
        "code": code,
        "label": cells.texts("label", fallback=name, max_length=LABEL_LENGTH),
    }
    if cells.report.english_from:
        item[ENGLISH_FROM] = cells.report.english_from
    cells.report.english_from = english_from
    if name != code:
        item["xlsform_name"] = name
    for key in CHOICE_WORDING:  # how a summary says the choice: `phrase_en` or `phrase::en`
        texts = cells.texts(key, max_length=LABEL_LENGTH)
        for path in list(cells.cells):
            if len(path) == 1 and path[0].lower().startswith(f"{key}_"):
                language = language_code(path[0][len(key) + 1 :].replace("_", " "))
                if language:
                    texts.setdefault(language, cells.get(*path)[:LABEL_LENGTH])
        if texts.get("en"):
            item[key] = texts
    return item


# --- survey ------------------------------------------------------------------------------


def _survey(sheet: Sheet, lists: dict[str, list[dict[str, Any]]], report: Report) -> list[Entry]:
    if not any("type" in row for row in sheet.rows):
        report.refuse(SURVEY, 1, "type", _("the survey sheet has no type column"))
        return []
    entries: list[Entry] = []
    for row in sheet.rows:
        cells = Cells(SURVEY, row, report)
        if not cells:
            continue
        refusals = len(report.refusals)
        entry = read_row(cells, lists)
        if entry is None:
            continue
        if entry.kind == "question":
            read_sources(entry, cells, lists)
        if len(report.refusals) == refusals:
            cells.left_out()
        entries.append(entry)
    return entries
