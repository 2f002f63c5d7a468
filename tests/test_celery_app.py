"""The Celery application in config/celery.py."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

PRELOAD_CHECK = """
import os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from celery.signals import worker_process_init
import config.celery
assert "weasyprint" not in sys.modules, "already imported: the check would prove nothing"
worker_process_init.send(sender=None)
assert {"weasyprint", "docx", "openpyxl"} <= set(sys.modules)
print("preloaded")
"""


def test_each_worker_process_loads_the_document_libraries_when_it_starts():
    done = subprocess.run(
        [sys.executable, "-c", PRELOAD_CHECK], cwd=settings.BASE_DIR, capture_output=True,
        text=True, timeout=120, env={**os.environ, "DEBUG": "true"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("preloaded")


EAGER_TASK = """
import os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.conf import settings
from assessments.jobs.tasks import requeue_stale_jobs_task
assert settings.CELERY_TASK_ALWAYS_EAGER
requeue_stale_jobs_task.delay()
print("ran")
"""


def test_an_eager_task_with_no_broker_set_runs_without_kombu_warnings(tmp_path):
    """`manage.py load_demo` and the other commands run tasks in-process when no broker is set;
    they used to print Kombu's "No hostname was supplied" warning."""
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    env.update(DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR, env=env, check=True, timeout=300,
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", EAGER_TASK], cwd=settings.BASE_DIR, capture_output=True,
        text=True, timeout=120, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ran")
    assert "hostname" not in done.stderr.lower(), done.stderr
    assert "warning" not in done.stderr.lower(), done.stderr
