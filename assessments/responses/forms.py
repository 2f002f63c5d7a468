"""Questionnaire rendering shared by the respondent's page and the admin preview.

Nothing here checks answers: `answers_from_post` only turns form fields into the answers dict that
`assessments.questionnaires.validation.validate_answers` expects, and `build_section_context` describes one
section for `templates/assessments/_section.html`. Field names are the question codes; matrix cells
are checkboxes named `<code>__<ROW>`; the "other, please specify" text is `<code>_other`.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from assessments.questionnaires import conditions
from assessments.questionnaires.schema import (
    OTHER_CODE,
    OTHER_SUFFIX,
    QuestionnaireSchema,
    QuestionSpec,
)
from assessments.questionnaires.validation import is_empty, is_visible

MATRIX_SEPARATOR = "__"
WIDGETS = {
    "single": "radio",
    "yes_no": "radio",
    "yes_no_dk": "radio",
    "scale5": "radio",
    "multiple": "checkbox",
    "text": "text",
    "long_text": "textarea",
    "integer": "number",
    "year": "number",
    "decimal": "decimal",
    "date": "date",
    "matrix": "matrix",
    "note": "note",
}


def matrix_field_name(code: str, row: str) -> str:
    return f"{code}{MATRIX_SEPARATOR}{row}"


# --- form data -> answers ------------------------------------------------------------------


def answers_from_post(
    schema: QuestionnaireSchema, question_codes: Iterable[str], data: QueryDict
) -> dict[str, Any]:
    """The answers posted for `question_codes`, as raw strings; empty fields are left out."""
    answers: dict[str, Any] = {}
    for code in question_codes:
        question = schema.questions[code]
        value = posted_value(question, data)
        if not is_empty(value):
            answers[code] = value
        other = data.get(code + OTHER_SUFFIX, "")
        if question.other_option and other.strip():
            answers[code + OTHER_SUFFIX] = other
    return answers


def posted_value(question: QuestionSpec, data: QueryDict) -> Any:
    if question.type == "note":
        return None
    if question.type == "multiple":
        return [value for value in data.getlist(question.code) if value]
    if question.type == "matrix":
        rows = {
            row: [c for c in data.getlist(matrix_field_name(question.code, row)) if c]
            for row in question.option_codes
        }
        return {row: cells for row, cells in rows.items() if cells}
    return data.get(question.code, "")


# --- schema + answers -> template context ---------------------------------------------------


@dataclass
class OptionField:
    code: str
    label: str
    id: str
    checked: bool = False


@dataclass
class MatrixRow:
    code: str
    label: str
    name: str
    visible: bool
    cells: list[OptionField]


@dataclass
class QuestionField:
    spec: QuestionSpec
    widget: str
    text: str
    help: str
    visible: bool
    errors: list[str]
    value: str = ""
    options: list[OptionField] = field(default_factory=list)
    other_value: str = ""
    columns: list[OptionField] = field(default_factory=list)
    rows: list[MatrixRow] = field(default_factory=list)
    answer_display: list[str] = field(default_factory=list)
    # The condition for the page's script (static/js/questionnaire.js), with every test on a
    # question of another section replaced by its result; empty without a condition.
    condition_json: str = ""

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def id(self) -> str:
        return f"id_{self.spec.code}"

    @property
    def required(self) -> bool:
        return self.spec.required

    @property
    def is_group(self) -> bool:
        return self.widget in {"radio", "checkbox", "matrix"}

    @property
    def describedby(self) -> str:
        ids = [f"{self.code}-help"] if self.help else []
        return " ".join([*ids, f"{self.code}-error"])

    @property
    def condition(self) -> Any:
        return self.spec.condition

    @property
    def other_chosen(self) -> bool:
        return any(o.code == OTHER_CODE and o.checked for o in self.options)

    @property
    def has_visible_rows(self) -> bool:
        return any(row.visible for row in self.rows)


@dataclass
class SectionContext:
    code: str
    title: str
    help: str
    per_mechanism: bool
    mechanism_label: str | None
    readonly: bool
    fields: list[QuestionField]


def build_section_context(
    schema: QuestionnaireSchema,
    section_code: str,
    *,
    language: str,
    answers: Mapping[str, Any],
    errors: Mapping[str, list[str]],
    mechanism_label: str | None = None,
    readonly: bool = False,
) -> SectionContext:
    """What `assessments/_section.html` needs to render one section in `language`."""
    section = next(s for s in schema.sections if s.code == section_code)
    visible_answers = answers_of_visible_questions(schema, answers)
    with translation.override(language):
        fields = [
            question_field(
                schema.questions[code], language, answers, visible_answers, errors.get(code) or []
            )
            for code in section.question_codes
        ]
    on_page = set(section.question_codes)
    for result in fields:
        if result.spec.condition is not None:
            result.condition_json = json.dumps(
                condition_for_page(result.spec.condition, on_page, visible_answers)
            )
    return SectionContext(
        code=section.code,
        title=section.title(language),
        help=section.help(language),
        per_mechanism=section.per_mechanism,
        mechanism_label=mechanism_label if section.per_mechanism else None,
        readonly=readonly,
        fields=fields,
    )


def condition_for_page(
    condition: conditions.AnyCondition, on_page: set[str], visible_answers: Mapping[str, Any]
) -> dict[str, Any]:
    """The condition as a dict for the page's script: tests on questions of this section as
    they are, the others by their result over the answers already given."""
    if isinstance(condition, conditions.ConditionGroup):
        return {
            condition.combine: [
                condition_for_page(part, on_page, visible_answers) for part in condition.parts
            ]
        }
    if condition.question in on_page:
        return conditions.to_dict(condition) or {}
    return {"result": conditions.holds(condition, visible_answers)}


def answers_of_visible_questions(
    schema: QuestionnaireSchema, answers: Mapping[str, Any]
) -> dict[str, Any]:
    """The answers of the questions currently shown, so that hiding one cascades to dependents."""
    shown: dict[str, Any] = {}
    for question in schema.questions.values():
        if question.code in answers and is_visible(question, shown):
            shown[question.code] = answers[question.code]
    return shown


def question_field(
    question: QuestionSpec,
    language: str,
    answers: Mapping[str, Any],
    visible_answers: Mapping[str, Any],
    errors: list[str],
) -> QuestionField:
    value = answers.get(question.code)
    result = QuestionField(
        spec=question,
        widget=WIDGETS[question.type],
        text=question.text(language),
        help=question.help(language),
        visible=is_visible(question, visible_answers),
        errors=list(errors),
    )
    if result.widget in {"radio", "checkbox"}:
        chosen = {as_text(v) for v in value} if isinstance(value, list) else {as_text(value)}
        result.options = option_fields(question, language, chosen)
        result.other_value = as_text(answers.get(question.code + OTHER_SUFFIX))
    elif result.widget == "matrix":
        result.columns = [
            OptionField(c.code, c.label(language), f"{question.code}-col-{c.code}")
            for c in question.columns
        ]
        result.rows = matrix_rows(question, language, value, visible_answers)
    elif result.widget != "note":
        result.value = as_text(value)
    result.answer_display = answer_display(result)
    return result


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def builtin_label(code: str) -> str:
    return {"yes": _("Yes"), "no": _("No"), "dk": _("Don't know")}.get(code, code)


def option_fields(question: QuestionSpec, language: str, chosen: set[str]) -> list[OptionField]:
    """Options of a choice question; yes/no and scale labels follow the active language."""
    if question.options:
        pairs = [(o.code, o.label(language)) for o in question.options]
    else:
        pairs = [(code, builtin_label(code)) for code in question.option_codes]
    if question.other_option:
        pairs.append((OTHER_CODE, _("Other")))
    return [
        OptionField(code, label, f"id_{question.code}_{index}", code in chosen)
        for index, (code, label) in enumerate(pairs)
    ]


def matrix_rows(
    question: QuestionSpec, language: str, value: Any, visible_answers: Mapping[str, Any]
) -> list[MatrixRow]:
    ticked = value if isinstance(value, Mapping) else {}
    asked = None
    if question.rows_from:
        asked = {as_text(v) for v in visible_answers.get(question.rows_from) or []}
    rows = []
    for index, option in enumerate(question.options):
        cells_ticked = {as_text(c) for c in ticked.get(option.code) or []}
        cells = [
            OptionField(
                column.code,
                column.label(language),
                f"id_{question.code}_{index}_{col_index}",
                column.code in cells_ticked,
            )
            for col_index, column in enumerate(question.columns)
        ]
        name = matrix_field_name(question.code, option.code)
        visible = asked is None or option.code in asked
        rows.append(MatrixRow(option.code, option.label(language), name, visible, cells))
    return rows


def answer_display(field: QuestionField) -> list[str]:
    """The answer as lines of plain text, for read-only rendering."""
    if field.widget in {"radio", "checkbox"}:
        lines = [o.label for o in field.options if o.checked]
        if field.other_chosen and field.other_value:
            lines[-1] = f"{lines[-1]}: {field.other_value}"
        return lines
    if field.widget == "matrix":
        return [
            f"{row.label}: {', '.join(c.label for c in row.cells if c.checked)}"
            for row in field.rows
            if row.visible and any(c.checked for c in row.cells)
        ]
    return [field.value] if field.value else []
