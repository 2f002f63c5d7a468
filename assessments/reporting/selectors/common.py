"""What the report's figures share: the audiences, levels and codes they are grouped by, shares
in percent, and the result, `ReportData`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy

from assessments.questionnaires.models import Audience, QuestionType

CLOSED_TYPES = (
    QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.MATRIX,
    QuestionType.YES_NO, QuestionType.YES_NO_DK, QuestionType.SCALE5,
)  # fmt: skip
SEVERAL_ROWS_TYPES = (QuestionType.MULTIPLE, QuestionType.MATRIX)
AUDIENCES: tuple[str, ...] = (
    Audience.MECHANISM.value,
    Audience.STATE.value,
    Audience.ORGANIZATION.value,
)
AUDIENCE_LABELS = {
    Audience.MECHANISM: gettext_lazy("Mechanisms"),
    Audience.STATE: gettext_lazy("Member States"),
    Audience.ORGANIZATION: gettext_lazy("Intergovernmental organizations"),
}
LEVELS = ("national", "bilateral", "regional", "interregional", "global")
LEVEL_LABELS = {
    "national": gettext_lazy("National"),
    "bilateral": gettext_lazy("Bilateral"),
    "regional": gettext_lazy("Regional"),
    "interregional": gettext_lazy("Interregional"),
    "global": gettext_lazy("Global"),
}
STRUCTURE_CODES = (
    "chair_model", "chair_rotation", "secretariat_type", "funding_sources", "meeting_frequency",
)  # fmt: skip
NO_REGION = "—"
TOP_KINDS = 3
ALL = "all"

GroupKey = tuple[str, int | None]  # (audience, id of the mechanism the response is about)


def percent(part: int, base: int) -> float | None:
    """Rounded to one decimal; None when nobody is in the base (not 0 %: nothing was asked)."""
    return round(100 * part / base, 1) if base else None


def points(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return round(current - previous, 1)


@dataclass
class ReportData:
    """Every table of the report as plain rows, labels already in `language`."""

    round_name: str
    round_slug: str
    round_year: int
    language: str
    generated_on: datetime.date
    previous_round_name: str | None
    definitions: list[str]
    response_rates_by_audience: list[dict[str, Any]]
    response_rates_by_region: list[dict[str, Any]]
    response_rates_by_mechanism: list[dict[str, Any]]
    thematic_matrix: dict[str, Any]
    contribution: list[dict[str, Any]]
    structures: dict[str, Any]
    partner_kinds: list[dict[str, Any]]
    added_value: dict[str, Any]
    frequencies: list[dict[str, Any]]
    comparison: dict[str, Any] | None = None
