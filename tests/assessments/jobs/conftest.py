"""The real-worker fixtures of test_worker_integration.py, for the other job tests too."""

from tests.assessments.jobs.test_worker_integration import (  # noqa: F401
    services,
    survey_round,
    workers,
)
