"""Celery tasks of summaries."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def generate_summary_task(
    round_id: int, mechanism_id: int, language: str, force: bool = False, job_id: int | None = None
) -> None:
    """One summary (round, mechanism, language); re-running replaces it. Within a job, a failure
    is recorded on the job's item and does not stop the other summaries."""
    from celery.exceptions import SoftTimeLimitExceeded

    from assessments.jobs.services import job_item_finish, time_limit_error
    from assessments.rounds.models import SurveyRound
    from assessments.summaries.services import summary_generate
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
    from assessments.summaries.services import run_summaries_job

    run_summaries_job(job_id=job_id)
