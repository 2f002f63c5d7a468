"""The report's charts, laid out once and drawn at most once per format for a job's files."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from assessments.reporting import charts
from assessments.reporting.selectors import ReportData

WORD_PICTURE_PIXELS = 2400  # 380 dpi at 16 cm


class ReportCharts:
    """The report's charts, each laid out once and drawn at most once per format for all the
    files of a job: SVG for the HTML and the PDF, PNG for Word."""

    def __init__(self, data: ReportData) -> None:
        self.data = data

    @cached_property
    def figures(self) -> dict[str, Any]:
        return report_figures(self.data)

    @cached_property
    def svg(self) -> dict[str, str]:
        return {name: charts.svg(figure) for name, figure in self.figures.items()}

    @cached_property
    def png(self) -> dict[str, bytes]:
        """At most WORD_PICTURE_PIXELS wide: Word shows every chart 16 cm wide, so the heat map
        of 60 mechanisms (73 cm) needs no 150 dpi (4,300 pixels, twice the drawing time)."""
        return {
            name: charts.png(figure, dpi=min(150, int(WORD_PICTURE_PIXELS / figure.get_figwidth())))
            for name, figure in self.figures.items()
        }


def report_figures(data: ReportData) -> dict[str, Any]:
    with translation.override(data.language):
        no_data = _("No answers")
        return {
            "response_rates": charts.response_rates_chart(
                data, (_("By audience (participants)"), _("By region (expected responses)"))
            ),
            "thematic_matrix": charts.thematic_heatmap(data, no_data),
            "added_value": charts.added_value_chart(data, no_data),
        }
