"""The respondent's pages: query counts of a page and of an autosave for three sizes of
questionnaire, then the load test."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assessments.questionnaires.models import Audience
from assessments.responses.models import Response
from assessments.rounds.models import Invitation, RoundParticipant, SurveyRound

from .common import HOST, error_text
from .load import LOAD_CLIENTS, load_test
from .respondents import Respondent, respondent_for


def answering_participants(survey_round: SurveyRound, kind: str) -> Any:
    """Participants of `kind` with at least one per-mechanism response, the biggest first."""
    from django.db.models import Count

    return (
        RoundParticipant.objects.filter(round=survey_round, kind=kind)
        .annotate(blocks=Count("responses"))
        .filter(blocks__gt=1)
        .select_related("round", "state", "organization", "invitation")
        .order_by("-blocks", "pk")
    )


def state_participants(survey_round: SurveyRound, count: int) -> list[RoundParticipant]:
    """`count` States, those answering about the most mechanisms first (the biggest pages)."""
    return list(answering_participants(survey_round, Audience.STATE)[:count])


@contextlib.contextmanager
def editable(participants: list[RoundParticipant]) -> Iterator[None]:
    """Reopen the participants' responses for the web measurements, submitted again after."""
    responses = Response.objects.filter(participant__in=participants)
    invitations = Invitation.objects.filter(participant__in=participants)
    responses.update(status=Response.Status.REOPENED)
    invitations.update(status=Invitation.Status.IN_PROGRESS)
    try:
        yield
    finally:
        responses.update(status=Response.Status.SUBMITTED)
        invitations.update(status=Invitation.Status.SUBMITTED)


def measure_web(survey_round: SurveyRound, *, load: bool, folder: Path) -> dict[str, Any]:
    """Query counts of the page and of an autosave for three sizes of questionnaire (the State
    answering about the most mechanisms, the one about the fewest, an organization answering
    about every mechanism), then the load test with 20 States."""
    result: dict[str, Any] = {}
    try:
        participants = state_participants(survey_round, LOAD_CLIENTS)
        smallest = answering_participants(survey_round, Audience.STATE).reverse().first()
        organization = answering_participants(survey_round, Audience.ORGANIZATION).first()
        sizes = {"largest": participants[0], "smallest": smallest, "organization": organization}
        sizes = {label: p for label, p in sizes.items() if p is not None}
        respondents = [respondent_for(p) for p in participants]
        with editable([*participants, *sizes.values()]):
            result["queries"] = query_counts(
                {label: respondent_for(p) for label, p in sizes.items()}
            )
            if load:
                result["load"] = load_test(respondents, folder)
    except Exception as exc:
        result["error"] = error_text(exc)
    return result


# Not counted as queries (as the views' tests count them): the transaction's own statements.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def statements(captured: CaptureQueriesContext) -> int:
    return sum(
        1 for q in captured.captured_queries
        if not q["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)
    )  # fmt: skip


def query_counts(respondents: dict[str, Respondent]) -> dict[str, Any]:
    """Queries of the page view and of an autosave (one text changed) for each respondent: the
    count must not depend on the questionnaire's size. The autosave counted is the second one,
    as in a running worker, whose first save caches the questionnaire's question ids; BEGIN and
    COMMIT are not counted (`autosave_transaction` has them)."""
    counts: dict[str, Any] = {}
    for label, respondent in respondents.items():
        client = Client(HTTP_HOST=HOST)
        client.get(respondent.invitation_path)
        with CaptureQueriesContext(connection) as page:
            status = client.get(respondent.page_path).status_code
        for _warm_up_then_count in range(2):
            version = Response.objects.values_list("version", flat=True).get(
                pk=respondent.response.pk
            )
            data: dict[str, list[str]] = {}
            for name, value in respondent.autosave_fields(version):
                data.setdefault(name, []).append(value)
            with CaptureQueriesContext(connection) as save:
                saved = client.post(respondent.autosave_path, data).status_code
        blocks = Response.objects.filter(participant=respondent.participant).count() - 1
        counts[label] = {
            "mechanisms": blocks, "page": statements(page), "page_status": status,
            "autosave": statements(save), "autosave_transaction": len(save) - statements(save),
            "autosave_status": saved,
        }  # fmt: skip
    return counts
