"""Reporting: the round report (figures aggregated in SQL, charts, HTML, PDF, XLSX and Word),
the exports of a round's responses, and round backup/restore."""
