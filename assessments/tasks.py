"""Celery tasks: they unpack IDs and call services; every one is safe to run twice."""

from __future__ import annotations

import logging
import smtplib
from typing import TYPE_CHECKING

from celery import shared_task

if TYPE_CHECKING:
    from assessments.models import SurveyRound

logger = logging.getLogger(__name__)

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
    from assessments.services.invitations import pending_notification_ids, queue_due_reminders

    queued = 0
    for survey_round in SurveyRound.objects.filter(status=SurveyRound.Status.OPEN):
        queued += queue_due_reminders(survey_round)
        # Also picks up what an earlier run left pending (a lost or exhausted sending task).
        if pending_notification_ids(survey_round):
            send_pending_notifications_task.delay(survey_round.pk)
    return queued


def send_pending(survey_round: SurveyRound) -> int:
    """Send every pending notification of the round; a transient error on one does not hold
    back the others, and is raised at the end so that the task retries what is still pending."""
    from assessments.services.invitations import notification_send, pending_notification_ids

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


# --- summaries -------------------------------------------------------------------------------


@shared_task(acks_late=True)
def generate_summary_task(
    round_id: int, mechanism_id: int, language: str, force: bool = False, job_id: int | None = None
) -> None:
    """One summary (round, mechanism, language); re-running replaces it. Within a job, a failure
    is recorded on the job's item and does not stop the other summaries."""
    from celery.exceptions import SoftTimeLimitExceeded

    from assessments.models import SurveyRound
    from assessments.services.jobs import job_item_finish, time_limit_error
    from assessments.services.summaries import summary_generate
    from mechanisms.models import Mechanism

    mechanism = Mechanism.objects.get(pk=mechanism_id)
    try:
        summary_generate(
            survey_round=SurveyRound.objects.get(pk=round_id),
            mechanism=mechanism,
            language=language,
            force=force,
        )
    except Exception as exc:
        if job_id is None:
            raise
        error = time_limit_error() if isinstance(exc, SoftTimeLimitExceeded) else repr(exc)
        job_item_finish(job_id=job_id, key=f"{mechanism.acronym}:{language}", error=error)
        return
    if job_id is not None:
        job_item_finish(job_id=job_id, key=f"{mechanism.acronym}:{language}")


@shared_task(acks_late=True)
def generate_round_summaries_task(job_id: int) -> None:
    """Fan out one summary task per (mechanism, language) of the job's round."""
    from assessments.services.summary_jobs import run_summaries_job

    run_summaries_job(job_id=job_id)


# --- round report ----------------------------------------------------------------------------

from django.db import OperationalError  # noqa: E402  (appended with the task that retries on it)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_kwargs={"max_retries": 3},
)
def round_report_task(job_id: int) -> None:
    """The round report's figures and files (HTML, PDF, XLSX, Word) on the job."""
    from assessments.services.reports import run_report_job

    run_report_job(job_id=job_id)


# --- exports and the jobs watchdog -----------------------------------------------------------

from django.db import OperationalError  # noqa: E402  (appended with the task that retries on it)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_kwargs={"max_retries": 3},
)
def export_task(job_id: int) -> None:
    """An export of a round's responses (CSV, long CSV, XLSX or JSON) as the job's file."""
    from assessments.services.export_jobs import run_export_job

    run_export_job(job_id=job_id)


@shared_task(acks_late=True)
def requeue_stale_jobs_task() -> list[int]:
    """Run by Celery beat: enqueue again the jobs whose worker died (no heartbeat for
    JOB_STALE_SECONDS); their task takes them over."""
    from assessments.services.jobs import job_requeue_stale

    return job_requeue_stale()
