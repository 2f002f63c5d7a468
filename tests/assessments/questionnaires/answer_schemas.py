"""Small questionnaire schemas built with schema_from_dict, without a database, for the
tests of validate_answers."""

from __future__ import annotations

from typing import Any

from assessments.questionnaires.schema import Option, QuestionnaireSchema, schema_from_dict
from assessments.questionnaires.validation import validate_answers

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
