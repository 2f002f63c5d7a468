"""The responses of the JSON export (`backup.iter_round_json`): each response with its answers
and its history, in the document's order, read SNAPSHOT_BATCH responses at a time so that
memory stays flat as the round grows.

This is the export's hot loop (a response and ~23 answer rows each, 100,000 responses at 80x),
so what depends only on the questionnaire is worked out once per questionnaire
(`answer_shapes`), and the responses come with their columns from the one ordered stream
(not read again by id for each batch).
"""

from __future__ import annotations

import datetime
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Coalesce, Collate, Concat

from assessments.questionnaires.models import Question
from assessments.questionnaires.schema import OTHER_SUFFIX, QuestionnaireSchema
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses.models import Answer, Response
from assessments.rounds.models import SurveyRound

# The fields of a response kept as they are (`responses_batch` writes them in this order).
RESPONSE_FIELDS = ["status", "version", "created_at", "updated_at", "submitted_at"]
SNAPSHOT_BATCH = 1000  # responses whose answers and history are read together
STREAM_CHUNK = 2000  # rows a server-side cursor reads at a time
INTEGER_TYPES = frozenset({"integer", "year", "scale5"})
TEXT_TYPES = frozenset({"text", "long_text"})
Shape = tuple[str, dict[str, int]]  # (kind of value, choice code -> position)


def to_json(value: Any) -> Any:
    """A value as the document holds it: dates as ISO texts, decimals as numbers."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def iso(value: datetime.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


# --- answers ------------------------------------------------------------------------------


def answer_shapes(schema: QuestionnaireSchema) -> dict[str, Shape]:
    """Each question's kind of value and the order of its choices, as `answers_from_values`
    and `normalise_order` (assessments/responses/services.py) work them out for every
    response: the multiple choice codes in option order then OTHER, a matrix's in column
    order (its first position if a code repeats, as `tuple.index` finds it)."""
    shapes: dict[str, Shape] = {}
    for code, question in schema.questions.items():
        order: dict[str, int] = {}
        if question.type == "multiple":
            order = {c: i for i, c in enumerate((*question.option_codes, "OTHER"))}
        elif question.type == "matrix":
            for index, column in enumerate(question.column_codes):
                order.setdefault(column, index)
        if question.type in INTEGER_TYPES:
            kind = "integer"
        elif question.type in TEXT_TYPES:
            kind = "text"
        elif question.type in {"multiple", "matrix", "decimal", "date"}:
            kind = question.type
        else:
            kind = "choice"
        shapes[code] = (kind, order)
    return shapes


def answers_document(rows: Iterable[tuple], shapes: dict[str, Shape]) -> dict[str, Any]:
    """`to_json(answers_from_values(rows, schema))` for `shapes = answer_shapes(schema)`, from
    (response id, question code, row, choice, text, number, date) tuples in storage order."""
    answers: dict[str, Any] = {}
    for _response, code, matrix_row, choice, text, number, date in rows:
        shape = shapes.get(code)
        if shape is None:
            continue
        kind = shape[0]
        if matrix_row == OTHER_SUFFIX:
            answers[code + OTHER_SUFFIX] = text
        elif matrix_row and kind == "matrix":
            answers.setdefault(code, {}).setdefault(matrix_row, []).append(choice)
        elif kind == "multiple":
            answers.setdefault(code, []).append(choice)
        elif kind == "text":
            answers[code] = text
        elif kind == "integer":
            answers[code] = int(number)
        elif kind == "decimal":
            answers[code] = to_json(number)
        elif kind == "date":
            answers[code] = None if date is None else date.isoformat()
        else:
            answers[code] = choice
    for code, value in answers.items():
        shape = shapes.get(code)
        if shape is None or shape[0] not in ("multiple", "matrix"):
            continue
        for cells in value.values() if shape[0] == "matrix" else (value,):
            if len(cells) > 1:
                cells.sort(key=choice_position(shape[1]))
    return answers


def choice_position(order: dict[str, int]) -> Callable[[str], int]:
    """A sort key: a choice code's position, unknown codes last (in their stored order)."""
    last = len(order)
    return lambda code: order.get(code, last)


# --- the responses --------------------------------------------------------------------------


def response_rows(survey_round: SurveyRound) -> Iterator[tuple]:
    """The round's responses (RESPONSE_COLUMNS) in the document's order: by participant, then
    by the mechanism answered about, both natural keys, so that an imported round lists them
    in the same order. PostgreSQL sorts them, under the "C" collation (code point order, as
    Python compares strings), and they are read through a server-side cursor: nothing grows
    with the round."""
    party = Case(
        When(participant__kind="mechanism", then=F("participant__mechanism__acronym")),
        When(participant__kind="state", then=F("participant__state__country")),
        default=F("participant__organization__acronym"),
        output_field=CharField(),
    )
    return (
        Response.objects.filter(round=survey_round)
        .order_by(
            Collate(Concat("participant__kind", Value(":"), party, output_field=CharField()), "C"),
            Collate(Coalesce("mechanism__acronym", Value("")), "C"),
        )
        .values_list(*RESPONSE_COLUMNS, f"submitted_by__{get_user_model().USERNAME_FIELD}")
        .iterator(chunk_size=STREAM_CHUNK)
    )


RESPONSE_COLUMNS = (
    "pk", "participant__kind", "participant__mechanism__acronym", "participant__state__country",
    "participant__organization__acronym", "mechanism__acronym", "questionnaire__key",
    "questionnaire__version", *RESPONSE_FIELDS,
)  # fmt: skip


def responses_snapshot(survey_round: SurveyRound) -> Iterator[dict]:
    """Each response of the round as the document holds it, in the document's order."""
    shapes = {
        audience: answer_shapes(questionnaire_schema(survey_round.questionnaire_for(audience)))
        for audience in ("mechanism", "state", "organization")
    }
    codes = dict(
        Question.objects.filter(
            questionnaire__in=[survey_round.questionnaire_for(a) for a in shapes]
        ).values_list("pk", "code")
    )
    rows = response_rows(survey_round)
    while batch := list(itertools.islice(rows, SNAPSHOT_BATCH)):
        yield from responses_batch(batch, shapes, codes)


def responses_batch(
    batch: list[tuple], shapes: dict[str, dict[str, Shape]], codes: dict[int, str]
) -> Iterator[dict]:
    """The responses of `batch` (rows of `response_rows`) as documents."""
    ids = [row[0] for row in batch]
    response_history, answer_history = response_histories(ids, codes)
    answer_rows = (
        Answer.objects.filter(response_id__in=ids)
        .order_by("response_id", "pk")
        .values_list("response_id", "question__code", "row", "choice", "text", "number", "date")
    )
    by_response = {
        pk: list(rows) for pk, rows in itertools.groupby(answer_rows, operator.itemgetter(0))
    }
    for (pk, kind, mechanism, state, organization, about, key, version, status, response_version,
         created, updated, submitted, submitted_by) in batch:  # fmt: skip
        code = {"mechanism": mechanism, "state": state, "organization": organization}[kind]
        yield {
            "participant": f"{kind}:{code}",
            "mechanism": about,
            "questionnaire": {"key": key, "version": version},
            # RESPONSE_FIELDS
            "status": status,
            "version": response_version,
            "created_at": iso(created),
            "updated_at": iso(updated),
            "submitted_at": iso(submitted),
            "submitted_by": submitted_by,
            "answers": answers_document(by_response.get(pk, ()), shapes[kind]),
            "history": response_history.get(pk, []),
            "answer_history": answer_history.get(pk, []),
        }


def response_histories(
    response_ids: list[int], codes: dict[int, str]
) -> tuple[dict[int, list], dict[int, list]]:
    """The history of the responses and of their answers, read as tuples (one model instance
    per history row would cost more than the rest of the export)."""
    user = f"history_user__{get_user_model().USERNAME_FIELD}"
    responses: dict[int, list] = {}
    for pk, date, kind, who, status, version, reason in (
        Response.history.filter(id__in=response_ids)
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "history_type", user, "status", "version",
                     "history_change_reason")
    ):  # fmt: skip
        responses.setdefault(pk, []).append({
            "date": to_json(date), "type": kind, "user": who,
            "status": status, "version": version, "reason": reason,
        })  # fmt: skip
    answers: dict[int, list] = {}
    for response_id, date, kind, who, question_id, row, choice, text, number, value in (
        Answer.history.filter(response_id__in=response_ids)
        .order_by("history_date", "history_id")
        .values_list("response_id", "history_date", "history_type", user, "question_id", "row",
                     "choice", "text", "number", "date")
    ):  # fmt: skip
        answers.setdefault(response_id, []).append({
            "date": to_json(date), "type": kind, "user": who,
            "question": codes.get(question_id), "row": row, "choice": choice, "text": text,
            "number": to_json(number), "date_value": to_json(value),
        })  # fmt: skip
    return responses, answers
