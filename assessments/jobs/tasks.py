"""Celery tasks of jobs: the watchdog."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def requeue_stale_jobs_task() -> list[int]:
    """Run by Celery beat: enqueue again the jobs whose worker died (no heartbeat for
    JOB_STALE_SECONDS); their task takes them over."""
    from assessments.jobs.services import job_requeue_stale

    return job_requeue_stale()
