"""Reading the survey sheet, row by row: group boundaries and questions (`read_row`), with the
types pyxform accepts classified through its own type dictionary and aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from pyxform import aliases, constants
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.xls2json import RE_BEGIN_CONTROL, RE_END_CONTROL, RE_OSM, RE_SELECT

from .common import (
    BUILT_IN_LISTS,
    CHOICE_TYPES,
    CHOICE_WORDING,
    DEFAULT_SUMMARY_SECTION,
    MECHANISMS_SOURCE,
    NO_WORDS,
    NUMBER_TYPES,
    OUR_TYPE_REFINEMENTS,
    SOURCE_NAME,
    SUMMARY_SECTIONS,
    WHOLE_NUMBER,
    WHOLE_NUMBER_TYPES,
    YES_WORDS,
)
from .rows import Cells

SURVEY = constants.SURVEY
ENGLISH_FROM = "_english_from"  # on a choice read without English text
NOTE_TYPES = frozenset({"note", "q note", "add note prompt"})
ACKNOWLEDGED = {"code": "OK", "label": {"en": "OK", "fr": "OK", "es": "OK"}}
_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_BOUND = rf"\.\s*(>=|<=|>|<)\s*({_NUMBER})"
_CONSTRAINT = re.compile(rf"{_BOUND}(?:\s+and\s*{_BOUND})?")


@dataclass
class Entry:
    """One survey row that matters: a group boundary or a question."""

    kind: str  # "begin", "end" or "question"
    row: int
    name: str
    relevant: str = ""
    section: dict[str, Any] | None = None
    question: dict[str, Any] | None = None
    list_name: str | None = None
    # The choice names of the question's list by stored code (for conditions on it).
    codes: dict[str, str] = field(default_factory=dict)
    # The groups around the question (their ids), to know which group conditions it implies.
    groups: tuple[int, ...] = ()


def read_row(cells: Cells, lists: dict[str, list[dict[str, Any]]]) -> Entry | None:
    """The entry of one survey row, or None (reported, or nothing to import)."""
    report, number = cells.report, cells.number
    type_text = " ".join(cells.get("type").split())
    if not type_text:
        if cells.cells:
            report.warn(SURVEY, number, _("type"), _("a row without a type is not imported"))
        return None
    if control := RE_BEGIN_CONTROL.search(type_text):
        if aliases.control[control.group("type")] != constants.GROUP:
            report.refuse(
                SURVEY, number, type_text, _("repeats cannot be imported: answers are not repeated")
            )
            return None
        return _group_start(cells)
    if RE_END_CONTROL.search(type_text):
        return Entry("end", number, cells.get("name"))
    if select := RE_SELECT.search(type_text):
        return _select(cells, type_text, select)
    if RE_OSM.search(type_text):
        report.refuse(SURVEY, number, type_text, _("media answers cannot be imported"))
        return None
    return _plain(cells, type_text)


def _group_start(cells: Cells) -> Entry:
    name = cells.get("name")
    code = cells.get("section_code") or name
    title = cells.texts("label", fallback=name)
    section: dict[str, Any] = {"code": code, "title": title}
    help_text = cells.texts("hint")
    if help_text:
        section["help"] = help_text
    section["per_mechanism"] = name.startswith("per_mechanism")
    section["questions"] = []
    cells.get("control", "appearance")  # field-list and the like: presentation only
    relevant = cells.get("bind", "relevant")
    return Entry("begin", cells.number, name, relevant=relevant, section=section)


def _plain(cells: Cells, type_text: str) -> Entry | None:
    report, number = cells.report, cells.number
    definition = QUESTION_TYPE_DICT.get(type_text) or QUESTION_TYPE_DICT.get(type_text.lower())
    if definition is None:
        report.refuse(SURVEY, number, type_text, _("this type is not an XLSForm type"))
        return None
    bind_type = (definition.get("bind") or {}).get("type")
    tag = (definition.get("control") or {}).get("tag")
    if type_text.lower() in NOTE_TYPES:
        return _question(cells, "note")
    if type_text.lower() in ("calculate", "q calculate", "add calculate prompt"):
        report.warn(
            SURVEY,
            number,
            "calculate",
            _("calculations are not imported (%(name)s)") % {"name": cells.get("name")},
        )
        return None
    if tag in (None, "action") or (bind_type is None and tag is None):
        report.warn(
            SURVEY,
            number,
            type_text,
            _("device and form metadata are not imported (%(name)s)") % {"name": cells.get("name")},
        )
        return None
    if bind_type in ("geopoint", "geoshape", "geotrace"):
        report.refuse(SURVEY, number, type_text, _("location answers cannot be imported"))
        return None
    if bind_type == "binary" or tag == "upload":
        report.refuse(SURVEY, number, type_text, _("media and file answers cannot be imported"))
        return None
    if tag == "input" and bind_type == "string":
        multiline = "multiline" in cells.get("control", "appearance").lower().split()
        return _question(cells, "long_text" if multiline else "text")
    if tag == "input" and bind_type in ("int", "decimal", "date"):
        return _question(cells, {"int": "integer"}.get(bind_type, bind_type))
    if tag == "input" and bind_type in ("time", "dateTime", "barcode"):
        report.warn(
            SURVEY,
            number,
            type_text,
            _("answers are kept as text: their format is not checked (%(name)s)")
            % {"name": cells.get("name")},
        )
        return _question(cells, "text")
    if tag == "range":
        return _range(cells, type_text)
    if tag == "trigger" and bind_type == "string":  # acknowledge: one box to tick
        report.warn(
            SURVEY,
            number,
            type_text,
            _("imported as a single choice with one answer, “OK” (%(name)s)")
            % {"name": cells.get("name")},
        )
        entry = _question(cells, "single")
        assert entry.question is not None
        entry.question["choices"] = {"source": "local", "items": [dict(ACKNOWLEDGED)]}
        entry.codes = {"OK": "OK"}
        return entry
    report.refuse(SURVEY, number, type_text, _("answers of this type cannot be imported"))
    return None


def _range(cells: Cells, type_text: str) -> Entry | None:
    """A range (a slider from start to end) as a number with those bounds."""
    parameters = dict(part.split("=", 1) for part in cells.get("parameters").split() if "=" in part)
    try:
        start, end, step = (
            float(parameters.get(key, default))
            for key, default in (("start", "1"), ("end", "10"), ("step", "1"))
        )
    except ValueError:
        cells.report.refuse(
            SURVEY, cells.number, "parameters", _("the range's start, end and step must be numbers")
        )
        return None
    whole = all(float(value).is_integer() for value in (start, end, step))
    cells.report.warn(
        SURVEY,
        cells.number,
        type_text,
        _("imported as a number from %(start)s to %(end)s; the slider and its step are not kept")
        % {"start": _plain_number(min(start, end)), "end": _plain_number(max(start, end))},
    )
    entry = _question(cells, "integer" if whole else "decimal")
    question = entry.question
    assert question is not None
    question["min_value"], question["max_value"] = (
        _plain_number(min(start, end)),
        _plain_number(max(start, end)),
    )
    return entry


def _plain_number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _select(cells: Cells, type_text: str, select: re.Match) -> Entry | None:
    report, number = cells.report, cells.number
    command = select.group("select_command")
    kind = aliases.select[command]
    if command in aliases.select_from_file or kind == constants.SELECT_ONE_EXTERNAL:
        report.refuse(
            SURVEY,
            number,
            type_text,
            _("choices from a file or an external list cannot be imported"),
        )
        return None
    if kind == constants.RANK:
        report.refuse(SURVEY, number, type_text, _("ranking answers cannot be imported"))
        return None
    if cells.get("choice_filter"):
        report.refuse(
            SURVEY,
            number,
            "choice_filter",
            _("filtered choices cannot be imported: every answer would offer all the choices"),
        )
        return None
    our_type = "single" if kind == constants.SELECT_ONE else "multiple"
    or_other = bool(select.group("specify_other"))
    return _question(cells, our_type, select.group("list_name"), or_other)


def _question(
    cells: Cells, our_type: str, list_name: str | None = None, or_other: bool = False
) -> Entry:
    name = cells.get("name")
    report, number = cells.report, cells.number
    text = cells.texts("label")
    help_text = cells.texts("hint")
    if not text and help_text:
        report.warn(
            SURVEY, number, "hint", _("the row has a hint but no label: the hint is its text")
        )
        text, help_text = help_text, {}
    if not text:
        text = {"en": name}
    if any("${" in value for value in (*text.values(), *help_text.values())):
        report.warn(
            SURVEY,
            number,
            "label",
            _(
                "answers referred to in the text (${…}) are not filled in: the text shows as written"
            ),
        )
    our_type = _refined_type(cells, our_type, list_name, or_other)
    question: dict[str, Any] = {"code": name, "type": our_type, "text": text}
    if help_text:
        question["help"] = help_text
    question["required"] = _required(cells)
    question["min_value"], question["max_value"] = _constraint(cells, our_type)
    question["max_choices"] = _max_choices(cells)
    question["other_option"] = or_other or cells.get("other_option").lower() in YES_WORDS
    question["choices"] = None
    question["columns"] = None
    question["rows_from"] = cells.get("rows_from") or None
    question["condition"] = None  # read once every question is known
    summary = cells.get("summary_section")
    question["summary_section"] = (
        summary if summary in SUMMARY_SECTIONS else DEFAULT_SUMMARY_SECTION
    )
    entry = Entry("question", number, name, cells.get("bind", "relevant"), question=question)
    entry.list_name = list_name
    return entry


def _refined_type(cells: Cells, our_type: str, list_name: str | None, or_other: bool) -> str:
    refinement = cells.get("our_type")
    if refinement and refinement in OUR_TYPE_REFINEMENTS.get(our_type, set()):
        return refinement
    if refinement and refinement != our_type:
        cells.report.warn(
            SURVEY,
            cells.number,
            "our_type",
            _("“%(value)s” does not fit this type: ignored") % {"value": refinement},
        )
    return our_type


def _required(cells: Cells) -> bool:
    text = cells.get("bind", "required")
    if text.lower() in YES_WORDS:
        return True
    if text.lower() not in NO_WORDS:
        cells.report.warn(
            SURVEY,
            cells.number,
            "required",
            _("“%(value)s” is not yes or no: the question is imported as optional")
            % {"value": text},
        )
    return False


def _max_choices(cells: Cells) -> int | None:
    text = cells.get("max_choices")
    return int(text) if re.fullmatch(r"[1-9]\d{0,8}", text) else None


def _constraint(cells: Cells, our_type: str) -> tuple[int | float | None, int | float | None]:
    text = cells.get("bind", "constraint")
    if not text:
        return None, None
    bounds = _bounds(text, our_type) if our_type in NUMBER_TYPES else None
    if bounds is None:
        cells.report.warn(
            SURVEY,
            cells.number,
            "constraint",
            _("“%(expression)s” cannot be checked by the server and is not imported")
            % {"expression": text},
        )
        return None, None
    return bounds


def _bounds(text: str, our_type: str) -> tuple[int | float | None, int | float | None] | None:
    match = _CONSTRAINT.fullmatch(text.strip())
    if not match:
        return None
    whole = our_type in WHOLE_NUMBER_TYPES
    limits: dict[str, int | float] = {}
    for operator, number_text in (
        (match.group(1), match.group(2)),
        (match.group(3), match.group(4)),
    ):
        if operator is None:
            continue
        number: int | float = (
            int(number_text) if WHOLE_NUMBER.fullmatch(number_text) else float(number_text)
        )
        if operator in (">", "<"):
            if not whole or not float(number).is_integer():
                return None
            # On whole numbers "> n" is ">= n + 1", which our min_value can say.
            number = int(number) + 1 if operator == ">" else int(number) - 1
        side = "min" if operator.startswith(">") else "max"
        if side in limits:
            return None
        limits[side] = number
    minimum, maximum = limits.get("min"), limits.get("max")
    if minimum is not None and maximum is not None and minimum > maximum:
        return None
    return minimum, maximum


def read_sources(entry: Entry, cells: Cells, lists: dict[str, list[dict[str, Any]]]) -> None:
    """Fill in the question's choices (and a matrix's columns) from its list or source."""
    question = entry.question
    assert question is not None
    report = cells.report
    our_type = question["type"]
    choice_source, columns_source = cells.get("choice_source"), cells.get("columns_source")
    if our_type not in CHOICE_TYPES or question["choices"] is not None:  # none, or set by type
        return
    list_name = entry.list_name
    if (
        our_type == "single"
        and not question["other_option"]
        and not choice_source
        and list_name in BUILT_IN_LISTS
        and _is_built_in(list_name, lists.get(list_name, []))
    ):
        question["type"] = list_name
        return
    question["choices"] = _source(entry, cells, choice_source or "local", list_name, lists)
    if our_type == "matrix":
        if not columns_source:
            report.refuse(
                SURVEY,
                cells.number,
                "columns_source",
                _("a matrix question needs a columns_source"),
            )
            return
        question["columns"] = _source(entry, cells, columns_source, None, lists, columns=True)


def _is_built_in(list_name: str, items: list[dict[str, Any]]) -> bool:
    codes = [item["code"] for item in items]
    return (
        len(codes) == len(BUILT_IN_LISTS[list_name])
        and set(codes) == set(BUILT_IN_LISTS[list_name])
        and not any(key in item for item in items for key in CHOICE_WORDING)
        and not any("xlsform_name" in item for item in items)
    )


def _source(
    entry: Entry,
    cells: Cells,
    text: str,
    default_list: str | None,
    lists: dict[str, list[dict[str, Any]]],
    *,
    columns: bool = False,
) -> dict[str, Any] | None:
    report = cells.report
    if text == MECHANISMS_SOURCE:
        return {"source": "mechanisms"}
    kind, colon, name = (part.strip() for part in text.partition(":"))
    if kind == "vocabulary" and colon and SOURCE_NAME.fullmatch(name):
        return {"source": "vocabulary", "name": name}
    if kind == "local" and (name or default_list):
        list_name = name or default_list
        if list_name not in lists:
            report.refuse(
                SURVEY,
                cells.number,
                _("list “%(list)s”") % {"list": list_name},
                _("the list is not in the choices sheet"),
            )
            return None
        items = [{k: v for k, v in item.items() if k != ENGLISH_FROM} for item in lists[list_name]]
        english_from = next((i[ENGLISH_FROM] for i in lists[list_name] if ENGLISH_FROM in i), None)
        report.english_from = report.english_from or english_from
        if not columns:
            entry.codes = {item["code"]: item.get("xlsform_name", item["code"]) for item in items}
        return {"source": "local", "items": items}
    report.refuse(
        SURVEY,
        cells.number,
        "choice_source",
        _("“%(value)s” is not vocabulary:NAME, mechanisms or local:LIST") % {"value": text},
    )
    return None
