"""The REST API under /api/v1/: the secretariat's actions on rounds (create, lifecycle,
reminders) and the 404 error format."""

from __future__ import annotations

from unittest import mock

import pytest

from assessments.questionnaires.services import questionnaire_new_version
from assessments.responses import services as response_services
from assessments.rounds.models import Invitation, RoundParticipant, SurveyRound
from tests.assessments.api.helpers import (
    API,
    assert_error,
    new_round_data,
)


def test_the_secretariat_creates_a_round_with_the_default_participants(api, world):
    answer = api("staff").post(f"{API}/rounds/", new_round_data(world))

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["slug"], body["status"], body["reminder_days"]) == ("round-2027", "draft", [7])
    assert RoundParticipant.objects.filter(round__slug="round-2027").count() == (
        world.open_round.participants.count()
    )
    assert_error(api("staff").post(f"{API}/rounds/", new_round_data(world)), 400, "slug")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"closes_on": "2027-01-01"}, "closes_on"),
        ({"year": 1999}, "year"),
        ({"slug": "not a slug"}, "slug"),
        ({"reminder_days": [7, -1]}, "reminder_days"),
        ({"reminder_days": "soon"}, "reminder_days"),
        ({"questionnaire_state": 0}, "questionnaire_state"),
        ({"opens_on": "1 March"}, "opens_on"),
        ({"name": ""}, "name"),
    ],
)
def test_a_round_with_bad_fields_is_refused(api, world, change, field):
    answer = api("staff").post(f"{API}/rounds/", {**new_round_data(world), **change})

    assert_error(answer, 400, field)
    assert not SurveyRound.objects.filter(slug="round-2027").exists()


def test_a_round_s_questionnaires_must_be_for_their_audience(api, world):
    data = {**new_round_data(world), "questionnaire_state": world.questionnaires["mechanism"].pk}

    assert_error(api("staff").post(f"{API}/rounds/", data), 400, "questionnaire_state")


def test_a_round_goes_through_its_lifecycle_and_refuses_illegal_steps(api, world):
    client = api("staff")
    slug = world.draft_round.slug

    for action in ("close", "publish"):
        assert_error(client.post(f"{API}/rounds/{slug}/{action}/"), 400, "non_field_errors")
    opened = client.post(f"{API}/rounds/{slug}/open/")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert opened.json()["opened_at"]
    assert Invitation.objects.filter(participant__round__slug=slug).exists()
    assert_error(client.post(f"{API}/rounds/{slug}/open/"), 400)
    assert_error(client.post(f"{API}/rounds/{slug}/publish/"), 400)
    assert client.post(f"{API}/rounds/{slug}/close/").json()["status"] == "closed"
    assert_error(client.post(f"{API}/rounds/{slug}/close/"), 400)
    published = client.post(f"{API}/rounds/{slug}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert_error(client.post(f"{API}/rounds/{slug}/publish/"), 400)


def test_the_questionnaires_of_an_open_round_cannot_change(api, world):
    other = questionnaire_new_version(questionnaire=world.questionnaires["state"])
    url = f"{API}/rounds/{world.open_round.slug}/"

    assert_error(api("staff").patch(url, {"questionnaire_state": other.pk}), 400)
    # the status is read-only: it changes through the actions only
    assert api("staff").patch(url, {"status": "published"}).json()["status"] == "open"
    assert SurveyRound.objects.get(slug=world.open_round.slug).status == "open"


def test_send_reminders_queues_one_per_participant_yet_to_submit(
    api, world, own_response, django_capture_on_commit_callbacks
):
    assert response_services.participant_submit(participant=world.participant_a) == {}
    url = f"{API}/rounds/{world.open_round.slug}/send-reminders/"

    with (
        mock.patch("assessments.rounds.tasks.send_pending_notifications_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = api("staff").post(url)

    assert answer.status_code == 202, answer.content
    assert answer.json() == {"queued": world.open_round.participants.count() - 1}  # not Mexico
    delay.assert_called_once_with(world.open_round.pk)
    assert_error(api("staff").post(f"{API}/rounds/{world.draft_round.slug}/send-reminders/"), 400)


def test_unknown_objects_answer_404_in_the_error_format(api):
    client = api("staff")
    for path in ("rounds/nope", "responses/0", "responses/abc", "questionnaires/0", "mechanisms/NOPE", "states/0"):  # fmt: skip
        assert_error(client.get(f"{API}/{path}/"), 404)
    assert_error(client.post(f"{API}/rounds/nope/open/"), 404)
    assert_error(client.delete(f"{API}/rounds/round-2025/"), 405)
