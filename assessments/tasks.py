"""Celery tasks: they unpack IDs and call services; every one is safe to run twice."""

from __future__ import annotations

import smtplib

from celery import shared_task

TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_EMAIL_ERRORS,
    retry_backoff=30,
    retry_kwargs={"max_retries": 5},
)
def send_round_invitations_task(round_id: int) -> int:
    from assessments.models import SurveyRound
    from assessments.services.invitations import queue_round_invitations

    survey_round = SurveyRound.objects.get(pk=round_id)
    queue_round_invitations(survey_round)
    return send_pending(survey_round)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_EMAIL_ERRORS,
    retry_backoff=30,
    retry_kwargs={"max_retries": 5},
)
def send_pending_notifications_task(round_id: int) -> int:
    from assessments.models import SurveyRound

    return send_pending(SurveyRound.objects.get(pk=round_id))


@shared_task(acks_late=True)
def send_due_reminders_task() -> int:
    """Run daily by Celery beat: queue the reminders due today in every open round."""
    from assessments.models import SurveyRound
    from assessments.services.invitations import queue_due_reminders

    queued = 0
    for survey_round in SurveyRound.objects.filter(status=SurveyRound.Status.OPEN):
        if queue_due_reminders(survey_round):
            queued += 1
            send_pending_notifications_task.delay(survey_round.pk)
    return queued


def send_pending(survey_round) -> int:
    from assessments.services.invitations import notification_send, pending_notification_ids

    return sum(
        notification_send(notification_id=pk) for pk in pending_notification_ids(survey_round)
    )
