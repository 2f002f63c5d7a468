"""The measurements of one seeded round: report job, exports, summaries, respondent pages.

Wall times come from `time.perf_counter`. An export's peak memory is that of a child process
that does nothing but the export (`export_child`, run by `python -c`): it reports its own peak
resident set size (VmHWM; see `peak_rss_kb`) and the time of the export alone.
Query counts come from `CaptureQueriesContext`. The load test runs gunicorn (2 workers) on a
free port of 127.0.0.1 and 20 client threads (http.client), each signed in through its own
State's invitation link and saving its own response, so that versions never collide.

The parts: `common` (wall times, percentiles), `documents` (the round report and the summaries),
`exports`, `respondents` (a respondent of the web measurements), `web` (query counts of the
respondent's pages) and `load` (the load test).
"""

from __future__ import annotations

from .common import HOST, error_text, percentile, scratch_folder, timed
from .documents import REPORT_PARTS, measure_report, measure_summaries, timing
from .exports import (
    CHILD,
    COPY_SQL,
    EXPORT_FORMATS,
    EXPORT_REPEATS,
    KB,
    copy_floor,
    export_child,
    export_in_child,
    measure_exports,
    peak_rss_kb,
)
from .load import (
    LOAD_CLIENTS,
    LOAD_ROUNDS,
    LOAD_SECONDS,
    LOAD_WORKERS,
    PACE_SECONDS,
    START_SECONDS,
    Reply,
    Session,
    concurrent_clients,
    free_port,
    gunicorn,
    latency,
    load_test,
    request,
    wait_until_up,
)
from .respondents import TEXT_TYPES, Respondent, form_fields, respondent_for
from .web import answering_participants, editable, measure_web, query_counts, state_participants

__all__ = [
    "CHILD",
    "COPY_SQL",
    "EXPORT_FORMATS",
    "EXPORT_REPEATS",
    "HOST",
    "KB",
    "LOAD_CLIENTS",
    "LOAD_ROUNDS",
    "LOAD_SECONDS",
    "LOAD_WORKERS",
    "PACE_SECONDS",
    "REPORT_PARTS",
    "START_SECONDS",
    "TEXT_TYPES",
    "Reply",
    "Respondent",
    "Session",
    "answering_participants",
    "concurrent_clients",
    "copy_floor",
    "editable",
    "error_text",
    "export_child",
    "export_in_child",
    "form_fields",
    "free_port",
    "gunicorn",
    "latency",
    "load_test",
    "measure_exports",
    "measure_report",
    "measure_summaries",
    "measure_web",
    "peak_rss_kb",
    "percentile",
    "query_counts",
    "request",
    "respondent_for",
    "scratch_folder",
    "state_participants",
    "timed",
    "timing",
    "wait_until_up",
]
