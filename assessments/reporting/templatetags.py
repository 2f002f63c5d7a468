"""The body rows of the round report's tables (templates/assessments/report.html).

The full report has ~5,000 table rows (the appendix of frequency tables); written by template
loops they took most of the HTML's time. The markup is the one the template wrote inline, every
value escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def table_rows(part: dict[str, Any]) -> SafeString:
    """`<tr>` of each row of one part of a table: its stub as row headers, then its cells."""
    lines = []
    for row in part["rows"]:
        stub = "".join(f'<th scope="row">{escape(str(value))}</th>' for value in row["stub"])
        cells = "".join(
            f"<td>{escape(str(c['value']))}</td>"
            if c["numeric"]
            else f'<td class="text">{escape(str(c["value"]))}</td>'
            for c in row["cells"]
        )
        lines.append(f"<tr>{stub}{cells}</tr>")
    return mark_safe("\n".join(lines))  # every value above is escaped
