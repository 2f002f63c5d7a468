"""A real Celery worker (a subprocess) runs export jobs against PostgreSQL and Redis, and a
worker killed in the middle of a job is replaced: the job ends succeeded with one result file.

Needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL). Without them the tests are
skipped locally, but fail in CI (CI=true), where no test may skip.

The workers get the test database, their own queue, and from their environment:
CELERY_VISIBILITY_TIMEOUT (Redis hands a message its worker never acknowledged to a worker that
starts after this long), JOB_STALE_SECONDS (a running job without a heartbeat for this long may
be taken over), and the test hook ISCM_TEST_SLOW_EXPORT (assessments/services/export_jobs.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction

from assessments.models import Job
from assessments.services.export_jobs import export_job_start
from assessments.services.exports import write_export
from config.celery import app as celery_app
from tests.assessments.test_exports import RESPONSES, build_round

IN_CI = os.environ.get("CI") == "true"
VISIBILITY_TIMEOUT = 4  # seconds
STALE_SECONDS = 2  # above the gap between two heartbeats of a live (slowed) export
SLOW_SECONDS = 1.0  # per response, in the worker that gets killed
JOB_TIMEOUT = 60
READY_TIMEOUT = 45
SETTINGS_NEEDED = """config/settings.py must read these from the environment:
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)}
JOB_STALE_SECONDS = env.int("JOB_STALE_SECONDS", default=10 * 60)"""


def require_services() -> None:
    missing = []
    if connection.vendor != "postgresql":
        missing.append("DATABASE_URL to point at PostgreSQL")
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        missing.append("CELERY_BROKER_URL to point at Redis")
    if not missing:
        return
    message = "The worker integration tests need " + " and ".join(missing)
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def database_url() -> str:
    """The test database (pytest-django's test_ prefixed one) as a URL for the worker."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    credentials = f"{quote(db['USER'], safe='')}{password}@" if db.get("USER") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


class Workers:
    """Celery workers started as subprocesses on one queue; all are stopped at the end."""

    def __init__(self, queue: str, logs: Path) -> None:
        self.queue, self.logs = queue, logs
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self, **extra_env: str) -> subprocess.Popen:
        number = len(self.started) + 1
        log = self.logs / f"worker-{number}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
            "DEBUG": "true",
            "SECRET_KEY": "x",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "JOB_STALE_SECONDS": str(STALE_SECONDS),
            **extra_env,
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
            "--concurrency=1", "--loglevel=INFO", "-Q", self.queue,
            "-n", f"{self.queue}-{number}@%h", "--without-mingle", "--without-gossip",
            "--without-heartbeat",
        ]  # fmt: skip
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        self.started.append((process, log))
        wait_until(lambda: " ready." in log.read_text(errors="replace"), READY_TIMEOUT,
                   f"worker {number} to be ready", self, process)  # fmt: skip
        return process

    def output(self) -> str:
        return "\n".join(
            f"--- {log.name} ---\n{log.read_text(errors='replace')[-4000:]}"
            for _process, log in self.started
        )

    def stop_all(self) -> None:
        for process, _log in self.started:
            if process.poll() is None:
                process.terminate()
        for process, _log in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    workers: Workers,
    process: subprocess.Popen | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"The worker exited ({process.returncode}) waiting for {what}.\n"
                        + workers.output())  # fmt: skip
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout} s waiting for {what}.\n" + workers.output())
        time.sleep(0.2)


def job_now(job_id: int) -> Job:
    return Job.objects.get(pk=job_id)


@pytest.fixture
def services() -> None:
    require_services()


@pytest.fixture
def workers(services, transactional_db, tmp_path) -> Iterator[Workers]:
    """A queue of this test's own (so that no other worker takes its tasks, and its tasks go
    nowhere else), workers on it, and everything stopped and removed whatever happens."""
    queue = f"iscm-test-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue  # every task this test enqueues goes there
    started = Workers(queue, tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
        celery_app.conf.task_default_queue = previous
        with celery_app.connection_for_write() as broker:
            broker.default_channel.queue_delete(queue)


@pytest.fixture
def survey_round(workers):
    """Built after the queue is set: opening the round enqueues its invitations task."""
    return build_round()


def expected_export(survey_round, fmt: str, tmp_path: Path) -> bytes:
    path = tmp_path / f"expected.{fmt}"
    write_export(survey_round, fmt, path)
    return path.read_bytes()


def test_a_worker_runs_an_export_job_end_to_end(workers, survey_round, tmp_path):
    workers.start()
    with transaction.atomic():
        job = export_job_start(survey_round=survey_round, fmt="csv")
    # committed: the task is on the queue now

    wait_until(lambda: job_now(job.pk).is_finished, JOB_TIMEOUT, "the job to finish", workers)
    job = job_now(job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error + workers.output()
    assert (job.progress_done, job.progress_total, job.attempts) == (RESPONSES, RESPONSES, 1)
    (job_file,) = job.files.all()
    assert job_file.file.read() == expected_export(survey_round, "csv", tmp_path)


def test_a_job_whose_worker_was_killed_ends_succeeded_with_one_file(
    workers, survey_round, tmp_path
):
    if "visibility_timeout" not in getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or (
        not hasattr(settings, "JOB_STALE_SECONDS")
    ):
        pytest.fail(SETTINGS_NEEDED)
    first = workers.start(ISCM_TEST_SLOW_EXPORT=str(SLOW_SECONDS))
    with transaction.atomic():
        job = export_job_start(survey_round=survey_round, fmt="json")

    def started() -> bool:
        current = job_now(job.pk)
        return current.status == Job.Status.RUNNING and current.progress_done >= 1

    wait_until(started, JOB_TIMEOUT, "the job to be under way", workers, first)
    seen_running = time.monotonic()  # the message was delivered before this
    first.kill()  # SIGKILL: no warm shutdown, the message is never acknowledged
    first.wait()
    killed = job_now(job.pk)
    assert killed.status == Job.Status.RUNNING and killed.progress_done < RESPONSES
    assert killed.attempts == 1 and not killed.files.exists()

    # A worker restores unacknowledged messages older than the visibility timeout when it
    # starts; by then the dead worker's job has had no heartbeat for longer than STALE_SECONDS.
    time.sleep(max(0.0, seen_running + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    workers.start(ISCM_TEST_SLOW_EXPORT="0.1")

    wait_until(lambda: job_now(job.pk).is_finished, JOB_TIMEOUT, "the job to finish", workers)
    job = job_now(job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error + workers.output()
    assert job.attempts == 2
    (job_file,) = job.files.all()
    assert job_file.file.read() == expected_export(survey_round, "json", tmp_path)
