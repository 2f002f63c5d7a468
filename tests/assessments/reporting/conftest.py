"""Fixtures of the reporting tests: the two rounds of the round report (see report_helpers),
built once per module, and the current round's report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import transaction

from assessments.questionnaires.shipped import load_shipped_questionnaires
from assessments.rounds.models import SurveyRound
from mechanisms.services import load_reference_data
from tests.assessments.reporting.report_helpers import (
    CURRENT,
    DRAFT_CR,
    PREVIOUS,
    answer,
    new_round,
)


@pytest.fixture(scope="module")
def rounds(django_db_setup, django_db_blocker) -> Iterator[tuple[SurveyRound, SurveyRound]]:
    """Both rounds, built once for the module and rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data(settings.REFERENCE_DATA_DIR)
        load_shipped_questionnaires()
        previous, participants = new_round("r2019", 2019, ["RCM", "SACM", "MX", "AR"])
        for code, answers in PREVIOUS.items():
            answer(participants[code], answers)
        current, participants = new_round(
            "r2024", 2024, ["RCM", "SACM", "CMC", "MX", "AR", "DO", "CR", "UNHCR"]
        )
        for code, answers in CURRENT.items():
            answer(participants[code], answers)
        answer(participants["CR"], DRAFT_CR, submit=False)
        yield current, previous
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def report(rounds):
    from assessments.reporting.selectors import round_report_data

    current, previous = rounds
    return round_report_data(current, previous_round=previous)
