"""What the reading steps share: the findings collected so far (`Report`), the cells of a
dealiased row, and translated texts (languages beyond en, fr and es are reported, not kept)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyxform import aliases

from .common import LANGUAGE_ALIASES, LANGUAGES, Finding

ROW_KEY = "__row"
# pyxform's dealiased column -> the usual spelling, to name a column left out as authors do.
_HEADER_NAMES = {
    alias: header for header, alias in aliases.survey_header.items() if isinstance(alias, tuple)
}


def language_code(name: str) -> str | None:
    """`English (en)`, `en`, `English`, `en-GB` -> "en"; None for a language we do not hold."""
    text = name.strip().lower()
    in_brackets = re.search(r"\(([^()]*)\)\s*$", text)
    if in_brackets:
        text = in_brackets.group(1).strip()
    text = re.split(r"[-_]", text)[0] if in_brackets or len(text) > 2 else text
    return LANGUAGE_ALIASES.get(text)


@dataclass
class _Column:
    first_row: int
    rows: int = 0


@dataclass
class Report:
    """Warnings and refusals, with the columns and languages left out counted so that each is
    reported once per sheet (with its first row) rather than on every row."""

    default_language: str | None = None
    warnings: list[Finding] = field(default_factory=list)
    refusals: list[Finding] = field(default_factory=list)
    columns: dict[tuple[str, str], _Column] = field(default_factory=dict)
    languages: dict[tuple[str, str], _Column] = field(default_factory=dict)
    english_from: str | None = None

    def warn(self, sheet: str, row: int, construct: str, message: str) -> None:
        self.warnings.append(Finding(sheet, row, construct, message))

    def refuse(self, sheet: str, row: int, construct: str, message: str) -> None:
        self.refusals.append(Finding(sheet, row, construct, message))

    def column_left_out(self, sheet: str, row: int, column: str) -> None:
        entry = self.columns.setdefault((sheet, column), _Column(row))
        entry.rows += 1

    def language_left_out(self, sheet: str, row: int, language: str) -> None:
        entry = self.languages.setdefault((sheet, language), _Column(row))
        entry.rows += 1

    @property
    def default_code(self) -> str:
        return (language_code(self.default_language) if self.default_language else None) or "en"

    def finish(self) -> list[Finding]:
        """The warnings, with one per column and language left out."""
        for (sheet, column), entry in self.columns.items():
            self.warn(
                sheet,
                entry.first_row,
                _("column “%(column)s”") % {"column": column},
                ngettext(
                    "this column is not imported (%(count)d row holds a value)",
                    "this column is not imported (%(count)d rows hold a value)",
                    entry.rows,
                )
                % {"count": entry.rows},
            )
        for (sheet, language), entry in self.languages.items():
            self.warn(
                sheet,
                entry.first_row,
                _("language “%(language)s”") % {"language": language},
                ngettext(
                    "only English, French and Spanish texts are imported (%(count)d row holds one)",
                    "only English, French and Spanish texts are imported (%(count)d rows hold one)",
                    entry.rows,
                )
                % {"count": entry.rows},
            )
        if self.english_from:
            self.warn(
                "",
                0,
                _("language “%(language)s”") % {"language": self.english_from},
                _("the form has no English texts; these texts are imported as the English ones"),
            )
        self.columns, self.languages = {}, {}
        return self.warnings


def flatten(row: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], str]:
    """A dealiased row's cells by token path: ("bind", "relevant"), ("label", "French (fr)")."""
    cells: dict[tuple[str, ...], str] = {}
    for key, value in row.items():
        if key == ROW_KEY:
            continue
        path = (*prefix, str(key))
        if isinstance(value, dict):
            cells.update(flatten(value, path))
        elif value is not None and str(value).strip():
            cells[path] = str(value).strip()
    return cells


class Cells:
    """One row's cells; what is read is marked, what is left over is reported as left out."""

    def __init__(self, sheet: str, row: dict[str, Any], report: Report) -> None:
        self.sheet = sheet
        self.number = int(row.get(ROW_KEY) or 0)
        self.cells = flatten(row)
        self.report = report
        self.read: set[tuple[str, ...]] = set()

    def __bool__(self) -> bool:
        return bool(self.cells)

    def get(self, *path: str) -> str:
        self.read.add(path)
        return self.cells.get(path, "")

    def has(self, *path: str) -> bool:
        return path in self.cells or any(key[: len(path)] == path for key in self.cells)

    def texts(
        self, base: str, *, fallback: str = "", max_length: int = 0, stand_in: bool = True
    ) -> dict[str, str]:
        """{"en": ..., "fr": ..., "es": ...} of a translatable column (`label`, `hint`)."""
        found: dict[str, str] = {}
        others: dict[str, str] = {}
        for path, text in self.cells.items():
            # Our own columns are matched whatever their case (`Sentence::Español`).
            if path[0].lower() != base or len(path) > 2:
                continue
            self.read.add(path)
            name = path[1] if len(path) == 2 else "default"
            code = self.report.default_code if name == "default" else language_code(name)
            if code is None:
                others[name] = text
                self.report.language_left_out(self.sheet, self.number, name)
            else:
                found.setdefault(code, text)
        if stand_in and "en" not in found and (found or others):
            # No English text: the default language's (or the first one) stands in, said once.
            name, text = next(
                ((name, text) for name, text in others.items()),
                next(((code, text) for code, text in found.items()), ("", "")),
            )
            self.report.english_from = self.report.english_from or name
            found = {"en": text, **found}
        if "en" not in found and fallback:
            found["en"] = fallback
        if max_length and any(len(text) > max_length for text in found.values()):
            self.report.warn(
                self.sheet,
                self.number,
                base,
                _("texts longer than %(max)d characters are cut short") % {"max": max_length},
            )
            found = {language: text[:max_length] for language, text in found.items()}
        return {language: found[language] for language in LANGUAGES if language in found}

    def left_out(self, ignore: tuple[str, ...] = ()) -> None:
        """Report every cell not read as a column left out."""
        for path in self.cells:
            if path in self.read or path[0] in ignore:
                continue
            column = path[0]
            if path[0] in ("bind", "control", "media", "instance") and len(path) > 1:
                column = _HEADER_NAMES.get(path[:2], path[1])
            self.report.column_left_out(self.sheet, self.number, column)
