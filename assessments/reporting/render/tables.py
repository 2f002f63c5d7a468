"""A table of the report, cut into parts narrow enough for a page, and its cells."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Cell = str | int | float | None
MAX_GROUPS_PER_PART = 6  # wider tables continue in a second table (HTML and PDF)
MAX_COLUMNS_PER_PART = 16
SHORT_TABLE_ROWS = 20  # kept on one page in the PDF (no caption left alone at a page's foot)


@dataclass
class Table:
    key: str
    title: str
    sheet: str
    columns: list[str]  # every column, the stub (row headers) first
    rows: list[list[Cell]]
    stub: int = 1
    groups: list[tuple[str, int]] = field(default_factory=list)  # spans after the stub
    note: str = ""
    per_part: int = 0  # columns (or groups) after the stub in each part, if not the default

    def parts(self) -> list[dict[str, Any]]:
        """The table cut into parts narrow enough for a page, each repeating the stub."""
        spans = self.groups or [("", 1)] * (len(self.columns) - self.stub)
        size = self.per_part or (MAX_GROUPS_PER_PART if self.groups else MAX_COLUMNS_PER_PART)
        parts, start = [], self.stub
        for index in range(0, max(len(spans), 1), size):
            chunk = spans[index : index + size]
            width = sum(span for _label, span in chunk)
            columns = list(range(self.stub)) + list(range(start, start + width))
            start += width
            parts.append({
                "continued": index > 0,
                "short": len(self.rows) <= SHORT_TABLE_ROWS,
                "groups": [{"label": label, "span": span} for label, span in chunk] if self.groups else [],
                "stub_columns": self.columns[: self.stub],
                "columns": [self.columns[i] for i in columns[self.stub :]],
                "rows": [
                    {"stub": [display(row[i]) for i in columns[: self.stub]],
                     "cells": [cell(row[i]) for i in columns[self.stub :]]}
                    for row in self.rows
                ],
            })  # fmt: skip
        return parts


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]
    chart: str = ""  # name of the chart drawn at the top of the section
    chart_title: str = ""
    note: str = ""  # a paragraph after the chart, before the tables


def display(value: Cell) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


class Numbers(str):
    """Figures written together as text ("12 (34.5)"), aligned as numbers."""


def cell(value: Cell) -> dict[str, Any]:
    numeric = value is None or isinstance(value, Numbers)
    numeric |= isinstance(value, int | float) and not isinstance(value, bool)
    return {"value": display(value), "numeric": numeric}


def counted(items: list[dict[str, Any]]) -> str:
    return "; ".join(f"{item['label']} ({item['count']})" for item in items)
