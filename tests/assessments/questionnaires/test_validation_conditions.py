"""validate_answers and display conditions: which questions are shown, and what happens to
the answers of hidden ones."""

from __future__ import annotations

import pytest

from assessments.questionnaires.schema import QuestionnaireSchema
from assessments.questionnaires.validation import validate_answers
from tests.assessments.questionnaires.answer_schemas import (
    COLOURS,
    REQUIRED,
    local,
    make_schema,
    question,
)
from tests.assessments.questionnaires.questionnaire_files import when

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


# --- combined conditions and number tests ---------------------------------------------------


def combined_schema(condition: dict) -> QuestionnaireSchema:
    return make_schema(
        question("has_strategy", "single", choices=local("YES", "NO", "SOON")),
        question("staff", "integer"),
        question("picked", "multiple", choices=COLOURS),
        question("note", "text"),
        question("why", "text", required=True, condition=condition),
    )


ADULT = when("staff", "at_least", "18")


@pytest.mark.parametrize(
    ("condition", "answers", "shown"),
    [
        ({"all": [when("has_strategy", "equals", "YES"), ADULT]}, {"has_strategy": "YES", "staff": "18"}, True),
        ({"all": [when("has_strategy", "equals", "YES"), ADULT]}, {"has_strategy": "YES", "staff": "17"}, False),
        ({"all": [when("has_strategy", "equals", "YES"), ADULT]}, {"has_strategy": "YES"}, False),
        ({"any": [when("has_strategy", "equals", "YES"), ADULT]}, {"has_strategy": "NO", "staff": "40"}, True),
        ({"any": [when("has_strategy", "equals", "YES"), ADULT]}, {"has_strategy": "NO", "staff": "4"}, False),
        ({"any": [when("has_strategy", "equals", "YES"), ADULT]}, {}, False),
        (
            {"all": [when("picked", "excludes", "RED"), {"any": [ADULT, when("note", "answered")]}]},
            {"picked": ["BLUE"], "note": "Some"},
            True,
        ),
        (
            {"all": [when("picked", "excludes", "RED"), {"any": [ADULT, when("note", "answered")]}]},
            {"picked": ["BLUE", "RED"], "note": "Some"},
            False,
        ),
        (
            {"all": [when("picked", "excludes", "RED"), {"any": [ADULT, when("note", "answered")]}]},
            {"note": "Some"},  # "excludes" needs the target answered
            False,
        ),
    ],
)  # fmt: skip
def test_combined_conditions_show_the_question_when_all_or_any_of_their_tests_hold(
    condition, answers, shown
):
    result = validate_answers(combined_schema(condition), answers)
    assert (result.errors == {"why": [REQUIRED]}) is shown


@pytest.mark.parametrize(
    ("operator", "bound", "staff", "shown"),
    [
        ("greater_than", "5", "6", True),
        ("greater_than", "5", "5", False),
        ("at_least", "5", "5", True),
        ("less_than", "5", "4", True),
        ("less_than", "5", "5", False),
        ("at_most", "5", "5", True),
        ("at_most", "5", "6", False),
        ("equals", "5", "5", True),
        ("not_equals", "5", "5", False),
        ("not_equals", "5", "7", True),
        ("at_least", "2.5", "3", True),
    ],
)
def test_number_tests_compare_the_answer_as_a_number(operator, bound, staff, shown):
    result = validate_answers(combined_schema(when("staff", operator, bound)), {"staff": staff})
    assert (result.errors == {"why": [REQUIRED]}) is shown


def test_an_answer_hidden_by_a_combined_condition_is_dropped():
    condition = {"all": [when("has_strategy", "equals", "YES"), ADULT]}
    result = validate_answers(
        combined_schema(condition), {"has_strategy": "YES", "staff": "3", "why": "Because"}
    )
    assert result.errors == {}
    assert result.dropped == ["why"]
