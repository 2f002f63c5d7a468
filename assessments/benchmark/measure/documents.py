"""The round report (the figures alone, then the whole job part by part) and the mechanisms'
summaries (Markdown, Word, PDF)."""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.jobs.models import Job
from assessments.questionnaires.models import Audience
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.rounds.models import SurveyRound

from .common import error_text, timed

REPORT_PARTS = ("to_html", "to_xlsx", "to_docx")


def measure_report(survey_round: SurveyRound, *, job: bool = True) -> dict[str, Any]:
    """The figures alone (time, queries), then, if `job`, the whole job (figures, HTML, PDF,
    XLSX, Word) with the time of each of its parts."""
    from assessments.jobs import services as jobs
    from assessments.reporting import render
    from assessments.reporting import selectors as reporting
    from assessments.reporting.services.report import run_report_job

    result: dict[str, Any] = {}
    try:
        # As in a running worker: the questionnaires' schemas cached (else the query count
        # depends on whether this process has seeded the round) and the document libraries
        # loaded (config/celery.py preloads them when a worker process starts).
        for audience in (Audience.MECHANISM, Audience.STATE, Audience.ORGANIZATION):
            questionnaire_schema(survey_round.questionnaire_for(audience))
        render.preload()
        with CaptureQueriesContext(connection) as queries:
            result["data_seconds"], _data = timed(lambda: reporting.round_report_data(survey_round))
        result["data_queries"] = len(queries)
        if not job:
            return result
        created = jobs.job_create(
            kind=Job.Kind.ROUND_REPORT,
            survey_round=survey_round,
            parameters={"previous_round_id": None, "language": "en"},
        )
        parts: dict[str, float] = {}
        with (
            timing(reporting, ("round_report_data",), parts),
            timing(render, REPORT_PARTS, parts),
            timing(render.PendingPdf, ("result",), parts),
        ):
            result["job_seconds"], _none = timed(lambda: run_report_job(job_id=created.pk))
        # The PDF is laid out in a child process meanwhile: what the job waits for it after
        # writing the other files.
        parts["pdf_wait"] = parts.pop("result", 0.0)
        result["job_parts"] = parts
        created.refresh_from_db()
        if created.status != Job.Status.SUCCEEDED:
            result["error"] = f"job {created.status}: {created.error}"[:300]
    except Exception as exc:  # the benchmark reports a broken part and goes on
        result["error"] = error_text(exc)
    return result


@contextlib.contextmanager
def timing(module: Any, names: tuple[str, ...], into: dict[str, float]) -> Iterator[None]:
    """Add up the time spent in `module.<name>` while inside (the job looks them up when it
    runs, so wrapping the module's attributes is enough)."""
    originals = {name: getattr(module, name) for name in names}

    def wrapped(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                into[name] = into.get(name, 0.0) + time.perf_counter() - started

        return timed_call

    for name, function in originals.items():
        setattr(module, name, wrapped(name, function))
    try:
        yield
    finally:
        for name, function in originals.items():
            setattr(module, name, function)


def measure_summaries(survey_round: SurveyRound, *, pdfs: int | None) -> dict[str, Any]:
    """Every mechanism's summary (English) generated and written as Markdown; then each as
    Word; then `pdfs` of them (all when None) as PDF, after one PDF to warm WeasyPrint up."""
    from assessments.summaries.render import to_docx, to_markdown, to_pdf
    from assessments.summaries.selectors import summarised_and_skipped
    from assessments.summaries.services import summary_generate

    result: dict[str, Any] = {}
    try:
        mechanisms, _skipped = summarised_and_skipped(survey_round)
        result["count"] = len(mechanisms)

        def generate() -> list:
            found = []
            for mechanism in mechanisms:
                summary = summary_generate(
                    survey_round=survey_round, mechanism=mechanism, language="en"
                )
                to_markdown(summary)
                found.append(summary)
            return found

        with CaptureQueriesContext(connection) as queries:
            result["markdown_seconds"], summaries = timed(generate)
        result["queries_per_summary"] = len(queries) / max(1, len(mechanisms))
        result["docx_seconds"], _docs = timed(lambda: [to_docx([s]) for s in summaries])
        chosen = summaries if pdfs is None else summaries[:pdfs]
        if chosen:
            result["pdf_first_seconds"], _pdf = timed(lambda: to_pdf([chosen[0]]))
            times = [timed(lambda s=s: to_pdf([s]))[0] for s in chosen]
            result.update(pdf_count=len(times), pdf_seconds=sum(times), pdf_max=max(times))
            result["pdf_median"] = statistics.median(times)
    except Exception as exc:
        result["error"] = error_text(exc)
    return result
