"""The round's "Import focal points" page: upload, preview, confirm (the rules are in
assessments.rounds.services.focal_point_import)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessments.rounds.models import (
    SurveyRound,
)
from assessments.rounds.services import focal_point_import

# --- focal points from a file ---------------------------------------------------------------


class FocalPointImportForm(forms.Form):
    upload = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "A header row, then one focal point a row. Columns: kind (mechanism, state or "
            "organization), code (the mechanism's acronym, the State's two-letter ISO code or "
            "the organization's acronym), name, email and, optionally, language (en, fr or es)."
        ),
    )


def focal_point_import_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str
) -> HttpResponse:
    """Upload → preview (what would change, and every error by row) → confirm (all or nothing)."""
    survey_round = get_object_or_404(SurveyRound, pk=object_id)
    if not model_admin.has_change_permission(request, survey_round):
        raise PermissionDenied
    form = FocalPointImportForm()
    plan, refusals = None, []
    if request.method == "POST" and "confirm" in request.POST:
        try:
            rows = focal_point_import.rows_from_token(request.POST.get("rows", ""))
            done = focal_point_import.focal_points_import_apply(
                survey_round=survey_round, rows=rows
            )
        except ValidationError as exc:
            refusals = exc.messages
        else:
            model_admin.message_user(request, import_summary(done), messages.SUCCESS)
            return HttpResponseRedirect(
                reverse("admin:assessments_surveyround_change", args=[survey_round.pk])
            )
    elif request.method == "POST":
        form = FocalPointImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                rows = focal_point_import.read_upload(form.cleaned_data["upload"])
            except ValidationError as exc:
                form.add_error("upload", exc)
            else:
                plan = focal_point_import.focal_points_import_plan(
                    survey_round=survey_round, rows=rows
                )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": survey_round,
        "title": gettext("Import focal points"),
        "form": form,
        "plan": plan,
        "refusals": refusals,
        "rows_token": focal_point_import.rows_token(plan.rows) if plan else "",
        "max_rows": focal_point_import.MAX_ROWS,
    }
    return render(request, "admin/assessments/surveyround/import_focal_points.html", context)


def import_summary(plan: focal_point_import.ImportPlan) -> str:
    return gettext(
        "Focal points imported: %(new)d new, %(changed)d updated, %(unchanged)d unchanged; "
        "%(participants)d participants added, %(invitations)d invitations created."
    ) % {
        "new": len(plan.new),
        "changed": len(plan.changed),
        "unchanged": plan.unchanged,
        "participants": len(plan.new_participants),
        "invitations": plan.invitations,
    }


def focal_point_template_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(focal_point_import.template_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="focal-points.csv"'
    return response
