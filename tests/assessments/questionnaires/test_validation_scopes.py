"""validate_answers by scope: the sections answered once, those answered per mechanism, or
all of them; every error under its question code."""

from __future__ import annotations

from assessments.questionnaires.schema import QuestionnaireSchema
from assessments.questionnaires.validation import validate_answers
from tests.assessments.questionnaires.answer_schemas import (
    REQUIRED,
    UNKNOWN_CODE,
    make_schema,
    question,
)

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
