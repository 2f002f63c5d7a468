"""The round report: figures aggregated in SQL, charts, and HTML, PDF and XLSX renderings."""

from __future__ import annotations

from assessments.reporting.selectors import ReportData, round_report_data

__all__ = ["ReportData", "round_report_data"]
