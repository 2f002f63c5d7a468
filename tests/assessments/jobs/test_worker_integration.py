"""A real Celery worker (a subprocess) runs export and report jobs against PostgreSQL and Redis.
Whatever goes wrong, a job ends succeeded with one set of files or failed with its error shown,
never "running" for ever: a worker killed in the middle of a job is replaced; a broker (a
redis-server of the test's own) restarted mid-job, losing its messages; a job past the soft time
limit fails saying so; one killed at the hard limit every time is given up by the watchdog.

Needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL). Without them the tests are
skipped locally, but fail in CI (CI=true), where no test may skip.

The workers get the test database, their own queue, and from their environment:
CELERY_VISIBILITY_TIMEOUT (Redis hands a message its worker never acknowledged to a worker that
starts after this long), JOB_STALE_SECONDS (a running job without a heartbeat for this long may
be taken over), and the test hook ISCM_TEST_SLOW_EXPORT (assessments/services/export_jobs.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from assessments.jobs.models import Job
from assessments.reporting.exports import write_export
from assessments.reporting.services.export import export_job_start
from config.celery import app as celery_app
from tests.assessments.reporting.test_exports import RESPONSES, build_round

IN_CI = os.environ.get("CI") == "true"
VISIBILITY_TIMEOUT = 4  # seconds
STALE_SECONDS = 2  # above the gap between two heartbeats of a live (slowed) export
SLOW_SECONDS = 1.0  # per response, in the worker that gets killed
JOB_TIMEOUT = 60
BROKER_RESTART_TIMEOUT = 50  # from the restart to a finished job, the watchdog included
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

    def start(self, pool: str = "solo", **extra_env: str) -> subprocess.Popen:
        """A worker; `pool="prefork"` (one child) where time limits must apply: the solo pool
        ignores them."""
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
            sys.executable, "-m", "celery", "-A", "config", "worker", f"--pool={pool}",
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


# --- a report job ----------------------------------------------------------------------------


def test_a_worker_runs_a_round_report_job_end_to_end(workers, survey_round):
    from assessments.reporting.services.report import FILES, report_job_start

    workers.start()
    with transaction.atomic():
        job = report_job_start(survey_round=survey_round)

    wait_until(lambda: job_now(job.pk).is_finished, JOB_TIMEOUT, "the report to finish", workers)
    job = job_now(job.pk)
    assert job.status == Job.Status.SUCCEEDED, job.error + workers.output()
    assert (job.kind, job.attempts, job.percent, job.error) == (Job.Kind.ROUND_REPORT, 1, 100, "")
    files = {f.name: f for f in job.files.all()}
    assert sorted(files) == sorted(name for name, _fmt in FILES)
    assert all(f.size > 0 for f in files.values())
    assert files["report.pdf"].file.read().startswith(b"%PDF")
    assert survey_round.name in files["report.html"].file.read().decode()


# --- a broker restart ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, without persistence: stopping it loses every message,
    the worst a broker restart can do."""

    def __init__(self, directory: Path) -> None:
        self.directory, self.port = directory, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        directory.mkdir()

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            require_redis_server()
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--daemonize", "no",
                   "--dir", str(self.directory)]  # fmt: skip
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    pytest.fail(f"redis-server did not start on port {self.port}")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis shuts down at once (nothing to save)
            self.process.wait(timeout=10)


def require_redis_server() -> None:
    message = "The broker restart test needs the redis-server binary on the PATH"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def producing_to(url: str) -> Iterator[None]:
    """Send the tasks this process enqueues to the broker at `url`.

    What works with Celery 5.5: `override_settings(CELERY_BROKER_URL=...)` does nothing (the app
    read the Django settings once), and `conf.broker_url` is shadowed by the CELERY_BROKER_URL
    environment variable (Celery's Settings.broker_url reads the environment first); the
    producer uses `conf.broker_write_url`, which falls back to broker_url when unset. The app
    also keeps its producer connections in pools made on first use, so those references are
    dropped too (as Celery itself does after a fork, in `Celery._after_fork`), not closed: the
    pools live in kombu's registry by URL, where the app finds them again afterwards."""

    def drop_pools() -> None:
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    previous = celery_app.conf.get("broker_write_url")
    celery_app.conf.broker_write_url = url
    drop_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_write_url = previous
        drop_pools()


@pytest.fixture
def private_broker(workers, tmp_path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        require_redis_server()
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    try:
        with producing_to(server.url):
            assert celery_app.conf.broker_write_url == server.url
            yield server
    finally:
        workers.stop_all()  # while their broker still answers: a clean warm shutdown
        server.stop()


def run_watchdog_if_stale(job_id: int) -> None:
    """What beat's requeue_stale_jobs_task does every few minutes, for this one job."""
    from assessments.jobs.services import stale_job_ids
    from assessments.jobs.tasks import requeue_stale_jobs_task

    if job_id in stale_job_ids():
        requeue_stale_jobs_task()


def test_a_broker_restart_mid_job_ends_the_job_succeeded_or_failed_never_running(
    workers, survey_round, private_broker, settings, tmp_path
):
    settings.JOB_STALE_SECONDS = STALE_SECONDS  # the watchdog run below, in this process
    worker = workers.start(
        pool="prefork",  # production's pool: its main process sees the broker go mid-task
        CELERY_BROKER_URL=private_broker.url,
        ISCM_TEST_SLOW_EXPORT=str(SLOW_SECONDS),
    )
    with transaction.atomic():
        job = export_job_start(survey_round=survey_round, fmt="csv")

    def started() -> bool:
        current = job_now(job.pk)
        return current.status == Job.Status.RUNNING and current.progress_done >= 1

    wait_until(started, JOB_TIMEOUT, "the job to be under way", workers, worker)
    private_broker.stop()  # every message, acknowledged or not, is gone with it
    time.sleep(1)
    private_broker.start()
    began = time.monotonic()

    def settled() -> bool:
        if job_now(job.pk).is_finished:
            return True
        run_watchdog_if_stale(job.pk)
        return False

    wait_until(settled, BROKER_RESTART_TIMEOUT, "the job to settle after the restart", workers)
    assert time.monotonic() - began < BROKER_RESTART_TIMEOUT
    job = job_now(job.pk)
    if job.status == Job.Status.FAILED:
        assert job.error, workers.output()
        assert not job.files.exists()
        return
    assert job.status == Job.Status.SUCCEEDED, workers.output()
    (job_file,) = job.files.all()
    assert job_file.file.read() == expected_export(survey_round, "csv", tmp_path)
    assert worker.poll() is None, "the worker should outlive its broker's restart"


# --- time limits -----------------------------------------------------------------------------


def test_a_job_past_the_soft_time_limit_ends_failed_saying_so(workers, survey_round):
    workers.start(
        pool="prefork",  # the solo pool ignores time limits
        CELERY_TASK_SOFT_TIME_LIMIT="2",
        CELERY_TASK_TIME_LIMIT="4",
        ISCM_TEST_SLOW_EXPORT=str(SLOW_SECONDS),  # 5 responses: about 5 s, over the limit
    )
    with transaction.atomic():
        job = export_job_start(survey_round=survey_round, fmt="csv")

    wait_until(lambda: job_now(job.pk).is_finished, JOB_TIMEOUT, "the job to finish", workers)
    job = job_now(job.pk)
    assert job.status == Job.Status.FAILED, workers.output()
    assert job.error == "The job took longer than the time limit (2 s) and was stopped."
    assert job.attempts == 1 and not job.files.exists()
    assert job.progress_done < RESPONSES


def test_a_job_killed_at_the_hard_time_limit_each_time_ends_failed_by_the_watchdog(
    workers, survey_round, settings, monkeypatch
):
    """Past the hard limit Celery kills the process and acknowledges the message (no retry):
    the job is left running without a heartbeat; the watchdog requeues it, and gives up after
    MAX_CLAIMS claims with an error that says why."""
    from assessments.jobs import services as jobs

    settings.JOB_STALE_SECONDS = STALE_SECONDS
    settings.CELERY_TASK_TIME_LIMIT = 2  # as the worker's: the watchdog's error names it
    monkeypatch.setattr(jobs, "MAX_CLAIMS", 2)  # the watchdog runs in this process
    workers.start(
        pool="prefork",
        # No soft limit, as for a task stuck where the soft limit's exception cannot reach it
        # (with a soft limit the prefork pool arms the hard one only once the soft one fired).
        CELERY_TASK_SOFT_TIME_LIMIT="0",
        CELERY_TASK_TIME_LIMIT="2",
        ISCM_TEST_SLOW_EXPORT=str(SLOW_SECONDS),
    )
    with transaction.atomic():
        job = export_job_start(survey_round=survey_round, fmt="csv")

    def settled() -> bool:
        if job_now(job.pk).is_finished:
            return True
        run_watchdog_if_stale(job.pk)
        return False

    wait_until(settled, JOB_TIMEOUT, "the watchdog to give up on the job", workers)
    job = job_now(job.pk)
    assert job.status == Job.Status.FAILED, workers.output()
    assert job.attempts == 2 and not job.files.exists()
    assert job.error == jobs.GAVE_UP_ERROR.format(attempts=2, seconds=2), job.error
