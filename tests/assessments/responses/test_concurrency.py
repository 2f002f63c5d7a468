"""Concurrent writes with real threads: nothing acknowledged is lost, nothing is done twice.

They run on PostgreSQL and on SQLite (the embedded default, a file in WAL mode whose
transactions take the write lock when they begin); `make test` runs this module on both."""

from __future__ import annotations

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections

from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.services import questionnaire_import
from assessments.questionnaires.shipped import load_shipped_questionnaires
from assessments.responses.models import Response
from assessments.responses.services import (
    StaleVersion,
    participant_responses,
    response_save_answers,
    response_submit,
    stored_answers,
)
from assessments.rounds.models import Invitation, Notification
from assessments.rounds.services.rounds import round_add_participant, round_create, round_open
from mechanisms.models import Mechanism, State
from mechanisms.services import load_reference_data

pytestmark = pytest.mark.django_db(transaction=True)
WRITERS = 50


def many_questions_questionnaire(audience: str) -> Questionnaire:
    """A published questionnaire of 50 text questions (and nothing else) for one audience."""
    return questionnaire_import({
        "format": "iscm-questionnaire", "format_version": 1, "key": f"many-{audience}", "version": 1,
        "audience": audience, "status": "published", "title": {"en": "Many questions"},
        "sections": [{"code": "S", "title": {"en": "All"}, "per_mechanism": False, "questions": [
            {"code": f"q{n}", "type": "text", "text": {"en": f"Question {n}"}} for n in range(WRITERS)
        ]}],
    })  # fmt: skip


def open_round(questionnaires: dict[str, Questionnaire]):
    today = datetime.date.today()
    survey_round = round_create(
        name="Concurrency", slug="concurrency", year=2026, opens_on=today,
        closes_on=today + datetime.timedelta(days=10), questionnaires=questionnaires,
        with_default_participants=False,
    )  # fmt: skip
    participant = round_add_participant(
        survey_round=survey_round, party=State.objects.get(country="MX")
    )
    round_add_participant(survey_round=survey_round, party=Mechanism.objects.get(acronym="RCM"))
    return survey_round, participant


def in_thread(function):
    """Run `function` on a worker thread's own connection, closing it afterwards."""

    def wrapped(*args):
        try:
            return function(*args)
        finally:
            connections.close_all()

    return wrapped


def test_fifty_concurrent_autosaves_lose_no_acknowledged_answer():
    load_reference_data(settings.REFERENCE_DATA_DIR)
    state = many_questions_questionnaire("state")
    load_shipped_questionnaires()
    published = {q.audience: q for q in Questionnaire.objects.published().exclude(audience="state")}
    survey_round, participant = open_round({**published, "state": state})
    survey_round = round_open(survey_round=survey_round)
    response = participant_responses(participant)[0]
    start = threading.Barrier(WRITERS)

    @in_thread
    def autosave(n: int) -> int:
        """Like the browser: send the version last seen; on 409, read again and retry."""
        start.wait()
        version = Response.objects.get(pk=response.pk).version
        while True:
            try:
                saved, _result = response_save_answers(
                    response=response, answers={f"q{n}": f"answer {n}"}, expected_version=version
                )
                return saved.version
            except StaleVersion as stale:
                version = stale.current

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        versions = list(pool.map(autosave, range(WRITERS)))

    answers = stored_answers(Response.objects.get(pk=response.pk), questionnaire_schema(state))
    assert answers == {f"q{n}": f"answer {n}" for n in range(WRITERS)}
    assert sorted(versions) == list(range(2, WRITERS + 2))  # each acknowledged once, in turn


def test_double_submit_submits_once():
    load_reference_data(settings.REFERENCE_DATA_DIR)
    load_shipped_questionnaires()
    survey_round, participant = open_round(
        {q.audience: q for q in Questionnaire.objects.published()}
    )
    survey_round = round_open(survey_round=survey_round)
    response = participant_responses(participant)[0]
    response_save_answers(
        response=response, answers={"institution": "Ministry"}, expected_version=None
    )
    start = threading.Barrier(2)

    @in_thread
    def submit(_n: int) -> tuple[str, int]:
        start.wait()
        submitted = response_submit(response=response)
        return submitted.status, submitted.version

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(submit, range(2)))

    assert results == [("submitted", 3), ("submitted", 3)]
    assert Response.history.filter(id=response.pk, status="submitted").count() == 1


def test_two_admins_opening_a_round_send_one_set_of_invitations(settings):
    load_reference_data(settings.REFERENCE_DATA_DIR)
    load_shipped_questionnaires()
    survey_round, _participant = open_round(
        {q.audience: q for q in Questionnaire.objects.published()}
    )
    start = threading.Barrier(2)

    @in_thread
    def open_it(_n: int) -> str:
        start.wait()
        try:
            round_open(survey_round=survey_round)
        except ValidationError:
            return "refused"
        return "opened"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(open_it, range(2)))

    assert outcomes == ["opened", "refused"]
    assert Invitation.objects.filter(participant__round=survey_round).count() == 2
    assert (
        Notification.objects.filter(
            invitation__participant__round=survey_round, key="invitation"
        ).count()
        <= 2
    )


def test_an_autosave_and_a_page_save_at_the_same_moment_both_land_fifty_times():
    """The browser's autosave (sends the version it saw; on 409 reads again and retries) and
    "Save and continue" (a page post) race, 50 times: no error, and both answers stored."""
    load_reference_data(settings.REFERENCE_DATA_DIR)
    state = many_questions_questionnaire("state")
    load_shipped_questionnaires()
    published = {q.audience: q for q in Questionnaire.objects.published().exclude(audience="state")}
    survey_round, participant = open_round({**published, "state": state})
    survey_round = round_open(survey_round=survey_round)
    response = participant_responses(participant)[0]
    errors: list[BaseException] = []

    @in_thread
    def autosave(n: int, start: threading.Barrier) -> None:
        start.wait()
        version = Response.objects.get(pk=response.pk).version
        while True:
            try:
                response_save_answers(
                    response=response, answers={"q1": f"autosave {n}"}, expected_version=version
                )
                return
            except StaleVersion as stale:
                version = stale.current

    @in_thread
    def page_save(n: int, start: threading.Barrier) -> None:
        start.wait()
        response_save_answers(response=response, answers={"q2": f"page {n}"}, expected_version=None)

    for n in range(WRITERS):
        start = threading.Barrier(2)
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(autosave, n, start), pool.submit(page_save, n, start)]
        errors += [f.exception() for f in futures if f.exception() is not None]
        answers = stored_answers(Response.objects.get(pk=response.pk), questionnaire_schema(state))
        assert (answers.get("q1"), answers.get("q2")) == (f"autosave {n}", f"page {n}")
    assert errors == []
