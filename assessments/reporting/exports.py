"""Exports of a round's responses: wide CSV, long CSV, XLSX (and, through round_backup, JSON).

Rows are streamed: responses and their answer rows are read through two ordered server-side
cursors (`iterator(chunk_size=...)`) and merged on the response id, so memory stays flat however
large the round is, and the number of queries does not grow with it. CSV follows RFC 4180 (CRLF
line ends, quoting where needed) and can start with a UTF-8 byte order mark so that Excel opens
it correctly. `write_export` streams any format into a file; the `export_round` command and the
export job both use it, so they produce the same bytes.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from assessments.questionnaires.models import Audience
from assessments.questionnaires.schema import (
    OTHER_CODE,
    OTHER_SUFFIX,
    QuestionnaireSchema,
    QuestionSpec,
)
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses.models import Answer, Response
from assessments.rounds.models import SurveyRound

CHUNK = 2000
BOM = "\ufeff"
META_COLUMNS = [
    "response_id", "round", "participant_kind", "participant", "mechanism", "questionnaire",
    "status", "version", "submitted_at",
]  # fmt: skip
LONG_COLUMNS = [*META_COLUMNS, "question", "row", "value", "label"]
FORMATS = ("csv", "csv-long", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "csv-long": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
FILE_SUFFIXES = {"csv": ".csv", "csv-long": "-long.csv", "xlsx": ".xlsx", "json": ".json"}
# Labels of the codes that no choice list defines (the built-in yes/no lists and "Other").
BUILT_IN_LABELS: dict[str, dict[str, str]] = {
    "yes": {"en": "Yes", "fr": "Oui", "es": "Sí"},
    "no": {"en": "No", "fr": "Non", "es": "No"},
    "dk": {"en": "Don't know", "fr": "Ne sait pas", "es": "No sabe"},
    OTHER_CODE: {"en": "Other", "fr": "Autre", "es": "Otro"},
}
UNKNOWN_FORMAT = "Unknown export format {fmt!r}: use one of {formats}."
XLSX_MAX_ROWS = 1_048_576  # rows of a sheet in Excel and LibreOffice

Progress = Callable[[int], None]  # called with the number of responses written so far


@dataclass(frozen=True)
class ExportOptions:
    labels: bool = False  # choice labels instead of codes
    choice_columns: bool = False  # one 0/1 column per choice instead of a joined list
    language: str = "en"
    separator: str = "; "
    bom: bool = False  # CSV only: start with a UTF-8 byte order mark (for Excel)
    # CSV only: cells exactly as answered, for programs. By default a cell a spreadsheet would
    # run as a formula is neutralised (see `neutralised`).
    raw: bool = False


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
            codes = [*q.option_codes, *([OTHER_CODE] if q.other_option else [])]
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


# --- reading: two ordered streams merged on the response id ----------------------------------


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
    """Merge the two ordered streams on the response id; a response without answers comes with
    an empty list."""
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


def counted(items: Iterable[Any], progress: Progress | None) -> Iterator[Any]:
    """The items, calling `progress(n)` once the consumer is done with the n-th."""
    for done, item in enumerate(items, start=1):
        yield item
        if progress is not None:
            progress(done)


def meta_values(response: tuple, slug: str) -> list[str]:
    (pk, kind, state, mechanism_party, organization, about, key, version, status, rversion,
     submitted) = response  # fmt: skip
    participant = state or mechanism_party or organization or ""
    return [
        str(pk), slug, kind, participant, about or "", f"{key} v{version}", status,
        str(rversion), plain(submitted),
    ]  # fmt: skip


# --- one response as rows ----------------------------------------------------------------


class Labeller:
    """Choice labels in one language, for exports that ask for labels instead of codes."""

    def __init__(self, questions: list[QuestionSpec], options: ExportOptions) -> None:
        self.by_code = {q.code: q for q in questions}
        self.options = options
        # (question code, choice) -> label: the choices are few, the rows many (the long
        # sheet looks up a label for every stored choice).
        self.labels: dict[tuple[str, str], str] = {}
        self.column_labels: dict[tuple[str, str], str] = {}

    def __call__(self, code: str, choice: str) -> str:
        """The label of a choice of question `code` (of a matrix: of its row list)."""
        if not self.options.labels or not choice:
            return choice
        label = self.labels.get((code, choice))
        if label is None:
            label = self.labels[code, choice] = self.find(code, choice)
        return label

    def find(self, code: str, choice: str) -> str:
        question = self.by_code.get(code)
        if question is None or question.type == "scale5":
            return choice
        if question.type in {"yes_no", "yes_no_dk"} or choice not in question.option_codes:
            return self.built_in(choice)  # yes/no/dk, and the OTHER added by other_option
        return question.option_label(choice, self.options.language)

    def column(self, code: str, choice: str) -> str:
        """The label of a ticked matrix cell (a code of the matrix's column list)."""
        label = self.column_labels.get((code, choice))
        if label is None:
            label = self.column_labels[code, choice] = self.find_column(code, choice)
        return label

    def find_column(self, code: str, choice: str) -> str:
        question = self.by_code.get(code)
        if question is None or question.type != "matrix":
            return self(code, choice)
        if not self.options.labels:
            return choice
        for option in question.columns:
            if option.code == choice:
                return option.label(self.options.language)
        return choice

    def built_in(self, choice: str) -> str:
        labels = BUILT_IN_LABELS.get(choice)
        return labels.get(self.options.language, labels["en"]) if labels else choice

    def order(self, code: str) -> dict[str, int]:
        """Rank of each choice code in questionnaire order (of a matrix: of its columns)."""
        question = self.by_code.get(code)
        if question is None:
            return {}
        codes = question.column_codes if question.type == "matrix" else question.option_codes
        return {c: i for i, c in enumerate((*codes, OTHER_CODE))}


class RoundRows:
    """The columns of a round's export and the rows of each of its responses."""

    def __init__(self, survey_round: SurveyRound, options: ExportOptions) -> None:
        self.slug = survey_round.slug
        self.options = options
        questions = union_questions(round_schemas(survey_round))
        self.columns = wide_columns(questions, options)
        self.headers = {c.header for c in self.columns}
        self.label = Labeller(questions, options)
        self.long_label = Labeller(questions, ExportOptions(labels=True, language=options.language))
        self.orders = {q.code: self.label.order(q.code) for q in questions}
        # (question code, matrix row, "" or OTHER_SUFFIX) -> its column, when a cell joins
        # a question's (or a matrix row's) choices.
        self.slots = {
            (c.code, OTHER_SUFFIX if c.other else c.row): index
            for index, c in enumerate(self.columns)
        }

    def wide_header(self) -> list[str]:
        return META_COLUMNS + [c.header for c in self.columns]

    def wide_row(self, response: tuple, answers: list[tuple]) -> list[str]:
        return meta_values(response, self.slug) + self.wide_values(answers)

    def wide_values(self, answers: list[tuple]) -> list[str]:
        """One cell per column: several choices of a cell joined in questionnaire order, or
        0/1 per choice column (blank when the question, or the matrix row, has no answer)."""
        if not self.options.choice_columns:
            return self.joined_values(answers)
        choices: dict[str, list[tuple[str, str]]] = {}  # header -> [(question code, choice)]
        cells: dict[str, str] = {}
        answered: set[str] = set()  # question codes and matrix "code/row" with a choice
        for _pk, code, row, choice, text, number, date in answers:
            if row == OTHER_SUFFIX:
                cells[code + OTHER_SUFFIX] = text
            elif row:
                key = f"{code}/{row}/{choice}" if self.options.choice_columns else f"{code}/{row}"
                choices.setdefault(key, []).append((code, choice))
                answered.add(f"{code}/{row}")
            elif choice and self.options.choice_columns and f"{code}/{choice}" in self.headers:
                choices[f"{code}/{choice}"] = [(code, choice)]
                answered.add(code)
            elif choice:
                choices.setdefault(code, []).append((code, choice))
            else:
                cells[code] = text or plain(number) or plain(date)
        return [self.cell(column, choices, cells, answered) for column in self.columns]

    def joined_values(self, answers: list[tuple]) -> list[str]:
        """`wide_values` with a cell per question (or matrix row): a response answers a few of
        the round's columns, so only those are filled, each answer going straight to its
        column (the export's inner loop: a third of a wide CSV's time)."""
        values = [""] * len(self.columns)
        chosen: dict[int, list[str]] = {}  # column -> its choice codes
        slots = self.slots
        for _pk, code, row, choice, text, number, date in answers:
            if row == OTHER_SUFFIX:
                index = slots.get((code, OTHER_SUFFIX))
                if index is not None:
                    values[index] = text
            elif row or choice:
                index = slots.get((code, row))
                if index is not None:
                    chosen.setdefault(index, []).append(choice)
            else:
                index = slots.get((code, ""))
                if index is not None:
                    values[index] = text or plain(number) or plain(date)
        for index, codes in chosen.items():
            if len(codes) == 1 and not self.options.labels:  # most cells: one code, as it is
                values[index] = codes[0]
            else:
                column = self.columns[index]
                values[index] = self.joined(column, [(column.code, c) for c in codes])
        return values

    def cell(self, column: Column, choices: dict, cells: dict[str, str], answered: set) -> str:
        if column.choice and self.options.choice_columns:
            question = f"{column.code}/{column.row}" if column.row else column.code
            if question not in answered:
                return ""
            return "1" if column.header in choices else "0"
        found = choices.get(column.header)
        if not found:
            return cells.get(column.header, "")
        return self.joined(column, found)

    def joined(self, column: Column, found: list[tuple[str, str]]) -> str:
        """The choices of one cell, in questionnaire order, as codes or labels."""
        if len(found) > 1:
            order = self.orders.get(column.code, {})
            found = sorted(found, key=lambda pair: order.get(pair[1], len(order)))
        if not self.options.labels:  # codes: what the labeller would give back
            return self.options.separator.join(choice for _code, choice in found)
        show = self.label.column if column.row else self.label
        return self.options.separator.join(show(code, choice) for code, choice in found)

    def long_rows(self, response: tuple, answers: list[tuple]) -> Iterator[list[str]]:
        """One row per stored value, its label beside a choice code."""
        meta = meta_values(response, self.slug)
        for _pk, code, row, choice, text, number, date in answers:
            value = choice or text or plain(number) or plain(date)
            label = self.long_label.column if row and row != OTHER_SUFFIX else self.long_label
            yield [*meta, code, row, value, label(code, choice) if choice else ""]


# --- formats -----------------------------------------------------------------------------


def iter_wide_rows(
    survey_round: SurveyRound,
    options: ExportOptions | None = None,
    *,
    progress: Progress | None = None,
) -> Iterator[list[str]]:
    """The header, then one row per response (a response without answers too)."""
    rows = RoundRows(survey_round, options or ExportOptions())
    yield rows.wide_header()
    for response, answers in counted(responses_with_answers(survey_round), progress):
        yield rows.wide_row(response, answers)


def iter_long_rows(
    survey_round: SurveyRound,
    options: ExportOptions | None = None,
    *,
    progress: Progress | None = None,
) -> Iterator[list[str]]:
    """The header, then one row per stored answer value."""
    rows = RoundRows(survey_round, options or ExportOptions())
    yield LONG_COLUMNS
    for response, answers in counted(responses_with_answers(survey_round), progress):
        yield from rows.long_rows(response, answers)


def iter_csv(rows: Iterable[list[str]], *, bom: bool = False, raw: bool = False) -> Iterator[str]:
    """RFC 4180 lines (CRLF), optionally starting with a UTF-8 BOM for Excel; cells neutralised
    against formula injection unless `raw`."""
    writer = csv.writer(Echo(), lineterminator="\r\n")
    if bom:
        yield BOM
    for row in rows:
        yield writer.writerow(row if raw else [neutralised(value) for value in row])


# OWASP's rule against CSV (formula) injection: a cell starting with one of these characters is
# run as a formula by Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)` sending the sheet
# to another site, `+cmd|...` running a program). A leading single quote makes it text; the
# spreadsheet does not show it. A plain number ("-12.5") is left alone: it runs nothing.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def neutralised(value: str) -> str:
    if value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_xlsx(
    survey_round: SurveyRound,
    target: Any,
    options: ExportOptions | None = None,
    *,
    progress: Progress | None = None,
) -> None:
    """A workbook with a 'responses' sheet (wide) and an 'answers' sheet (long), filled in one
    pass (the long rows go on in 'answers (2)', … past a spreadsheet's 1,048,576 rows, each
    response's rows on one sheet) by the streaming writer of `xlsx` (every cell a text: a value starting with "=" is
    not a formula; characters XML cannot hold are dropped)."""
    from assessments.reporting.xlsx import Workbook

    rows = RoundRows(survey_round, options or ExportOptions())
    with Workbook(target) as workbook:
        wide, long = workbook.add_sheet("responses"), workbook.add_sheet("answers")
        wide.append(rows.wide_header())
        long.append(LONG_COLUMNS)
        for response, answers in counted(responses_with_answers(survey_round), progress):
            wide.append(rows.wide_row(response, answers))
            if long.rows + len(answers) > XLSX_MAX_ROWS:  # the next "answers (2)", ...
                long = workbook.add_sheet("answers")
                long.append(LONG_COLUMNS)
            long.extend(rows.long_rows(response, answers))


def export_filename(survey_round: SurveyRound, fmt: str) -> str:
    return f"{survey_round.slug}{FILE_SUFFIXES[fmt]}"


def export_chunks(
    survey_round: SurveyRound, fmt: str, options: ExportOptions, progress: Progress | None
) -> Iterator[str]:
    """The text of a CSV or JSON export, in pieces."""
    if fmt == "json":
        from assessments.reporting.backup import iter_round_json

        return iter_round_json(survey_round, progress=progress)
    rows = iter_wide_rows if fmt == "csv" else iter_long_rows
    return iter_csv(
        rows(survey_round, options, progress=progress), bom=options.bom, raw=options.raw
    )


def write_export(
    survey_round: SurveyRound,
    fmt: str,
    path: Path | str,
    options: ExportOptions | None = None,
    *,
    progress: Progress | None = None,
) -> None:
    """Stream the export in format `fmt` ("csv", "csv-long", "xlsx", "json") into a file;
    `progress(n)` is called after each response."""
    if fmt not in FORMATS:
        raise ValueError(UNKNOWN_FORMAT.format(fmt=fmt, formats=", ".join(FORMATS)))
    options = options or ExportOptions()
    if fmt == "xlsx":
        write_xlsx(survey_round, path, options, progress=progress)
        return
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for chunk in export_chunks(survey_round, fmt, options, progress):
            handle.write(chunk)
