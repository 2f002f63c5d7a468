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
