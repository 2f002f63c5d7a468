"""Bridge between XLSForm workbooks and our questionnaire format (docs/questionnaire-format.md).

`xlsform_to_questionnaire` reads the subset of XLSForm that maps onto our format, as authored for
KoboToolbox / ODK, and refuses everything else with one message per problem.
`questionnaire_to_xlsform` writes a questionnaire as an XLSForm. What plain XLSForm cannot say is
kept in custom columns, which other XLSForm tools ignore and which the reader honours, so that
writing then reading gives back the same questionnaire:

- survey: `section_code` (on begin_group rows), `our_type` (`year`, `matrix`, `long_text`),
  `choice_source` (`vocabulary:NAME` or `mechanisms`), `columns_source` (`local:LIST`,
  `vocabulary:NAME` or `mechanisms`), `other_option`, `max_choices`, `rows_from`,
  `summary_section`;
- settings: `audience`, `status`, `description` (translatable like `form_title`).

Both functions are pure: no database access.
"""

from __future__ import annotations

import copy
import io
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMAT_MARKER = "iscm-questionnaire"
FORMAT_VERSION = 1
LANGUAGES = ("en", "fr", "es")
LANGUAGE_COLUMN_NAMES = {"en": "English (en)", "fr": "French (fr)", "es": "Spanish (es)"}
LANGUAGE_ALIASES = {
    "en": "en",
    "english": "en",
    "fr": "fr",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "es": "es",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
}
AUDIENCES = ("mechanism", "state", "organization")
STATUSES = ("draft", "published", "retired")
DEFAULT_AUDIENCE = "mechanism"
DEFAULT_STATUS = "draft"
SUMMARY_SECTIONS = ("1", "2", "3", "4", "5", "meta")
DEFAULT_SUMMARY_SECTION = "meta"
MAIN_SECTION_CODE = "main"
PER_MECHANISM_PREFIX = "per_mechanism"
TITLE_TRANSLATION = "form_title_translation"
MECHANISMS_SOURCE = "mechanisms"

QUESTION_CODE = re.compile(r"[a-z][a-z0-9_]*")
SOURCE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
WHOLE_NUMBER = re.compile(r"-?\d+")

BUILT_IN_LISTS: dict[str, tuple[str, ...]] = {
    "yes_no": ("yes", "no"),
    "yes_no_dk": ("yes", "no", "dk"),
    "scale5": ("1", "2", "3", "4", "5"),
}
BUILT_IN_LABELS: dict[str, dict[str, str]] = {
    "yes": {"en": "Yes", "fr": "Oui", "es": "Sí"},
    "no": {"en": "No", "fr": "Non", "es": "No"},
    "dk": {"en": "Don't know", "fr": "Ne sait pas", "es": "No sabe"},
}

# XLSForm type -> our type, for the types that need no choice list.
PLAIN_TYPES = {
    "text": "text",
    "integer": "integer",
    "decimal": "decimal",
    "date": "date",
    "note": "note",
}
SELECT_TYPES = {"select_one": "single", "select_multiple": "multiple"}
# Our types that only the custom `our_type` column can express, by the type read from XLSForm.
OUR_TYPE_REFINEMENTS = {
    "text": {"long_text"},
    "integer": {"year"},
    "single": {"matrix"},
    "multiple": {"matrix"},
}
# Kobo adds `start` and `end` to every new form; these rows record device metadata and ask
# nothing, so they are skipped rather than refused.
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "start-geopoint",
    }
)
NUMBER_TYPES = ("integer", "year", "decimal")
WHOLE_NUMBER_TYPES = ("integer", "year")
CHOICE_TYPES = ("single", "multiple", "matrix")
YES_WORDS = frozenset({"yes", "true", "1", "true()"})
NO_WORDS = frozenset({"", "no", "false", "0", "false()"})

NOT_XLSX = (
    "The file is not an .xlsx workbook; save the XLSForm in the Excel Workbook (.xlsx) format "
    "and upload it again."
)
OLD_XLS = (
    "The file is an old-style Excel .xls workbook; save it in the Excel Workbook (.xlsx) format "
    "and upload it again."
)
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

RELEVANT_FORMS = "(${q} = 'x', ${q} != 'x', selected(${q}, 'x'))"
CONSTRAINT_FORMS = '(. >= n, . <= n, . > n, . < n, or two of them joined with "and")'


class XLSFormError(ValueError):
    """The workbook cannot be converted; `errors` lists every problem found, one per message."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = list(errors)
        super().__init__(*self.errors)

    def __str__(self) -> str:
        return "\n".join(self.errors)


# --------------------------------------------------------------------------------------------
# Reading: workbook -> rows of text
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    """Which columns of a sheet are read, and what happens to the others."""

    plain: frozenset[str]
    translatable: frozenset[str]
    ignored: frozenset[str] = frozenset()
    refuse_unknown: bool = False
    aliases: Mapping[str, str] = field(default_factory=dict)


SURVEY_COLUMNS = _Columns(
    plain=frozenset(
        {
            "type",
            "name",
            "required",
            "constraint",
            "relevant",
            "appearance",
            "section_code",
            "our_type",
            "choice_source",
            "columns_source",
            "other_option",
            "max_choices",
            "rows_from",
            "summary_section",
        }
    ),
    translatable=frozenset({"label", "hint"}),
    # Presentation only: they change neither the questions nor the accepted answers.
    ignored=frozenset(
        {
            "constraint_message",
            "required_message",
            "guidance_hint",
            "image",
            "big-image",
            "audio",
            "video",
            "media",
            "autoplay",
            "hxl",
            "tags",
        }
    ),
    refuse_unknown=True,
)
CHOICES_COLUMNS = _Columns(
    plain=frozenset({"list_name", "name"}), translatable=frozenset({"label"})
)
SETTINGS_COLUMNS = _Columns(
    plain=frozenset({"form_id", "version", "audience", "status"}),
    translatable=frozenset({"form_title", "description"}),
    # pyxform (hence Kobo) fails on a translated form_title, so the writer puts the other
    # languages in `form_title_translation::...`.
    aliases={"id_string": "form_id", TITLE_TRANSLATION: "form_title"},
)


@dataclass
class _Row:
    where: str  # "survey row 7", as Excel numbers rows
    values: dict[str, str]  # canonical column -> non-empty text

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def translated(self, base: str) -> dict[str, str]:
        return {
            language: self.values[f"{base}::{language}"]
            for language in LANGUAGES
            if f"{base}::{language}" in self.values
        }


@dataclass
class _Table:
    sheet: str
    columns: set[str] = field(default_factory=set)
    rows: list[_Row] = field(default_factory=list)


def _read_workbook(source: bytes | BinaryIO | str | os.PathLike[str]) -> dict[str, list[tuple]]:
    """The raw cell values of the survey, choices and settings sheets that the workbook has."""
    content = _source_bytes(source)
    if content.startswith(OLE2_SIGNATURE):
        raise XLSFormError([OLD_XLS])
    # openpyxl raises many unrelated exception types for damaged or foreign files (zip, XML,
    # key and value errors...): any failure here means "not a usable workbook".
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise XLSFormError([NOT_XLSX]) from exc
    try:
        return _sheet_values(workbook)
    except Exception as exc:
        raise XLSFormError([f"The workbook could not be read; it may be damaged ({exc})."]) from exc
    finally:
        workbook.close()


def _source_bytes(source: Any) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        try:
            with open(source, "rb") as file:
                return file.read()
        except OSError as exc:
            raise XLSFormError(
                [f"The file {os.fspath(source)!r} could not be read ({exc})."]
            ) from exc
    read = getattr(source, "read", None)
    if callable(read):
        try:
            content = read()
        except (OSError, ValueError) as exc:
            raise XLSFormError([f"The upload could not be read ({exc})."]) from exc
        if isinstance(content, bytes | bytearray):
            return bytes(content)
    raise XLSFormError([NOT_XLSX])


def _sheet_values(workbook: Any) -> dict[str, list[tuple]]:
    sheets: dict[str, list[tuple]] = {}
    for title in workbook.sheetnames:
        name = title.strip().lower()
        if name in ("survey", "choices", "settings") and name not in sheets:
            worksheet = workbook[title]
            # Some tools write a wrong <dimension>; without this, read-only mode trusts it and
            # silently drops the rows beyond it.
            worksheet.reset_dimensions()
            sheets[name] = list(worksheet.iter_rows(min_row=1, values_only=True))
    return sheets


def _cell_text(value: Any) -> str:
    """A cell as stripped text, whatever Excel stored (numbers, booleans, dates or nothing)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _header_name(text: str) -> str:
    return "_".join(text.strip().lower().split())


def _language_code(text: str) -> str | None:
    """`English (en)`, `en` or `English` -> "en"; None for a language we do not support."""
    text = text.strip().lower()
    in_brackets = re.search(r"\(([^()]*)\)\s*$", text)
    if in_brackets:
        text = in_brackets.group(1).strip().split("-")[0].split("_")[0]
    return LANGUAGE_ALIASES.get(text)


def _build_table(sheet: str, raw_rows: list[tuple], spec: _Columns, errors: list[str]) -> _Table:
    table = _Table(sheet)
    header_index = next((i for i, raw in enumerate(raw_rows) if any(map(_cell_text, raw))), None)
    if header_index is None:
        return table
    header_where = f"{sheet} row {header_index + 1}"
    keys, refused, foreign = _classify_header(raw_rows[header_index], spec, header_where, errors)
    table.columns = set(keys.values())
    foreign_reported: set[int] = set()
    for offset, raw in enumerate(raw_rows[header_index + 1 :], start=header_index + 2):
        cells = [_cell_text(value) for value in raw]
        where = f"{sheet} row {offset}"
        for index, header in refused.items():
            if index < len(cells) and cells[index]:
                errors.append(f"{where}: column '{header}' is not supported ({cells[index]!r})")
        for index, header in foreign.items():
            if index < len(cells) and cells[index] and index not in foreign_reported:
                foreign_reported.add(index)
                errors.append(
                    f"{header_where}: column '{header}' is in a language that is not supported "
                    "(only English (en), French (fr) and Spanish (es) are)"
                )
        values = _row_values(cells, keys, where, errors)
        if values:
            table.rows.append(_Row(where, values))
    return table


def _classify_header(
    header: tuple, spec: _Columns, where: str, errors: list[str]
) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """Column index -> canonical name for the columns read; also the refused and
    unsupported-language columns (refused only if they hold something)."""
    keys: dict[int, str] = {}
    refused: dict[int, str] = {}
    foreign: dict[int, str] = {}
    plain_seen: set[str] = set()
    for index, value in enumerate(header):
        text = _cell_text(value)
        if not text:
            continue
        base, _, language = (part.strip() for part in text.partition("::"))
        base = _header_name(base)
        base = spec.aliases.get(base, base)
        if base.startswith("$") or base in spec.ignored:
            continue
        if base in spec.translatable:
            code = _language_code(language) if language else "en"
            if code is None:
                foreign[index] = text
            else:
                keys[index] = f"{base}::{code}"
        elif base in spec.plain and not language:
            if base in plain_seen:
                errors.append(f"{where}: column '{text}' appears more than once")
                continue
            plain_seen.add(base)
            keys[index] = base
        elif spec.refuse_unknown:
            refused[index] = text
    return keys, refused, foreign


def _row_values(cells: list[str], keys: dict[int, str], where: str, errors: list[str]) -> dict:
    values: dict[str, str] = {}
    for index, key in keys.items():
        text = cells[index] if index < len(cells) else ""
        if not text:
            continue
        if key in values and values[key] != text:
            # e.g. both `label` and `label::English (en)` filled in, differently
            errors.append(f"{where}: two columns give different values for {key}")
            continue
        values[key] = text
    return values


# --------------------------------------------------------------------------------------------
# Reading: rows -> questionnaire
# --------------------------------------------------------------------------------------------


def xlsform_to_questionnaire(
    source: bytes | BinaryIO | str | os.PathLike[str], *, key: str | None = None
) -> dict[str, Any]:
    """Read an XLSForm `.xlsx` (bytes, binary file object or path) into our questionnaire format.

    `key` overrides the settings' `form_id`. Raises `XLSFormError` listing every problem found.
    """
    sheets = _read_workbook(source)
    if "survey" not in sheets:
        raise XLSFormError(["The workbook has no 'survey' sheet, so it is not an XLSForm."])
    errors: list[str] = []
    survey = _build_table("survey", sheets["survey"], SURVEY_COLUMNS, errors)
    choices = _build_table("choices", sheets.get("choices", []), CHOICES_COLUMNS, errors)
    settings = _build_table("settings", sheets.get("settings", []), SETTINGS_COLUMNS, errors)
    header = _read_settings(settings, key, errors)
    lists = _read_choice_lists(choices, errors)
    sections = _read_survey(survey, lists, header["title"], errors)
    if errors:
        raise XLSFormError(errors)
    description = header.pop("description")
    questionnaire = {"format": FORMAT_MARKER, "format_version": FORMAT_VERSION, **header}
    if description:
        questionnaire["description"] = description
    questionnaire["sections"] = sections
    return questionnaire


def _read_settings(table: _Table, key: str | None, errors: list[str]) -> dict[str, Any]:
    row = table.rows[0] if table.rows else _Row("settings", {})
    title = row.translated("form_title")
    if "en" not in title:
        errors.append(f"{row.where}: the form_title (in English) is missing")
    form_key = key or row.get("form_id")
    if not form_key:
        errors.append(f"{row.where}: the form_id is missing")
    return {
        "key": form_key,
        "version": _read_version(row, errors),
        "audience": _read_choice_of(row, "audience", AUDIENCES, DEFAULT_AUDIENCE, errors),
        "status": _read_choice_of(row, "status", STATUSES, DEFAULT_STATUS, errors),
        "title": title,
        "description": row.translated("description"),
    }


def _read_version(row: _Row, errors: list[str]) -> int:
    text = row.get("version")
    if not text:
        return 1
    if re.fullmatch(r"\d+", text) and int(text) >= 1:
        return int(text)
    errors.append(f"{row.where}: version {text!r} is not a whole number of at least 1")
    return 1


def _read_choice_of(
    row: _Row, column: str, allowed: tuple[str, ...], default: str, errors: list[str]
) -> str:
    text = row.get(column)
    if not text:
        return default
    if text in allowed:
        return text
    errors.append(f"{row.where}: {column} {text!r} is not one of {', '.join(allowed)}")
    return default


def _read_choice_lists(table: _Table, errors: list[str]) -> dict[str, list[dict[str, Any]]]:
    if table.rows and not {"list_name", "name"} <= table.columns:
        errors.append("choices: the sheet needs a 'list_name' and a 'name' column")
        return {}
    lists: dict[str, list[dict[str, Any]]] = {}
    first_seen: dict[tuple[str, str], str] = {}
    for row in table.rows:
        list_name, code, label = row.get("list_name"), row.get("name"), row.translated("label")
        if not list_name or not code:
            errors.append(f"{row.where}: a choice needs both a list_name and a name")
            continue
        if (list_name, code) in first_seen:
            errors.append(
                f"{row.where}: choice '{code}' appears twice in list '{list_name}' "
                f"(first in {first_seen[list_name, code]})"
            )
            continue
        first_seen[list_name, code] = row.where
        if "en" not in label:
            errors.append(
                f"{row.where}: choice '{code}' of list '{list_name}' has no English label"
            )
        lists.setdefault(list_name, []).append({"code": code, "label": label})
    return lists


@dataclass
class _Entry:
    """One survey row that matters: a group boundary or a question."""

    row: _Row
    kind: str  # "begin", "end" or "question"
    name: str
    section: dict[str, Any] | None = None
    question: dict[str, Any] | None = None


def _read_survey(
    table: _Table, lists: dict, form_title: dict[str, str], errors: list[str]
) -> list[dict[str, Any]]:
    if not table.rows:
        errors.append("survey: the sheet holds no questions")
        return []
    missing = [column for column in ("type", "name") if column not in table.columns]
    if missing:
        names = " and ".join(f"'{column}'" for column in missing)
        errors.append(f"survey: the sheet has no {names} column")
        return []
    errors_before = len(errors)
    entries = [entry for row in table.rows if (entry := _read_survey_row(row, lists, errors))]
    questions = _index_questions(entries, errors)
    for entry in entries:
        if entry.question is not None:
            _read_references(entry, questions, errors)
    sections = _assemble_sections(entries, form_title, errors)
    if not questions and len(errors) == errors_before:
        errors.append("survey: the form has no questions")
    return sections


def _read_survey_row(row: _Row, lists: dict, errors: list[str]) -> _Entry | None:
    type_text = row.get("type")
    if not type_text:
        errors.append(f"{row.where}: the type is empty")
        return None
    words = type_text.split()
    keyword = "_".join(word.lower() for word in words)
    if keyword == "begin_group":
        return _read_group_start(row, errors)
    if keyword == "end_group":
        return _Entry(row, "end", row.get("name"))
    if keyword in METADATA_TYPES:
        return None
    if keyword in PLAIN_TYPES:
        return _read_question(row, PLAIN_TYPES[keyword], None, False, lists, errors)
    select = words[0].lower()
    if select in SELECT_TYPES and len(words) == 1:
        errors.append(f"{row.where}: type '{type_text}' needs a choice list name")
        return None
    if select in SELECT_TYPES and (
        len(words) == 2 or (len(words) == 3 and words[2].lower() == "or_other")
    ):
        or_other = len(words) == 3
        return _read_question(row, SELECT_TYPES[select], words[1], or_other, lists, errors)
    errors.append(f"{row.where}: type '{type_text}' is not supported")
    return None


def _read_group_start(row: _Row, errors: list[str]) -> _Entry:
    name = row.get("name")
    if not name:
        errors.append(f"{row.where}: the group has no name")
    if row.get("relevant"):
        errors.append(
            f"{row.where}: relevant on a group is not supported; put the condition on each "
            "question of the group"
        )
    code = row.get("section_code") or name
    title = row.translated("label") or {"en": code}
    if "en" not in title:
        errors.append(f"{row.where}: group '{name}' has no English label")
    section: dict[str, Any] = {"code": code, "title": title}
    help_text = row.translated("hint")
    if help_text:
        section["help"] = help_text
    section["per_mechanism"] = name.startswith(PER_MECHANISM_PREFIX)
    section["questions"] = []
    return _Entry(row, "begin", name, section=section)


def _read_question(
    row: _Row,
    xlsform_type: str,
    list_name: str | None,
    or_other: bool,
    lists: dict,
    errors: list[str],
) -> _Entry:
    code = row.get("name")
    if not code:
        errors.append(f"{row.where}: the question has no name")
    elif not QUESTION_CODE.fullmatch(code):
        errors.append(
            f"{row.where}: name {code!r} is not a valid question code (it must start with a "
            "lowercase letter and hold only lowercase letters, digits and underscores)"
        )
    text = row.translated("label")
    if "en" not in text:
        errors.append(f"{row.where}: question '{code}' has no English label")
    our_type = _question_type(row, xlsform_type, list_name, or_other, lists, errors)
    question: dict[str, Any] = {"code": code, "type": our_type, "text": text}
    help_text = row.translated("hint")
    if help_text:
        question["help"] = help_text
    question["required"] = _read_boolean(row, "required", errors)
    question["min_value"], question["max_value"] = _read_constraint(row, our_type, errors)
    question["max_choices"] = _read_max_choices(row, errors)
    question["other_option"] = or_other or _read_boolean(row, "other_option", errors)
    question["choices"], question["columns"] = _read_sources(
        row, our_type, list_name, lists, errors
    )
    question["rows_from"] = row.get("rows_from") or None
    question["condition"] = None  # read once every question is known
    question["summary_section"] = _read_choice_of(
        row, "summary_section", SUMMARY_SECTIONS, DEFAULT_SUMMARY_SECTION, errors
    )
    return _Entry(row, "question", code, question=question)


def _question_type(
    row: _Row,
    xlsform_type: str,
    list_name: str | None,
    or_other: bool,
    lists: dict,
    errors: list[str],
) -> str:
    refinement = row.get("our_type")
    if refinement:
        if refinement in OUR_TYPE_REFINEMENTS.get(xlsform_type, set()) | {xlsform_type}:
            return refinement
        errors.append(
            f"{row.where}: our_type {refinement!r} cannot be used with type {row.get('type')!r}"
        )
        return xlsform_type
    if xlsform_type == "text" and "multiline" in row.get("appearance").lower().split():
        return "long_text"
    if (
        xlsform_type == "single"
        and not or_other
        and not row.get("choice_source")
        and list_name in BUILT_IN_LISTS
        and _is_built_in_list(list_name, lists.get(list_name, []))
    ):
        return list_name
    return xlsform_type


def _is_built_in_list(list_name: str, items: list[dict[str, Any]]) -> bool:
    codes = [item["code"] for item in items]
    return len(codes) == len(BUILT_IN_LISTS[list_name]) and set(codes) == set(
        BUILT_IN_LISTS[list_name]
    )


def _read_boolean(row: _Row, column: str, errors: list[str]) -> bool:
    text = row.get(column).lower()
    if text in YES_WORDS:
        return True
    if text not in NO_WORDS:
        errors.append(
            f"{row.where}: {column} {row.get(column)!r} is not supported (use yes or no; "
            "conditional values are not supported)"
        )
    return False


def _read_max_choices(row: _Row, errors: list[str]) -> int | None:
    text = row.get("max_choices")
    if not text:
        return None
    if re.fullmatch(r"\d+", text) and int(text) >= 1:
        return int(text)
    errors.append(f"{row.where}: max_choices {text!r} is not a whole number of at least 1")
    return None


_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_BOUND = rf"\.\s*(>=|<=|>|<)\s*({_NUMBER})"
_CONSTRAINT = re.compile(rf"{_BOUND}(?:\s+and\s*{_BOUND})?")


def _read_constraint(
    row: _Row, our_type: str, errors: list[str]
) -> tuple[int | float | None, int | float | None]:
    text = row.get("constraint")
    if not text:
        return None, None
    if our_type not in NUMBER_TYPES:
        errors.append(
            f'{row.where}: constraint "{text}" is only supported on integer and decimal questions'
        )
        return None, None
    match = _CONSTRAINT.fullmatch(text)
    if not match:
        errors.append(
            f'{row.where}: constraint "{text}" is not in a supported form {CONSTRAINT_FORMS}'
        )
        return None, None
    bounds = [(match.group(1), match.group(2))]
    if match.group(3):
        bounds.append((match.group(3), match.group(4)))
    return _bounds_to_range(row, text, our_type, bounds, errors)


def _bounds_to_range(
    row: _Row, text: str, our_type: str, bounds: list[tuple[str, str]], errors: list[str]
) -> tuple[int | float | None, int | float | None]:
    limits: dict[str, int | float] = {}
    whole = our_type in WHOLE_NUMBER_TYPES
    for operator, number_text in bounds:
        number = _parse_number(number_text)
        if whole and not float(number).is_integer():
            errors.append(
                f'{row.where}: constraint "{text}" compares a whole number with {number_text}'
            )
            return None, None
        if operator in (">", "<"):
            if not whole:
                errors.append(
                    f'{row.where}: constraint "{text}" uses a strict comparison, which is only '
                    "supported on whole numbers; use >= or <="
                )
                return None, None
            # On whole numbers "> n" is ">= n + 1", which our min_value can say.
            number = number + 1 if operator == ">" else number - 1
        side = "min" if operator.startswith(">") else "max"
        if side in limits:
            errors.append(f'{row.where}: constraint "{text}" gives two {side}imum values')
            return None, None
        limits[side] = number
    minimum, maximum = limits.get("min"), limits.get("max")
    if minimum is not None and maximum is not None and minimum > maximum:
        errors.append(f'{row.where}: constraint "{text}" accepts no value (minimum above maximum)')
        return None, None
    return minimum, maximum


def _parse_number(text: str) -> int | float:
    return int(text) if WHOLE_NUMBER.fullmatch(text) else float(text)


def _read_sources(
    row: _Row, our_type: str, list_name: str | None, lists: dict, errors: list[str]
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    choice_source, columns_source = row.get("choice_source"), row.get("columns_source")
    if our_type not in CHOICE_TYPES:
        for column in ("choice_source", "columns_source"):
            if row.get(column):
                errors.append(f"{row.where}: {column} is only used on choice and matrix questions")
        return None, None
    choices = _read_source(row, "choice_source", choice_source or "local", list_name, lists, errors)
    if our_type != "matrix":
        if columns_source:
            errors.append(f"{row.where}: columns_source is only used on matrix questions")
        return choices, None
    if not columns_source:
        errors.append(f"{row.where}: a matrix question needs a columns_source")
        return choices, None
    return choices, _read_source(row, "columns_source", columns_source, None, lists, errors)


def _read_source(
    row: _Row,
    column: str,
    text: str,
    default_list: str | None,
    lists: dict,
    errors: list[str],
) -> dict[str, Any] | None:
    if text == MECHANISMS_SOURCE:
        return {"source": "mechanisms"}
    kind, colon, name = (part.strip() for part in text.partition(":"))
    if kind == "vocabulary" and colon and SOURCE_NAME.fullmatch(name):
        return {"source": "vocabulary", "name": name}
    if kind == "local" and (name or default_list):
        list_name = name or default_list
        if list_name not in lists:
            errors.append(f"choices: list '{list_name}' used in {row.where} is not defined")
            return None
        return {"source": "local", "items": copy.deepcopy(lists[list_name])}
    errors.append(
        f"{row.where}: {column} {text!r} is not supported (use vocabulary:NAME, mechanisms or "
        "local:LIST)"
    )
    return None


def _index_questions(entries: list[_Entry], errors: list[str]) -> dict[str, _Entry]:
    questions: dict[str, _Entry] = {}
    for entry in entries:
        if entry.question is None:
            continue
        if entry.name in questions:
            errors.append(
                f"{entry.row.where}: name '{entry.name}' is already used in "
                f"{questions[entry.name].row.where}"
            )
            continue
        questions[entry.name] = entry
    return questions


def _read_references(entry: _Entry, questions: dict[str, _Entry], errors: list[str]) -> None:
    row, question = entry.row, entry.question
    assert question is not None
    rows_from = question["rows_from"]
    if rows_from and rows_from not in questions:
        errors.append(f"{row.where}: rows_from '{rows_from}' is not a question of this form")
    text = row.get("relevant")
    if text:
        question["condition"] = _read_relevant(row, text, questions, errors)


_QUOTED = r"""(?:'([^']*)'|"([^"]*)")"""
_REFERENCE = r"\$\{\s*([^}\s]+)\s*\}"
_COMPARISON = re.compile(rf"\s*{_REFERENCE}\s*(!=|=)\s*{_QUOTED}\s*")
_SELECTED = re.compile(rf"\s*selected\s*\(\s*{_REFERENCE}\s*,\s*{_QUOTED}\s*\)\s*")
_CONNECTOR = re.compile(r"(and|or)\b")


@dataclass(frozen=True)
class _Check:
    """One `${q} = 'x'`, `${q} != 'x'` or `selected(${q}, 'x')` of a relevant expression."""

    kind: str  # "=", "!=" or "selected"
    question: str
    value: str


def _parse_relevant(text: str) -> tuple[list[_Check], set[str]] | None:
    """The tests and the connectors between them, or None if the text is not a chain of tests."""
    tests: list[_Check] = []
    connectors: set[str] = set()
    position = 0
    while True:
        comparison = _COMPARISON.match(text, position)
        selected = None if comparison else _SELECTED.match(text, position)
        if comparison:
            value = _first_group(comparison.group(3), comparison.group(4))
            tests.append(_Check(comparison.group(2), comparison.group(1), value))
            position = comparison.end()
        elif selected:
            value = _first_group(selected.group(2), selected.group(3))
            tests.append(_Check("selected", selected.group(1), value))
            position = selected.end()
        else:
            return None
        if position == len(text):
            return tests, connectors
        connector = _CONNECTOR.match(text, position)
        if not connector:
            return None
        connectors.add(connector.group(1))
        position = connector.end()


def _first_group(*groups: str | None) -> str:
    return next(group for group in groups if group is not None)


# The chains that questionnaire_to_xlsform writes for several values, by test kind.
_CHAIN_CONNECTOR = {"=": "or", "!=": "and", "selected": "or"}


def _read_relevant(
    row: _Row, text: str, questions: dict[str, _Entry], errors: list[str]
) -> dict[str, Any] | None:
    parsed = _parse_relevant(text)
    kinds = {test.kind for test in parsed[0]} if parsed else set()
    names = {test.question for test in parsed[0]} if parsed else set()
    if (
        parsed is None
        or len(kinds) != 1
        or len(names) != 1
        or (parsed[1] and parsed[1] != {_CHAIN_CONNECTOR[next(iter(kinds))]})
    ):
        errors.append(f'{row.where}: relevant "{text}" is not in a supported form {RELEVANT_FORMS}')
        return None
    tests, _ = parsed
    (kind,), (name,) = kinds, names
    target = questions.get(name)
    if target is None:
        errors.append(
            f"{row.where}: relevant \"{text}\" refers to '{name}', which is not a question"
        )
        return None
    if kind == "=":
        operator = "equals"
    elif kind == "!=":
        operator = "not_equals"
    else:
        assert target.question is not None
        operator = "includes" if target.question["type"] == "multiple" else "equals"
    return {"question": name, "operator": operator, "values": [test.value for test in tests]}


def _assemble_sections(
    entries: list[_Entry], form_title: dict[str, str], errors: list[str]
) -> list[dict[str, Any]]:
    """Sections in order: each top-level group is one, each run of questions outside any group
    is another (`main`, `main_2`...), so the display order is kept."""
    group_codes = {entry.section["code"] for entry in entries if entry.section}
    main_codes = (
        code
        for number in range(1, len(entries) + 2)
        if (code := MAIN_SECTION_CODE if number == 1 else f"{MAIN_SECTION_CODE}_{number}")
        not in group_codes
    )
    sections: list[dict[str, Any]] = []
    first_use: dict[str, str] = {}
    open_group: _Entry | None = None
    nested_depth = 0
    current: dict[str, Any] | None = None
    for entry in entries:
        if entry.kind == "begin":
            if open_group is not None:
                errors.append(
                    f"{entry.row.where}: group '{entry.name}' is inside group '{open_group.name}' "
                    f"({open_group.row.where}); nested groups are not supported"
                )
                nested_depth += 1
                continue
            open_group, current = entry, entry.section
            _check_section_code(entry, first_use, errors)
            sections.append(entry.section)
        elif entry.kind == "end":
            if nested_depth:
                nested_depth -= 1
            elif open_group is None:
                errors.append(f"{entry.row.where}: end_group has no matching begin_group")
            else:
                open_group, current = None, None
        else:
            if current is None:
                title = copy.deepcopy(form_title)
                current = {"code": next(main_codes), "title": title, "per_mechanism": False}
                current["questions"] = []
                sections.append(current)
            current["questions"].append(entry.question)
    if open_group is not None:
        errors.append(
            f"{open_group.row.where}: group '{open_group.name}' is never closed "
            "(its end_group is missing)"
        )
    return sections


def _check_section_code(entry: _Entry, first_use: dict[str, str], errors: list[str]) -> None:
    assert entry.section is not None
    code = entry.section["code"]
    if code in first_use:
        errors.append(
            f"{entry.row.where}: section code '{code}' is already used in {first_use[code]}"
        )
    else:
        first_use[code] = entry.row.where


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _language_columns(base: str) -> list[str]:
    return [f"{base}::{LANGUAGE_COLUMN_NAMES[language]}" for language in LANGUAGES]


SURVEY_HEADER = [
    "type",
    "name",
    *_language_columns("label"),
    *_language_columns("hint"),
    "required",
    "constraint",
    "relevant",
    "appearance",
    "section_code",
    "our_type",
    "choice_source",
    "columns_source",
    "other_option",
    "max_choices",
    "rows_from",
    "summary_section",
]
CHOICES_HEADER = ["list_name", "name", *_language_columns("label")]
SETTINGS_HEADER = [
    "form_title",
    *_language_columns(TITLE_TRANSLATION)[1:],
    "form_id",
    "version",
    "default_language",
    "audience",
    "status",
    *_language_columns("description"),
]
WRITTEN_PLAIN_TYPES = {
    "text": "text",
    "long_text": "text",
    "integer": "integer",
    "year": "integer",
    "decimal": "decimal",
    "date": "date",
    "note": "note",
}


def questionnaire_to_xlsform(data: Mapping[str, Any]) -> bytes:
    """Write a questionnaire (our format) as an XLSForm `.xlsx`; `xlsform_to_questionnaire` reads
    it back unchanged. Raises ValueError for data outside the format."""
    lists = _ChoiceLists(_vocabulary_names(data))
    survey_rows = _survey_rows(data, lists)
    workbook = Workbook()
    _fill_sheet(workbook.active, "survey", SURVEY_HEADER, survey_rows)
    _fill_sheet(workbook.create_sheet(), "choices", CHOICES_HEADER, lists.rows)
    _fill_sheet(workbook.create_sheet(), "settings", SETTINGS_HEADER, [_settings_row(data)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _vocabulary_names(data: Mapping[str, Any]) -> set[str]:
    names = set()
    for section in data.get("sections", []):
        for question in section.get("questions", []):
            for key in ("choices", "columns"):
                source = question.get(key) or {}
                if source.get("source") == "vocabulary":
                    names.add(str(source.get("name")))
    return names


class _ChoiceLists:
    """Names the choice lists of the written form and collects the rows of the choices sheet."""

    def __init__(self, vocabulary_names: set[str]) -> None:
        # Local lists get fresh names, so they can never be mistaken for a built-in list or a
        # vocabulary when read back.
        self.used = set(BUILT_IN_LISTS) | {MECHANISMS_SOURCE} | vocabulary_names
        self.rows: list[dict[str, Any]] = []
        self.built_ins_written: set[str] = set()

    def built_in(self, name: str) -> str:
        if name not in self.built_ins_written:
            self.built_ins_written.add(name)
            for code in BUILT_IN_LISTS[name]:
                label = BUILT_IN_LABELS.get(code, dict.fromkeys(LANGUAGES, code))
                self.rows.append({"list_name": name, "name": code, **_text_cells("label", label)})
        return name

    def source(self, source: Any, preferred_name: str, where: str) -> tuple[str, str]:
        """The list name for the type column and the custom source cell ("" for local lists)."""
        kind = source.get("source") if isinstance(source, Mapping) else None
        if kind == "mechanisms":
            return MECHANISMS_SOURCE, MECHANISMS_SOURCE
        if kind == "vocabulary":
            name = str(source.get("name") or "")
            if not SOURCE_NAME.fullmatch(name):
                raise ValueError(f"{where}: vocabulary name {name!r} cannot be written")
            return name, f"vocabulary:{name}"
        if kind == "local":
            return self._local(source.get("items") or [], preferred_name), ""
        raise ValueError(f"{where}: choice source {source!r} is not supported")

    def _local(self, items: list[Mapping[str, Any]], preferred_name: str) -> str:
        name = _unique_name(preferred_name, self.used)
        for item in items:
            self.rows.append(
                {
                    "list_name": name,
                    "name": str(item["code"]),
                    **_text_cells("label", item["label"]),
                }
            )
        return name


def _unique_name(preferred: str, used: set[str]) -> str:
    name, number = preferred, 1
    while name in used:
        number += 1
        name = f"{preferred}_{number}"
    used.add(name)
    return name


def _text_cells(base: str, texts: Mapping[str, str] | None) -> dict[str, str]:
    texts = texts or {}
    columns = dict(zip(LANGUAGES, _language_columns(base), strict=True))
    return {columns[language]: texts[language] for language in LANGUAGES if texts.get(language)}


def _survey_rows(data: Mapping[str, Any], lists: _ChoiceLists) -> list[dict[str, Any]]:
    sections = data.get("sections", [])
    used_names = {
        str(question.get("code")) for section in sections for question in section["questions"]
    }
    rows: list[dict[str, Any]] = []
    for section in sections:
        group = _group_name(section, used_names)
        rows.append(
            {
                "type": "begin_group",
                "name": group,
                **_text_cells("label", section.get("title")),
                **_text_cells("hint", section.get("help")),
                "section_code": section["code"],
            }
        )
        rows.extend(_question_row(question, lists) for question in section["questions"])
        rows.append({"type": "end_group"})
    return rows


def _group_name(section: Mapping[str, Any], used: set[str]) -> str:
    """A valid, unused XLSForm name; the reader takes the code from `section_code` and the
    per-mechanism flag from the name's prefix."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", str(section["code"])) or "section"
    if not re.match(r"[A-Za-z_]", name):
        name = f"section_{name}"
    if section.get("per_mechanism"):
        if not name.startswith(PER_MECHANISM_PREFIX):
            name = f"{PER_MECHANISM_PREFIX}_{name}"
    elif name.startswith(PER_MECHANISM_PREFIX):
        name = f"section_{name}"
    return _unique_name(name, used)


def _question_row(question: Mapping[str, Any], lists: _ChoiceLists) -> dict[str, Any]:
    code = str(question["code"])
    our_type = question["type"]
    row: dict[str, Any] = {
        "name": code,
        **_text_cells("label", question.get("text")),
        **_text_cells("hint", question.get("help")),
    }
    row.update(_type_cells(question, lists))
    if question.get("required"):
        row["required"] = "yes"
    row["constraint"] = _constraint_text(question.get("min_value"), question.get("max_value"))
    if question.get("condition"):
        row["relevant"] = _relevant_text(question["condition"], code)
    if our_type in ("year", "matrix"):
        row["our_type"] = our_type
    if our_type == "long_text":
        row["appearance"] = "multiline"
    if question.get("other_option"):
        row["other_option"] = "yes"
    row["max_choices"] = question.get("max_choices")
    row["rows_from"] = question.get("rows_from")
    row["summary_section"] = question.get("summary_section")
    return row


def _type_cells(question: Mapping[str, Any], lists: _ChoiceLists) -> dict[str, Any]:
    code, our_type = str(question["code"]), question["type"]
    where = f"question '{code}'"
    if our_type in WRITTEN_PLAIN_TYPES:
        return {"type": WRITTEN_PLAIN_TYPES[our_type]}
    if our_type in BUILT_IN_LISTS:
        return {"type": f"select_one {lists.built_in(our_type)}"}
    if our_type not in CHOICE_TYPES:
        raise ValueError(f"{where}: type {our_type!r} is not supported")
    keyword = "select_one" if our_type == "single" else "select_multiple"
    list_name, source_cell = lists.source(question.get("choices"), code, where)
    cells = {"type": f"{keyword} {list_name}", "choice_source": source_cell}
    if our_type == "matrix":
        columns_list, columns_cell = lists.source(question.get("columns"), f"{code}_columns", where)
        cells["columns_source"] = columns_cell or f"local:{columns_list}"
    return cells


def _constraint_text(minimum: Any, maximum: Any) -> str:
    bounds = []
    if minimum is not None:
        bounds.append(f". >= {_number_text(minimum)}")
    if maximum is not None:
        bounds.append(f". <= {_number_text(maximum)}")
    return " and ".join(bounds)


def _number_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return repr(value)
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return str(value)


_WRITTEN_TESTS = {
    "equals": ("{ref} = {value}", " or "),
    "not_equals": ("{ref} != {value}", " and "),
    "includes": ("selected({ref}, {value})", " or "),
}


def _relevant_text(condition: Mapping[str, Any], code: str) -> str:
    operator = condition.get("operator")
    values = list(condition.get("values") or [])
    if operator not in _WRITTEN_TESTS or not values:
        raise ValueError(f"question '{code}': condition {condition!r} cannot be written")
    template, connector = _WRITTEN_TESTS[operator]
    reference = "${" + str(condition["question"]) + "}"
    return connector.join(
        template.format(ref=reference, value=_quoted(str(value), code)) for value in values
    )


def _quoted(value: str, code: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise ValueError(f"question '{code}': condition value {value!r} holds both kinds of quote")


def _settings_row(data: Mapping[str, Any]) -> dict[str, Any]:
    title = data.get("title") or {}
    return {
        "form_title": title.get("en"),
        **{
            column: text
            for column, text in _text_cells(TITLE_TRANSLATION, title).items()
            if not column.startswith(f"{TITLE_TRANSLATION}::{LANGUAGE_COLUMN_NAMES['en']}")
        },
        "form_id": data.get("key"),
        "version": data.get("version"),
        "default_language": LANGUAGE_COLUMN_NAMES["en"],
        "audience": data.get("audience"),
        "status": data.get("status"),
        **_text_cells("description", data.get("description")),
    }


def _cell_value(value: Any) -> Any:
    if value == "":
        return None
    if isinstance(value, str):
        # Control characters (pasted from word processors) cannot be stored in a worksheet.
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _fill_sheet(sheet: Any, title: str, header: list[str], rows: list[dict[str, Any]]) -> None:
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append([_cell_value(row.get(column)) for column in header])
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            # openpyxl stores any text starting with "=" as a formula; labels are never formulas.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
