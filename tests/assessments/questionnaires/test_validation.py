"""validate_answers: every question type, conditions and scopes, and properties of the shipped
questionnaires. No database: schemas are built with schema_from_dict from dicts and YAML."""

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
from assessments.questionnaires.validation import validate_answers

ROOT = Path(__file__).resolve().parents[3]
REFERENCE_DIR = ROOT / "mechanisms" / "reference"
SHIPPED_NAMES = ("mechanism", "state", "organization")

REQUIRED = "This question is required."
UNKNOWN_CODE = "This questionnaire has no question with this code."

LISTS = {
    "colours": [
        Option("RED", {"en": "Red", "fr": "Rouge", "es": "Rojo"}),
        Option("GREEN", {"en": "Green", "fr": "Vert"}),
        Option("BLUE", {"en": "Blue"}),
    ],
    "sizes": [Option("S", {"en": "Small"}), Option("M", {"en": "Medium"})],
}


# --- building small questionnaires -----------------------------------------------------------


def question(code: str, type_: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "type": type_, "text": {"en": f"Question {code}?"}, **extra}


def local(*codes: str) -> dict[str, Any]:
    return {"source": "local", "items": [{"code": c, "label": {"en": c.title()}} for c in codes]}


COLOURS = {"source": "vocabulary", "name": "colours"}


def when(target: str, operator: str, *values: str) -> dict[str, Any]:
    return {"question": target, "operator": operator, "values": list(values)}


def make_schema(
    *questions: dict[str, Any], per_mechanism: tuple[dict[str, Any], ...] = ()
) -> QuestionnaireSchema:
    sections = [
        {"code": "S1", "title": {"en": "Once"}, "per_mechanism": False, "questions": questions}
    ]
    if per_mechanism:
        sections.append(
            {
                "code": "S2",
                "title": {"en": "Each"},
                "per_mechanism": True,
                "questions": per_mechanism,
            }
        )
    data = {"key": "t", "version": 1, "audience": "state", "title": {"en": "T"}}
    return schema_from_dict({**data, "sections": sections}, LISTS)


def check(type_: str, value: Any, complete: bool = True, **extra: Any):
    """Validate one answer to a one-question questionnaire (question code `q`)."""
    return validate_answers(
        make_schema(question("q", type_, **extra)), {"q": value}, complete=complete
    )


# --- single and multiple choice ---------------------------------------------------------------


def test_single_accepts_a_code_of_its_vocabulary():
    result = check("single", "GREEN", choices=COLOURS)
    assert (result.errors, result.cleaned) == ({}, {"q": "GREEN"})


def test_single_accepts_a_code_of_its_local_list():
    assert check("single", "NO", choices=local("YES", "NO")).cleaned == {"q": "NO"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("PINK", "“PINK” is not one of the available choices."),
        ("red", "“red” is not one of the available choices."),
        (["RED"], "Choose one option."),
        (3, "Choose one option."),
    ],
)
def test_single_refuses_what_is_not_one_of_its_codes(value, message):
    result = check("single", value, choices=COLOURS)
    assert (result.errors, result.cleaned) == ({"q": [message]}, {})


def test_multiple_normalises_the_order_to_the_option_order():
    result = check("multiple", ["BLUE", "RED"], choices=COLOURS)
    assert (result.errors, result.cleaned) == ({}, {"q": ["RED", "BLUE"]})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["RED", "PINK", "GREY"], "Not among the available choices: PINK, GREY."),
        (["RED", "RED"], "A choice is listed more than once."),
        ("RED", "Expected a list of choices."),
        (["RED", 1], "Expected a list of choices."),
    ],
)
def test_multiple_refuses_unknown_repeated_or_malformed_choices(value, message):
    assert check("multiple", value, choices=COLOURS).errors == {"q": [message]}


def test_multiple_refuses_more_choices_than_max_choices():
    result = check("multiple", ["RED", "GREEN", "BLUE"], choices=COLOURS, max_choices=2)
    assert result.errors == {"q": ["Choose at most 2 options."]}


def test_multiple_accepts_exactly_max_choices():
    result = check("multiple", ["GREEN", "RED"], choices=COLOURS, max_choices=2)
    assert (result.errors, result.cleaned) == ({}, {"q": ["RED", "GREEN"]})


def test_an_empty_list_counts_as_no_answer():
    assert check("multiple", [], choices=COLOURS, required=True).errors == {"q": [REQUIRED]}
    assert check("multiple", [], choices=COLOURS).cleaned == {}


# --- text ---------------------------------------------------------------------------------


def test_text_is_stripped():
    assert check("text", "  Ministry of Interior \n").cleaned == {"q": "Ministry of Interior"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x" * 1001, "Use at most 1000 characters."),
        ("first line\nsecond line", "Use a single line."),
        (12, "Expected a text."),
        (["a"], "Expected a text."),
    ],
)
def test_text_refuses_long_multi_line_or_non_text_answers(value, message):
    assert check("text", value).errors == {"q": [message]}


def test_text_accepts_exactly_1000_characters():
    assert check("text", "x" * 1000).cleaned == {"q": "x" * 1000}


def test_long_text_accepts_several_lines_and_20000_characters():
    assert check("long_text", "one\ntwo").cleaned == {"q": "one\ntwo"}
    assert check("long_text", "y" * 20000).errors == {}


def test_long_text_refuses_more_than_20000_characters():
    assert check("long_text", "y" * 20001).errors == {"q": ["Use at most 20000 characters."]}


# --- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [(12, 12), ("12", 12), (" 12 ", 12), (12.0, 12), (-3, -3)]
)
def test_integer_accepts_whole_numbers_and_their_text(value, expected):
    result = check("integer", value)
    assert result.errors == {}
    assert result.cleaned["q"] == expected
    assert type(result.cleaned["q"]) is int


@pytest.mark.parametrize("value", [12.5, "12.5", "twelve", True, False, [12], "1e400x"])
def test_integer_refuses_non_whole_numbers_bools_and_words(value):
    assert check("integer", value).errors == {"q": ["Enter a whole number."]}


@pytest.mark.parametrize(
    ("value", "message"),
    [(-1, "Enter a value of at least 0."), (13, "Enter a value of at most 12.")],
)
def test_integer_refuses_values_outside_its_range(value, message):
    assert check("integer", value, min_value=0, max_value=12).errors == {"q": [message]}


@pytest.mark.parametrize("value", [0, 12])
def test_integer_accepts_its_bounds(value):
    assert check("integer", value, min_value=0, max_value=12).cleaned == {"q": value}


@pytest.mark.parametrize(
    ("type_", "bounds", "value", "message"),
    [
        ("integer", (0, 10), 11, "Enter a value of at most 10."),
        ("year", (1900, 2100), 1899, "Enter a value of at least 1900."),
        ("year", (1900, 2100), 2101, "Enter a value of at most 2100."),
        ("decimal", (-100, 0.5), -101, "Enter a value of at least -100."),
    ],
)
def test_range_messages_write_round_bounds_as_plain_numbers(type_, bounds, value, message):
    # The shipped strategy_since (1900-2100) would otherwise say "at least 1.9E+3".
    result = check(type_, value, min_value=bounds[0], max_value=bounds[1])
    assert result.errors == {"q": [message]}


@pytest.mark.parametrize(
    ("value", "expected"), [("2.5", Decimal("2.5")), (0.5, Decimal("0.5")), (7, Decimal(7))]
)
def test_decimal_accepts_numbers_and_their_text(value, expected):
    assert check("decimal", value, min_value=0.5, max_value=99.5).cleaned == {"q": expected}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0.4, "Enter a value of at least 0.5."),
        ("99.6", "Enter a value of at most 99.5."),
        (True, "Enter a number."),
        ("NaN", "Enter a number."),
        ("Infinity", "Enter a number."),
        ("abc", "Enter a number."),
        ("1.1234567", "Use at most 14 digits before and 6 after the decimal point."),
    ],
)
def test_decimal_refuses_out_of_range_non_numbers_and_too_precise_values(value, message):
    assert check("decimal", value, min_value=0.5, max_value=99.5).errors == {"q": [message]}


@pytest.mark.parametrize(("value", "expected"), [(2024, 2024), ("2024", 2024), (1000, 1000)])
def test_year_accepts_four_digit_years(value, expected):
    assert check("year", value).cleaned == {"q": expected}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (999, "Enter a year with four digits."),
        ("999", "Enter a year with four digits."),
        (10000, "Enter a year with four digits."),
        (2020.5, "Enter a whole number."),
        (True, "Enter a whole number."),
        ("next year", "Enter a whole number."),
    ],
)
def test_year_refuses_other_than_four_digit_years(value, message):
    assert check("year", value).errors == {"q": [message]}


def test_year_range_of_the_question_applies():
    result = check("year", 1898, min_value=1899, max_value=2099)
    assert result.errors == {"q": ["Enter a value of at least 1899."]}
    assert check("year", 2100, min_value=1899, max_value=2099).errors == {
        "q": ["Enter a value of at most 2099."]
    }
    assert check("year", 2099, min_value=1899, max_value=2099).cleaned == {"q": 2099}


# --- date, yes/no, scale ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["2024-02-29", " 2024-02-29 ", datetime.date(2024, 2, 29), datetime.datetime(2024, 2, 29, 8)],
)
def test_date_accepts_iso_dates_and_date_objects(value):
    assert check("date", value).cleaned == {"q": datetime.date(2024, 2, 29)}


@pytest.mark.parametrize("value", ["2023-02-29", "29/02/2024", "2024-13-01", "yesterday", 20240229])
def test_date_refuses_impossible_or_non_iso_dates(value):
    assert check("date", value).errors == {"q": ["Enter a date as YYYY-MM-DD."]}


@pytest.mark.parametrize(("value", "expected"), [("yes", "yes"), ("no", "no"), (" YES ", "yes")])
def test_yes_no_accepts_yes_and_no_in_any_case(value, expected):
    assert check("yes_no", value).cleaned == {"q": expected}


@pytest.mark.parametrize("value", ["dk", "maybe", True, 1])
def test_yes_no_refuses_anything_else(value):
    assert check("yes_no", value).errors == {"q": ["Answer yes or no."]}


@pytest.mark.parametrize("value", ["yes", "no", "dk"])
def test_yes_no_dk_accepts_dont_know(value):
    assert check("yes_no_dk", value).cleaned == {"q": value}


@pytest.mark.parametrize("value", ["maybe", False, ["yes"]])
def test_yes_no_dk_refuses_anything_else(value):
    assert check("yes_no_dk", value).errors == {"q": ["Answer yes, no or don't know."]}


@pytest.mark.parametrize(("value", "expected"), [(1, 1), (5, 5), ("3", 3), (4.0, 4)])
def test_scale5_accepts_1_to_5(value, expected):
    assert check("scale5", value).cleaned == {"q": expected}


@pytest.mark.parametrize("value", [0, 6, 2.5, "three", True, [3]])
def test_scale5_refuses_anything_else(value):
    assert check("scale5", value).errors == {"q": ["Choose a value from 1 to 5."]}


# --- matrix -------------------------------------------------------------------------------

MATRIX = {"choices": local("R1", "R2", "R3"), "columns": local("C1", "C2", "C3")}


def test_matrix_normalises_rows_and_columns_to_their_order_and_drops_empty_rows():
    result = check("matrix", {"R3": ["C3", "C1"], "R2": [], "R1": ["C2"]}, **MATRIX)
    assert result.errors == {}
    assert result.cleaned == {"q": {"R1": ["C2"], "R3": ["C1", "C3"]}}
    assert list(result.cleaned["q"]) == ["R1", "R3"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"R9": ["C1"]}, "“R9” is not one of the rows asked."),
        ({"R1": ["C9"]}, "Row “R1”: invalid or repeated columns."),
        ({"R1": ["C1", "C1"]}, "Row “R1”: invalid or repeated columns."),
        ({"R1": "C1"}, "Row “R1”: expected a list of columns."),
        (["R1"], "Expected an object of rows, each with a list of columns."),
        ({"R1": [], "R2": []}, "Tick at least one cell."),
    ],
)
def test_matrix_refuses_unknown_rows_columns_and_malformed_cells(value, message):
    assert check("matrix", value, **MATRIX).errors == {"q": [message]}


def test_matrix_with_vocabulary_rows():
    result = check("matrix", {"BLUE": ["C1"]}, choices=COLOURS, columns=local("C1"))
    assert result.cleaned == {"q": {"BLUE": ["C1"]}}


def matrix_from_picked() -> QuestionnaireSchema:
    return make_schema(
        question("picked", "multiple", choices=COLOURS),
        question("roles", "matrix", choices=COLOURS, columns=local("C1", "C2"), rows_from="picked"),
    )


def test_matrix_rows_from_asks_only_the_rows_chosen_earlier():
    schema = matrix_from_picked()
    ok = validate_answers(schema, {"picked": ["RED", "BLUE"], "roles": {"BLUE": ["C2"]}})
    assert (ok.errors, ok.cleaned["roles"]) == ({}, {"BLUE": ["C2"]})
    refused = validate_answers(schema, {"picked": ["RED"], "roles": {"GREEN": ["C1"]}})
    assert refused.errors == {"roles": ["“GREEN” is not one of the rows asked."]}


def test_matrix_rows_from_an_unanswered_question_asks_no_row():
    result = validate_answers(matrix_from_picked(), {"roles": {"RED": ["C1"]}})
    assert result.errors == {"roles": ["“RED” is not one of the rows asked."]}


# --- note, required, drafts, unknown codes -------------------------------------------------------


def test_a_note_takes_no_answer():
    assert check("note", "hello").errors == {"q": ["This item takes no answer."]}
    result = check("note", None)
    assert (result.errors, result.cleaned) == ({}, {})


@pytest.mark.parametrize("empty", [None, "", [], {}])
def test_a_required_question_must_be_answered_when_complete(empty):
    assert check("text", empty, required=True).errors == {"q": [REQUIRED]}
    assert validate_answers(make_schema(question("q", "text", required=True)), {}).errors == {
        "q": [REQUIRED]
    }


def test_a_draft_may_leave_required_questions_empty():
    schema = make_schema(question("q", "text", required=True), question("n", "integer"))
    result = validate_answers(schema, {"n": "4"}, complete=False)
    assert (result.errors, result.cleaned) == ({}, {"n": 4})


def test_a_draft_is_still_checked_for_bad_answers():
    assert check("integer", "four", complete=False, required=True).errors == {
        "q": ["Enter a whole number."]
    }


def test_an_optional_question_may_stay_empty():
    result = validate_answers(make_schema(question("q", "text")), {})
    assert (result.errors, result.cleaned) == ({}, {})


def test_unknown_question_codes_are_reported_under_their_code():
    schema = make_schema(question("q", "single", choices=COLOURS))
    result = validate_answers(schema, {"q": "RED", "nope": 1, "q_other": "x"})
    assert result.errors == {"nope": [UNKNOWN_CODE], "q_other": [UNKNOWN_CODE]}
    assert result.cleaned == {"q": "RED"}


# --- "other, please specify" ---------------------------------------------------------------


def test_other_is_accepted_with_its_text_stored_under_code_other():
    result = check("single", "OTHER", choices=COLOURS, other_option=True)
    assert result.errors == {"q": ["Please specify the other answer."]}
    schema = make_schema(question("q", "single", choices=COLOURS, other_option=True))
    result = validate_answers(schema, {"q": OTHER_CODE, "q" + OTHER_SUFFIX: "  Purple "})
    assert (result.errors, result.cleaned) == ({}, {"q": "OTHER", "q_other": "Purple"})


def test_other_is_refused_without_other_option():
    assert check("single", "OTHER", choices=COLOURS).errors == {
        "q": ["“OTHER” is not one of the available choices."]
    }
    assert check("multiple", ["OTHER"], choices=COLOURS).errors == {
        "q": ["Not among the available choices: OTHER."]
    }


def test_other_in_a_multiple_choice_comes_last_and_keeps_its_text():
    schema = make_schema(question("q", "multiple", choices=COLOURS, other_option=True))
    result = validate_answers(schema, {"q": ["OTHER", "BLUE"], "q_other": "Teal"})
    assert result.cleaned == {"q": ["BLUE", "OTHER"], "q_other": "Teal"}


def test_a_draft_may_choose_other_without_its_text():
    result = check("multiple", ["OTHER"], complete=False, choices=COLOURS, other_option=True)
    assert (result.errors, result.cleaned) == ({}, {"q": ["OTHER"]})


@pytest.mark.parametrize("text", ["z" * 1001, 42])
def test_the_other_text_must_be_a_short_text(text):
    schema = make_schema(question("q", "single", choices=COLOURS, other_option=True))
    result = validate_answers(schema, {"q": "OTHER", "q_other": text})
    assert result.errors == {"q": ["The other answer must be a text of at most 1000 characters."]}
    assert "q_other" not in result.cleaned


def test_an_other_text_without_other_chosen_is_not_stored():
    schema = make_schema(question("q", "single", choices=COLOURS, other_option=True))
    result = validate_answers(schema, {"q": "RED", "q_other": "Purple"})
    assert (result.errors, result.cleaned) == ({}, {"q": "RED"})


# --- conditions -----------------------------------------------------------------------------


def strategy_schema(operator: str = "equals", *values: str) -> QuestionnaireSchema:
    return make_schema(
        question("has_strategy", "single", choices=local("YES", "NO", "SOON")),
        question("since", "year", required=True, condition=when("has_strategy", operator, *values)),
    )


@pytest.mark.parametrize(
    ("target", "shown"), [("YES", True), ("SOON", True), ("NO", False), (None, False)]
)
def test_equals_shows_the_question_when_the_answer_is_one_of_the_values(target, shown):
    result = validate_answers(strategy_schema("equals", "YES", "SOON"), {"has_strategy": target})
    assert (result.errors == {"since": [REQUIRED]}) is shown


@pytest.mark.parametrize(
    ("target", "shown"), [("YES", True), ("SOON", False), ("NO", False), (None, False)]
)
def test_not_equals_needs_the_target_answered_with_none_of_the_values(target, shown):
    result = validate_answers(strategy_schema("not_equals", "NO", "SOON"), {"has_strategy": target})
    assert (result.errors == {"since": [REQUIRED]}) is shown


@pytest.mark.parametrize(
    ("picked", "shown"),
    [(["RED"], True), (["GREEN", "BLUE"], True), (["GREEN"], False), ([], False)],
)
def test_includes_shows_the_question_when_one_of_the_values_was_chosen(picked, shown):
    schema = make_schema(
        question("picked", "multiple", choices=COLOURS),
        question("why", "text", required=True, condition=when("picked", "includes", "RED", "BLUE")),
    )
    result = validate_answers(schema, {"picked": picked})
    assert (result.errors == {"why": [REQUIRED]}) is shown


def test_a_condition_on_yes_no_uses_the_normalised_answer():
    schema = make_schema(
        question("overlap", "yes_no"),
        question("details", "long_text", condition=when("overlap", "equals", "yes")),
    )
    result = validate_answers(schema, {"overlap": "YES", "details": "With the GFMD."})
    assert result.cleaned == {"overlap": "yes", "details": "With the GFMD."}


def test_an_answer_to_a_hidden_question_is_dropped_not_refused():
    result = validate_answers(
        strategy_schema("equals", "YES"), {"has_strategy": "NO", "since": "x"}
    )
    assert result.errors == {}
    assert result.dropped == ["since"]
    assert result.cleaned == {"has_strategy": "NO"}


def test_a_hidden_required_question_is_not_required():
    result = validate_answers(strategy_schema("equals", "YES"), {"has_strategy": "NO"})
    assert (result.errors, result.dropped) == ({}, [])


def test_a_shown_question_answer_is_kept():
    result = validate_answers(
        strategy_schema("equals", "YES"), {"has_strategy": "YES", "since": 2015}
    )
    assert (result.errors, result.cleaned) == ({}, {"has_strategy": "YES", "since": 2015})


def test_a_hidden_questions_other_text_is_dropped_too():
    schema = make_schema(
        question("gate", "yes_no"),
        question(
            "q",
            "single",
            choices=COLOURS,
            other_option=True,
            condition=when("gate", "equals", "yes"),
        ),
    )
    result = validate_answers(schema, {"gate": "no", "q": "OTHER", "q_other": "Teal"})
    assert (result.errors, result.dropped, result.cleaned) == ({}, ["q"], {"gate": "no"})


def cascade_schema() -> QuestionnaireSchema:
    return make_schema(
        question("a", "yes_no"),
        question("b", "single", choices=local("X", "Y"), condition=when("a", "equals", "yes")),
        question("c", "text", required=True, condition=when("b", "equals", "X")),
    )


def test_a_question_depending_on_a_hidden_question_is_hidden():
    result = validate_answers(cascade_schema(), {"a": "no", "b": "X", "c": "kept?"})
    assert result.errors == {}
    assert result.dropped == ["b", "c"]
    assert result.cleaned == {"a": "no"}


def test_a_chain_of_conditions_that_hold_shows_every_question():
    result = validate_answers(cascade_schema(), {"a": "yes", "b": "X"})
    assert result.errors == {"c": [REQUIRED]}


def test_an_invalid_answer_to_a_condition_target_hides_its_dependents():
    result = validate_answers(cascade_schema(), {"a": "yes", "b": "Z", "c": "text"})
    assert result.errors == {"b": ["“Z” is not one of the available choices."]}
    assert result.dropped == ["c"]


# --- scopes ---------------------------------------------------------------------------------


def scoped_schema() -> QuestionnaireSchema:
    return make_schema(
        question("institution", "text", required=True),
        per_mechanism=(question("relevance", "scale5", required=True),),
    )


def test_scope_once_checks_only_the_once_answered_sections():
    schema = scoped_schema()
    assert validate_answers(schema, {}, scope="once").errors == {"institution": [REQUIRED]}
    result = validate_answers(schema, {"institution": "MFA", "relevance": 3}, scope="once")
    assert result.errors == {"relevance": [UNKNOWN_CODE]}


def test_scope_per_mechanism_checks_only_the_per_mechanism_sections():
    schema = scoped_schema()
    assert validate_answers(schema, {}, scope="per_mechanism").errors == {"relevance": [REQUIRED]}
    result = validate_answers(schema, {"relevance": "4"}, scope="per_mechanism")
    assert (result.errors, result.cleaned) == ({}, {"relevance": 4})


def test_no_scope_checks_every_section():
    assert validate_answers(scoped_schema(), {}).errors == {
        "institution": [REQUIRED],
        "relevance": [REQUIRED],
    }


def test_every_error_is_keyed_by_its_question_code():
    schema = make_schema(
        question("n", "integer", required=True),
        question("t", "text"),
        question("d", "date"),
    )
    result = validate_answers(schema, {"t": "a\nb", "d": "soon"})
    assert result.errors == {
        "n": [REQUIRED],
        "t": ["Use a single line."],
        "d": ["Enter a date as YYYY-MM-DD."],
    }
    assert not result.is_valid


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
    name: json.loads((SHIPPED_DIR / f"{name}.json").read_text("utf-8")) for name in SHIPPED_NAMES
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
        low, high = max(low, Decimal(1000)), min(high, Decimal(9999))
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


@pytest.mark.parametrize("name", [*SHIPPED_NAMES, "custom"])
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


@pytest.mark.parametrize("name", [*SHIPPED_NAMES, "custom"])
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


def test_a_text_with_a_nul_character_is_refused_with_a_message():
    from assessments.questionnaires.schema import schema_from_dict

    schema = schema_from_dict({
        "key": "t", "version": 1, "audience": "state", "title": {"en": "T"},
        "sections": [{"code": "S", "title": {"en": "S"}, "questions": [
            {"code": "note_text", "type": "text", "text": {"en": "Q"}}]}],
    }, {})  # fmt: skip
    result = validate_answers(schema, {"note_text": "a\x00b"})
    assert "cannot be stored" in result.errors["note_text"][0]
