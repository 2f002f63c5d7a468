"""Question texts and value labels in the report's language, and the ranking of values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from assessments.questionnaires.models import QuestionType
from assessments.questionnaires.schema import (
    OTHER_CODE,
    QuestionnaireSchema,
    QuestionSpec,
)

from .common import AUDIENCES, percent


class Labels:
    """Question texts and value labels in the report's language, from the round's schemas."""

    def __init__(self, schemas: dict[str, QuestionnaireSchema], language: str) -> None:
        self.schemas = schemas
        self.language = language

    def spec(self, code: str) -> QuestionSpec | None:
        for audience in AUDIENCES:
            if code in self.schemas[audience].questions:
                return self.schemas[audience].questions[code]
        return None

    def audiences_asking(self, code: str) -> list[str]:
        return [a for a in AUDIENCES if code in self.schemas[a].questions]

    def question(self, code: str) -> str:
        spec = self.spec(code)
        return spec.text(self.language) if spec else code

    def option_codes(self, code: str) -> list[tuple[str, str]]:
        """Every (row, value) the question offers, in the questionnaire's order."""
        spec = self.spec(code)
        if spec is None:
            return []
        values = list(spec.option_codes)
        if spec.other_option:
            values.append(OTHER_CODE)
        if spec.type == QuestionType.MATRIX:
            return [(row, column) for row in values for column in spec.column_codes]
        return [("", value) for value in values]

    def value(self, code: str, value: str, row: str = "") -> str:
        spec = self.spec(code)
        if spec is None:
            return f"{row} — {value}" if row else value
        if row:
            return f"{self.option(spec, row)} — {self.column(spec, value)}"
        return self.option(spec, value)

    def option(self, spec: QuestionSpec, value: str) -> str:
        if value == OTHER_CODE:
            return _("Other")
        if spec.type in (QuestionType.YES_NO, QuestionType.YES_NO_DK):
            return {"yes": _("Yes"), "no": _("No"), "dk": _("Don't know")}.get(value, value)
        if spec.type == QuestionType.SCALE5:
            anchors = {"1": _("1 (not at all)"), "5": _("5 (very much)")}
            return anchors.get(value, value)
        return spec.option_label(value, self.language)

    def column(self, spec: QuestionSpec, value: str) -> str:
        for option in spec.columns:
            if option.code == value:
                return option.label(self.language)
        return value

    def order(self, code: str) -> dict[str, int]:
        return {value: i for i, (_row, value) in enumerate(self.option_codes(code))}


def ranked(
    counts: dict[str, int], base: int, order: dict[str, int], label_of: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Values named at least once, most frequent first, ties in the questionnaire's order and
    sharing a rank (1, 2, 2, 4)."""
    items = sorted(
        ((value, n) for value, n in counts.items() if n > 0),
        key=lambda item: (-item[1], order.get(item[0], len(order)), item[0]),
    )
    rows, rank, previous = [], 0, None
    for position, (value, n) in enumerate(items, start=1):
        if n != previous:
            rank, previous = position, n
        rows.append({
            "rank": rank, "code": value, "label": label_of(value),
            "count": n, "base": base, "percent": percent(n, base),
        })  # fmt: skip
    return rows
