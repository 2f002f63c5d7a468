"""Reading, first step: an XLSForm workbook -> the rows of text of its survey, choices and
settings sheets, with the columns we read under their canonical names."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from openpyxl import load_workbook

from .common import (
    CHOICE_WORDING,
    LANGUAGE_ALIASES,
    LANGUAGES,
    NOT_XLSX,
    OLD_XLS,
    OLE2_SIGNATURE,
    TITLE_TRANSLATION,
    XLSFormError,
)


@dataclass(frozen=True)
class _Columns:
    """Which columns of a sheet are read, and what happens to the others."""

    plain: frozenset[str]
    translatable: frozenset[str]
    ignored: frozenset[str] = frozenset()
    refuse_unknown: bool = False
    aliases: Mapping[str, str] = field(default_factory=dict)
    # Translatable columns that may also be spelled `BASE_LANGUAGE` (`phrase_fr`).
    suffixed: frozenset[str] = frozenset()


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
    plain=frozenset({"list_name", "name"}),
    translatable=frozenset({"label", *CHOICE_WORDING}),
    suffixed=frozenset(CHOICE_WORDING),
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
        suffixed = None if language else _suffixed_key(base, spec)
        if suffixed:
            keys[index] = suffixed
        elif base in spec.translatable:
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


def _suffixed_key(base: str, spec: _Columns) -> str | None:
    """`phrase_fr`, `phrase_french` or `phrase_french_(fr)` -> "phrase::fr"; None for any
    other column (one in another language is then just an unknown column)."""
    for name in spec.suffixed:
        if base.startswith(f"{name}_"):
            code = _language_code(base[len(name) + 1 :].replace("_", " "))
            if code:
                return f"{name}::{code}"
    return None


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
