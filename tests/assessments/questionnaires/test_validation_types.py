"""validate_answers, question type by question type: what each accepts, normalises and
refuses; notes, required questions, drafts, unknown codes and "other, please specify"."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from assessments.questionnaires.schema import OTHER_CODE, OTHER_SUFFIX, QuestionnaireSchema
from assessments.questionnaires.validation import validate_answers
from tests.assessments.questionnaires.answer_schemas import (
    COLOURS,
    REQUIRED,
    UNKNOWN_CODE,
    check,
    local,
    make_schema,
    question,
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


def test_a_text_with_a_nul_character_is_refused_with_a_message():
    from assessments.questionnaires.schema import schema_from_dict

    schema = schema_from_dict({
        "key": "t", "version": 1, "audience": "state", "title": {"en": "T"},
        "sections": [{"code": "S", "title": {"en": "S"}, "questions": [
            {"code": "note_text", "type": "text", "text": {"en": "Q"}}]}],
    }, {})  # fmt: skip
    result = validate_answers(schema, {"note_text": "a\x00b"})
    assert "cannot be stored" in result.errors["note_text"][0]


def test_a_year_cannot_be_after_the_current_one_unless_the_question_allows_it():
    from django.utils import timezone

    this_year = timezone.localdate().year
    assert check("year", this_year).cleaned == {"q": this_year}
    assert check("year", this_year + 1).errors == {
        "q": [f"Enter a year no later than {this_year}."]
    }
    assert check("year", this_year + 1, max_value=2099).cleaned == {"q": this_year + 1}
