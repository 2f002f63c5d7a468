"""Entering a State's answers on its behalf (its reply came by e-mail or in Word): a permission
of its own, the respondents' own pages and services, and a record of who entered what for whom.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import access
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses.models import Answer, Response
from assessments.responses.services import stored_answers
from assessments.summaries.models import Summary
from mechanisms.models import Mechanism
from tests.factories import SecretariatUserFactory, api_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    from django.conf import settings

    from mechanisms.services import load_reference_data

    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data(settings.REFERENCE_DATA_DIR)
        w = api_world()
        clerk = SecretariatUserFactory(username="clerk", roles=[access.ROUND_MANAGER])
        clerk.user_permissions.add(Permission.objects.get(codename="enter_answers_on_behalf"))
        w.open_round.team.add(clerk)
        w.users["clerk"] = clerk
        yield w
        transaction.set_rollback(True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, *args: object) -> str:
    return reverse(f"assessments:{name}", args=args)


def test_the_dashboard_offers_to_enter_a_participants_answers(world):
    page = signed_in(world.users["clerk"]).get(url("round_dashboard", world.open_round.slug))
    assert url("participant", world.participant_b.pk) in page.content.decode()
    page = signed_in(world.users["round_manager"]).get(
        url("round_dashboard", world.open_round.slug)
    )
    assert url("participant", world.participant_b.pk) not in page.content.decode()


def test_someone_allowed_enters_and_submits_answers_through_the_respondents_pages(world):
    clerk, response = world.users["clerk"], Response.objects.get(pk=world.response_b.pk)
    client = signed_in(clerk)
    assert client.get(url("page", world.participant_b.pk, 1)).status_code == 200

    reply = client.post(
        url("page", world.participant_b.pk, 1),
        {"version": response.version, "section": "B0", "institution": "Cancillería", "go": "2"},
    )

    assert reply.status_code == 302
    response.refresh_from_db()
    assert response.entered_by == clerk
    schema = questionnaire_schema(response.questionnaire)
    assert stored_answers(response, schema)["institution"] == "Cancillería"
    latest = response.history.latest()
    assert latest.history_user == clerk
    assert latest.history_change_reason == "Answers entered by clerk on behalf of Argentina"
    answer = Answer.history.filter(response_id=response.pk, text="Cancillería").get()
    assert answer.history_user == clerk
    reply = client.post(url("submit", world.participant_b.pk), {"confirm": "yes"})
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED and response.submitted_by == clerk


def test_the_api_records_who_entered_the_answers(world):
    client = APIClient()
    client.force_login(world.users["clerk"])
    version = Response.objects.get(pk=world.response_b.pk).version
    body = {"version": version, "answers": {"recommendations": "By e-mail."}}
    answer = client.patch(f"/api/v1/responses/{world.response_b.pk}/", body, format="json")
    assert answer.status_code == 200, answer.content
    assert Response.objects.get(pk=world.response_b.pk).entered_by == world.users["clerk"]


def test_a_respondent_answering_for_itself_is_not_recorded_as_entered_for_it(world):
    client = APIClient()
    client.force_login(world.users["respondent_b"])
    version = Response.objects.get(pk=world.response_b.pk).version
    body = {"version": version, "answers": {"recommendations": "Ours."}}
    path = f"/api/v1/responses/{world.response_b.pk}/"
    assert client.patch(path, body, format="json").status_code == 200
    assert Response.objects.get(pk=world.response_b.pk).entered_by is None


@pytest.mark.parametrize("role", ["round_manager", "analyst", "staff_no_role", "viewer"])
def test_without_the_permission_nobody_opens_a_participants_pages(world, role):
    client = signed_in(world.users[role])
    assert client.get(url("page", world.participant_b.pk, 1)).status_code == 404
    assert client.get(url("answers", world.participant_b.pk)).status_code == 404


def test_the_permission_holds_only_on_the_rounds_of_the_team(world):
    outsider = SecretariatUserFactory(username="outsider")
    outsider.user_permissions.add(Permission.objects.get(codename="enter_answers_on_behalf"))
    assert signed_in(outsider).get(url("page", world.participant_b.pk, 1)).status_code == 404


def test_a_summary_says_which_responses_used_were_entered_for_whom(world):
    response = Response.objects.get(pk=world.response_b.pk)
    Response.objects.filter(pk=response.pk).update(entered_by=world.users["clerk"])
    summary = Summary.objects.create(
        round=world.open_round, mechanism=Mechanism.objects.get(acronym="MIRPS"), language="en",
        status=Summary.Status.GENERATED, header={"title": "MIRPS"},
    )  # fmt: skip
    summary.responses_used.set([response, world.participant_a.responses.first() or response])
    client = APIClient()
    client.force_login(world.users["staff"])

    body = client.get(f"/api/v1/summaries/{summary.pk}/").json()

    assert body["entered_on_behalf"] == [
        {"response": response.pk, "participant": "Argentina", "entered_by": "clerk"}
    ]
    admin_page = signed_in(world.users["staff"]).get(
        f"/admin/assessments/summary/{summary.pk}/change/"
    )
    assert "Argentina (entered by clerk)" in admin_page.content.decode()
