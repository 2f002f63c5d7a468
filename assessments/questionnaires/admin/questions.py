"""The question admin: a question of a draft edited on its own page, with its choices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assessments.questionnaires import conditions
from assessments.questionnaires.models import Question, Questionnaire, Section

from .forms import QuestionAdminForm
from .inlines import ChoiceInline, editable


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    inlines = [ChoiceInline]
    list_display = ["code", "questionnaire", "section", "position", "type", "required"]
    list_filter = ["questionnaire", "section", "type"]
    list_select_related = ["questionnaire", "section"]
    search_fields = ["code", "text", "text_fr", "text_es"]
    fieldsets = [
        (None, {"fields": ["questionnaire", "section", "code", "position"]}),
        (_("Texts"), {"fields": ["text", "text_fr", "text_es", "help", "help_fr", "help_es"]}),
        (_("Answer"), {"fields": ["type", "required", "min_value", "max_value", "max_choices"]}),
        (_("Choices"), {"fields": ["choice_source", "choice_vocabulary", "other_option"],
                        "description": _("For single and multiple choice questions, and the rows "
                                         "of a matrix. A local list is edited under “Choices” "
                                         "below (kind: option).")}),
        (_("Matrix"), {"fields": ["column_source", "column_vocabulary", "rows_from"],
                       "description": _("Local columns are choices of kind “matrix column”.")}),
        (_("Display condition"), {"fields": ["condition_question", "condition_operator",
                                             "condition_values", "condition_group"],
                                  "description": _("Either one test (the first three fields) "
                                                   "or tests combined (the last one).")}),
        (_("Summary"), {"fields": ["summary_section"]}),
    ]  # fmt: skip

    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}

    def get_readonly_fields(self, request: HttpRequest, obj: Question | None = None) -> list[str]:
        return ["questionnaire"] if obj else []

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in {"questionnaire", "condition_question"} and field is not None:
            # Picking an existing row only: no "add/change/delete related" shortcuts.
            for action in ("add", "change", "delete"):
                setattr(field.widget, f"can_{action}_related", False)
        return field

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Only drafts take new questions (the questionnaire field offers drafts only). Checked
        # on the add page alone: every admin page asks, and must not pay a query for it.
        match = request.resolver_match
        if match and match.url_name == "assessments_question_add":
            return super().has_add_permission(request) and editable(self.questionnaire_of(request))
        return super().has_add_permission(request)

    def response_post_save_add(self, request: HttpRequest, obj: Question) -> HttpResponse:
        return self.back_to_questionnaire(obj)

    def response_post_save_change(self, request: HttpRequest, obj: Question) -> HttpResponse:
        return self.back_to_questionnaire(obj)

    @staticmethod
    def back_to_questionnaire(obj: Question) -> HttpResponse:
        # A question is edited from its questionnaire's page: "Save" goes back there, not to
        # the list of every question of every version.
        url = reverse("admin:assessments_questionnaire_change", args=[obj.questionnaire_id])
        return HttpResponseRedirect(url)

    def has_change_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        return super().has_change_permission(request, obj) and editable(obj and obj.questionnaire)

    def has_delete_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        return super().has_delete_permission(request, obj) and editable(obj and obj.questionnaire)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        """Questions whose combined condition names one being deleted protect it, as the
        foreign key of a single condition does (Django lists them and deletes nothing)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed, [*protected, *combined_dependents(list(objs))]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        questionnaire = self.questionnaire_of(request)
        if db_field.name == "questionnaire":
            kwargs["queryset"] = Questionnaire.objects.filter(status=Questionnaire.Status.DRAFT)
        elif db_field.name == "section":
            kwargs["queryset"] = (
                Section.objects.filter(questionnaire=questionnaire)
                if questionnaire
                else Section.objects.filter(questionnaire__status=Questionnaire.Status.DRAFT)
            )
        elif db_field.name == "condition_question":
            # Only questions of the same version; the structure check then refuses later ones.
            object_id = self.edited_id(request)
            kwargs["queryset"] = (
                Question.objects.filter(questionnaire=questionnaire).exclude(pk=object_id)
                if questionnaire
                else Question.objects.filter(questionnaire__status=Questionnaire.Status.DRAFT)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @staticmethod
    def edited_id(request: HttpRequest) -> int | None:
        match = request.resolver_match
        object_id = str(match.kwargs.get("object_id", "")) if match else ""
        return int(object_id) if object_id.isdigit() else None

    def questionnaire_of(self, request: HttpRequest) -> Questionnaire | None:
        """The questionnaire of the question being edited, or the one chosen for a new one."""
        if not hasattr(request, "_question_admin_questionnaire"):
            object_id = self.edited_id(request)
            chosen = str(request.POST.get("questionnaire") or request.GET.get("questionnaire", ""))
            queryset = Questionnaire.objects.all()
            if object_id:
                found = queryset.filter(questions__pk=object_id).first()
            else:
                found = queryset.filter(pk=chosen).first() if chosen.isdigit() else None
            request._question_admin_questionnaire = found  # type: ignore[attr-defined]
        return request._question_admin_questionnaire  # type: ignore[attr-defined]


def combined_dependents(questions: list[Question]) -> list[Question]:
    """The questions of the same questionnaires whose combined condition tests one of
    `questions` (one query)."""
    codes = {(q.questionnaire_id, q.code) for q in questions}
    candidates = Question.objects.filter(
        questionnaire__in={q.questionnaire_id for q in questions}, condition_group__isnull=False
    ).exclude(pk__in=[q.pk for q in questions])
    return [
        candidate
        for candidate in candidates
        if any(
            (candidate.questionnaire_id, test.question) in codes
            for test in conditions.tests_of(conditions.from_dict(candidate.condition_group))
        )
    ]
