from __future__ import annotations

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

__all__ = [
    "Answer",
    "Audience",
    "Choice",
    "FocalPoint",
    "Invitation",
    "Notification",
    "Question",
    "QuestionType",
    "Questionnaire",
    "Response",
    "RoundParticipant",
    "Section",
    "SurveyRound",
]
