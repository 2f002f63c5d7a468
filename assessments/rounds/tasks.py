"""Celery tasks of rounds: invitations, notifications and reminders."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from celery import shared_task

from assessments.rounds.services.invitations import TRANSIENT_EMAIL_ERRORS

if TYPE_CHECKING:
    from assessments.rounds.models import SurveyRound


logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_EMAIL_ERRORS,
    retry_backoff=30,
    retry_kwargs={"max_retries": 5},
)
def send_round_invitations_task(round_id: int) -> int:
    from assessments.rounds.models import SurveyRound
    from assessments.rounds.services.invitations import queue_round_invitations

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
    from assessments.rounds.models import SurveyRound

    return send_pending(SurveyRound.objects.get(pk=round_id))


@shared_task(acks_late=True)
def send_due_reminders_task() -> int:
    """Run daily by Celery beat: queue the reminders due today in every open round."""
    from assessments.rounds.models import SurveyRound
    from assessments.rounds.services.invitations import (
        pending_notification_ids,
        queue_due_reminders,
    )

    queued = 0
    for survey_round in SurveyRound.objects.filter(status=SurveyRound.Status.OPEN):
        queued += queue_due_reminders(survey_round)
        # Also picks up what an earlier run left pending (a lost or exhausted sending task).
        if pending_notification_ids(survey_round):
            send_pending_notifications_task.delay(survey_round.pk)
    return queued


@shared_task(acks_late=True)
def close_due_rounds_task() -> int:
    """Run by Celery beat: close the open rounds whose closing day has ended."""
    from assessments.rounds.services.rounds import close_due_rounds

    closed = close_due_rounds()
    for survey_round in closed:
        logger.info("Round %s closed at its closing time", survey_round.slug)
    return len(closed)


def send_pending(survey_round: SurveyRound) -> int:
    """Send every pending notification of the round; a transient error on one does not hold
    back the others, and is raised at the end so that the task retries what is still pending."""
    from assessments.rounds.services.invitations import notification_send, pending_notification_ids

    sent = 0
    failure: Exception | None = None
    for pk in pending_notification_ids(survey_round):
        try:
            sent += notification_send(notification_id=pk)
        except TRANSIENT_EMAIL_ERRORS as exc:
            logger.warning("Notification %s not sent, will retry: %s", pk, exc)
            failure = failure or exc
    if failure is not None:
        raise failure
    return sent
