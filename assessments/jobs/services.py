"""Background jobs: create, claim, report progress, attach result files, finish, watchdog.

A job is claimed with a conditional UPDATE so that two deliveries of the same task (acks_late
after a worker died) never run it side by side; result files are replaced by name, so a re-run
ends with exactly one set of files.
"""

from __future__ import annotations

import datetime
import logging
import os
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from assessments.jobs.models import Job, JobFile
from assessments.rounds.models import SurveyRound

logger = logging.getLogger(__name__)
STALE_AFTER = datetime.timedelta(minutes=10)  # the default of settings.JOB_STALE_SECONDS
# Claims of one job after which the watchdog gives up on it instead of requeueing it again: a
# job that kills its worker every time (out of memory, past the hard time limit, which Celery
# acknowledges without a retry) must end failed, not running forever.
MAX_CLAIMS = 4
TIME_LIMIT_ERROR = "The job took longer than the time limit ({seconds} s) and was stopped."
GAVE_UP_ERROR = (
    "The worker running this job stopped {attempts} times without finishing it (killed, out "
    "of memory or past the hard time limit of {seconds} s); giving up."
)


def stale_after() -> datetime.timedelta:
    """How long a running job may go without a heartbeat before another worker takes it over
    (settings.JOB_STALE_SECONDS; keep it well above the longest gap between two heartbeats)."""
    seconds = getattr(settings, "JOB_STALE_SECONDS", None)
    return STALE_AFTER if seconds is None else datetime.timedelta(seconds=seconds)


def job_create(
    *,
    kind: str,
    survey_round: SurveyRound | None = None,
    parameters: dict | None = None,
    user: Any = None,
) -> Job:
    return Job.objects.create(
        kind=kind,
        round=survey_round,
        parameters=parameters or {},
        requested_by=user if getattr(user, "is_authenticated", False) else None,
    )


def job_claim(*, job_id: int) -> bool:
    """Mark a queued job running (or take over one whose worker stopped beating); True if ours."""
    now = timezone.now()
    claimable = Q(status=Job.Status.QUEUED) | Q(
        status=Job.Status.RUNNING, heartbeat_at__lt=now - stale_after()
    )
    claimed = Job.objects.filter(claimable, pk=job_id).update(
        status=Job.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        error="",
    )
    return claimed == 1


def job_progress(*, job_id: int, done: int, total: int, message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        progress_done=min(done, total),
        progress_total=total,
        message=message[:300],
        heartbeat_at=timezone.now(),
    )


def job_attach_file(*, job_id: int, name: str, content: bytes, content_type: str) -> JobFile:
    """Store a result file; a file of the same name from an earlier attempt is replaced."""
    return attach(job_id, name, ContentFile(content), content_type, len(content))


def job_attach_path(
    *, job_id: int, name: str, path: str | os.PathLike, content_type: str
) -> JobFile:
    """Store the file at `path` as a result file, copied through the storage in chunks (a big
    export never sits in memory); a file of the same name from an earlier attempt is replaced."""
    with open(path, "rb") as handle:
        return attach(job_id, name, File(handle), content_type, os.path.getsize(path))


@transaction.atomic
def attach(job_id: int, name: str, content: File, content_type: str, size: int) -> JobFile:
    for old in JobFile.objects.select_for_update().filter(job_id=job_id, name=name):
        old.file.delete(save=False)
        old.delete()
    job_file = JobFile(job_id=job_id, name=name, content_type=content_type, size=size)
    job_file.file.save(name, content, save=False)
    job_file.save()
    return job_file


def job_clear_files(*, job_id: int) -> None:
    for old in JobFile.objects.filter(job_id=job_id):
        old.file.delete(save=False)
        old.delete()


def job_succeed(*, job_id: int, message: str = "") -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.SUCCEEDED, finished_at=now, heartbeat_at=now, message=message[:300],
        progress_done=F("progress_total"),
    )  # fmt: skip


def job_fail(*, job_id: int, error: str) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).exclude(status=Job.Status.SUCCEEDED).update(
        status=Job.Status.FAILED, finished_at=now, heartbeat_at=now, error=error[:5000]
    )


def time_limit_error() -> str:
    """What a job that hit Celery's soft time limit (settings.CELERY_TASK_SOFT_TIME_LIMIT) shows."""
    return TIME_LIMIT_ERROR.format(seconds=getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None))


def job_fail_on_time_limit(*, job_id: int) -> None:
    """After Celery's soft time limit (SoftTimeLimitExceeded): fail the job with a readable error.

    The limit may have interrupted a database call half-way, leaving the connection unusable;
    the failure is then written on a fresh connection."""
    error = time_limit_error()
    try:
        job_fail(job_id=job_id, error=error)
    except DatabaseError:
        connection.close()
        job_fail(job_id=job_id, error=error)


def job_requeue_or_fail(*, job_id: int, error: str, max_attempts: int) -> None:
    """After a transient error: back to the queue, so that the task's retry can claim the job
    again (job_claim takes queued jobs), or failed for good once `max_attempts` claims were made.
    """
    attempts = Job.objects.filter(pk=job_id).values_list("attempts", flat=True).first() or 0
    if attempts >= max_attempts:
        job_fail(job_id=job_id, error=error)
        return
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
        status=Job.Status.QUEUED,
        message=f"Retrying after a transient error (attempt {attempts})",
        error=error[:5000],
    )


def stale_job_ids(*, now: datetime.datetime | None = None) -> list[int]:
    """Running jobs whose worker has not shown a sign of life for stale_after()."""
    now = now or timezone.now()
    return list(
        Job.objects.filter(
            status=Job.Status.RUNNING, heartbeat_at__lt=now - stale_after()
        ).values_list("pk", flat=True)
    )


# --- fanned-out jobs -------------------------------------------------------------------------


def job_add_items(*, job_id: int, keys: list[str]) -> None:
    from assessments.jobs.models import JobItem

    JobItem.objects.bulk_create(
        [JobItem(job_id=job_id, key=key) for key in keys], ignore_conflicts=True
    )
    Job.objects.filter(pk=job_id).update(progress_total=len(keys), progress_done=0)


def job_item_finish(*, job_id: int, key: str, error: str = "") -> None:
    """Record one unit's outcome (again, harmlessly, on a re-run) and settle the job when all
    units are finished: succeeded if none failed, else failed listing every error."""
    from assessments.jobs.models import JobItem

    now = timezone.now()
    status = JobItem.Status.FAILED if error else JobItem.Status.DONE
    JobItem.objects.filter(job_id=job_id, key=key).update(
        status=status, error=error[:2000], finished_at=now
    )
    items = JobItem.objects.filter(job_id=job_id)
    total = items.count()
    finished = items.exclude(status=JobItem.Status.PENDING).count()
    Job.objects.filter(pk=job_id).update(
        progress_done=finished, progress_total=total, heartbeat_at=now, message=key[:300]
    )
    if finished < total:
        return
    errors = list(items.filter(status=JobItem.Status.FAILED).values_list("key", "error"))
    running = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING)
    if errors:
        running.update(
            status=Job.Status.FAILED, finished_at=now,
            error="\n".join(f"{k}: {e}" for k, e in errors)[:5000],
        )  # fmt: skip
    else:
        running.update(status=Job.Status.SUCCEEDED, finished_at=now)


# --- watchdog --------------------------------------------------------------------------------

# The task that runs each kind of job, by its dotted path: imported only when a stale job needs
# it, so that jobs (which every domain's services use) imports no domain's tasks.
JOB_TASKS = {
    Job.Kind.SUMMARIES: "assessments.summaries.tasks.generate_round_summaries_task",
    Job.Kind.EXPORT: "assessments.reporting.tasks.export_task",
    Job.Kind.ROUND_REPORT: "assessments.reporting.tasks.round_report_task",
}


def job_requeue_stale(*, now: datetime.datetime | None = None) -> list[int]:
    """Enqueue again the task of every running job whose worker vanished; the task's job_claim
    takes the job over (it is stale), and a second delivery of the same task returns at once."""
    requeued = []
    stale = Job.objects.filter(pk__in=stale_job_ids(now=now)).values_list("pk", "kind", "attempts")
    for job_id, kind, attempts in stale:
        if attempts >= MAX_CLAIMS:
            give_up(job_id, attempts, now=now)
            continue
        task = import_string(JOB_TASKS[kind]) if kind in JOB_TASKS else None
        if task is None:
            logger.warning("Stale job %s: no task runs jobs of kind %r", job_id, kind)
            continue
        logger.info("Requeueing stale job %s (%s)", job_id, kind)
        task.delay(job_id)
        requeued.append(job_id)
    return requeued


def give_up(job_id: int, attempts: int, *, now: datetime.datetime | None = None) -> None:
    """Fail a stale job for good, unless it showed a sign of life meanwhile."""
    now = now or timezone.now()
    hard_limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", None)
    error = GAVE_UP_ERROR.format(attempts=attempts, seconds=hard_limit)
    logger.warning("Giving up stale job %s after %s claims", job_id, attempts)
    Job.objects.filter(
        pk=job_id, status=Job.Status.RUNNING, heartbeat_at__lt=now - stale_after()
    ).update(status=Job.Status.FAILED, finished_at=now, error=error)
