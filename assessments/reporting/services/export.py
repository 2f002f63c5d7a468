"""The export job: a round's responses in one format, written by a worker and kept on the job.

The export is streamed into a temporary file on disk (never into memory), reporting progress
as it goes, and then copied into storage as the job's one result file (replaced by name, so a
re-run after a dead worker still ends with one file). A transient database error puts the job
back in the queue for the task's retry, until the last attempt; any other error fails the job.

Test hook: the environment variable ISCM_TEST_SLOW_EXPORT (seconds, a float), read by the worker
process, makes the export pause after each response and report progress every time, so that
the worker integration test can kill a worker in the middle of a job. Never set it elsewhere.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction

from assessments.jobs import services as jobs
from assessments.jobs.models import Job
from assessments.reporting.exports import (
    CONTENT_TYPES,
    FILE_SUFFIXES,
    FORMATS,
    ExportOptions,
    export_filename,
    write_export,
)
from assessments.rounds.models import SurveyRound

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4  # the task retries 3 times on transient errors: the 4th claim is the last
PROGRESS_EVERY = 500  # responses between two progress reports (each one is also a heartbeat)
PROGRESS_SECONDS = 2.0  # ... or this long, whichever comes first
SLOW_EXPORT_ENV = "ISCM_TEST_SLOW_EXPORT"
UNKNOWN_FORMAT = "Unknown export format “{fmt}”."
UNKNOWN_LANGUAGE = "Unknown language “{language}”."


@transaction.atomic
def export_job_start(
    *,
    survey_round: SurveyRound,
    fmt: str,
    labels: bool = False,
    choice_columns: bool = False,
    language: str = "en",
    bom: bool = False,
    raw: bool = False,
    user: Any = None,
) -> Job:
    """Create the export job; its task is enqueued once the job is committed."""
    if fmt not in FORMATS:
        raise ValidationError({"fmt": UNKNOWN_FORMAT.format(fmt=fmt)})
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": UNKNOWN_LANGUAGE.format(language=language)})
    job = jobs.job_create(
        kind=Job.Kind.EXPORT,
        survey_round=survey_round,
        parameters={
            "format": fmt,
            "labels": labels,
            "choice_columns": choice_columns,
            "language": language,
            "bom": bom,
            "raw": raw,
        },
        user=user,
    )
    from assessments.reporting.tasks import export_task

    transaction.on_commit(lambda: export_task.delay(job.pk))
    return job


def run_export_job(*, job_id: int) -> None:
    """Claim the job (a second delivery of the task returns at once) and export."""
    if not jobs.job_claim(job_id=job_id):
        return
    try:
        export_into_job(job_id)
    except OperationalError as exc:
        requeue_or_fail(job_id, exc)
        raise  # for the task's retry
    except SoftTimeLimitExceeded:
        logger.warning("Export job %s ran out of time", job_id)
        jobs.job_fail_on_time_limit(job_id=job_id)
    except Exception as exc:
        logger.exception("Export job %s failed", job_id)
        jobs.job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")


def export_options(parameters: dict) -> ExportOptions:
    return ExportOptions(
        labels=bool(parameters.get("labels")),
        choice_columns=bool(parameters.get("choice_columns")),
        language=parameters.get("language") or "en",
        bom=bool(parameters.get("bom")),
        raw=bool(parameters.get("raw")),
    )


def export_into_job(job_id: int) -> None:
    job = Job.objects.select_related("round").get(pk=job_id)
    fmt = job.parameters.get("format")
    if fmt not in FORMATS:
        raise ValueError(UNKNOWN_FORMAT.format(fmt=fmt))
    total = job.round.responses.count()
    jobs.job_progress(job_id=job_id, done=0, total=total, message="Exporting the responses")
    name = export_filename(job.round, fmt)
    handle, path = tempfile.mkstemp(prefix="iscm-export-", suffix=FILE_SUFFIXES[fmt])
    os.close(handle)
    try:
        write_export(
            job.round, fmt, path, export_options(job.parameters), progress=Reporter(job_id, total)
        )
        jobs.job_attach_path(job_id=job_id, name=name, path=path, content_type=CONTENT_TYPES[fmt])
    finally:
        os.unlink(path)
    jobs.job_succeed(job_id=job_id, message=f"{name}: {total} responses")


class Reporter:
    """The export's progress callback: records progress (and a heartbeat) every PROGRESS_EVERY
    responses or PROGRESS_SECONDS, and at the end, so a big export costs few queries."""

    def __init__(self, job_id: int, total: int) -> None:
        self.job_id, self.total = job_id, total
        self.last = time.monotonic()
        self.slow = float(os.environ.get(SLOW_EXPORT_ENV) or 0)  # the test hook, see above

    def __call__(self, done: int) -> None:
        if self.slow:
            time.sleep(self.slow)
        now = time.monotonic()
        due = done % PROGRESS_EVERY == 0 or now - self.last >= PROGRESS_SECONDS
        if due or done >= self.total or self.slow:
            jobs.job_progress(
                job_id=self.job_id,
                done=done,
                total=self.total,
                message=f"{done} of {self.total} responses",
            )
            self.last = now


def requeue_or_fail(job_id: int, exc: OperationalError) -> None:
    """If even this cannot be written (the database is gone), the job stays running without a
    heartbeat: the retry or the watchdog takes it over after jobs.stale_after()."""
    try:
        jobs.job_requeue_or_fail(
            job_id=job_id, error=f"{type(exc).__name__}: {exc}", max_attempts=MAX_ATTEMPTS
        )
    except OperationalError:
        logger.warning("Could not record the state of export job %s", job_id)
