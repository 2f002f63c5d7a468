"""The shipped questionnaires: loading them, their files, and what docs/question-bank.md
says each of their questions is."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from assessments.questionnaires.models import Choice, Question, Questionnaire
from assessments.questionnaires.services import questionnaire_to_dict
from assessments.questionnaires.shipped import SHIPPED_DIR, load_shipped_questionnaires
from tests.assessments.questionnaires.question_bank import BANK_QUESTIONS, BankQuestion
from tests.assessments.questionnaires.questionnaire_files import SHIPPED_KEYS, counts

pytestmark = pytest.mark.django_db


# --- shipped questionnaires ---------------------------------------------------------------


def test_the_shipped_questionnaires_load_and_a_second_run_reports_them_unchanged(reference_data):
    report = load_shipped_questionnaires()
    assert report.created == ["mechanism v1", "state v1", "organization v1"]
    loaded = counts()
    assert loaded[0] == 3
    again = load_shipped_questionnaires()
    assert (again.created, again.differing) == ([], [])
    assert again.unchanged == ["mechanism v1", "state v1", "organization v1"]
    assert counts() == loaded


def test_a_shipped_file_that_differs_from_the_database_is_reported_not_overwritten(
    reference_data, tmp_path
):
    load_shipped_questionnaires()
    for path in SHIPPED_DIR.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    state = json.loads((tmp_path / "state.json").read_text("utf-8"))
    state["title"]["en"] = "A new title"
    (tmp_path / "state.json").write_text(json.dumps(state), "utf-8")
    report = load_shipped_questionnaires(tmp_path)
    assert (report.created, report.differing) == ([], ["state v1"])
    assert Questionnaire.objects.get(key="state").title != "A new title"


def test_the_shipped_questionnaires_export_exactly_as_their_files(shipped):
    for key, questionnaire in shipped.items():
        on_disk = json.loads((SHIPPED_DIR / f"{key}.json").read_text("utf-8"))
        assert questionnaire_to_dict(questionnaire) == on_disk


def test_the_shipped_questionnaires_are_published_for_their_audience(shipped):
    for key, questionnaire in shipped.items():
        assert (questionnaire.audience, questionnaire.status) == (key, "published")
        assert questionnaire.published_at is not None


# --- the question bank, read independently from docs/question-bank.md (question_bank.py) ----


def test_the_bank_parser_finds_every_part():
    assert {a: len(codes) for a, codes in BANK_QUESTIONS.items()} == {
        "mechanism": 1 + 8 + 15 + 16 + 5 + 6,
        "state": 2 + 3 + 15 + 6 + 4,
        "organization": 2 + 2 + 15 + 2,
    }
    assert BANK_QUESTIONS["state"]["contribution_global_types"].choices == {
        "source": "vocabulary",
        "name": "contribution_types.interregional_global",
    }
    assert BANK_QUESTIONS["mechanism"]["operating_modalities_document"].condition == (
        "operating_modalities",
        "≠",
        ("INFORMAL", "NONE"),
    )


def db_questions(questionnaire: Questionnaire) -> dict[str, Question]:
    questions = questionnaire.questions.select_related("section", "condition_question")
    return {q.code: q for q in questions.prefetch_related("choices")}


@pytest.mark.parametrize("audience", SHIPPED_KEYS)
def test_every_code_of_the_bank_is_in_its_questionnaire_and_nothing_else(shipped, audience):
    assert set(db_questions(shipped[audience])) == set(BANK_QUESTIONS[audience])


def choices_of(question: Question, kind: str = Choice.Kind.OPTION) -> dict[str, Any] | None:
    source = question.choice_source if kind == Choice.Kind.OPTION else question.column_source
    if source == "local":
        codes = [c.code for c in question.choices.all() if c.kind == kind]
        return {"source": "local", "codes": sorted(codes, key=codes.index)}
    if source == "vocabulary":
        name = (
            question.choice_vocabulary if kind == Choice.Kind.OPTION else question.column_vocabulary
        )
        return {"source": "vocabulary", "name": name}
    return {"source": "mechanisms"} if source == "mechanisms" else None


def expected_condition(found: BankQuestion, questions: dict[str, Question]):
    if found.condition is None:
        return None
    target, sign, values = found.condition
    if sign == "≠":
        return (target, "not_equals", list(values))
    return (target, "includes" if questions[target].type == "multiple" else "equals", list(values))


@pytest.mark.parametrize("audience", SHIPPED_KEYS)
def test_each_question_has_the_type_section_choices_and_condition_of_the_bank(shipped, audience):
    questions = db_questions(shipped[audience])
    for code, found in BANK_QUESTIONS[audience].items():
        question = questions[code]
        where = f"{audience}.{code}"
        assert question.type == found.type, where
        assert question.required == found.required, where
        assert (question.section.code, question.section.per_mechanism) == (
            found.section,
            found.per_mechanism,
        ), where
        if found.summary is not None:
            assert question.summary_section == found.summary, where
        condition = question.condition_question and (
            question.condition_question.code,
            question.condition_operator,
            question.condition_values,
        )
        assert condition == expected_condition(found, questions), where
        if found.choices and "rows_from" in found.choices:
            assert question.rows_from == found.choices["rows_from"], where
            assert choices_of(question) == choices_of(questions[question.rows_from]), where
            assert choices_of(question, Choice.Kind.COLUMN) == found.choices["columns"], where
        else:
            assert choices_of(question) == found.choices, where
