"""Reading, second step: the rows of an XLSForm's sheets -> a questionnaire in our format
(`xlsform_to_questionnaire`)."""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass
from typing import Any, BinaryIO

from .common import (
    AUDIENCES,
    BUILT_IN_LISTS,
    CHOICE_TYPES,
    CHOICE_WORDING,
    DEFAULT_AUDIENCE,
    DEFAULT_STATUS,
    DEFAULT_SUMMARY_SECTION,
    FORMAT_MARKER,
    FORMAT_VERSION,
    MAIN_SECTION_CODE,
    MECHANISMS_SOURCE,
    METADATA_TYPES,
    NO_WORDS,
    OUR_TYPE_REFINEMENTS,
    PER_MECHANISM_PREFIX,
    PLAIN_TYPES,
    QUESTION_CODE,
    RELEVANT_FORMS,
    SELECT_TYPES,
    SOURCE_NAME,
    STATUSES,
    SUMMARY_SECTIONS,
    YES_WORDS,
    XLSFormError,
)
from .expressions import _CHAIN_CONNECTOR, _parse_relevant, _read_constraint
from .sheets import (
    CHOICES_COLUMNS,
    SETTINGS_COLUMNS,
    SURVEY_COLUMNS,
    _build_table,
    _read_workbook,
    _Row,
    _Table,
)


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
        item: dict[str, Any] = {"code": code, "label": label}
        for key in CHOICE_WORDING:  # optional: how a summary says the choice
            texts = row.translated(key)
            if texts and "en" not in texts:
                errors.append(
                    f"{row.where}: choice '{code}' of list '{list_name}' has a {key} but no "
                    f"English {key}"
                )
            if texts:
                item[key] = texts
        lists.setdefault(list_name, []).append(item)
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
    """The list holds the built-in type's codes, and no summary wording (which the built-in
    type could not keep)."""
    codes = [item["code"] for item in items]
    return (
        len(codes) == len(BUILT_IN_LISTS[list_name])
        and set(codes) == set(BUILT_IN_LISTS[list_name])
        and not any(key in item for item in items for key in CHOICE_WORDING)
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
