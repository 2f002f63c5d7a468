"""Invitation links, invitation emails and reminders."""

from __future__ import annotations

import datetime
import re
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone, translation
from django.utils.translation import gettext

from assessments.responses.models import Response
from assessments.responses.services import (
    participant_submit,
    response_get_or_create,
    response_save_answers,
)
from assessments.rounds.models import Invitation, Notification
from assessments.rounds.services.invitations import (
    InvalidInvitation,
    invitation_from_token,
    invitation_resend,
    invitation_revoke,
    invitation_rotate,
    invitation_token,
    invitation_url,
    queue_due_reminders,
    round_send_reminders_now,
)
from assessments.rounds.services.rounds import round_close, round_open
from assessments.rounds.tasks import (
    send_due_reminders_task,
    send_pending_notifications_task,
    send_round_invitations_task,
)
from tests.factories import secretariat_round

pytestmark = pytest.mark.django_db

CLOSES = datetime.date(2025, 6, 30)
BEFORE_EXPIRY = timezone.make_aware(datetime.datetime(2025, 6, 30, 12))  # the closing day


@pytest.fixture
def small(questionnaires):
    """The small round, open; its invitations not sent yet (no on-commit task ran)."""
    return secretariat_round()


@pytest.fixture
def invitation(small) -> Invitation:
    return small.participants["FR"].invitation


@pytest.fixture
def eager(settings) -> None:
    """Run Celery tasks in-process for one test (CI sets a broker, so they are not by default)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True  # Celery reads Django's settings when it sends


def linked_invitation(text: str) -> Invitation:
    """The invitation the link in `text` grants (tokens carry a timestamp: compare what they
    grant, not their text)."""
    (token,) = re.findall(r"/respond/([^/\s\"]+)/", text)
    return invitation_from_token(token, now=BEFORE_EXPIRY)


def sent_to(outbox: list) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


def submit_everything(participant) -> None:
    """Answer the one required question of a State and submit every part."""
    response = response_get_or_create(participant=participant)
    response_save_answers(
        response=response, answers={"institution": "Ministry"}, expected_version=None
    )
    assert participant_submit(participant=participant) == {}


# --- links ---


def test_a_link_names_its_invitation(invitation):
    token = invitation_token(invitation)

    assert invitation_from_token(token, now=BEFORE_EXPIRY) == invitation
    assert invitation_url(invitation).startswith("http://")
    assert linked_invitation(invitation_url(invitation)) == invitation


def test_a_tampered_link_is_refused(invitation):
    token = invitation_token(invitation)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    with pytest.raises(InvalidInvitation, match=re.escape("This link is not valid.")):
        invitation_from_token(tampered, now=BEFORE_EXPIRY)
    with pytest.raises(InvalidInvitation, match=re.escape("This link is not valid.")):
        invitation_from_token("not-a-token", now=BEFORE_EXPIRY)


def test_rotating_a_link_invalidates_the_earlier_one(invitation):
    old = invitation_token(invitation)

    invitation_rotate(invitation=invitation)

    with pytest.raises(InvalidInvitation, match="replaced by a newer one"):
        invitation_from_token(old, now=BEFORE_EXPIRY)
    assert invitation_from_token(invitation_token(invitation), now=BEFORE_EXPIRY) == invitation


def test_a_revoked_link_is_refused_until_rotated(invitation):
    token = invitation_token(invitation)

    invitation_revoke(invitation=invitation)
    first = invitation.revoked_at
    invitation_revoke(invitation=invitation)

    assert invitation.revoked_at == first
    with pytest.raises(InvalidInvitation, match=re.escape("This link has been revoked.")):
        invitation_from_token(token, now=BEFORE_EXPIRY)
    invitation_rotate(invitation=invitation)
    assert invitation_from_token(invitation_token(invitation), now=BEFORE_EXPIRY) == invitation


def test_a_link_expires(invitation):
    token = invitation_token(invitation)
    expires = invitation.expires_at

    assert invitation_from_token(token, now=expires) == invitation
    with pytest.raises(InvalidInvitation, match=re.escape("This link has expired.")):
        invitation_from_token(token, now=expires + datetime.timedelta(seconds=1))


def test_a_link_belongs_to_one_participant(small):
    fr, de = small.participants["FR"].invitation, small.participants["DE"].invitation

    assert invitation_from_token(invitation_token(fr), now=BEFORE_EXPIRY).participant_id == (
        small.participants["FR"].pk
    )
    assert invitation_token(fr) != invitation_token(de)


# --- invitation emails ---


def test_opening_a_round_emails_each_focal_point_in_their_language(
    questionnaires, eager, django_capture_on_commit_callbacks
):
    world = secretariat_round(open_it=False)

    with django_capture_on_commit_callbacks(execute=True):
        round_open(survey_round=world.round)

    assert sent_to(mail.outbox) == [
        "alpha@example.org",
        "de1@example.org",
        "de2@example.org",
        "fr@example.org",
    ]
    by_address = {message.to[0]: message for message in mail.outbox}
    for address, language, month in [
        ("alpha@example.org", "fr", "30 juin 2025"),
        ("fr@example.org", "es", "30 de junio de 2025"),
        ("de1@example.org", "en", "30 June 2025"),
        ("de2@example.org", "fr", "30 juin 2025"),
    ]:
        message = by_address[address]
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert f'<html lang="{language}">' in html
        assert month in message.body and month in html
        with translation.override(language):
            subject = gettext("Invitation: %(round)s") % {"round": world.round.name}
            greeting = gettext("Dear %(name)s,").split("%(name)s")[0]
        assert message.subject == subject
        assert message.body.startswith(greeting)
    fr = world.participants["FR"]
    fr.invitation.refresh_from_db()
    assert linked_invitation(by_address["fr@example.org"].body) == fr.invitation
    assert linked_invitation(by_address["fr@example.org"].alternatives[0][0]) == fr.invitation
    assert fr.invitation.status == Invitation.Status.SENT
    assert fr.invitation.sent_at is not None


def test_running_the_invitation_task_again_sends_no_duplicate(small):
    assert send_round_invitations_task(small.round.pk) == 3
    assert send_round_invitations_task(small.round.pk) == 0

    assert len(mail.outbox) == 4
    assert Notification.objects.filter(kind=Notification.Kind.INVITATION).count() == 7


def test_a_participant_without_focal_points_gets_an_error_and_no_email(small):
    send_round_invitations_task(small.round.pk)

    notification = Notification.objects.get(invitation__participant=small.participants["XORG"])
    assert notification.error == "no focal point"
    assert notification.sent_at is None
    assert not any("xorg" in address for address in sent_to(mail.outbox))
    invitation = small.participants["XORG"].invitation
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.NOT_SENT


def test_a_transient_smtp_error_is_retried_and_the_email_sent_once(small):
    original = EmailBackend.send_messages
    calls = []

    def flaky(self, messages):
        calls.append(len(messages))
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return original(self, messages)

    with mock.patch.object(EmailBackend, "send_messages", flaky):
        # As a worker runs it: a failed attempt is retried rather than raised.
        result = send_round_invitations_task.apply(args=[small.round.pk], throw=False)

    assert result.successful()
    # The first notification failed once, the others went on; the retry sent what was left.
    assert sent_to(mail.outbox) == [
        "alpha@example.org",
        "de1@example.org",
        "de2@example.org",
        "fr@example.org",
    ]
    assert Notification.objects.filter(sent_at__isnull=False).count() == 3
    assert len(calls) == 4


def test_resending_an_invitation_sends_the_current_link_again(
    small, django_capture_on_commit_callbacks
):
    send_round_invitations_task(small.round.pk)
    mail.outbox.clear()
    invitation = small.participants["FR"].invitation
    invitation_rotate(invitation=invitation)

    with (
        mock.patch("assessments.rounds.tasks.send_pending_notifications_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert invitation_resend(invitation=invitation) == 1
    delay.assert_called_once_with(small.round.pk)
    send_pending_notifications_task(small.round.pk)

    assert sent_to(mail.outbox) == ["fr@example.org"]
    assert linked_invitation(mail.outbox[0].body) == invitation  # the rotated link


def test_a_revoked_invitation_is_not_resent(small):
    invitation = small.participants["FR"].invitation
    invitation_revoke(invitation=invitation)

    with pytest.raises(ValidationError, match="revoked"):
        invitation_resend(invitation=invitation)


# --- reminders ---


def test_scheduled_reminders_go_only_when_due_and_only_to_non_submitters(small):
    send_round_invitations_task(small.round.pk)
    submit_everything(small.participants["FR"])
    mail.outbox.clear()

    assert queue_due_reminders(small.round, today=CLOSES - datetime.timedelta(days=15)) == 0
    assert queue_due_reminders(small.round, today=CLOSES - datetime.timedelta(days=14)) == 6
    send_pending_notifications_task(small.round.pk)

    # FR submitted: only XALPHA's and DE's focal points hear again (the others have none).
    assert sent_to(mail.outbox) == ["alpha@example.org", "de1@example.org", "de2@example.org"]
    languages = {"alpha@example.org": "fr", "de1@example.org": "en", "de2@example.org": "fr"}
    for message in mail.outbox:
        with translation.override(languages[message.to[0]]):
            expected = gettext("Reminder: %(round)s closes on %(date)s") % {
                "round": small.round.name,
                "date": {"en": "30 June 2025", "fr": "30 juin 2025"}[languages[message.to[0]]],
            }
        assert message.subject == expected
    keys = set(Notification.objects.filter(kind="reminder").values_list("key", flat=True))
    assert keys == {"reminder-14"}
    de = small.participants["DE"].invitation
    de.refresh_from_db()
    assert de.reminder_count == 1
    assert de.last_reminder_at is not None
    assert not Notification.objects.filter(
        kind="reminder", invitation__participant=small.participants["FR"]
    ).exists()


def test_each_scheduled_reminder_is_sent_once_even_when_run_again(small):
    fourteen = CLOSES - datetime.timedelta(days=14)
    assert queue_due_reminders(small.round, today=fourteen) == 7
    assert queue_due_reminders(small.round, today=fourteen) == 0
    assert queue_due_reminders(small.round, today=fourteen + datetime.timedelta(days=1)) == 0
    send_pending_notifications_task(small.round.pk)
    send_pending_notifications_task(small.round.pk)

    assert len(mail.outbox) == 4
    # A week before closing, the next reminder is due: one more each.
    assert queue_due_reminders(small.round, today=CLOSES - datetime.timedelta(days=7)) == 7
    send_pending_notifications_task(small.round.pk)
    assert len(mail.outbox) == 8
    assert queue_due_reminders(small.round, today=CLOSES + datetime.timedelta(days=1)) == 0


def test_no_reminders_once_the_round_is_closed(small):
    closed = round_close(survey_round=small.round)

    assert queue_due_reminders(closed, today=CLOSES - datetime.timedelta(days=2)) == 0


def test_the_daily_task_queues_due_reminders_and_sends_them(small, eager):
    with mock.patch("assessments.rounds.services.invitations.timezone.localdate") as localdate:
        localdate.return_value = CLOSES - datetime.timedelta(days=2)
        assert send_due_reminders_task() == 7
        assert send_due_reminders_task() == 0

    assert len(mail.outbox) == 4
    assert Notification.objects.filter(key="reminder-2", sent_at__isnull=False).count() == 3


def test_a_reminder_to_someone_who_submitted_meanwhile_is_skipped(small):
    queue_due_reminders(small.round, today=CLOSES - datetime.timedelta(days=2))
    submit_everything(small.participants["DE"])

    send_pending_notifications_task(small.round.pk)

    assert "de1@example.org" not in sent_to(mail.outbox)
    skipped = Notification.objects.get(invitation__participant=small.participants["DE"])
    assert skipped.error.startswith("skipped")


def test_send_reminder_now_queues_one_per_non_submitter_and_sends_after_commit(
    small, django_capture_on_commit_callbacks
):
    submit_everything(small.participants["FR"])

    with (
        mock.patch("assessments.rounds.tasks.send_pending_notifications_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert round_send_reminders_now(survey_round=small.round) == 6
    delay.assert_called_once_with(small.round.pk)
    send_pending_notifications_task(small.round.pk)
    send_pending_notifications_task(small.round.pk)  # a retry sends nothing again

    assert sent_to(mail.outbox) == ["alpha@example.org", "de1@example.org", "de2@example.org"]
    # A second click at once sends nothing; one later is a second reminder.
    assert round_send_reminders_now(survey_round=small.round) == 0
    manual = Notification.objects.filter(key__startswith="manual-")
    manual.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert round_send_reminders_now(survey_round=small.round) == 6
    assert manual.count() == 12


def test_send_reminder_now_is_refused_unless_the_round_is_open(small):
    closed = round_close(survey_round=small.round)

    with pytest.raises(ValidationError, match="only be sent while the round is open"):
        round_send_reminders_now(survey_round=closed)


def test_a_state_that_submitted_one_block_has_not_submitted_everything(small):
    """The invitation says "submitted" only when every response the participant owes is."""
    italy = small.participants["IT"]
    block = response_get_or_create(participant=italy, mechanism=small.mechanisms["XGAMMA"])
    from assessments.responses.services import response_submit

    response_submit(response=block)

    italy.invitation.refresh_from_db()
    assert italy.invitation.status == Invitation.Status.IN_PROGRESS
    assert Response.objects.filter(participant=italy).count() == 1
    assert queue_due_reminders(small.round, today=CLOSES) == 7


def test_a_message_that_cannot_be_built_is_recorded_and_sent_once_fixed(small, admin_client):
    """A round name with a line break (stored before names refused them) made every message a
    BadHeaderError: the task died with nothing sent and nothing recorded."""
    from django.urls import reverse

    from assessments.rounds.models import SurveyRound

    SurveyRound.objects.filter(pk=small.round.pk).update(name="Broken\nBcc: x@example.org")

    assert send_round_invitations_task(small.round.pk) == 0

    failed = Notification.objects.filter(error__startswith="not sent: BadHeaderError")
    assert failed.count() == 3 and not mail.outbox
    dashboard = admin_client.get(reverse("assessments:round_dashboard", args=[small.round.slug]))
    assert "3 e-mails could not be sent" in dashboard.text
    assert "BadHeaderError" in dashboard.text

    SurveyRound.objects.filter(pk=small.round.pk).update(name="Fixed 2025")
    assert send_pending_notifications_task(small.round.pk) == 3
    assert len(mail.outbox) == 4
    assert not Notification.objects.filter(error__startswith="not sent").exists()


def test_a_transient_error_is_recorded_on_the_notification_for_the_retry(small):
    def down(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")

    with (
        mock.patch.object(EmailBackend, "send_messages", down),
        pytest.raises(smtplib.SMTPServerDisconnected),
    ):
        send_round_invitations_task(small.round.pk)

    errors = set(Notification.objects.filter(sent_at__isnull=True).values_list("error", flat=True))
    assert "not sent yet, will retry: SMTPServerDisconnected: connection lost" in errors
