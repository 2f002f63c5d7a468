"""Every model of the app, for Django to register them under the one label `assessments`.

Domain code imports a model from its own domain's `models` module, never from here: this module
imports every domain, so importing it from one would tie the domains into a circle.
"""

from __future__ import annotations

from assessments.jobs.models import Job, JobFile, JobItem
from assessments.questionnaires.models import (
    Audience,
    Choice,
    Question,
    Questionnaire,
    QuestionType,
    Section,
)
from assessments.responses.models import Answer, Response
from assessments.rounds.models import (
    FocalPoint,
    Invitation,
    Notification,
    RoundParticipant,
    SurveyRound,
)
from assessments.summaries.models import Summary

__all__ = [
    "Answer",
    "Audience",
    "Choice",
    "FocalPoint",
    "Invitation",
    "Job",
    "JobFile",
    "JobItem",
    "Notification",
    "Question",
    "QuestionType",
    "Questionnaire",
    "Response",
    "RoundParticipant",
    "Section",
    "Summary",
    "SurveyRound",
]
