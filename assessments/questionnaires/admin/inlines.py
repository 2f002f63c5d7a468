"""Who may edit what (drafts only), and the inlines of the question and questionnaire pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from assessments.questionnaires.models import Choice, Question, Questionnaire, Section

from .forms import CHOICE_FIELDS


def editable(questionnaire: Questionnaire | None) -> bool:
    """Objects of a published or retired questionnaire are read-only; a new one is a draft."""
    return questionnaire is None or questionnaire.is_editable


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = CHOICE_FIELDS
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        return super().has_add_permission(request, obj) and editable(obj and obj.questionnaire)

    def has_change_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        return super().has_change_permission(request, obj) and editable(obj and obj.questionnaire)

    def has_delete_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        return super().has_delete_permission(request, obj) and editable(obj and obj.questionnaire)


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["code", "position", "title", "title_fr", "title_es", "per_mechanism"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Questionnaire | None = None) -> bool:
        return super().has_add_permission(request, obj) and editable(obj)

    def has_change_permission(self, request: HttpRequest, obj: Questionnaire | None = None) -> bool:
        return super().has_change_permission(request, obj) and editable(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Questionnaire | None = None) -> bool:
        return super().has_delete_permission(request, obj) and editable(obj)


class QuestionListInline(admin.TabularInline):
    """The questions, read-only here: each is edited on its own page."""

    model = Question
    fk_name = "questionnaire"
    verbose_name_plural = _("questions (edit each on its own page)")
    fields = readonly_fields = [
        "question_link",
        "section",
        "position",
        "type",
        "required",
        "short_text",
    ]
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        return super().get_queryset(request).select_related("section")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("text"))
    def short_text(self, question: Question) -> str:
        return Truncator(question.text).chars(90)

    @admin.display(description=_("code"))
    def question_link(self, question: Question) -> str:
        url = reverse("admin:assessments_question_change", args=[question.pk])
        return format_html('<a href="{}">{}</a>', url, question.code)
