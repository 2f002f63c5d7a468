"""The life of a questionnaire: publishing, new versions, retiring and deleting."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db.models import RestrictedError

from assessments.questionnaires.models import Question, Questionnaire, Section
from assessments.questionnaires.services import (
    NOT_EDITABLE,
    ensure_editable,
    questionnaire_import,
    questionnaire_new_version,
    questionnaire_publish,
    questionnaire_retire,
    questionnaire_to_dict,
)
from tests.assessments.questionnaires.questionnaire_files import counts, full_featured, small

pytestmark = pytest.mark.django_db


def test_a_draft_publishes(reference_data):
    draft = questionnaire_import(full_featured())
    published = questionnaire_publish(questionnaire=draft)
    published.refresh_from_db()
    assert published.status == Questionnaire.Status.PUBLISHED
    assert published.published_at is not None


def test_a_published_questionnaire_cannot_be_published_again():
    published = questionnaire_publish(questionnaire=questionnaire_import(small()))
    first_date = published.published_at
    with pytest.raises(ValidationError) as caught:
        questionnaire_publish(questionnaire=published)
    assert caught.value.messages == [NOT_EDITABLE]
    published.refresh_from_db()
    assert published.published_at == first_date


def test_a_questionnaire_without_questions_cannot_be_published():
    draft = Questionnaire.objects.create(key="empty", audience="state", title="Empty")
    Section.objects.create(questionnaire=draft, code="S1", title="Nothing")
    with pytest.raises(ValidationError) as caught:
        questionnaire_publish(questionnaire=draft)
    assert "A questionnaire needs at least one question to be published." in caught.value.messages
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_only_a_draft_is_editable():
    ensure_editable(questionnaire_import(small()))
    published = questionnaire_publish(questionnaire=questionnaire_import(small("published")))
    retired = questionnaire_retire(
        questionnaire=questionnaire_publish(questionnaire=questionnaire_import(small("retired")))
    )
    for questionnaire in (published, retired):
        with pytest.raises(ValidationError) as caught:
            ensure_editable(questionnaire)
        assert caught.value.messages == [NOT_EDITABLE]


def test_a_new_version_is_a_draft_copy_of_the_structure(shipped):
    original = shipped["mechanism"]
    new = questionnaire_new_version(questionnaire=original)
    assert (new.key, new.version, new.status, new.published_at) == ("mechanism", 2, "draft", None)
    before, after = questionnaire_to_dict(original), questionnaire_to_dict(new)
    assert after == before | {"version": 2, "status": "draft"}
    assert questionnaire_to_dict(original) == before
    assert new.questions.count() == original.questions.count() == 51


def test_new_versions_take_the_next_number_of_their_key(shipped):
    questionnaire_new_version(questionnaire=shipped["state"])
    third = questionnaire_new_version(questionnaire=shipped["state"])
    assert third.version == 3
    assert sorted(Questionnaire.objects.filter(key="state").values_list("version", flat=True)) == [
        1,
        2,
        3,
    ]


def test_a_published_questionnaire_can_be_retired(shipped):
    retired = questionnaire_retire(questionnaire=shipped["organization"])
    retired.refresh_from_db()
    assert retired.status == Questionnaire.Status.RETIRED


@pytest.mark.parametrize("status", ["draft", "retired"])
def test_only_a_published_questionnaire_can_be_retired(status):
    questionnaire = questionnaire_import(small() | {"status": status})
    with pytest.raises(ValidationError) as caught:
        questionnaire_retire(questionnaire=questionnaire)
    assert caught.value.messages == ["Only a published questionnaire can be retired."]
    questionnaire.refresh_from_db()
    assert questionnaire.status == status


def test_a_questionnaire_with_conditions_can_be_deleted(reference_data):
    # Question.condition_question is on_delete=PROTECT: deleting the questionnaire cascades to
    # its questions, and the collector refuses because some of them are condition targets.
    questionnaire = questionnaire_import(full_featured())
    questionnaire.delete()
    assert counts() == (0, 0, 0, 0)


def test_a_condition_target_cannot_be_deleted_while_a_question_depends_on_it(reference_data):
    questionnaire = questionnaire_import(full_featured())
    with pytest.raises(RestrictedError):
        Question.objects.get(questionnaire=questionnaire, code="plan").delete()
    assert Question.objects.filter(questionnaire=questionnaire, code="plan").exists()
