"""The round report's background job: its files, retries and failures, and the PDF laid out in
a child process."""

from __future__ import annotations

import io

import pytest

from assessments.jobs.models import Job
from tests.assessments.reporting.report_helpers import (
    STAND_IN_PDF,
    pdf_text,
)

pytestmark = pytest.mark.django_db


def test_the_report_job_runs_end_to_end_and_keeps_one_set_of_files(
    rounds, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from pypdf import PdfReader

    from assessments.reporting.render import pdf as render_pdf
    from assessments.reporting.services.report import report_job_start, run_report_job

    settings.CELERY_TASK_ALWAYS_EAGER = True  # CI sets a broker; run the task in-process here
    current, previous = rounds
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_start(survey_round=current, previous_round=previous)
    job.refresh_from_db()
    assert (job.status, job.error, job.percent) == (Job.Status.SUCCEEDED, "", 100)
    assert (job.kind, job.parameters["previous_round_id"]) == (Job.Kind.ROUND_REPORT, previous.pk)
    files = {f.name: f for f in job.files.all()}
    assert sorted(files) == ["report.docx", "report.html", "report.pdf", "report.xlsx"]
    pdf = files["report.pdf"].file.read()
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages[:6])
    assert "Response rates by audience" in text
    assert "Round report" in text
    assert files["report.html"].file.read().decode().count("<svg") == 3
    assert files["report.docx"].size > 0
    # A second delivery finds the job taken; a fresh claim re-runs it and replaces the files
    # by name. (The PDF's rendering is already checked above: a stand-in saves time here.)
    monkeypatch.setattr(render_pdf, "PDF_CHILD", STAND_IN_PDF)
    run_report_job(job_id=job.pk)
    assert job.files.count() == 4
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    run_report_job(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.percent) == (Job.Status.SUCCEEDED, 2, 100)
    assert job.files.count() == 4
    assert job.files.get(name="report.pdf").file.read() == b"%PDF-1.7 again"


def test_the_jobs_pdf_says_where_the_frequency_tables_are_and_the_other_files_have_them(rounds):
    from django.utils.html import escape
    from docx import Document
    from openpyxl import load_workbook

    from assessments.jobs import services as jobs
    from assessments.reporting.selectors import round_report_data
    from assessments.reporting.services.report import run_report_job

    current, previous = rounds
    job = jobs.job_create(
        kind=Job.Kind.ROUND_REPORT, survey_round=current,
        parameters={"previous_round_id": previous.pk, "language": "en"},
    )  # fmt: skip
    run_report_job(job_id=job.pk)
    files = {f.name: f.file.read() for f in job.files.all()}
    frequencies = round_report_data(current, previous_round=previous).frequencies
    assert len(frequencies) > 20
    captions = [f"{f['question']} ({f['code']})" for f in frequencies]
    text = pdf_text(files["report.pdf"])
    assert "are not printed in this PDF" in text
    assert "the workbook (XLSX), the HTML version and the Word document" in text
    assert not [f["code"] for f in frequencies if f"({f['code']})" in text]
    html = files["report.html"].decode()
    assert all(f'<table id="table-frequency_{f["code"]}"' in html for f in frequencies)
    assert all(escape(caption) in html for caption in captions)
    assert "not printed in this PDF" not in html
    sheets = load_workbook(io.BytesIO(files["report.xlsx"]), read_only=True).sheetnames
    assert all(f"F {f['code']}"[:31] in sheets for f in frequencies)
    word = Document(io.BytesIO(files["report.docx"]))
    paragraphs = {p.text for p in word.paragraphs}
    assert all(caption in paragraphs for caption in captions)


def test_a_transient_database_error_requeues_the_job_until_the_last_attempt(rounds, monkeypatch):
    from django.db import OperationalError

    import assessments.reporting.selectors
    from assessments.jobs import services as jobs
    from assessments.reporting.services.report import MAX_ATTEMPTS, run_report_job
    from assessments.reporting.tasks import round_report_task

    assert round_report_task.autoretry_for == (OperationalError,)
    assert round_report_task.max_retries == MAX_ATTEMPTS - 1

    def lost_connection(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(assessments.reporting.selectors, "round_report_data", lost_connection)
    current, _previous = rounds
    job = jobs.job_create(kind=Job.Kind.ROUND_REPORT, survey_round=current)
    with pytest.raises(OperationalError):
        run_report_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # so that Celery's retry can claim it
    assert "server closed the connection" in job.error
    Job.objects.filter(pk=job.pk).update(attempts=MAX_ATTEMPTS - 1)
    with pytest.raises(OperationalError):
        run_report_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "OperationalError: server closed the connection unexpectedly"


def test_any_other_error_fails_the_job_at_once_without_a_retry(rounds, monkeypatch):
    import assessments.reporting.selectors
    from assessments.jobs import services as jobs
    from assessments.reporting.services.report import run_report_job

    def broken(*args, **kwargs):
        raise ValueError("no such question")

    monkeypatch.setattr(assessments.reporting.selectors, "round_report_data", broken)
    current, _previous = rounds
    job = jobs.job_create(kind=Job.Kind.ROUND_REPORT, survey_round=current)
    run_report_job(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.FAILED, "ValueError: no such question")


def test_a_report_whose_pdf_cannot_be_made_fails_with_the_childs_reason(rounds, monkeypatch):
    from assessments.jobs import services as jobs
    from assessments.reporting.render import pdf as render_pdf
    from assessments.reporting.services.report import run_report_job

    monkeypatch.setattr(render_pdf, "PDF_CHILD", "import sys; sys.exit('fonts are missing')")
    current, _previous = rounds
    job = jobs.job_create(
        kind=Job.Kind.ROUND_REPORT, survey_round=current, parameters={"language": "en"}
    )
    run_report_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "RuntimeError: The PDF could not be made: fonts are missing"
    assert not job.files.filter(name="report.pdf").exists()


def test_the_pdf_is_laid_out_in_a_child_process_while_the_other_files_are_written(monkeypatch):
    from assessments.reporting.render import pdf as render_pdf

    started = []
    monkeypatch.setattr(render_pdf, "PDF_CHILD", STAND_IN_PDF)
    real_popen = render_pdf.subprocess.Popen

    def popen(*args, **kwargs):
        started.append(args[0])
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(render_pdf.subprocess, "Popen", popen)
    with render_pdf.PendingPdf("<p>ISCM</p>") as pending:
        assert pending.process.pid and started  # running before anyone waits for it
        assert pending.result() == b"%PDF-1.7 again"
    assert started[0][:2] == [render_pdf.sys.executable, "-c"]
