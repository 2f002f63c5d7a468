"""The report as HTML: the staff page, and with `printed` the PDF's source."""

from __future__ import annotations

import base64
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils import translation

from assessments.reporting import charts
from assessments.reporting.selectors import ReportData

from .figures import ReportCharts
from .sections import report_sections
from .tables import Section


def to_html(data: ReportData, *, printed: bool = False, drawn: ReportCharts | None = None) -> str:
    """A standalone document: the staff page shows it; `printed`, WeasyPrint prints it (the
    sections for print, and the charts as SVG images rather than inline SVG, which WeasyPrint
    draws faster and without a warning for each of their style attributes). `drawn` shares the
    charts between the files of one job."""
    sections = report_sections(data, printed=printed)
    drawn = drawn or ReportCharts(data)
    with translation.override(data.language):
        return render_to_string(
            "assessments/report.html",
            {
                "data": data,
                "sections": [
                    {
                        "section": section,
                        "chart": chart_markup(drawn, section, printed) if section.chart else "",
                        "tables": [{"table": t, "parts": t.parts()} for t in section.tables],
                    }
                    for section in sections
                ],
            },
        )


def chart_markup(drawn: ReportCharts, section: Section, printed: bool) -> str:
    svg = drawn.svg[section.chart]
    if printed:
        source = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        label = escape(section.chart_title, {'"': "&quot;"})
        return f'<img src="data:image/svg+xml;base64,{source}" alt="{label}">'
    return charts.inline(svg, prefix=f"chart-{section.chart}", label=section.chart_title)
