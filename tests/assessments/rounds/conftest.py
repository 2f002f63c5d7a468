"""Fixtures of the rounds tests."""

from __future__ import annotations

import pytest

from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.shipped import load_shipped_questionnaires


@pytest.fixture(scope="module")
def questionnaires(reference_registry, django_db_blocker) -> dict[str, Questionnaire]:
    """The shipped questionnaires by audience, loaded once per module on top of the registry."""
    with django_db_blocker.unblock():
        load_shipped_questionnaires()
        return {q.audience: q for q in Questionnaire.objects.published()}
