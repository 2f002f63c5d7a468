"""The Celery application: `celery -A config worker` loads it."""

from __future__ import annotations

import logging
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)

app = Celery("iscm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The assessments app keeps its tasks in its domain packages, each in its own `tasks` module.
app.autodiscover_tasks(
    ["assessments.rounds", "assessments.summaries", "assessments.reporting", "assessments.jobs"]
)


@worker_process_init.connect
def preload_renderers(**_kwargs: object) -> None:
    """Each worker process loads the document libraries once, before its first job."""
    from assessments.reporting.render import preload

    try:
        preload()
    except Exception:  # the worker still serves the other tasks; a report will say what fails
        logger.exception("Could not preload the document libraries")
