"""Fixtures of the questionnaire tests."""

from __future__ import annotations

import pytest

from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.shipped import load_shipped_questionnaires


@pytest.fixture
def shipped(reference_data) -> dict[str, Questionnaire]:
    """The three shipped questionnaires (published), by key, over a freshly loaded registry."""
    load_shipped_questionnaires()
    return {q.key: q for q in Questionnaire.objects.all()}
