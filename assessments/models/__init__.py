from __future__ import annotations

from assessments.models.jobs import Job, JobFile, JobItem
from assessments.models.questionnaires import (
    Audience,
    Choice,
    Question,
    Questionnaire,
    QuestionType,
    Section,
)
from assessments.models.responses import Answer, Response
from assessments.models.rounds import (
    FocalPoint,
    Invitation,
    Notification,
    RoundParticipant,
    SurveyRound,
)
from assessments.models.summaries import Summary

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
