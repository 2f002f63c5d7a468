"""The JSON export's fast paths give what the plain ones give: a response's answers built from
the per-questionnaire shapes (`answers_document`) equal `to_json(answers_from_values(...))`.
No database (the memberships written by PostgreSQL are checked in test_exports.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.questionnaires.schema import OTHER_CODE, OTHER_SUFFIX, QuestionnaireSchema
from assessments.reporting.backup_responses import answer_shapes, answers_document, to_json
from assessments.responses.services import answers_from_values
from tests.assessments.questionnaires.answer_schemas import COLOURS, local, make_schema, question

SCHEMA = make_schema(
    question("single", "single", choices=local("A", "B")),
    question("many", "multiple", choices=local("X", "Y", "Z"), other_option=True),
    question("colours", "multiple", choices=COLOURS),
    question("grid", "matrix", choices=local("R1", "R2"), columns=local("C1", "C2", "C3")),
    question("grid_again", "matrix", choices=local("R1"), columns=local("C1", "C2", "C1")),
    question("count", "integer"), question("since", "year"), question("rate", "scale5"),
    question("share", "decimal"), question("when", "date"), question("name", "text"),
    question("story", "long_text"), question("agree", "yes_no"), question("know", "yes_no_dk"),
)  # fmt: skip
CODES = [*SCHEMA.questions, "gone"]  # "gone": a code the questionnaire no longer has
CHOICES = ["A", "B", "X", "Y", "Z", OTHER_CODE, "RED", "GREEN", "BLUE", "C1", "C2", "C3", "?"]
ROWS = ["", "", "R1", "R2", OTHER_SUFFIX, "R9"]
NUMBERS = [Decimal("3"), Decimal("2.50"), Decimal("0.1"), Decimal("-7"), Decimal("1E+3")]


def outcome(build: Any) -> tuple[str, Any]:
    """What a builder gives, or the kind of error it raises (both paths must agree on
    impossible rows too)."""
    try:
        return "ok", build()
    except Exception as exc:  # the plain path's own errors, compared by kind
        return "error", type(exc)


answer_row = st.tuples(
    st.sampled_from(CODES), st.sampled_from(ROWS), st.sampled_from(CHOICES),
    st.one_of(st.none(), st.text(max_size=5)), st.sampled_from(NUMBERS),
    st.one_of(st.none(), st.dates(datetime.date(1990, 1, 1), datetime.date(2030, 1, 1))),
)  # fmt: skip


def plain(rows: list[tuple], schema: QuestionnaireSchema) -> dict[str, Any]:
    return to_json(answers_from_values(rows, schema))


def fast(rows: list[tuple], schema: QuestionnaireSchema) -> dict[str, Any]:
    return answers_document([(1, *row) for row in rows], answer_shapes(schema))


@settings(max_examples=400, deadline=None)
@given(st.lists(answer_row, max_size=25))
def test_answers_built_from_the_shapes_equal_the_plain_path(rows):
    assert outcome(lambda: fast(rows, SCHEMA)) == outcome(lambda: plain(rows, SCHEMA))


def test_every_stored_shape_gives_the_documented_value():
    rows = [
        ("many", "", "Z", "", None, None), ("many", "", "?", "", None, None),
        ("many", "", OTHER_CODE, "", None, None), ("many", "", "X", "", None, None),
        ("many", OTHER_SUFFIX, "", "in kind", None, None),
        ("grid", "R1", "C3", "", None, None), ("grid", "R1", "C1", "", None, None),
        ("grid", "R2", "C2", "", None, None),
        ("grid_again", "R1", "C2", "", None, None), ("grid_again", "R1", "C1", "", None, None),
        ("count", "", "", "", Decimal("12"), None), ("share", "", "", "", Decimal("2.50"), None),
        ("when", "", "", "", None, datetime.date(2024, 5, 1)), ("name", "", "", "Ana", None, None),
        ("agree", "", "yes", "", None, None), ("gone", "", "A", "", None, None),
    ]  # fmt: skip
    expected = {
        "many": ["X", "Z", OTHER_CODE, "?"], "many_other": "in kind",
        "grid": {"R1": ["C1", "C3"], "R2": ["C2"]}, "grid_again": {"R1": ["C1", "C2"]},
        "count": 12, "share": 2.5, "when": "2024-05-01", "name": "Ana", "agree": "yes",
    }  # fmt: skip
    assert fast(rows, SCHEMA) == expected == plain(rows, SCHEMA)
    assert isinstance(fast(rows, SCHEMA)["count"], int)
