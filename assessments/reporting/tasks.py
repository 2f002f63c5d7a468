"""Celery tasks of reporting: the round report and the exports."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_kwargs={"max_retries": 3},
)
def round_report_task(job_id: int) -> None:
    """The round report's figures and files (HTML, PDF, XLSX, Word) on the job."""
    from assessments.reporting.services.report import run_report_job

    run_report_job(job_id=job_id)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    retry_kwargs={"max_retries": 3},
)
def export_task(job_id: int) -> None:
    """An export of a round's responses (CSV, long CSV, XLSX or JSON) as the job's file."""
    from assessments.reporting.services.export import run_export_job

    run_export_job(job_id=job_id)
