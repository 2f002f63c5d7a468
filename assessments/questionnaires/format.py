"""Our JSON questionnaire format (docs/questionnaire-format.md): structural checks.

`structure_errors` returns every problem of a questionnaire dict, each naming where it is, so
that imports (JSON, XLSForm) and publishing refuse a bad questionnaire as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from assessments.questionnaires import conditions
from assessments.questionnaires.models import (
    CHOICE_TYPES,
    CONDITION_TARGET_TYPES,
    NUMBER_TYPES,
    Audience,
    Questionnaire,
    QuestionType,
    SummarySection,
)
from assessments.questionnaires.schema import BUILT_IN_CHOICES, OTHER_SUFFIX, Option
from mechanisms.text import text_problem

FORMAT = "iscm-questionnaire"
FORMAT_VERSION = 1
TOP_KEYS = {
    "format",
    "format_version",
    "key",
    "version",
    "audience",
    "status",
    "title",
    "description",
    "sections",
}
SECTION_KEYS = {"code", "title", "help", "per_mechanism", "questions"}
QUESTION_KEYS = {
    "code", "type", "text", "help", "required", "min_value", "max_value", "max_choices",
    "other_option", "choices", "columns", "rows_from", "condition", "summary_section",
}  # fmt: skip
QUESTION_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
CHOICE_CODE = re.compile(r"^[A-Za-z0-9_.-]+$")
SECTION_CODE = CHOICE_CODE
KEY = re.compile(r"^[-a-zA-Z0-9_]+$")
# What the columns hold (a longer or NUL-holding value would fail in the database, not here):
CODE_LENGTH = 64  # keys and codes: CharField(max_length=64)
LABEL_LENGTH = 300  # titles and choice labels: CharField(max_length=300)
MAX_INTEGER = 2**31 - 1  # versions and max_choices: PositiveIntegerField


class QuestionnaireFormatError(ValueError):
    """The questionnaire file is not valid; `errors` lists every problem with its place."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def structure_errors(data: Any, lists: Mapping[str, list[Option]]) -> list[str]:
    """Every structural problem of `data`; `lists` holds the registry lists it may name."""
    if not isinstance(data, Mapping):
        return ["The questionnaire must be a JSON object."]
    errors: list[str] = []
    check_top(data, errors)
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        errors.append("sections: at least one section is needed.")
        return errors
    seen: dict[str, dict] = {}  # code -> {"question": dict, "per_mechanism": bool}
    section_codes: set[str] = set()
    for s_index, section in enumerate(sections):
        where = f"sections[{s_index}]"
        if not isinstance(section, Mapping):
            errors.append(f"{where}: must be an object.")
            continue
        check_section(section, where, section_codes, errors)
        questions = section.get("questions")  # not a list: reported by check_section
        for q_index, question in enumerate(questions if isinstance(questions, list) else []):
            q_where = f"{where}.questions[{q_index}]"
            if not isinstance(question, Mapping):
                errors.append(f"{q_where}: must be an object.")
                continue
            if isinstance(question.get("code"), str):
                q_where += f" ({question['code']})"
            check_question(
                question, q_where, bool(section.get("per_mechanism")), seen, lists, errors
            )
    return errors


def check_top(data: Mapping, errors: list[str]) -> None:
    if data.get("format") != FORMAT:
        errors.append(f'format: expected "{FORMAT}".')
    if data.get("format_version") != FORMAT_VERSION:
        errors.append(f"format_version: expected {FORMAT_VERSION}.")
    unknown_keys(data, TOP_KEYS, "questionnaire", errors)
    if not isinstance(data.get("key"), str) or not KEY.fullmatch(data.get("key") or ""):
        errors.append("key: letters, digits, hyphens and underscores only.")
    elif len(data["key"]) > CODE_LENGTH:
        errors.append(f"key: at most {CODE_LENGTH} characters.")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        errors.append("version: a whole number of at least 1.")
    elif version > MAX_INTEGER:
        errors.append(f"version: at most {MAX_INTEGER}.")
    if data.get("audience") not in Audience.values:
        errors.append(f"audience: one of {', '.join(Audience.values)}.")
    if data.get("status", "draft") not in Questionnaire.Status.values:
        errors.append(f"status: one of {', '.join(Questionnaire.Status.values)}.")
    check_texts(data.get("title"), "title", errors, required=True, max_length=LABEL_LENGTH)
    check_texts(data.get("description"), "description", errors)


def check_section(section: Mapping, where: str, codes: set[str], errors: list[str]) -> None:
    unknown_keys(section, SECTION_KEYS, where, errors)
    code = section.get("code")
    if not isinstance(code, str) or not SECTION_CODE.fullmatch(code):
        errors.append(f"{where}.code: letters, digits, underscores, dots and hyphens only.")
    elif len(code) > CODE_LENGTH:
        errors.append(f"{where}.code: at most {CODE_LENGTH} characters.")
    elif code in codes:
        errors.append(f"{where}.code: “{code}” is used by another section.")
    else:
        codes.add(code)
    check_texts(
        section.get("title"), f"{where}.title", errors, required=True, max_length=LABEL_LENGTH
    )
    check_texts(section.get("help"), f"{where}.help", errors)
    if not isinstance(section.get("per_mechanism", False), bool):
        errors.append(f"{where}.per_mechanism: true or false.")
    if not isinstance(section.get("questions"), list):
        errors.append(f"{where}.questions: a list of questions.")


def check_question(
    q: Mapping, where: str, per_mechanism: bool, seen: dict, lists: Mapping, errors: list[str]
) -> None:
    unknown_keys(q, QUESTION_KEYS, where, errors)
    code, qtype = q.get("code"), q.get("type")
    if not isinstance(code, str) or not QUESTION_CODE.fullmatch(code):
        errors.append(
            f"{where}.code: lower-case letters, digits and underscores, starting with a letter."
        )
        code = None
    elif len(code) > CODE_LENGTH:
        errors.append(f"{where}.code: at most {CODE_LENGTH} characters.")
        code = None
    elif code in seen or code in {
        c + OTHER_SUFFIX for c, s in seen.items() if s["question"].get("other_option")
    }:
        errors.append(f"{where}.code: “{code}” is used twice in this questionnaire.")
    if qtype not in QuestionType.values:
        errors.append(f"{where}.type: one of {', '.join(QuestionType.values)}.")
        return
    check_texts(q.get("text"), f"{where}.text", errors, required=True)
    check_texts(q.get("help"), f"{where}.help", errors)
    check_flags(q, where, qtype, errors)
    check_choice_sources(q, where, qtype, lists, errors)
    check_rows_from(q, where, qtype, per_mechanism, seen, errors)
    check_condition(q, where, per_mechanism, seen, lists, errors)
    if q.get("summary_section", "meta") not in SummarySection.values:
        errors.append(f"{where}.summary_section: one of {', '.join(SummarySection.values)}.")
    if code:
        seen[code] = {"question": q, "per_mechanism": per_mechanism}


def check_flags(q: Mapping, where: str, qtype: str, errors: list[str]) -> None:
    for flag in ("required", "other_option"):
        if not isinstance(q.get(flag, False), bool):
            errors.append(f"{where}.{flag}: true or false.")
    if q.get("other_option") and qtype not in {"single", "multiple"}:
        errors.append(f"{where}.other_option: only for single and multiple choice questions.")
    if q.get("required") and qtype == "note":
        errors.append(f"{where}.required: a note takes no answer.")
    bounds = [q.get("min_value"), q.get("max_value")]
    for name, value in zip(("min_value", "max_value"), bounds, strict=True):
        if value is None:
            continue
        if qtype not in NUMBER_TYPES:
            errors.append(f"{where}.{name}: only for integer, decimal and year questions.")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            errors.append(f"{where}.{name}: a number.")
        elif not is_storable_number(value):
            errors.append(
                f"{where}.{name}: at most 14 digits before and 6 after the decimal point."
            )
    if (
        all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
        and bounds[0] > bounds[1]
    ):
        errors.append(f"{where}: min_value is above max_value.")
    max_choices = q.get("max_choices")
    if max_choices is not None:
        if qtype != "multiple":
            errors.append(f"{where}.max_choices: only for multiple choice questions.")
        elif isinstance(max_choices, bool) or not isinstance(max_choices, int) or max_choices < 1:
            errors.append(f"{where}.max_choices: a whole number of at least 1.")
        elif max_choices > MAX_INTEGER:
            errors.append(f"{where}.max_choices: at most {MAX_INTEGER}.")


def is_storable_number(value: int | float) -> bool:
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return False
    return (
        number.is_finite() and abs(number) < Decimal(10) ** 14 and -number.as_tuple().exponent <= 6
    )


def check_choice_sources(
    q: Mapping, where: str, qtype: str, lists: Mapping, errors: list[str]
) -> None:
    if qtype in CHOICE_TYPES:
        check_source(q.get("choices"), f"{where}.choices", lists, errors)
    elif q.get("choices"):
        errors.append(f"{where}.choices: only for single, multiple and matrix questions.")
    if qtype == "matrix":
        check_source(q.get("columns"), f"{where}.columns", lists, errors)
    elif q.get("columns"):
        errors.append(f"{where}.columns: only for matrix questions.")


def check_source(source: Any, where: str, lists: Mapping, errors: list[str]) -> None:
    if not isinstance(source, Mapping):
        errors.append(f"{where}: a choice source is needed (local, vocabulary or mechanisms).")
        return
    kind = source.get("source")
    if kind == "mechanisms":
        return
    if kind == "vocabulary":
        if not isinstance(source.get("name"), str) or source["name"] not in lists:
            errors.append(f"{where}.name: unknown vocabulary “{source.get('name')}”.")
        return
    if kind != "local":
        errors.append(f"{where}.source: one of local, vocabulary, mechanisms.")
        return
    items = source.get("items")
    if not isinstance(items, list) or not items:
        errors.append(f"{where}.items: at least one choice.")
        return
    codes: set[str] = set()
    for index, item in enumerate(items):
        item_where = f"{where}.items[{index}]"
        code = item.get("code") if isinstance(item, Mapping) else None
        if not isinstance(code, str) or not CHOICE_CODE.fullmatch(code):
            errors.append(
                f"{item_where}.code: letters, digits, underscores, dots and hyphens only."
            )
            continue
        if len(code) > CODE_LENGTH:
            errors.append(f"{item_where}.code: at most {CODE_LENGTH} characters.")
        if code in codes:
            errors.append(f"{item_where}.code: “{code}” is listed twice.")
        codes.add(code)
        check_texts(
            item.get("label"), f"{item_where}.label", errors, required=True, max_length=LABEL_LENGTH
        )
        for key in ("phrase", "sentence"):  # how a summary says the choice (optional)
            if item.get(key) is not None:
                check_texts(item[key], f"{item_where}.{key}", errors, max_length=LABEL_LENGTH)
        name = item.get("xlsform_name")  # the name in the XLSForm it came from (optional)
        if name is not None and (
            not isinstance(name, str) or not name or len(name) > LABEL_LENGTH or "\x00" in name
        ):
            errors.append(
                f"{item_where}.xlsform_name: a text of at most {LABEL_LENGTH} characters."
            )


def check_rows_from(
    q: Mapping, where: str, qtype: str, per_mechanism: bool, seen: dict, errors: list[str]
) -> None:
    rows_from = q.get("rows_from")
    if not rows_from:
        return
    if qtype != "matrix":
        errors.append(f"{where}.rows_from: only for matrix questions.")
        return
    target = seen.get(rows_from) if isinstance(rows_from, str) else None
    if target is None:
        errors.append(f"{where}.rows_from: “{rows_from}” is not an earlier question.")
    elif target["question"].get("type") != "multiple" or target["per_mechanism"] != per_mechanism:
        errors.append(
            f"{where}.rows_from: “{rows_from}” must be a multiple choice question of the same kind of section."
        )
    elif target["question"].get("choices") != q.get("choices"):
        errors.append(
            f"{where}.rows_from: “{rows_from}” must offer the same choices as the matrix rows."
        )


def check_condition(
    q: Mapping, where: str, per_mechanism: bool, seen: dict, lists: Mapping, errors: list[str]
) -> None:
    condition = q.get("condition")
    if condition is None:
        return
    where = f"{where}.condition"
    context = (q.get("code"), per_mechanism, seen, lists)
    if conditions.tests_in(condition) > conditions.MAX_TESTS:
        errors.append(f"{where}: at most {conditions.MAX_TESTS} tests.")
        return
    _check_condition_part(condition, where, context, errors, depth=1)


def _check_condition_part(
    condition: Any, where: str, context: tuple, errors: list[str], *, depth: int
) -> None:
    if conditions.is_group(condition):
        keys = [c for c in conditions.COMBINATIONS if c in condition]
        parts = condition[keys[0]]
        if len(keys) != 1 or len(condition) != 1:
            errors.append(f"{where}: either “all” or “any”, alone.")
        elif depth >= conditions.MAX_DEPTH:
            errors.append(f"{where}: combinations nest at most {conditions.MAX_DEPTH} deep.")
        elif not isinstance(parts, list) or len(parts) < 2:
            errors.append(f"{where}.{keys[0]}: a list of at least two conditions.")
        else:
            for index, part in enumerate(parts):
                _check_condition_part(
                    part, f"{where}.{keys[0]}[{index}]", context, errors, depth=depth + 1
                )
        return
    _check_test(condition, where, context, errors)


def _check_test(condition: Any, where: str, context: tuple, errors: list[str]) -> None:
    own_code, per_mechanism, seen, lists = context
    if not isinstance(condition, Mapping):
        errors.append(f"{where}: an object with question, operator and values.")
        return
    target_code, operator, values = (condition.get(k) for k in ("question", "operator", "values"))
    if target_code == own_code:
        errors.append(f"{where}: a question cannot depend on itself.")
        return
    target = seen.get(target_code) if isinstance(target_code, str) else None
    if target is None:
        errors.append(
            f"{where}.question: “{target_code}” is not an earlier question (conditions may only look back)."
        )
        return
    target_q = target["question"]
    if target["per_mechanism"] != per_mechanism:
        errors.append(
            f"{where}.question: “{target_code}” is in another kind of section (per mechanism or not)."
        )
    if operator == conditions.ANSWERED:
        if target_q.get("type") in ("note", "matrix"):
            errors.append(f"{where}.question: “{target_code}” takes no single answer to test.")
        if values not in (None, []):
            errors.append(f"{where}.values: “answered” takes no values (an empty list).")
        return
    if target_q.get("type") in NUMBER_TYPES:
        _check_number_test(operator, values, where, errors)
        return
    if target_q.get("type") not in CONDITION_TARGET_TYPES:
        errors.append(
            f"{where}.question: “{target_code}” must be a choice, yes/no or number question "
            "(any other question can only be tested with “answered”)."
        )
        return
    multiple = target_q.get("type") == "multiple"
    if operator not in conditions.CHOICE_OPERATORS:
        errors.append(f"{where}.operator: one of {', '.join(conditions.CHOICE_OPERATORS)}.")
    elif multiple and operator not in conditions.MULTIPLE_OPERATORS:
        errors.append(
            f"{where}.operator: use “includes” or “excludes” for a multiple choice question."
        )
    elif not multiple and operator in conditions.MULTIPLE_OPERATORS:
        errors.append(
            f"{where}.operator: “{operator}” is for multiple choice questions; use “equals” or "
            "“not_equals”."
        )
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        errors.append(f"{where}.values: a non-empty list of choice codes.")
        return
    allowed = allowed_codes(target_q, lists)
    unknown = [v for v in values if allowed is not None and v not in allowed]
    if unknown:
        errors.append(f"{where}.values: not choices of “{target_code}”: {', '.join(unknown)}.")


def _check_number_test(operator: Any, values: Any, where: str, errors: list[str]) -> None:
    if operator not in conditions.NUMBER_OPERATORS:
        errors.append(f"{where}.operator: one of {', '.join(conditions.NUMBER_OPERATORS)}.")
        return
    if (
        not isinstance(values, list)
        or not values
        or not all(isinstance(v, str) and conditions.NUMBER_TEXT.fullmatch(v) for v in values)
    ):
        errors.append(f'{where}.values: a non-empty list of numbers, written as text ("18").')
    elif operator in conditions.ORDER_OPERATORS and len(values) != 1:
        errors.append(f"{where}.values: “{operator}” compares with one number.")


def allowed_codes(q: Mapping, lists: Mapping) -> set[str] | None:
    if q.get("type") in BUILT_IN_CHOICES:
        return set(BUILT_IN_CHOICES[q["type"]])
    source = q.get("choices")
    if not isinstance(source, Mapping):  # reported with the question itself
        return None
    codes: set[str] | None
    if source.get("source") == "local":
        items = source.get("items")
        codes = {
            item["code"]
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, Mapping) and isinstance(item.get("code"), str)
        }
    else:
        name = "mechanisms" if source.get("source") == "mechanisms" else source.get("name")
        codes = (
            {option.code for option in lists[name]}
            if isinstance(name, str) and name in lists
            else None
        )
    if codes is not None and q.get("other_option"):
        codes.add("OTHER")
    return codes


def check_texts(
    texts: Any, where: str, errors: list[str], *, required: bool = False, max_length: int = 0
) -> None:
    if texts is None and not required:
        return
    if not isinstance(texts, Mapping) or not all(isinstance(v, str) for v in texts.values()):
        errors.append(f"{where}: an object of texts by language (en, fr, es).")
        return
    unknown = set(texts) - {"en", "fr", "es"}
    if unknown:
        errors.append(f"{where}: unknown languages {', '.join(sorted(unknown))} (use en, fr, es).")
    for language, text in texts.items():
        problem = text_problem(text)
        if problem:
            errors.append(f"{where}.{language}: {problem[1]}")
        if max_length and len(text) > max_length:
            errors.append(f"{where}.{language}: at most {max_length} characters.")
    if (required or texts) and not (texts.get("en") or "").strip():
        errors.append(f"{where}.en: the English text is required.")


def unknown_keys(data: Mapping, allowed: set[str], where: str, errors: list[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        errors.append(f"{where}: unknown keys {', '.join(unknown)}.")
