"""Responses: optimistic concurrency, drafts, submission, reopening, typed answer rows, history."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import RequestFactory
from simple_history.models import HistoricalRecords

from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.shipped import load_shipped_questionnaires
from assessments.responses.models import Answer, Response
from assessments.responses.services import (
    AnswersInvalid,
    StaleVersion,
    participant_responses,
    response_get_or_create,
    response_reopen,
    response_save_answers,
    response_submit,
    stored_answers,
)
from assessments.rounds.models import Invitation
from tests.factories import StaffUserFactory, secretariat_round

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def questionnaires(reference_registry, django_db_blocker) -> dict[str, Questionnaire]:
    with django_db_blocker.unblock():
        load_shipped_questionnaires()
        return {q.audience: q for q in Questionnaire.objects.published()}


@pytest.fixture
def small(questionnaires):
    return secretariat_round()


@pytest.fixture
def germany(small) -> Response:
    """Germany's draft of its once-answered sections."""
    return response_get_or_create(participant=small.participants["DE"])


@pytest.fixture
def alpha(small) -> Response:
    """XALPHA's draft (a mechanism answers everything once)."""
    return response_get_or_create(participant=small.participants["XALPHA"])


@pytest.fixture
def acting_user():
    """Requests made by a signed-in user, as the history middleware records them."""
    user = StaffUserFactory(username="editor")
    request = RequestFactory().post("/")
    request.user = user
    HistoricalRecords.context.request = request
    yield user
    del HistoricalRecords.context.request


def values_of(response: Response, code: str) -> list[tuple]:
    return list(
        Answer.objects.filter(response=response, question__code=code)
        .order_by("row", "choice")
        .values_list("row", "choice", "text", "number")
    )


# --- optimistic concurrency ---


def test_a_save_with_the_current_version_moves_the_version_on(germany):
    saved, result = response_save_answers(
        response=germany, answers={"institution": "Ministry"}, expected_version=1
    )

    assert result.is_valid
    assert saved.version == 2
    assert values_of(saved, "institution") == [("", "", "Ministry", None)]


def test_a_save_with_a_stale_version_is_refused_and_writes_nothing(germany):
    response_save_answers(response=germany, answers={"institution": "Ministry"}, expected_version=1)

    with pytest.raises(StaleVersion) as caught:
        response_save_answers(
            response=germany,
            answers={"institution": "Other", "national_coordination": "yes"},
            expected_version=1,
        )

    assert caught.value.current == 2
    germany.refresh_from_db()
    assert germany.version == 2
    assert values_of(germany, "institution") == [("", "", "Ministry", None)]
    assert values_of(germany, "national_coordination") == []


def test_a_stale_version_cannot_submit_either(germany):
    response_save_answers(response=germany, answers={"institution": "Ministry"}, expected_version=1)

    with pytest.raises(StaleVersion):
        response_submit(response=germany, expected_version=1)

    germany.refresh_from_db()
    assert germany.status == Response.Status.DRAFT


# --- drafts ---


def test_getting_a_draft_twice_gives_the_same_response(small, germany):
    assert response_get_or_create(participant=small.participants["DE"]) == germany
    assert Response.objects.filter(participant=small.participants["DE"]).count() == 1


def test_a_draft_created_concurrently_is_returned_not_duplicated(small, germany):
    """Another request created the row between our read and our insert."""
    manager_class = type(Response.objects)
    with mock.patch.object(manager_class, "get_or_create", side_effect=IntegrityError):
        response = response_get_or_create(participant=small.participants["DE"])

    assert response == germany


def test_a_state_owes_one_block_per_mechanism_it_is_a_member_of(small):
    responses = participant_responses(small.participants["FR"])

    assert [r.mechanism.acronym if r.mechanism else None for r in responses] == [
        None,
        "XALPHA",
        "XBETA",
    ]


def test_a_block_about_a_mechanism_it_is_not_a_member_of_is_refused(small):
    with pytest.raises(ValidationError) as caught:
        response_get_or_create(
            participant=small.participants["FR"], mechanism=small.mechanisms["XGAMMA"]
        )

    assert "mechanism" in caught.value.message_dict


# --- submitting and reopening ---


def test_submit_validates_everything_and_reports_by_question_code(germany):
    with pytest.raises(AnswersInvalid) as caught:
        response_submit(response=germany)

    assert set(caught.value.errors) == {"institution"}
    germany.refresh_from_db()
    assert germany.status == Response.Status.DRAFT


def test_invalid_answers_are_refused_by_code_and_nothing_is_written(germany):
    with pytest.raises(AnswersInvalid) as caught:
        response_save_answers(
            response=germany,
            answers={"institution": "Ministry", "national_coordination": "perhaps"},
            expected_version=1,
        )

    assert set(caught.value.errors) == {"national_coordination"}
    assert not Answer.objects.filter(response=germany).exists()
    germany.refresh_from_db()
    assert germany.version == 1


def test_submitting_twice_is_harmless(germany, acting_user):
    response_save_answers(response=germany, answers={"institution": "Ministry"}, expected_version=1)

    first = response_submit(response=germany, user=acting_user)
    again = response_submit(response=germany, user=acting_user)

    assert first.status == again.status == Response.Status.SUBMITTED
    assert again.version == first.version == 3
    assert again.submitted_at == first.submitted_at
    assert first.submitted_by == acting_user


def test_a_submitted_response_cannot_change(germany):
    response_save_answers(response=germany, answers={"institution": "Ministry"}, expected_version=1)
    response_submit(response=germany)

    with pytest.raises(ValidationError, match="can no longer be changed"):
        response_save_answers(
            response=germany, answers={"institution": "Other"}, expected_version=None
        )


def test_reopening_a_submitted_response_makes_it_editable_again(small, germany):
    response_save_answers(response=germany, answers={"institution": "Ministry"}, expected_version=1)
    response_submit(response=germany)

    reopened = response_reopen(response=germany)

    assert reopened.status == Response.Status.REOPENED
    assert reopened.is_editable
    assert reopened.version == 4
    invitation = Invitation.objects.get(participant=small.participants["DE"])
    assert invitation.status == Invitation.Status.IN_PROGRESS
    saved, _result = response_save_answers(
        response=reopened, answers={"institution": "Other"}, expected_version=4
    )
    assert values_of(saved, "institution") == [("", "", "Other", None)]


def test_only_a_submitted_response_can_be_reopened(germany):
    with pytest.raises(ValidationError, match="Only a submitted response can be reopened"):
        response_reopen(response=germany)


# --- typed answer rows ---


def test_answers_are_stored_one_typed_row_per_value(questionnaires, alpha):
    schema = questionnaire_schema(questionnaires["mechanism"])
    first, second = schema.questions["partner_types"].option_codes[:2]
    answers = {
        "partner_types": [first, second],
        "partner_roles": {first: ["OBSERVER", "DONOR"], second: ["MEMBER"]},
        "relevance": 4,
        "thematic_evolution": "More on labour migration.",
    }

    saved, result = response_save_answers(response=alpha, answers=answers, expected_version=1)

    assert result.is_valid, result.errors
    assert values_of(saved, "partner_types") == [
        ("", first, "", None),
        ("", second, "", None),
    ]  # multiple: one row per chosen code
    assert sorted(values_of(saved, "partner_roles")) == sorted(
        [
            (first, "DONOR", "", None),
            (first, "OBSERVER", "", None),
            (second, "MEMBER", "", None),
        ]
    )  # matrix: one row per ticked cell, `row` naming the row
    assert values_of(saved, "relevance") == [("", "", "", Decimal("4"))]  # numbers in `number`
    assert values_of(saved, "thematic_evolution") == [("", "", "More on labour migration.", None)]
    # Read back in the shape they were given.
    back = stored_answers(saved, schema)
    assert back["partner_types"] == [first, second]
    assert back["partner_roles"] == {first: ["OBSERVER", "DONOR"], second: ["MEMBER"]}
    assert back["relevance"] == 4


def test_changing_a_selection_touches_only_the_rows_that_change(questionnaires, alpha):
    schema = questionnaire_schema(questionnaires["mechanism"])
    first, second, third = schema.questions["partner_types"].option_codes[:3]
    saved, _ = response_save_answers(
        response=alpha, answers={"partner_types": [first, second]}, expected_version=1
    )
    kept = Answer.objects.get(response=alpha, choice=first).pk

    response_save_answers(
        response=saved, answers={"partner_types": [first, third]}, expected_version=2
    )

    assert [c for _r, c, _t, _n in values_of(alpha, "partner_types")] == sorted([first, third])
    assert Answer.objects.get(response=alpha, choice=first).pk == kept


# --- history ---


def test_every_change_to_an_answer_is_in_the_history_with_who_and_when(acting_user, germany):
    saved, _ = response_save_answers(
        response=germany, answers={"institution": "Ministry A"}, expected_version=1
    )
    response_save_answers(response=saved, answers={"institution": "Ministry B"}, expected_version=2)

    history = list(
        Answer.history.filter(response_id=germany.pk)
        .order_by("history_id")
        .values_list("history_type", "text", "history_user", "history_date")
    )
    assert [(kind, text, user) for kind, text, user, _when in history] == [
        ("+", "Ministry A", acting_user.pk),
        ("-", "Ministry A", acting_user.pk),  # the old value ...
        ("+", "Ministry B", acting_user.pk),  # ... and the new one
    ]
    assert all(when is not None for *_rest, when in history)


def test_every_status_change_of_a_response_is_in_the_history(acting_user, germany):
    response_save_answers(response=germany, answers={"institution": "Ministry"}, expected_version=1)
    response_submit(response=germany, user=acting_user)
    response_reopen(response=germany)

    statuses = list(germany.history.order_by("history_id").values_list("status", "history_user"))
    assert statuses == [
        ("draft", acting_user.pk),
        ("submitted", acting_user.pk),
        ("reopened", acting_user.pk),
    ]
