"""The round report job: start it from a page, compute it in a worker, watch it on the job page.

The worker claims the job (a second delivery of the same task returns at once), reports each
step, and attaches the files by name, so a re-run ends with one set of files. A transient
database error puts the job back in the queue for Celery's retry until the last attempt, which
records the failure; any other error fails the job at once.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError, connection, transaction

from assessments.jobs import services as jobs
from assessments.jobs.models import Job
from assessments.rounds.models import SurveyRound

logger = logging.getLogger(__name__)

# The task retries 3 times: the 4th claim is the last attempt.
MAX_ATTEMPTS = 4
FILES = (  # the PDF last: it is being laid out meanwhile (see build_report_files)
    ("report.html", "html"),
    ("report.xlsx", "xlsx"),
    ("report.docx", "docx"),
    ("report.pdf", "pdf"),
)
STEPS = 1 + len(FILES)  # the figures, then one step per file
# Memory for each sort or hash of the figures' queries. They group every answer row of the
# round (1.1 M at the benchmark's 40x): with PostgreSQL's default 4 MB, the answers' counts are
# sorted on disk and grouped (2 s); with this much, they are hashed in memory (0.6 s).
FIGURES_WORK_MEM = "64MB"


@transaction.atomic
def report_job_start(
    *,
    survey_round: SurveyRound,
    previous_round: SurveyRound | None = None,
    language: str = "en",
    user: Any = None,
) -> Job:
    """Create the job; its task is enqueued once the job is committed."""
    job = jobs.job_create(
        kind=Job.Kind.ROUND_REPORT,
        survey_round=survey_round,
        parameters={
            "previous_round_id": previous_round.pk if previous_round else None,
            "language": language,
        },
        user=user,
    )
    from assessments.reporting.tasks import round_report_task

    transaction.on_commit(lambda: round_report_task.delay(job.pk))
    return job


def run_report_job(*, job_id: int) -> None:
    if not jobs.job_claim(job_id=job_id):
        return
    try:
        build_report_files(job_id)
    except OperationalError as exc:
        retry_or_fail(job_id, exc)
        raise
    except SoftTimeLimitExceeded:
        logger.warning("Round report job %s ran out of time", job_id)
        jobs.job_fail_on_time_limit(job_id=job_id)
    except Exception as exc:
        logger.exception("Round report job %s failed", job_id)
        jobs.job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")


def build_report_files(job_id: int) -> None:
    from assessments.reporting import render
    from assessments.reporting.selectors import round_report_data

    job = Job.objects.select_related("round").get(pk=job_id)
    parameters = job.parameters or {}
    previous = SurveyRound.objects.filter(pk=parameters.get("previous_round_id")).first()
    language = parameters.get("language") or "en"
    jobs.job_progress(job_id=job_id, done=0, total=STEPS, message="Aggregating the answers")
    with transaction.atomic():  # SET LOCAL lasts until the end of the transaction
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('work_mem', %s, true)", [FIGURES_WORK_MEM])
        data = round_report_data(job.round, previous_round=previous, language=language)
    drawn = render.ReportCharts(data)  # each chart laid out once for the HTML, PDF and Word
    # The PDF's own sections: without the frequency appendix (the other files have it). It is
    # laid out in a child process while this one writes the other files.
    with render.PendingPdf(render.to_html(data, printed=True, drawn=drawn)) as pdf:
        writers = {
            "html": lambda: render.to_html(data, drawn=drawn).encode("utf-8"),
            "xlsx": lambda: render.to_xlsx(data),
            "docx": lambda: render.to_docx(data, drawn=drawn),
            "pdf": pdf.result,
        }
        for done, (name, fmt) in enumerate(FILES, start=1):
            jobs.job_progress(job_id=job_id, done=done, total=STEPS, message=f"Writing {name}")
            content = writers[fmt]()
            jobs.job_attach_file(
                job_id=job_id, name=name, content=content, content_type=render.CONTENT_TYPES[fmt]
            )
    jobs.job_succeed(job_id=job_id, message=f"Report of {job.round.name} ready")


def retry_or_fail(job_id: int, exc: OperationalError) -> None:
    """Back to the queue for the retry (job_claim takes only queued jobs), or failed for good
    on the last attempt. If even that cannot be written, the job stays running without a
    heartbeat, and the watchdog's requeue (or a claim after STALE_AFTER) picks it up."""
    try:
        attempts = Job.objects.filter(pk=job_id).values_list("attempts", flat=True).first() or 0
        if attempts >= MAX_ATTEMPTS:
            jobs.job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        else:
            Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
                status=Job.Status.QUEUED,
                message=f"Retrying after a database error (attempt {attempts})",
                error=f"{type(exc).__name__}: {exc}",
            )
    except OperationalError:
        logger.warning("Could not record the state of round report job %s", job_id)
