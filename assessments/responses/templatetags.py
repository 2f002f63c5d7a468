"""Markup of a question's options and matrix cells, the hot loops of a questionnaire page.

A page of a per-mechanism section has 100-200 options; rendered through template loops they
were half of the page's time. The markup is the one `_question.html` used to write inline;
every value is escaped (`html.escape`, as Django's `escape` does for these plain strings).
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from assessments.responses.forms import MatrixRow, QuestionField

register = template.Library()


def flags(checked: bool, invalid: bool) -> str:
    return (" checked" if checked else "") + (' aria-invalid="true"' if invalid else "")


@register.simple_tag
def option_items(field: QuestionField) -> SafeString:
    """The `<li>` of each option of a radio or checkbox question."""
    widget, name, invalid = escape(field.widget), escape(field.code), bool(field.errors)
    items = []
    for option in field.options:
        option_id = escape(option.id)
        items.append(
            f'<li><input type="{widget}" id="{option_id}" name="{name}" '
            f'value="{escape(option.code)}"{flags(option.checked, invalid)}> '
            f'<label for="{option_id}">{escape(option.label)}</label></li>'
        )
    return mark_safe("\n".join(items))  # every value above is escaped


@register.simple_tag
def matrix_cells(field: QuestionField, row: MatrixRow) -> SafeString:
    """The `<td>` of each cell of one matrix row, each with its accessible label."""
    name, row_label, invalid = escape(row.name), escape(row.label), bool(field.errors)
    cells = []
    for cell in row.cells:
        cell_id = escape(cell.id)
        cells.append(
            f'<td><input type="checkbox" id="{cell_id}" name="{name}" '
            f'value="{escape(cell.code)}"{flags(cell.checked, invalid)}>'
            f'<label for="{cell_id}" class="visually-hidden">{row_label}: '
            f"{escape(cell.label)}</label></td>"
        )
    return mark_safe("".join(cells))  # every value above is escaped


@register.simple_tag
def options_class(field: QuestionField) -> str:
    if field.widget == "radio" and len(field.options) <= 5:
        return "options options-inline"
    if len(field.options) > 10:
        return "options options-columns"
    return "options"
