"""The export job: started from a service, run by its task, retried, taken over when stale."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.utils import timezone
from openpyxl import load_workbook

from assessments.jobs import services as jobs
from assessments.jobs.models import Job, JobFile
from assessments.jobs.tasks import requeue_stale_jobs_task
from assessments.reporting import exports
from assessments.reporting.services.export import MAX_ATTEMPTS, export_job_start, run_export_job
from assessments.reporting.tasks import export_task, round_report_task
from assessments.rounds.models import SurveyRound
from assessments.summaries.tasks import generate_round_summaries_task
from tests.assessments.reporting.test_exports import RESPONSES, SLUG, build_round

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def export_world(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The round of test_exports, built once for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_round()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def survey_round(export_world, db) -> SurveyRound:
    return SurveyRound.objects.get(slug=SLUG)


@pytest.fixture
def eager(settings):
    """Tasks run in-process when enqueued, as in a deployment without a broker."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


def start_and_run(survey_round, django_capture_on_commit_callbacks, **parameters) -> Job:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = export_job_start(survey_round=survey_round, **parameters)
    assert len(callbacks) == 1
    job.refresh_from_db()
    return job


def command_output(tmp_path, fmt: str, *flags: str) -> bytes:
    path = tmp_path / f"command.{fmt}"
    call_command(
        "export_round", SLUG, "--format", fmt, "-o", str(path), *flags, stdout=io.StringIO()
    )
    return path.read_bytes()


@pytest.mark.parametrize(
    ("fmt", "parameters", "flags"),
    [("csv", {}, []), ("csv-long", {}, []), ("json", {}, []),
     ("csv", {"labels": True, "choice_columns": True, "language": "es", "bom": True},
      ["--labels", "--choice-columns", "--language", "es", "--bom"])],
)  # fmt: skip
def test_an_export_job_runs_end_to_end_and_keeps_the_commands_output(
    survey_round, eager, django_capture_on_commit_callbacks, tmp_path, fmt, parameters, flags
):
    job = start_and_run(survey_round, django_capture_on_commit_callbacks, fmt=fmt, **parameters)
    assert job.kind == Job.Kind.EXPORT and job.round == survey_round
    assert job.parameters == {
        "format": fmt, "labels": False, "choice_columns": False, "language": "en", "bom": False,
        "raw": False, **parameters,
    }  # fmt: skip
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.progress_done, job.progress_total, job.attempts) == (RESPONSES, RESPONSES, 1)
    assert job.started_at and job.finished_at and not job.error
    (job_file,) = job.files.all()
    assert job_file.name == exports.export_filename(survey_round, fmt)
    assert job_file.content_type == exports.CONTENT_TYPES[fmt]
    content = job_file.file.read()
    assert job_file.size == len(content)
    assert content == command_output(tmp_path, fmt, *flags)


def test_an_xlsx_job_holds_the_commands_workbook(
    survey_round, eager, django_capture_on_commit_callbacks, tmp_path
):
    job = start_and_run(survey_round, django_capture_on_commit_callbacks, fmt="xlsx")
    assert job.status == Job.Status.SUCCEEDED, job.error
    # the same bytes (the workbook's parts carry a fixed timestamp), and the same sheets
    assert job.files.get().file.read() == command_output(tmp_path, "xlsx")
    ours = load_workbook(job.files.get().file.path, read_only=True)
    theirs = load_workbook(tmp_path / "command.xlsx", read_only=True)
    for title in ("responses", "answers"):
        assert list(ours[title].values) == list(theirs[title].values)


def test_starting_a_job_enqueues_its_task_after_commit(
    survey_round, django_user_model, django_capture_on_commit_callbacks
):
    user = django_user_model.objects.create_user("secretariat", password="x")
    with (
        mock.patch("assessments.reporting.tasks.export_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = export_job_start(survey_round=survey_round, fmt="csv-long", user=user)
        delay.assert_not_called()
    delay.assert_called_once_with(job.pk)
    assert job.status == Job.Status.QUEUED and job.requested_by == user


@pytest.mark.parametrize(
    ("parameters", "field"),
    [({"fmt": "pdf"}, "fmt"), ({"fmt": "csv", "language": "de"}, "language")],
)
def test_starting_a_job_refuses_unknown_parameters(survey_round, parameters, field):
    with pytest.raises(ValidationError) as refused:
        export_job_start(survey_round=survey_round, **parameters)
    assert field in refused.value.message_dict
    assert not Job.objects.exists()


def test_running_a_job_again_replaces_its_file(survey_round, tmp_path):
    job = export_job_start(survey_round=survey_round, fmt="csv")
    run_export_job(job_id=job.pk)
    first = job.files.get()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    run_export_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2
    (second,) = job.files.all()
    assert second.pk != first.pk and second.name == first.name
    assert second.file.storage.listdir(f"jobs/{job.pk}") == ([], [second.name])
    assert second.file.read() == command_output(tmp_path, "csv")


def test_a_second_delivery_of_a_running_job_does_nothing(survey_round):
    job = export_job_start(survey_round=survey_round, fmt="csv")
    assert jobs.job_claim(job_id=job.pk)
    run_export_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.attempts == 1
    assert not job.files.exists()


def test_a_failing_export_fails_the_job_without_a_file(survey_round, monkeypatch, tmp_path):
    def broken(survey_round):
        raise ValueError("the answers could not be read")
        yield  # pragma: no cover

    monkeypatch.setattr(exports, "responses_with_answers", broken)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    job = export_job_start(survey_round=survey_round, fmt="csv")
    run_export_job(job_id=job.pk)  # recorded on the job, not raised: a retry would not help
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at
    assert job.error == "ValueError: the answers could not be read"
    assert not job.files.exists() and not JobFile.objects.exists()
    assert not list(tmp_path.glob("iscm-export-*"))  # the temporary file is gone too


def test_a_transient_database_error_requeues_the_job_for_the_retry_then_fails_it(
    survey_round, monkeypatch
):
    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("assessments.reporting.services.export.write_export", lost)
    job = export_job_start(survey_round=survey_round, fmt="json")
    with pytest.raises(OperationalError):
        run_export_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and "server closed" in job.error
    Job.objects.filter(pk=job.pk).update(attempts=MAX_ATTEMPTS - 1)
    with pytest.raises(OperationalError):
        run_export_job(job_id=job.pk)  # the last attempt
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.attempts == MAX_ATTEMPTS


def test_the_export_task_retries_only_transient_database_errors():
    assert export_task.autoretry_for == (OperationalError,)
    assert export_task.acks_late is True
    assert export_task.max_retries == MAX_ATTEMPTS - 1


def test_progress_is_recorded_as_the_export_goes(survey_round, monkeypatch):
    seen: list[tuple[int, int]] = []
    real = jobs.job_progress

    def spy(*, job_id, done, total, message=""):
        seen.append((done, total))
        real(job_id=job_id, done=done, total=total, message=message)

    monkeypatch.setattr(jobs, "job_progress", spy)
    monkeypatch.setattr("assessments.reporting.services.export.PROGRESS_EVERY", 2)
    job = export_job_start(survey_round=survey_round, fmt="csv")
    run_export_job(job_id=job.pk)
    assert seen == [(0, RESPONSES), (2, RESPONSES), (4, RESPONSES), (5, RESPONSES)]


# --- the watchdog --------------------------------------------------------------------------


def make_stale(job: Job) -> None:
    long_ago = timezone.now() - jobs.stale_after() - datetime.timedelta(seconds=1)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)


def test_the_watchdog_requeues_a_stale_job_and_a_fresh_claim_takes_it_over(survey_round):
    stale = export_job_start(survey_round=survey_round, fmt="csv")
    alive = export_job_start(survey_round=survey_round, fmt="json")
    for job in (stale, alive):
        assert jobs.job_claim(job_id=job.pk)
    make_stale(stale)
    assert not jobs.job_claim(job_id=alive.pk)  # a running job with a heartbeat is not taken

    with mock.patch("assessments.reporting.tasks.export_task.delay") as delay:
        assert requeue_stale_jobs_task() == [stale.pk]
    delay.assert_called_once_with(stale.pk)

    run_export_job(job_id=stale.pk)  # what the requeued task does
    stale.refresh_from_db()
    assert stale.status == Job.Status.SUCCEEDED and stale.attempts == 2
    assert stale.files.count() == 1


def test_the_watchdog_requeues_each_kind_with_its_own_task(survey_round):
    kinds = {
        Job.Kind.SUMMARIES: generate_round_summaries_task,
        Job.Kind.EXPORT: export_task,
        Job.Kind.ROUND_REPORT: round_report_task,
    }
    created = {}
    for kind in kinds:
        created[kind] = jobs.job_create(kind=kind, survey_round=survey_round)
        jobs.job_claim(job_id=created[kind].pk)
        make_stale(created[kind])
    patches = {kind: mock.patch.object(task, "delay") for kind, task in kinds.items()}
    delays = {kind: patch.start() for kind, patch in patches.items()}
    try:
        requeue_stale_jobs_task()
    finally:
        mock.patch.stopall()
    for kind, delay in delays.items():
        delay.assert_called_once_with(created[kind].pk)


def test_the_stale_delay_comes_from_the_settings(settings):
    settings.JOB_STALE_SECONDS = 7
    assert jobs.stale_after() == datetime.timedelta(seconds=7)
    del settings.JOB_STALE_SECONDS
    assert jobs.stale_after() == jobs.STALE_AFTER
