from __future__ import annotations

from assessments.models.questionnaires import (
    Audience,
    Choice,
    Question,
    Questionnaire,
    QuestionType,
    Section,
)

__all__ = ["Audience", "Choice", "Question", "QuestionType", "Questionnaire", "Section"]
