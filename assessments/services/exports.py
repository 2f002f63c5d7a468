"""Exports of a round's responses: wide CSV, long CSV, XLSX.

Rows are streamed: responses and their answer rows are read through two ordered server-side
cursors (`iterator(chunk_size=...)`) and merged on the response id, so memory stays flat however
large the round is. CSV follows RFC 4180 (CRLF line ends, quoting where needed) and can start
with a UTF-8 byte order mark so that Excel opens it correctly.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from assessments.models import Answer, Audience, Response, SurveyRound
from assessments.schema import OTHER_SUFFIX, QuestionnaireSchema, QuestionSpec
from assessments.selectors import questionnaire_schema

CHUNK = 5000
BOM = "\ufeff"
META_COLUMNS = [
    "response_id", "round", "participant_kind", "participant", "mechanism", "questionnaire",
    "status", "version", "submitted_at",
]  # fmt: skip
LONG_COLUMNS = [*META_COLUMNS, "question", "row", "value", "label"]


@dataclass(frozen=True)
class ExportOptions:
    labels: bool = False  # choice labels instead of codes
    choice_columns: bool = False  # one 0/1 column per choice instead of a joined list
    language: str = "en"
    separator: str = "; "


@dataclass(frozen=True)
class Column:
    header: str
    code: str
    row: str = ""  # matrix row
    choice: str = ""  # for one column per choice (0/1)
    other: bool = False


def round_schemas(survey_round: SurveyRound) -> list[QuestionnaireSchema]:
    return [questionnaire_schema(survey_round.questionnaire_for(a)) for a in Audience.values]


def union_questions(schemas: list[QuestionnaireSchema]) -> list[QuestionSpec]:
    """Every question code of the round's questionnaires once, in questionnaire order (the same
    code in two questionnaires is the same question)."""
    seen: dict[str, QuestionSpec] = {}
    for schema in schemas:
        for code, question in schema.questions.items():
            if question.type != "note":
                seen.setdefault(code, question)
    return list(seen.values())


def wide_columns(questions: list[QuestionSpec], options: ExportOptions) -> list[Column]:
    columns: list[Column] = []
    for q in questions:
        if q.type == "matrix":
            for row in q.option_codes:
                if options.choice_columns:
                    columns += [
                        Column(f"{q.code}/{row}/{col}", q.code, row=row, choice=col)
                        for col in q.column_codes
                    ]
                else:
                    columns.append(Column(f"{q.code}/{row}", q.code, row=row))
        elif q.type == "multiple" and options.choice_columns:
            codes = [*q.option_codes, *(["OTHER"] if q.other_option else [])]
            columns += [Column(f"{q.code}/{c}", q.code, choice=c) for c in codes]
        else:
            columns.append(Column(q.code, q.code))
        if q.other_option:
            columns.append(Column(q.code + OTHER_SUFFIX, q.code, other=True))
    return columns


class Echo:
    """A file-like object whose write returns what it was given (for streaming csv.writer)."""

    def write(self, value: str) -> str:
        return value


def plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return (
            str(int(value))
            if value == value.to_integral_value()
            else format(value.normalize(), "f")
        )
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def response_rows(survey_round: SurveyRound) -> Iterator[tuple]:
    fields = (
        "pk", "participant__kind", "participant__state__country", "participant__mechanism__acronym",
        "participant__organization__acronym", "mechanism__acronym", "questionnaire__key",
        "questionnaire__version", "status", "version", "submitted_at",
    )  # fmt: skip
    return (
        Response.objects.filter(round=survey_round)
        .order_by("pk")
        .values_list(*fields)
        .iterator(chunk_size=CHUNK)
    )


def answer_rows(survey_round: SurveyRound) -> Iterator[tuple]:
    return (
        Answer.objects.filter(response__round=survey_round)
        .order_by("response_id", "question_id", "row", "choice")
        .values_list("response_id", "question__code", "row", "choice", "text", "number", "date")
        .iterator(chunk_size=CHUNK)
    )


def grouped_answers(survey_round: SurveyRound) -> Iterator[tuple[int, list[tuple]]]:
    """(response id, its answer rows), in response id order."""
    current, rows = None, []
    for row in answer_rows(survey_round):
        if row[0] != current:
            if current is not None:
                yield current, rows
            current, rows = row[0], []
        rows.append(row)
    if current is not None:
        yield current, rows


def responses_with_answers(survey_round: SurveyRound) -> Iterator[tuple[tuple, list[tuple]]]:
    """Merge the two ordered streams on the response id."""
    answers = grouped_answers(survey_round)
    pending = next(answers, None)
    for response in response_rows(survey_round):
        while pending is not None and pending[0] < response[0]:
            pending = next(answers, None)
        if pending is not None and pending[0] == response[0]:
            yield response, pending[1]
            pending = next(answers, None)
        else:
            yield response, []


def meta_values(response: tuple, slug: str) -> list[str]:
    (
        pk,
        kind,
        state,
        mechanism_party,
        organization,
        about,
        key,
        version,
        status,
        rversion,
        submitted,
    ) = response
    participant = state or mechanism_party or organization or ""
    return [
        str(pk),
        slug,
        kind,
        participant,
        about or "",
        f"{key} v{version}",
        status,
        str(rversion),
        plain(submitted),
    ]


class Labeller:
    """Choice labels in one language, for exports that ask for labels instead of codes."""

    def __init__(self, questions: list[QuestionSpec], options: ExportOptions) -> None:
        self.by_code = {q.code: q for q in questions}
        self.options = options

    def __call__(self, code: str, choice: str) -> str:
        if not self.options.labels or not choice:
            return choice
        question = self.by_code.get(code)
        if question is None or question.type in {"yes_no", "yes_no_dk", "scale5"}:
            return choice
        return question.option_label(choice, self.options.language)

    def column(self, code: str, choice: str) -> str:
        question = self.by_code.get(code)
        if question is None or question.type != "matrix":
            return self(code, choice)
        if not self.options.labels:
            return choice
        for option in question.columns:
            if option.code == choice:
                return option.label(self.options.language)
        return choice


def wide_values(
    columns: list[Column],
    headers: set[str],
    answers: list[tuple],
    label: Labeller,
    options: ExportOptions,
) -> list[str]:
    cells: dict[str, list[str]] = {}
    for _pk, code, row, choice, text, number, date in answers:
        if row == OTHER_SUFFIX:
            cells[code + OTHER_SUFFIX] = [text]
        elif row:
            key = f"{code}/{row}/{choice}" if options.choice_columns else f"{code}/{row}"
            cells.setdefault(key, []).append(
                "1" if options.choice_columns else label.column(code, choice)
            )
        elif choice and options.choice_columns and f"{code}/{choice}" in headers:
            cells[f"{code}/{choice}"] = ["1"]
        else:
            cells.setdefault(code, []).append(
                label(code, choice) if choice else (text or plain(number) or plain(date))
            )
    values = []
    for column in columns:
        found = cells.get(column.header)
        if column.choice and options.choice_columns:
            values.append("1" if found else "0")
        else:
            values.append(options.separator.join(found) if found else "")
    return values


def iter_wide_rows(
    survey_round: SurveyRound, options: ExportOptions | None = None
) -> Iterator[list[str]]:
    """The header, then one row per response."""
    options = options or ExportOptions()
    questions = union_questions(round_schemas(survey_round))
    columns = wide_columns(questions, options)
    label = Labeller(questions, options)
    headers = {c.header for c in columns}
    yield META_COLUMNS + [c.header for c in columns]
    for response, answers in responses_with_answers(survey_round):
        yield meta_values(response, survey_round.slug) + wide_values(
            columns, headers, answers, label, options
        )


def iter_long_rows(
    survey_round: SurveyRound, options: ExportOptions | None = None
) -> Iterator[list[str]]:
    """The header, then one row per stored answer value."""
    options = options or ExportOptions()
    questions = union_questions(round_schemas(survey_round))
    label = Labeller(questions, ExportOptions(labels=True, language=options.language))
    yield LONG_COLUMNS
    for response, answers in responses_with_answers(survey_round):
        meta = meta_values(response, survey_round.slug)
        for _pk, code, row, choice, text, number, date in answers:
            value = choice or text or plain(number) or plain(date)
            shown = (
                label.column(code, choice) if row and row != OTHER_SUFFIX else label(code, choice)
            )
            yield [*meta, code, row, value, shown if choice else ""]


def iter_csv(rows: Iterable[list[str]], *, bom: bool = False) -> Iterator[str]:
    """RFC 4180 lines (CRLF), optionally starting with a UTF-8 BOM for Excel."""
    writer = csv.writer(Echo(), lineterminator="\r\n")
    if bom:
        yield BOM
    for row in rows:
        yield writer.writerow(row)


def write_xlsx(
    survey_round: SurveyRound, target: Any, options: ExportOptions | None = None
) -> None:
    """A workbook with a 'responses' sheet (wide) and an 'answers' sheet (long), written in
    openpyxl's write-only mode so rows go to disk as they come."""
    options = options or ExportOptions()
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in (
        ("responses", iter_wide_rows(survey_round, options)),
        ("answers", iter_long_rows(survey_round, options)),
    ):
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(target)
