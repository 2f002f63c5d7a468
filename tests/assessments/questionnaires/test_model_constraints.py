"""What the database itself refuses in questionnaires and their questions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from assessments.questionnaires.models import Question, Questionnaire
from assessments.questionnaires.services import questionnaire_import
from tests.assessments.questionnaires.questionnaire_files import small

pytestmark = pytest.mark.django_db


def test_the_database_refuses_two_questions_with_one_code_in_a_questionnaire():
    questionnaire = questionnaire_import(small())
    section = questionnaire.sections.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(
            questionnaire=questionnaire, section=section, code="name", type="text", text="Again"
        )
    other = questionnaire_import(small("other"))
    Question.objects.create(
        questionnaire=other, section=other.sections.get(), code="extra", type="text", text="Ok"
    )
    assert Question.objects.filter(code="name").count() == 2


def test_the_database_refuses_two_questionnaires_with_one_key_and_version():
    Questionnaire.objects.create(key="dup", version=1, audience="state", title="One")
    with pytest.raises(IntegrityError), transaction.atomic():
        Questionnaire.objects.create(key="dup", version=1, audience="state", title="Two")
    Questionnaire.objects.create(key="dup", version=2, audience="state", title="Two")
    assert Questionnaire.objects.filter(key="dup").count() == 2


def test_the_database_refuses_a_minimum_above_the_maximum():
    questionnaire = questionnaire_import(small())
    fields = {
        "questionnaire": questionnaire,
        "section": questionnaire.sections.get(),
        "type": "integer",
        "text": "N",
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(code="n", min_value=5, max_value=1, **fields)
    with pytest.raises(ValidationError) as caught:
        Question(code="n", min_value=5, max_value=1, **fields).full_clean()
    assert "The minimum cannot be above the maximum." in caught.value.messages
    Question.objects.create(code="n", min_value=5, max_value=5, **fields)
