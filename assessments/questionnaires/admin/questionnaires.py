"""The questionnaire admin: publishing, new versions and retiring, import, export and preview."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assessments.questionnaires.format import QuestionnaireFormatError
from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.services import (
    questionnaire_import,
    questionnaire_new_version,
    questionnaire_publish,
    questionnaire_retire,
    questionnaire_to_dict,
    xlsform_export,
    xlsform_import,
)
from assessments.questionnaires.xlsform import XLSFormError
from mechanisms.translation import LANGUAGE_CODES, active_language

from .forms import QuestionnaireImportForm
from .inlines import QuestionListInline, SectionInline, editable
from .preview import preview_context


@admin.register(Questionnaire)
class QuestionnaireAdmin(SimpleHistoryAdmin):
    list_display = ["title", "key", "version", "audience", "status", "published_at", "tools"]
    list_filter = ["audience", "status"]
    search_fields = ["key", "title", "title_fr", "title_es"]
    readonly_fields = ["status", "published_at", "created_at"]
    fieldsets = [
        (None, {"fields": ["key", "version", "audience", "status", "published_at", "created_at"]}),
        (_("Texts"), {"fields": ["title", "title_fr", "title_es",
                                 "description", "description_fr", "description_es"]}),
    ]  # fmt: skip
    inlines = [SectionInline, QuestionListInline]
    actions = ["publish", "new_version", "retire"]

    def has_change_permission(self, request: HttpRequest, obj: Questionnaire | None = None) -> bool:
        return super().has_change_permission(request, obj) and editable(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Questionnaire | None = None) -> bool:
        return super().has_delete_permission(request, obj) and editable(obj)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        # The history form checks permissions on the old state, which may be a draft: reverting
        # must not reopen a published or retired questionnaire.
        current = self.get_object(request, unquote(object_id))
        if request.method == "POST" and not editable(current):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        current = Questionnaire.objects.filter(pk=obj.pk).first() if obj else None
        return super().revert_disabled(request, obj) or not editable(current)

    @admin.display(description=_("tools"))
    def tools(self, questionnaire: Questionnaire) -> str:
        links = [
            (self.url("preview", questionnaire.pk), gettext("Preview")),
            (self.url("export", questionnaire.pk, "json"), "JSON"),
            (self.url("export", questionnaire.pk, "xlsx"), "XLSX"),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"admin:assessments_questionnaire_{name}", args=args)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="assessments_questionnaire_import"),
            path(
                "<int:pk>/preview/",
                view(self.preview_view),
                name="assessments_questionnaire_preview",
            ),
            path(
                "<int:pk>/export/<str:fmt>/",
                view(self.export_view),
                name="assessments_questionnaire_export",
            ),
            *super().get_urls(),
        ]

    # --- actions ---

    @admin.action(description=_("Publish"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Questionnaire]) -> None:
        for questionnaire in queryset:
            try:
                questionnaire_publish(questionnaire=questionnaire)
            except ValidationError as exc:
                for message in exc.messages:
                    self.message_user(request, f"{questionnaire}: {message}", messages.ERROR)
            else:
                self.message_user(
                    request, gettext("Published %(q)s.") % {"q": questionnaire}, messages.SUCCESS
                )

    @admin.action(description=_("Create a new version"), permissions=["add"])
    def new_version(self, request: HttpRequest, queryset: QuerySet[Questionnaire]) -> None:
        for questionnaire in queryset:
            try:
                created = questionnaire_new_version(questionnaire=questionnaire)
            except (ValidationError, QuestionnaireFormatError) as exc:
                for message in getattr(exc, "errors", None) or exc.messages:
                    self.message_user(request, f"{questionnaire}: {message}", messages.ERROR)
                continue
            link = format_html('<a href="{}">{}</a>', self.url("change", created.pk), str(created))
            self.message_user(request, format_html(gettext("Created {}."), link), messages.SUCCESS)

    @admin.action(description=_("Retire"), permissions=["change"])
    def retire(self, request: HttpRequest, queryset: QuerySet[Questionnaire]) -> None:
        for questionnaire in queryset:
            try:
                questionnaire_retire(questionnaire=questionnaire)
            except ValidationError as exc:
                for message in exc.messages:
                    self.message_user(request, f"{questionnaire}: {message}", messages.ERROR)
            else:
                self.message_user(
                    request, gettext("Retired %(q)s.") % {"q": questionnaire}, messages.SUCCESS
                )

    # --- import and export ---

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = QuestionnaireImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            warnings: list = []
            try:
                if "xlsform" in form.cleaned_data:
                    questionnaire, warnings = xlsform_import(
                        form.cleaned_data["xlsform"],
                        filename=form.cleaned_data["filename"],
                        key=form.cleaned_data.get("key") or None,
                    )
                else:
                    questionnaire = questionnaire_import(form.cleaned_data["data"])
            except (QuestionnaireFormatError, XLSFormError) as exc:
                for message in exc.errors:
                    form.add_error(None, message)
            else:
                self.report_import(request, questionnaire, warnings)
                return HttpResponseRedirect(self.url("change", questionnaire.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import a questionnaire"),
            "form": form,
        }
        return render(request, "admin/assessments/questionnaire/import.html", context)

    def report_import(
        self, request: HttpRequest, questionnaire: Questionnaire, warnings: list
    ) -> None:
        """ "Imported X" and, for an XLSForm, how many warnings, each listed."""
        if not warnings:
            message = gettext("Imported %(q)s.") % {"q": questionnaire}
            self.message_user(request, message, messages.SUCCESS)
            return
        message = ngettext(
            "Imported %(q)s, %(n)d warning (what was left out):",
            "Imported %(q)s, %(n)d warnings (what was left out):",
            len(warnings),
        ) % {"q": questionnaire, "n": len(warnings)}
        self.message_user(request, message, messages.SUCCESS)
        for warning in warnings:
            self.message_user(request, str(warning), messages.WARNING)

    def export_view(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        questionnaire = get_object_or_404(Questionnaire, pk=pk)
        if not self.has_view_permission(request, questionnaire) or fmt not in {"json", "xlsx"}:
            raise PermissionDenied
        if fmt == "xlsx":
            content = xlsform_export(questionnaire)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            data = questionnaire_to_dict(questionnaire)
            content = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
            content_type = "application/json"
        response = HttpResponse(content, content_type=content_type)
        filename = f"{questionnaire.key}-v{questionnaire.version}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    # --- preview ---

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The questionnaire as a respondent sees it; "Check answers" validates, never saves."""
        questionnaire = get_object_or_404(Questionnaire, pk=pk)
        if not self.has_view_permission(request, questionnaire):
            raise PermissionDenied
        language = request.GET.get("lang", "")
        language = language if language in LANGUAGE_CODES else active_language()
        schema = questionnaire_schema(questionnaire)
        with translation.override(language):
            context = preview_context(request, questionnaire, schema, language)
            return render(request, "admin/assessments/questionnaire/preview.html", context)
