"""The one place where answers are checked against a questionnaire version.

The web form, the REST API and the importers all call `validate_answers`. It never touches the
database: it works on a `QuestionnaireSchema` snapshot.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.questionnaires import conditions
from assessments.questionnaires.schema import (
    OTHER_CODE,
    OTHER_SUFFIX,
    QuestionnaireSchema,
    QuestionSpec,
)
from mechanisms.text import text_problem

TEXT_MAX_LENGTH = 1000
LONG_TEXT_MAX_LENGTH = 20000
YEAR_RANGE = (1000, 9999)


def latest_year() -> int:
    return timezone.localdate().year


class AnswerError(ValueError):
    """One problem with one answer; the message is shown to the respondent."""


@dataclass
class ValidationResult:
    cleaned: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def add_error(self, code: str, message: str) -> None:
        self.errors.setdefault(code, []).append(message)


def is_empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == [] or value == {}


def validate_answers(
    schema: QuestionnaireSchema,
    answers: Mapping[str, Any],
    *,
    scope: str | None = None,
    complete: bool = True,
) -> ValidationResult:
    """Check `answers` (question code -> value) against `schema`.

    `scope` limits the check to the once-answered sections (`"once"`) or the per-mechanism ones
    (`"per_mechanism"`). With `complete=False` (a draft being saved) required questions may be
    empty; everything else is checked. Answers to hidden questions are dropped, not refused.
    Returns the typed, normalised answers and every error keyed by question code.
    """
    result = ValidationResult()
    questions = schema.questions_in(scope)
    report_unknown_codes(result, questions, answers)
    for question in questions:
        validate_one(result, question, answers, complete=complete)
    return result


def report_unknown_codes(
    result: ValidationResult, questions: list[QuestionSpec], answers: Mapping[str, Any]
) -> None:
    known = {q.code for q in questions}
    known |= {q.code + OTHER_SUFFIX for q in questions if q.other_option}
    for code in answers:
        if code not in known:
            result.add_error(str(code), _("This questionnaire has no question with this code."))


def validate_one(
    result: ValidationResult, question: QuestionSpec, answers: Mapping[str, Any], *, complete: bool
) -> None:
    value = answers.get(question.code)
    if not is_visible(question, result.cleaned):
        if not is_empty(value) or not is_empty(answers.get(question.code + OTHER_SUFFIX)):
            result.dropped.append(question.code)
        result.cleaned.pop(question.code, None)
        return
    if question.type == "note":
        if not is_empty(value):
            result.add_error(question.code, _("This item takes no answer."))
        return
    if is_empty(value):
        if complete and question.required:
            result.add_error(question.code, _("This question is required."))
        return
    try:
        result.cleaned[question.code] = CLEANERS[question.type](question, value, result.cleaned)
    except AnswerError as exc:
        result.add_error(question.code, str(exc))
        return
    validate_other_text(result, question, answers, complete=complete)


def is_visible(question: QuestionSpec, cleaned: Mapping[str, Any]) -> bool:
    """A question shows when it has no condition, or its condition holds over the (earlier,
    visible) answers: a hidden or unanswered target fails every test."""
    return conditions.holds(question.condition, cleaned)


def validate_other_text(
    result: ValidationResult, question: QuestionSpec, answers: Mapping[str, Any], *, complete: bool
) -> None:
    if not question.other_option:
        return
    chosen = result.cleaned.get(question.code)
    chose_other = chosen == OTHER_CODE or (isinstance(chosen, list) and OTHER_CODE in chosen)
    other_code = question.code + OTHER_SUFFIX
    text = answers.get(other_code)
    if not chose_other:
        return
    if is_empty(text):
        if complete:
            result.add_error(question.code, _("Please specify the other answer."))
        return
    if not isinstance(text, str) or len(text) > TEXT_MAX_LENGTH:
        result.add_error(
            question.code,
            _("The other answer must be a text of at most %(max)d characters.")
            % {"max": TEXT_MAX_LENGTH},
        )
        return
    problem = text_problem(text)
    if problem:
        result.add_error(question.code, problem[1])
        return
    result.cleaned[other_code] = text.strip()


# --- one cleaner per type: return the normalised value or raise AnswerError -----------------


def clean_single(question: QuestionSpec, value: Any, cleaned: Mapping[str, Any]) -> str:
    if not isinstance(value, str):
        raise AnswerError(_("Choose one option."))
    allowed = question.option_codes + ((OTHER_CODE,) if question.other_option else ())
    if value not in allowed:
        raise AnswerError(_("“%(value)s” is not one of the available choices.") % {"value": value})
    return value


def clean_multiple(question: QuestionSpec, value: Any, cleaned: Mapping[str, Any]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AnswerError(_("Expected a list of choices."))
    allowed = question.option_codes + ((OTHER_CODE,) if question.other_option else ())
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise AnswerError(
            _("Not among the available choices: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    if len(set(value)) != len(value):
        raise AnswerError(_("A choice is listed more than once."))
    if question.max_choices and len(value) > question.max_choices:
        raise AnswerError(_("Choose at most %(max)d options.") % {"max": question.max_choices})
    order = {code: index for index, code in enumerate(allowed)}
    return sorted(value, key=order.__getitem__)


def clean_text(question: QuestionSpec, value: Any, cleaned: Mapping[str, Any]) -> str:
    limit = LONG_TEXT_MAX_LENGTH if question.type == "long_text" else TEXT_MAX_LENGTH
    if not isinstance(value, str):
        raise AnswerError(_("Expected a text."))
    if len(value) > limit:
        raise AnswerError(_("Use at most %(max)d characters.") % {"max": limit})
    problem = text_problem(value)
    if problem:
        raise AnswerError(problem[1])
    if question.type == "text" and "\n" in value.strip():
        raise AnswerError(_("Use a single line."))
    value = value.strip()
    if not value:
        raise AnswerError(_("Expected a text."))
    return value


def to_number(value: Any, *, integer: bool) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise AnswerError(_("Enter a whole number.") if integer else _("Enter a number."))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise AnswerError(_("Enter a whole number.") if integer else _("Enter a number.")) from None
    if not number.is_finite():
        raise AnswerError(_("Enter a number."))
    if integer and number != number.to_integral_value():
        raise AnswerError(_("Enter a whole number."))
    return number


def check_range(question: QuestionSpec, number: Decimal) -> None:
    if question.min_value is not None and number < question.min_value:
        raise AnswerError(
            _("Enter a value of at least %(min)s.") % {"min": format_number(question.min_value)}
        )
    if question.max_value is not None and number > question.max_value:
        raise AnswerError(
            _("Enter a value of at most %(max)s.") % {"max": format_number(question.max_value)}
        )


def format_number(number: Decimal) -> str:
    """1900, 0.5, 12.25: never scientific notation."""
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def clean_integer(question: QuestionSpec, value: Any, cleaned: Mapping[str, Any]) -> int:
    number = to_number(value, integer=True)
    check_range(question, number)
    if question.type == "year" and not YEAR_RANGE[0] <= number <= YEAR_RANGE[1]:
        raise AnswerError(_("Enter a year with four digits."))
    if question.type == "year" and question.max_value is None and number > latest_year():
        # A year asked about ("since which year") is one that has come; a question that wants
        # later years says so with its own maximum.
        raise AnswerError(_("Enter a year no later than %(year)d.") % {"year": latest_year()})
    if abs(number) > 10**15:
        raise AnswerError(_("This number is too large."))
    return int(number)


def clean_decimal(question: QuestionSpec, value: Any, cleaned: Mapping[str, Any]) -> Decimal:
    number = to_number(value, integer=False)
    check_range(question, number)
    if abs(number) >= Decimal(10) ** 14 or -number.as_tuple().exponent > 6:
        raise AnswerError(_("Use at most 14 digits before and 6 after the decimal point."))
    return number


def clean_date(question: QuestionSpec, value: Any, cleaned: Mapping[str, Any]) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise AnswerError(_("Enter a date as YYYY-MM-DD."))


def clean_yes_no(question: QuestionSpec, value: Any, cleaned: Mapping[str, Any]) -> str:
    if not isinstance(value, str) or value.strip().lower() not in question.option_codes:
        if question.type == "yes_no_dk":
            raise AnswerError(_("Answer yes, no or don't know."))
        raise AnswerError(_("Answer yes or no."))
    return value.strip().lower()


def clean_scale(question: QuestionSpec, value: Any, cleaned: Mapping[str, Any]) -> int:
    try:
        number = to_number(value, integer=True)
    except AnswerError:
        raise AnswerError(_("Choose a value from 1 to 5.")) from None
    if not 1 <= number <= 5:
        raise AnswerError(_("Choose a value from 1 to 5."))
    return int(number)


def clean_matrix(
    question: QuestionSpec, value: Any, cleaned: Mapping[str, Any]
) -> dict[str, list[str]]:
    if not isinstance(value, Mapping):
        raise AnswerError(_("Expected an object of rows, each with a list of columns."))
    rows = allowed_matrix_rows(question, cleaned)
    columns = question.column_codes
    result: dict[str, list[str]] = {}
    for row, cells in value.items():
        if row not in rows:
            raise AnswerError(_("“%(row)s” is not one of the rows asked.") % {"row": row})
        if not isinstance(cells, list) or not all(isinstance(c, str) for c in cells):
            raise AnswerError(_("Row “%(row)s”: expected a list of columns.") % {"row": row})
        unknown = [c for c in cells if c not in columns]
        if unknown or len(set(cells)) != len(cells):
            raise AnswerError(_("Row “%(row)s”: invalid or repeated columns.") % {"row": row})
        if cells:
            result[row] = sorted(cells, key=columns.index)
    if not result:
        raise AnswerError(_("Tick at least one cell."))
    return {row: result[row] for row in rows if row in result}


def allowed_matrix_rows(question: QuestionSpec, cleaned: Mapping[str, Any]) -> tuple[str, ...]:
    if not question.rows_from:
        return question.option_codes
    chosen = set(cleaned.get(question.rows_from) or [])
    return tuple(code for code in question.option_codes if code in chosen)


CLEANERS = {
    "single": clean_single,
    "multiple": clean_multiple,
    "text": clean_text,
    "long_text": clean_text,
    "integer": clean_integer,
    "year": clean_integer,
    "decimal": clean_decimal,
    "date": clean_date,
    "yes_no": clean_yes_no,
    "yes_no_dk": clean_yes_no,
    "scale5": clean_scale,
    "matrix": clean_matrix,
}
