"""Shared by the XLSForm tests: small workbooks built in memory, and the defaults of a question."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from assessments.questionnaires.xlsform import XLSFormError, xlsform_to_questionnaire

SETTINGS = [
    ["form_title", "form_title::French (fr)", "form_title::Spanish (es)", "form_id", "version"],
    ["Test form", "Formulaire de test", "Formulario de prueba", "test_form", 3],
]
CHOICES_HEADER = ["list_name", "name", "label::English (en)", "label::French (fr)", "label::es"]
COLORS = [
    ["colors", "RED", "Red", "Rouge", "Rojo"],
    ["colors", "BLUE", "Blue", "Bleu", "Azul"],
]


def workbook_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsform(
    survey: list[list[Any]],
    choices: list[list[Any]] | None = None,
    form_settings: list[list[Any]] | None = None,
    *,
    choices_header: list[str] | None = None,
) -> bytes:
    """A form: `survey` starts with its header row; `choices` rows go under `choices_header`
    (CHOICES_HEADER unless given)."""
    return workbook_bytes(
        {
            "survey": survey,
            "choices": [choices_header or CHOICES_HEADER, *(choices or [])],
            "settings": form_settings or SETTINGS,
        }
    )


def simple_survey(*rows: list[Any], header: list[str] | None = None) -> bytes:
    """`type, name, label` plus `header`'s extra columns; a `colors` list is defined."""
    columns = ["type", "name", "label", *(header or [])]
    return xlsform([columns, *rows], COLORS)


def read_form(source: Any, **options: Any) -> dict[str, Any]:
    """The questionnaire read from an XLSForm (its warnings left aside)."""
    return xlsform_to_questionnaire(source, **options).questionnaire


def errors_of(source: bytes) -> list[str]:
    with pytest.raises(XLSFormError) as caught:
        xlsform_to_questionnaire(source)
    return caught.value.errors


def question_defaults(**fields: Any) -> dict[str, Any]:
    question = {
        "required": False,
        "min_value": None,
        "max_value": None,
        "max_choices": None,
        "other_option": False,
        "choices": None,
        "columns": None,
        "rows_from": None,
        "condition": None,
        "summary_section": "meta",
    }
    question.update(fields)
    return question


# --- real-world forms: a workbook without settings, and what reading it gives -------------

COLOR_CHOICES = [
    ["list_name", "name", "label"],
    ["colors", "RED", "Red"],
    ["colors", "BLUE", "Blue"],
]


def form(survey: list[list], choices: list[list] | None = None, **sheets: list[list]) -> bytes:
    """A workbook with no settings sheet (as most real forms), unless given."""
    return workbook_bytes({"survey": survey, "choices": choices or COLOR_CHOICES, **sheets})


def refusals(source: bytes) -> list[tuple[str, int, str]]:
    with pytest.raises(XLSFormError) as caught:
        xlsform_to_questionnaire(source, filename="form.xlsx")
    return [(r.sheet, r.row, r.construct) for r in caught.value.refusals]


def warnings(source: bytes) -> list[tuple[str, int, str]]:
    imported = xlsform_to_questionnaire(source, filename="form.xlsx")
    return [(w.sheet, w.row, w.construct) for w in imported.warnings]


def questions(source: bytes, **options) -> list[dict]:
    data = read_form(source, **options)
    return [q for section in data["sections"] for q in section["questions"]]
