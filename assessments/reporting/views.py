"""The secretariat's round report page (the latest report inline, its files, a new run) and the
round's exports page (every export format with its options as a job, and the earlier ones)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from assessments.access import round_for, rounds_in_scope, secretariat_page
from assessments.jobs.models import Job, JobFile
from assessments.reporting.exports import FORMATS
from assessments.reporting.services.export import export_job_start
from assessments.reporting.services.report import report_job_start
from assessments.rounds.models import SurveyRound


class ReportStartForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")
    previous_round = forms.ModelChoiceField(
        label=_("Compare with"),
        queryset=SurveyRound.objects.none(),
        required=False,
        empty_label=_("(no comparison)"),
    )

    def __init__(self, survey_round: SurveyRound, user: object, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        earlier = rounds_in_scope(user).exclude(pk=survey_round.pk).order_by("-year", "name")
        self.fields["previous_round"].queryset = earlier
        self.fields["previous_round"].initial = earlier.filter(year__lt=survey_round.year).first()


def stored_html(job: Job | None) -> str:
    """The report.html of a job, as stored (it was rendered from escaped data)."""
    job_file = JobFile.objects.filter(job=job, name="report.html").first() if job else None
    if job_file is None:
        return ""
    with job_file.file.open("rb") as handle:
        return handle.read().decode("utf-8")


@secretariat_page
def round_report_view(request: HttpRequest, slug: str) -> HttpResponse:
    survey_round = round_for(request, slug, "run_report")
    form = ReportStartForm(survey_round, request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = report_job_start(
            survey_round=survey_round,
            previous_round=form.cleaned_data["previous_round"],
            language=form.cleaned_data["language"],
            user=request.user,
        )
        return redirect("assessments:job", job.pk)
    reports = survey_round.jobs.filter(kind=Job.Kind.ROUND_REPORT)
    latest = reports.filter(status=Job.Status.SUCCEEDED).prefetch_related("files").first()
    context = {
        "round": survey_round,
        "form": form,
        "report": latest,
        "report_html": stored_html(latest),
        "last_job": reports.first(),
    }
    return render(request, "assessments/round_report.html", context)


EXPORT_FORMAT_LABELS = {
    "csv": _("CSV, one row per response (wide)"),
    "csv-long": _("CSV, one row per answer (long)"),
    "xlsx": _("Excel workbook (responses and answers sheets)"),
    "json": _("JSON, the whole round (backup; restores with import_round)"),
}


class ExportStartForm(forms.Form):
    fmt = forms.ChoiceField(
        label=_("Format"),
        choices=[(fmt, EXPORT_FORMAT_LABELS[fmt]) for fmt in FORMATS],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    labels = forms.BooleanField(
        label=_("Choice labels instead of codes"), required=False,
        help_text=_("CSV and Excel: “Yes” rather than “yes”, in the language below."),
    )  # fmt: skip
    choice_columns = forms.BooleanField(
        label=_("One column per choice of multiple-choice questions"), required=False
    )
    language = forms.ChoiceField(
        label=_("Language of labels and headers"), choices=settings.LANGUAGES, initial="en"
    )
    bom = forms.BooleanField(
        label=_("Byte-order mark (for Excel opening a CSV file)"), required=False
    )
    raw = forms.BooleanField(
        label=_("Cells exactly as answered (for programs)"), required=False,
        help_text=_(
            "CSV only. By default a cell that starts with =, +, -, @, a tab or a carriage "
            "return gets a leading apostrophe, so that a spreadsheet never runs it as a formula."
        ),
    )  # fmt: skip


@secretariat_page
def round_exports_view(request: HttpRequest, slug: str) -> HttpResponse:
    survey_round = round_for(request, slug, "run_export")
    form = ExportStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = export_job_start(survey_round=survey_round, user=request.user, **form.cleaned_data)
        return redirect("assessments:job", job.pk)
    earlier = (
        survey_round.jobs.filter(kind=Job.Kind.EXPORT)
        .select_related("requested_by")
        .prefetch_related("files")
        .order_by("-created_at")[:25]
    )
    context = {"round": survey_round, "form": form, "exports": earlier}
    status = 400 if request.method == "POST" else 200  # a valid POST has redirected
    return render(request, "assessments/round_exports.html", context, status=status)
