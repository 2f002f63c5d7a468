"""Rounds close themselves at the end of their closing day; links then stop working (or after
the round's grace period); reminders stop; "Send reminder now" asks first and does not send
twice; reminder days are written as people write them; dates in the recipient's language."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments.rounds.models import Notification, SurveyRound
from assessments.rounds.services.invitations import (
    InvalidInvitation,
    invitation_from_token,
    invitation_token,
    queue_due_reminders,
    round_send_reminders_now,
)
from assessments.rounds.services.rounds import (
    clean_reminder_days,
    close_due_rounds,
    round_update,
)
from assessments.rounds.tasks import close_due_rounds_task, send_pending_notifications_task
from tests.factories import secretariat_round

pytestmark = pytest.mark.django_db

CLOSES = datetime.date(2025, 6, 30)
END_OF_CLOSING_DAY = timezone.make_aware(datetime.datetime.combine(CLOSES, datetime.time.max))


@pytest.fixture
def small(questionnaires):
    return secretariat_round()


def status_of(survey_round: SurveyRound) -> str:
    return SurveyRound.objects.values_list("status", flat=True).get(pk=survey_round.pk)


# --- closing by itself ---


def test_an_open_round_closes_itself_once_its_closing_day_has_ended(small):
    on_closing_day = END_OF_CLOSING_DAY - datetime.timedelta(hours=1)
    assert close_due_rounds(now=on_closing_day) == []
    assert status_of(small.round) == SurveyRound.Status.OPEN

    closed = close_due_rounds(now=END_OF_CLOSING_DAY + datetime.timedelta(seconds=1))

    assert [r.pk for r in closed] == [small.round.pk]
    survey_round = SurveyRound.objects.get(pk=small.round.pk)
    assert survey_round.status == SurveyRound.Status.CLOSED and survey_round.closed_at
    assert survey_round.history.first().history_change_reason == "closed at its closing time"
    assert close_due_rounds(now=END_OF_CLOSING_DAY + datetime.timedelta(days=1)) == []


def test_draft_rounds_are_not_closed_and_beat_runs_the_check(questionnaires):
    draft = secretariat_round(slug="draft-2025", open_it=False)
    assert close_due_rounds(now=END_OF_CLOSING_DAY + datetime.timedelta(days=5)) == []
    assert status_of(draft.round) == SurveyRound.Status.DRAFT
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "assessments.rounds.tasks.close_due_rounds_task" in tasks


def test_the_task_closes_every_round_past_its_closing_day(small):
    # the real clock: 30 June 2025 is long past
    assert close_due_rounds_task() == 1
    assert status_of(small.round) == SurveyRound.Status.CLOSED


def test_links_stop_working_when_the_round_closes(small):
    token = invitation_token(small.participants["FR"].invitation)
    assert invitation_from_token(token, now=END_OF_CLOSING_DAY)
    with pytest.raises(InvalidInvitation, match="expired"):
        invitation_from_token(token, now=END_OF_CLOSING_DAY + datetime.timedelta(seconds=1))


def test_links_work_for_the_grace_period_the_round_sets(small):
    round_update(survey_round=small.round, link_grace_days=3)
    token = invitation_token(small.participants["FR"].invitation)
    assert invitation_from_token(token, now=END_OF_CLOSING_DAY + datetime.timedelta(days=3))
    with pytest.raises(InvalidInvitation, match="expired"):
        invitation_from_token(token, now=END_OF_CLOSING_DAY + datetime.timedelta(days=3, seconds=1))


def test_reminders_queued_before_the_round_closed_are_not_sent(small):
    assert queue_due_reminders(small.round, today=CLOSES - datetime.timedelta(days=2)) == 7
    close_due_rounds(now=END_OF_CLOSING_DAY + datetime.timedelta(seconds=1))

    send_pending_notifications_task(small.round.pk)

    reminders = Notification.objects.filter(kind=Notification.Kind.REMINDER)
    assert not [m for m in mail.outbox if "Reminder" in m.subject]
    assert set(reminders.values_list("error", flat=True)) == {
        "skipped: the round is no longer open"
    }


# --- reminder days as people write them ---


@pytest.mark.parametrize(
    ("written", "days"),
    [("7, 2", [7, 2]), ("2 14 7", [14, 7, 2]), ("[14, 7, 2]", [14, 7, 2]), ("", []),
     ("7;7", [7])],
)  # fmt: skip
def test_reminder_days_accept_what_people_type(written, days):
    assert clean_reminder_days(written) == days


@pytest.mark.parametrize("written", ["7, x", "-1", "400", "7.5", "٣"])
def test_reminder_days_refuse_anything_but_whole_days(written):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        clean_reminder_days(written)
    assert "14, 7, 2" in caught.value.message_dict["reminder_days"][0]


def test_the_admin_round_form_takes_and_shows_days_as_text(small, admin_client):
    url = reverse("admin:assessments_surveyround_change", args=[small.round.pk])
    page = admin_client.get(url)
    assert 'value="14, 7, 2"' in page.text

    form = {
        "name": small.round.name, "slug": small.round.slug, "year": "2025",
        "opens_on": str(small.round.opens_on), "closes_on": str(CLOSES),
        "reminder_days": "7, 2", "link_grace_days": "5",
    }  # fmt: skip
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    survey_round = SurveyRound.objects.get(pk=small.round.pk)
    assert (survey_round.reminder_days, survey_round.link_grace_days) == ([7, 2], 5)

    refused = admin_client.post(url, {**form, "reminder_days": "soon"})
    assert refused.status_code == 200
    assert "14, 7, 2" in str(refused.context["adminform"].form.errors["reminder_days"])


def test_the_api_takes_days_as_text_too(small, admin_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(admin_user)
    url = f"/api/v1/rounds/{small.round.slug}/"
    assert api.patch(url, {"reminder_days": "7, 2"}, format="json").json()["reminder_days"] == [
        7,
        2,
    ]
    refused = api.patch(url, {"reminder_days": "soon"}, format="json")
    assert refused.status_code == 400 and "reminder_days" in refused.json()["errors"]


# --- "Send reminder now" ---


def test_a_second_press_within_minutes_sends_nothing(small, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert round_send_reminders_now(survey_round=small.round) == 7
        assert round_send_reminders_now(survey_round=small.round) == 0
    manual = Notification.objects.filter(key__startswith="manual-")
    assert manual.count() == 7

    manual.update(created_at=timezone.now() - datetime.timedelta(minutes=11))
    assert round_send_reminders_now(survey_round=small.round) == 7


def test_the_dashboard_asks_before_reminding_everyone(small, admin_client):
    dashboard = admin_client.get(reverse("assessments:round_dashboard", args=[small.round.slug]))
    confirm_url = reverse("assessments:round_confirm", args=[small.round.slug, "remind"])
    assert f'href="{confirm_url}"' in dashboard.text

    action = reverse("assessments:round_action", args=[small.round.slug, "remind"])
    unconfirmed = admin_client.post(action)
    assert unconfirmed.status_code == 302 and unconfirmed.url == confirm_url
    assert not Notification.objects.filter(key__startswith="manual-").exists()

    page = admin_client.get(confirm_url)
    assert "the 7 participants" in page.text and "Send 7 reminders" in page.text
    done = admin_client.post(action, {"confirm": "yes"}, follow=True)
    assert "7 reminders queued" in done.text
    again = admin_client.post(action, {"confirm": "yes"}, follow=True)
    assert "No reminder sent: the focal points were reminded" in again.text
    assert Notification.objects.filter(key__startswith="manual-").count() == 7


# --- dates in the recipient's language ---


@pytest.mark.parametrize(
    ("language", "date"),
    [("en", "30 June 2025"), ("fr", "30 juin 2025"), ("es", "30 de junio de 2025")],
)
def test_the_reminder_subject_and_body_write_the_date_the_same_way(small, language, date):
    from assessments.rounds.models import FocalPoint

    FocalPoint.objects.filter(email="fr@example.org").update(language=language)
    queue_due_reminders(small.round, today=CLOSES - datetime.timedelta(days=2))
    send_pending_notifications_task(small.round.pk)

    (message,) = [m for m in mail.outbox if m.to == ["fr@example.org"]]
    assert date in message.subject, message.subject
    assert date in message.body
    assert not re.search(r"\d{4}-\d{2}-\d{2}", message.subject + message.body)
