"""Writing: a questionnaire in our format -> an XLSForm workbook (`questionnaire_to_xlsform`),
with the custom columns that `xlsform_to_questionnaire` reads back."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .common import (
    BUILT_IN_LABELS,
    BUILT_IN_LISTS,
    CHOICE_TYPES,
    CHOICE_WORDING,
    LANGUAGE_COLUMN_NAMES,
    LANGUAGES,
    MECHANISMS_SOURCE,
    PER_MECHANISM_PREFIX,
    SOURCE_NAME,
    TITLE_TRANSLATION,
)


def _language_columns(base: str) -> list[str]:
    return [f"{base}::{LANGUAGE_COLUMN_NAMES[language]}" for language in LANGUAGES]


def _suffixed_columns(base: str) -> list[str]:
    """`phrase_en`, `phrase_fr`, `phrase_es`: see CHOICE_WORDING for why not `phrase::...`."""
    return [f"{base}_{language}" for language in LANGUAGES]


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
# Always all the columns, so that the sheet has the same shape whatever the questionnaire.
CHOICES_HEADER = [
    "list_name",
    "name",
    *_language_columns("label"),
    *(column for key in CHOICE_WORDING for column in _suffixed_columns(key)),
]
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


def questionnaire_to_xlsform(
    data: Mapping[str, Any], registry: Mapping[str, Sequence[Any]] | None = None
) -> bytes:
    """Write a questionnaire (our format) as an XLSForm `.xlsx`; `xlsform_to_questionnaire` reads
    it back unchanged. `registry` holds the options (`schema.Option`) of the vocabularies and
    the mechanisms the questionnaire names, written into the choices sheet so that pyxform (and
    Kobo, ODK) can convert the form. Raises ValueError for data outside the format."""
    lists = _ChoiceLists(_vocabulary_names(data), registry or {})
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

    def __init__(self, vocabulary_names: set[str], registry: Mapping[str, Sequence[Any]]) -> None:
        # Local lists get fresh names, so they can never be mistaken for a built-in list or a
        # vocabulary when read back.
        self.used = set(BUILT_IN_LISTS) | {MECHANISMS_SOURCE} | vocabulary_names
        self.rows: list[dict[str, Any]] = []
        self.built_ins_written: set[str] = set()
        self.registry = registry
        self.registry_written: set[str] = set()
        # The XLSForm names of each local list's choices by stored code (for `relevant`).
        self.names_by_question: dict[str, dict[str, str]] = {}

    def registry_list(self, name: str) -> None:
        """The registry list's options, in the choices sheet (pyxform needs every list)."""
        if name in self.registry_written:
            return
        self.registry_written.add(name)
        for option in self.registry.get(name, ()):
            labels = dict(option.labels) or {"en": option.code}
            self.rows.append(
                {"list_name": name, "name": option.code, **_text_cells("label", labels)}
            )

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
            self.registry_list(MECHANISMS_SOURCE)
            return MECHANISMS_SOURCE, MECHANISMS_SOURCE
        if kind == "vocabulary":
            name = str(source.get("name") or "")
            if not SOURCE_NAME.fullmatch(name):
                raise ValueError(f"{where}: vocabulary name {name!r} cannot be written")
            self.registry_list(name)
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
                    "name": str(item.get("xlsform_name") or item["code"]),
                    **_text_cells("label", item["label"]),
                    **{
                        column: text
                        for key in CHOICE_WORDING
                        for column, text in _text_cells(key, item.get(key), suffixed=True).items()
                    },
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


def _text_cells(
    base: str, texts: Mapping[str, str] | None, *, suffixed: bool = False
) -> dict[str, str]:
    texts = texts or {}
    names = _suffixed_columns(base) if suffixed else _language_columns(base)
    columns = dict(zip(LANGUAGES, names, strict=True))
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
        row["relevant"] = _relevant_text(question["condition"], code, lists.names_by_question)
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
    items = (question.get("choices") or {}).get("items") or []
    lists.names_by_question[code] = {
        str(item["code"]): str(item["xlsform_name"]) for item in items if item.get("xlsform_name")
    }
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
    "excludes": ("not(selected({ref}, {value}))", " and "),
    "greater_than": ("{ref} > {number}", ""),
    "at_least": ("{ref} >= {number}", ""),
    "less_than": ("{ref} < {number}", ""),
    "at_most": ("{ref} <= {number}", ""),
}


def _relevant_text(
    condition: Mapping[str, Any], code: str, names_by_question: Mapping[str, Mapping[str, str]]
) -> str:
    """The XLSForm `relevant` of a condition: a test, or tests joined with and / or (each
    part in parentheses when it joins several)."""
    for combine, connector in (("all", " and "), ("any", " or ")):
        if combine in condition:
            parts = [_relevant_text(part, code, names_by_question) for part in condition[combine]]
            return connector.join(
                f"({part})" if " and " in part or " or " in part else part for part in parts
            )
    operator = condition.get("operator")
    reference = "${" + str(condition.get("question")) + "}"
    if operator == "answered":
        return f"{reference} != ''"
    values = list(condition.get("values") or [])
    if operator not in _WRITTEN_TESTS or not values:
        raise ValueError(f"question '{code}': condition {condition!r} cannot be written")
    names = names_by_question.get(str(condition.get("question")), {})
    template, connector = _WRITTEN_TESTS[operator]
    return connector.join(
        template.format(
            ref=reference,
            value=_quoted(names.get(str(value), str(value)), code),
            number=value,
        )
        for value in values
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
