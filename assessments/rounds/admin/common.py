"""What the round admin's pages share: the party fields, and running a service on each selected
object with its refusals as messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from assessments.rounds.models import (
    SurveyRound,
)

PARTY_FIELDS = ("mechanism", "state", "organization")
PARTY_SELECT = ("mechanism", "state", "organization")


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def run_each(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: QuerySet,
    action: Callable[[Any], object],
) -> list[tuple[Any, object]]:
    """Call `action` on each selected object; a refusal becomes an error message naming it."""
    done = []
    for obj in objects:
        try:
            done.append((obj, action(obj)))
        except ValidationError as exc:
            model_admin.message_user(request, f"{obj}: {error_text(exc)}", messages.ERROR)
    return done


def accepts_participants(survey_round: SurveyRound | None) -> bool:
    return survey_round is None or survey_round.status in (
        SurveyRound.Status.DRAFT,
        SurveyRound.Status.OPEN,
    )
