from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from assessments.rounds.models import FocalPoint, Notification
from assessments.rounds.services.personal_data import focal_point_erase, focal_point_personal_data
from tests.factories import StateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def focal_point():
    state = StateFactory(country="MX")
    fp = FocalPoint.objects.create(
        kind="state", state=state, name="Ana Pérez", email="ana@example.org", language="es"
    )
    fp.name = "Ana Pérez García"
    fp.save()
    return fp


def test_export_lists_the_person_and_their_history(focal_point):
    data = focal_point_personal_data(email="ANA@example.org")
    assert data["focal_points"][0]["name"] == "Ana Pérez García"
    assert [h["name"] for h in data["focal_points"][0]["history"]] == [
        "Ana Pérez",
        "Ana Pérez García",
    ]


def test_erase_removes_name_and_address_everywhere_including_history(focal_point):
    assert focal_point_erase(email="ana@example.org") == 1
    focal_point.refresh_from_db()
    assert focal_point.name == "(erased)" and "ana" not in focal_point.email
    assert not focal_point.history.filter(email="ana@example.org").exists()
    assert not focal_point.history.filter(name__startswith="Ana").exists()
    assert focal_point_personal_data(email="ana@example.org")["focal_points"] == []


def test_erase_removes_the_address_from_sent_emails(focal_point):
    import datetime

    from django.conf import settings

    from assessments.questionnaires.models import Questionnaire
    from assessments.questionnaires.shipped import load_shipped_questionnaires
    from assessments.rounds.services.rounds import round_add_participant, round_create
    from mechanisms.services import load_reference_data

    load_reference_data(settings.REFERENCE_DATA_DIR)
    load_shipped_questionnaires()
    today = datetime.date.today()
    survey_round = round_create(
        name="R", slug="r", year=2026, opens_on=today, closes_on=today,
        questionnaires={q.audience: q for q in Questionnaire.objects.published()},
        with_default_participants=False,
    )  # fmt: skip
    participant = round_add_participant(survey_round=survey_round, party=focal_point.state)
    from assessments.rounds.models import Invitation

    invitation = Invitation.objects.create(
        participant=participant, expires_at=datetime.datetime.now(datetime.UTC)
    )
    sent = Notification.objects.create(
        invitation=invitation, kind="invitation", key="invitation",
        recipients=["ana@example.org", "other@example.org"],
    )  # fmt: skip
    assert focal_point_personal_data(email="ana@example.org")["emails_sent"]
    focal_point_erase(email="ana@example.org")
    sent.refresh_from_db()
    assert sent.recipients == ["other@example.org", "(erased)"]


def test_the_command_exports_and_erases(focal_point, capsys):
    call_command("personal_data", "ana@example.org", "--export")
    assert json.loads(capsys.readouterr().out)["focal_points"][0]["email"] == "ana@example.org"
    call_command("personal_data", "ana@example.org", "--erase")
    with pytest.raises(CommandError, match="No personal data"):
        call_command("personal_data", "ana@example.org", "--export")


def test_the_command_refuses_a_non_address():
    with pytest.raises(CommandError, match="not an email address"):
        call_command("personal_data", "nobody", "--export")
