"""The admin of every domain: Django's admin autodiscovery imports this module."""

from __future__ import annotations

from assessments.jobs import admin as jobs_admin
from assessments.questionnaires import admin as questionnaires_admin
from assessments.responses import admin as responses_admin
from assessments.rounds import admin as rounds_admin
from assessments.summaries import admin as summaries_admin

__all__ = [
    "jobs_admin",
    "questionnaires_admin",
    "responses_admin",
    "rounds_admin",
    "summaries_admin",
]
