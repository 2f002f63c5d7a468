"""Properties of validate_answers on the shipped questionnaires and one using every feature:
a generated valid answer set has no error, and one corrupted answer gives one error. No
database: the schemas are built with schema_from_dict from the JSON files and the YAML of the
registry."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from assessments.questionnaires.schema import (
    OTHER_CODE,
    OTHER_SUFFIX,
    Option,
    QuestionnaireSchema,
    QuestionSpec,
    schema_from_dict,
)
from assessments.questionnaires.shipped import SHIPPED_DIR
from assessments.questionnaires.validation import latest_year, validate_answers
from tests.assessments.questionnaires.answer_schemas import COLOURS, LISTS, local, question
from tests.assessments.questionnaires.questionnaire_files import SHIPPED_KEYS, when

ROOT = Path(__file__).resolve().parents[3]
REFERENCE_DIR = ROOT / "mechanisms" / "reference"


# === properties =============================================================================


def reference_lists() -> dict[str, list[Option]]:
    """The registry's lists as the database would give them, read from the YAML files."""
    vocabularies = yaml.safe_load((REFERENCE_DIR / "vocabularies.yaml").read_text("utf-8"))
    lists: dict[str, list[Option]] = {}
    for name, value in vocabularies.items():
        groups = value.items() if isinstance(value, Mapping) else [(None, value)]
        for sub, entries in groups:
            lists[f"{name}.{sub}" if sub else name] = [
                Option(str(entry["code"]), {"en": entry["label"]}) for entry in entries
            ]
    mechanisms = yaml.safe_load((REFERENCE_DIR / "mechanisms.yaml").read_text("utf-8"))
    lists["mechanisms"] = [
        Option(m["acronym"], {"en": m["name"]}) for m in mechanisms["mechanisms"]
    ]
    return lists


REFERENCE_LISTS = reference_lists()
SHIPPED = {
    name: json.loads((SHIPPED_DIR / f"{name}.json").read_text("utf-8")) for name in SHIPPED_KEYS
}

# Every type and feature, for what the shipped questionnaires lack (decimal, date, max_choices...).
CUSTOM = {
    "key": "custom",
    "version": 1,
    "audience": "state",
    "title": {"en": "Custom"},
    "sections": [
        {
            "code": "S1",
            "title": {"en": "Once"},
            "per_mechanism": False,
            "questions": [
                question("intro", "note"),
                question("plan", "single", required=True, choices=local("YES", "NO", "SOON"), other_option=True),
                question("plan_kind", "single", choices=local("A", "B"), condition=when("plan", "equals", "YES")),
                question("plan_kind_note", "text", required=True, condition=when("plan_kind", "equals", "A")),
                question("plan_year", "year", condition=when("plan", "equals", "YES")),
                question("plan_gap", "long_text", condition=when("plan", "not_equals", "NO")),
                question("colours", "multiple", choices=COLOURS, max_choices=2, other_option=True),
                question("colour_note", "text", condition=when("colours", "includes", "RED", "BLUE")),
                question("colour_roles", "matrix", choices=COLOURS, columns=local("C1", "C2"), rows_from="colours"),
                question("share", "decimal", min_value=0.5, max_value=99.5),
                question("count", "integer", required=True, min_value=0, max_value=100),
                question("on", "date"),
                question("agree", "yes_no"),
                question("know", "yes_no_dk"),
                question("know_more", "text", required=True, condition=when("know", "equals", "yes", "dk")),
                question("score", "scale5"),
                question("grid", "matrix", choices=local("R1", "R2"), columns=local("C1", "C2", "C3")),
            ],
        },
        {
            "code": "S2",
            "title": {"en": "Each mechanism"},
            "per_mechanism": True,
            "questions": [
                question("size", "single", required=True, choices={"source": "vocabulary", "name": "sizes"}),
                question("size_why", "text", condition=when("size", "equals", "M")),
            ],
        },
    ],
}  # fmt: skip
SCHEMAS = {name: schema_from_dict(data, REFERENCE_LISTS) for name, data in SHIPPED.items()}
SCHEMAS["custom"] = schema_from_dict(CUSTOM, {**REFERENCE_LISTS, **LISTS})
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_every_list_named_by_the_shipped_questionnaires_exists_in_the_reference_data():
    for name, schema in SCHEMAS.items():
        for spec in schema.questions.values():
            if spec.type in ("single", "multiple", "matrix"):
                assert spec.options, f"{name}.{spec.code} has no options"
            if spec.type == "matrix":
                assert spec.columns, f"{name}.{spec.code} has no columns"


def is_shown(spec: QuestionSpec, answers: Mapping[str, Any]) -> bool:
    """The display condition as docs/questionnaire-format.md states it, on canonical answers."""
    condition = spec.condition
    if condition is None:
        return True
    answer = answers.get(condition.question)
    if answer is None or answer == []:
        return False
    given = set(answer) if isinstance(answer, list) else {answer}
    matches = bool(given & set(condition.values))
    return not matches if condition.operator == "not_equals" else matches


def matrix_rows(spec: QuestionSpec, answers: Mapping[str, Any]) -> tuple[str, ...]:
    if not spec.rows_from:
        return spec.option_codes
    chosen = answers.get(spec.rows_from) or []
    return tuple(code for code in spec.option_codes if code in chosen)


def allowed_codes(spec: QuestionSpec) -> tuple[str, ...]:
    return spec.option_codes + ((OTHER_CODE,) if spec.other_option else ())


LINE_CHARACTERS = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
LINE = st.text(LINE_CHARACTERS, min_size=1, max_size=30).filter(str.strip)
LONG = st.lists(LINE, min_size=1, max_size=3).map("\n".join)


def number_bounds(spec: QuestionSpec, default: tuple[int, int]) -> tuple[Decimal, Decimal]:
    low = spec.min_value if spec.min_value is not None else Decimal(default[0])
    high = spec.max_value if spec.max_value is not None else Decimal(default[1])
    return low, high


def whole_numbers(spec: QuestionSpec) -> st.SearchStrategy[Any]:
    default = (1000, 9999) if spec.type == "year" else (-(10**9), 10**9)
    low, high = number_bounds(spec, default)
    if spec.type == "year":
        # A year with no maximum of its own cannot be after the current one.
        latest = Decimal(9999) if spec.max_value is not None else Decimal(latest_year())
        low, high = max(low, Decimal(1000)), min(high, latest)
    numbers = st.integers(int(low.to_integral_value("ROUND_CEILING")), int(high))
    return st.one_of(numbers, numbers.map(str))


def valid_value(spec: QuestionSpec, answers: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    kind = spec.type
    if kind == "single":
        return st.sampled_from(allowed_codes(spec))
    if kind == "multiple":
        codes = allowed_codes(spec)
        most = min(spec.max_choices or len(codes), len(codes))
        return st.lists(st.sampled_from(codes), min_size=1, max_size=most, unique=True)
    if kind == "text":
        return LINE
    if kind == "long_text":
        return LONG
    if kind in ("integer", "year"):
        return whole_numbers(spec)
    if kind == "decimal":
        low, high = number_bounds(spec, (-(10**9), 10**9))
        decimals = st.decimals(low, high, places=2, allow_nan=False, allow_infinity=False)
        return st.one_of(decimals, decimals.map(str))
    if kind == "date":
        return st.dates().map(datetime.date.isoformat)
    if kind in ("yes_no", "yes_no_dk"):
        return st.sampled_from(spec.option_codes)
    if kind == "scale5":
        return st.one_of(st.integers(1, 5), st.integers(1, 5).map(str))
    assert kind == "matrix", kind
    cells = st.lists(st.sampled_from(spec.column_codes), min_size=1, unique=True)
    rows = st.lists(st.sampled_from(matrix_rows(spec, answers)), min_size=1, unique=True)
    return rows.flatmap(lambda chosen: st.fixed_dictionaries({row: cells for row in chosen}))


def chose_other(value: Any) -> bool:
    return value == OTHER_CODE or (isinstance(value, list) and OTHER_CODE in value)


@st.composite
def valid_answers(draw, schema: QuestionnaireSchema, scope: str | None) -> dict[str, Any]:
    """Answers question by question, in order, so condition targets are chosen first."""
    answers: dict[str, Any] = {}
    for spec in schema.questions_in(scope):
        if spec.type == "note" or not is_shown(spec, answers):
            continue
        if spec.type == "matrix" and not matrix_rows(spec, answers):
            continue  # its rows come from an earlier question left empty: nothing to tick
        if not spec.required and not draw(st.booleans()):
            continue
        answers[spec.code] = value = draw(valid_value(spec, answers))
        if spec.other_option and chose_other(value):
            answers[spec.code + OTHER_SUFFIX] = draw(LINE)
    return answers


def scopes(schema: QuestionnaireSchema) -> st.SearchStrategy[str | None]:
    if schema.has_per_mechanism_sections:
        return st.sampled_from([None, "once", "per_mechanism"])
    return st.just(None)


def test_the_schemas_under_test_cover_every_type_and_feature():
    specs = [spec for schema in SCHEMAS.values() for spec in schema.questions.values()]
    assert {spec.type for spec in specs} == {
        "single", "multiple", "text", "long_text", "integer", "decimal", "year", "date",
        "yes_no", "yes_no_dk", "scale5", "matrix", "note",
    }  # fmt: skip
    assert {spec.condition.operator for spec in specs if spec.condition} == {
        "equals",
        "not_equals",
        "includes",
    }
    assert any(spec.max_choices for spec in specs)
    assert any(spec.rows_from for spec in specs)
    assert any(spec.other_option for spec in specs)


@pytest.mark.parametrize("name", [*SHIPPED_KEYS, "custom"])
@PROPERTY
@given(data=st.data())
def test_a_generated_valid_answer_set_has_no_error(name, data):
    schema = SCHEMAS[name]
    scope = data.draw(scopes(schema), label="scope")
    answers = data.draw(valid_answers(schema, scope), label="answers")
    result = validate_answers(schema, answers, scope=scope, complete=True)
    assert result.errors == {}
    assert result.dropped == []
    assert set(result.cleaned) == set(answers)


# --- one corruption, one error ---------------------------------------------------------------

UNKNOWN = "ZZ_UNKNOWN"
WRONG_TYPES: dict[str, list[Any]] = {
    "single": [7, ["A"], True],
    "multiple": ["A", 3, {"A": 1}],
    "text": [42, ["a"], {"a": "b"}],
    "long_text": [42, ["a"]],
    "integer": [[1], "many", {"n": 1}],
    "year": [[2020], "last year"],
    "decimal": [[1.5], "half"],
    "date": [20240101, [2024, 1, 1], "1 January 2024"],
    "yes_no": [True, 1, ["yes"]],
    "yes_no_dk": [False, 0, ["dk"]],
    "scale5": [[3], "three", True],
    "matrix": [["R1"], "R1", 3],
}
NUMBERS = ("integer", "decimal", "year", "scale5")


def corruptions(schema: QuestionnaireSchema, scope: str | None, answers: Mapping[str, Any]):
    """Every (question code, corruption) that applies to a visible question of `answers`."""
    rows_sources = {spec.rows_from for spec in schema.questions.values() if spec.code in answers}
    found = []
    for spec in schema.questions_in(scope):
        # A matrix's rows come from its rows_from question: breaking that one breaks the matrix.
        if spec.type == "note" or not is_shown(spec, answers) or spec.code in rows_sources:
            continue
        kinds = ["wrong_type"]
        if spec.type in ("single", "multiple", "yes_no", "yes_no_dk", "matrix"):
            kinds.append("unknown_choice")
        bounded = spec.min_value is not None or spec.max_value is not None
        if spec.type in ("scale5", "year") or (spec.type in NUMBERS and bounded):
            kinds.append("out_of_range")
        if spec.required and spec.code in answers:
            kinds.append("required_removed")
        if spec.type == "matrix" and spec.code in answers:
            kinds.append("unknown_column")
        if (
            spec.type == "multiple"
            and spec.max_choices
            and len(spec.option_codes) > spec.max_choices
        ):
            kinds.append("too_many_choices")
        if spec.type == "year":
            kinds.append("short_year")
        found += [(spec.code, kind) for kind in kinds]
    return found


IMPLICIT_RANGES = {"scale5": (1, 5), "year": (1000, 9999)}


def out_of_range(spec: QuestionSpec) -> st.SearchStrategy[Any]:
    """Just below the minimum or just above the maximum (explicit, or implied by the type)."""
    implicit = IMPLICIT_RANGES.get(spec.type, (None, None))
    low = spec.min_value if spec.min_value is not None else implicit[0]
    high = spec.max_value if spec.max_value is not None else implicit[1]
    step = Decimal("0.5") if spec.type == "decimal" else 1
    outside = [bound - step for bound in [low] if bound is not None]
    outside += [bound + step for bound in [high] if bound is not None]
    return st.sampled_from(outside if spec.type == "decimal" else [int(v) for v in outside])


def corrupted_value(spec: QuestionSpec, kind: str, answers: Mapping[str, Any]):
    value = answers.get(spec.code)
    if kind == "wrong_type":
        return st.sampled_from(WRONG_TYPES[spec.type])
    if kind == "unknown_choice" and spec.type == "multiple":
        return st.just([*(value or []), UNKNOWN])
    if kind == "unknown_choice" and spec.type == "matrix":
        return st.just({**(value or {}), UNKNOWN: list(spec.column_codes[:1])})
    if kind == "unknown_choice":
        return st.just({"single": UNKNOWN, "yes_no": "maybe", "yes_no_dk": "perhaps"}[spec.type])
    if kind == "out_of_range":
        return out_of_range(spec)
    if kind == "unknown_column":
        return st.sampled_from(sorted(value)).map(
            lambda row: {**value, row: [*value[row], UNKNOWN]}
        )
    if kind == "too_many_choices":
        size = spec.max_choices + 1
        return st.lists(
            st.sampled_from(spec.option_codes), min_size=size, max_size=size, unique=True
        )
    assert kind == "short_year", kind
    return st.integers(100, 999).flatmap(lambda year: st.sampled_from([year, str(year)]))


def spec_type(schema: QuestionnaireSchema, code: str) -> str:
    return schema.questions[code].type


@pytest.mark.parametrize("name", [*SHIPPED_KEYS, "custom"])
@PROPERTY
@given(data=st.data())
def test_one_corrupted_answer_gives_an_error_for_that_question_only(name, data):
    schema = SCHEMAS[name]
    scope = data.draw(scopes(schema), label="scope")
    answers = data.draw(valid_answers(schema, scope), label="answers")
    available = corruptions(schema, scope, answers)
    kind = data.draw(st.sampled_from(sorted({kind for _, kind in available})), label="kind")
    code = data.draw(st.sampled_from([c for c, k in available if k == kind]), label="question")
    event(f"{spec_type(schema, code)}: {kind}")
    spec = schema.questions[code]
    broken = dict(answers)
    if kind == "required_removed":
        broken.pop(code)
        broken.pop(code + OTHER_SUFFIX, None)
    else:
        broken[code] = data.draw(corrupted_value(spec, kind, answers), label="value")
    result = validate_answers(schema, broken, scope=scope, complete=True)
    assert set(result.errors) == {code}, (kind, broken.get(code), result.errors)
    assert code not in result.cleaned


def test_the_corruptions_include_too_many_choices_and_unknown_columns():
    answers = {"plan": "YES", "count": 3, "colours": ["RED"], "grid": {"R1": ["C1"]}}
    kinds = {kind for _, kind in corruptions(SCHEMAS["custom"], None, answers)}
    assert kinds >= {"too_many_choices", "unknown_column", "short_year", "required_removed"}
    # colours feeds the rows of colour_roles: once that matrix is answered it is left alone
    answers["colour_roles"] = {"RED": ["C2"]}
    assert "colours" not in {code for code, _ in corruptions(SCHEMAS["custom"], None, answers)}
