"""Responses and answers in the admin: read-only, with their history; reopening goes
through the responses' services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assessments import access
from assessments.responses.models import Answer, Response
from assessments.responses.services import response_reopen
from assessments.rounds.admin import PARTY_SELECT, run_each

ANSWER_HISTORY_LIMIT = 200


class ReadOnlyMixin:
    """Responses and answers change only through the respondent's services: the admin shows
    them (and their history) but never saves them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Without an object this is the changelist's check, which actions also use.
        return obj is None and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AnswerInline(ReadOnlyMixin, admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "row", "choice", "text", "number", "date", "history_link"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Answer]:
        return super().get_queryset(request).select_related("question")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("history"))
    def history_link(self, obj: Answer) -> str:
        url = reverse("admin:assessments_answer_history", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("History"))


RESPONSE_SELECT = [
    "round",
    "mechanism",
    *("participant__" + name for name in PARTY_SELECT),
]


@admin.register(Response)
class ResponseAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = [
        "pk",
        "round",
        "participant_name",
        "kind",
        "about",
        "status",
        "version",
        "submitted_at",
        "updated_at",
    ]
    list_filter = ["round", "status", "participant__kind"]
    search_fields = [
        "participant__mechanism__acronym",
        "participant__organization__acronym",
        "participant__state__country",
        "mechanism__acronym",
    ]
    list_select_related = RESPONSE_SELECT
    fields = [
        "round",
        "participant",
        "questionnaire",
        "mechanism",
        "status",
        "version",
        "created_at",
        "updated_at",
        "submitted_at",
        "submitted_by",
        "answer_history",
    ]
    readonly_fields = fields
    inlines = [AnswerInline]
    actions = ["reopen"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Response]:
        responses = access.in_scope(request.user, super().get_queryset(request))
        return responses.select_related(*RESPONSE_SELECT)

    def has_reopen_permission(self, request: HttpRequest) -> bool:
        return access.can(request.user, "reopen_response")

    @admin.display(description=_("participant"), ordering="participant")
    def participant_name(self, obj: Response) -> str:
        return obj.participant.party_name

    @admin.display(description=_("kind"))
    def kind(self, obj: Response) -> str:
        return obj.participant.get_kind_display()

    @admin.display(description=_("about mechanism"), ordering="mechanism__acronym")
    def about(self, obj: Response) -> str:
        return obj.mechanism.acronym if obj.mechanism_id else "-"

    @admin.display(description=_("changes to the answers"))
    def answer_history(self, obj: Response) -> str:
        """Who changed which value when, the latest first (a changed value shows as the old
        row removed and the new row added)."""
        rows = (
            Answer.history.filter(response_id=obj.pk)
            .select_related("question", "history_user")
            .order_by("-history_date", "-history_id")[:ANSWER_HISTORY_LIMIT]
        )
        symbols = {"+": gettext("added"), "-": gettext("removed"), "~": gettext("changed")}
        return format_html(
            '<table><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            gettext("When"),
            gettext("Who"),
            gettext("Change"),
            gettext("Question"),
            gettext("Value"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        row.history_date.strftime("%Y-%m-%d %H:%M:%S"),
                        row.history_user or "-",
                        symbols.get(row.history_type, row.history_type),
                        row.question.code if row.question_id else "",
                        answer_value(row),
                    )
                    for row in rows
                ),
            ),
        )

    @admin.action(
        description=_("Reopen (the respondent can change the answers again)"),
        permissions=["reopen"],
    )
    def reopen(self, request: HttpRequest, queryset: QuerySet[Response]) -> None:
        done = run_each(self, request, queryset, lambda r: response_reopen(response=r))
        if done:
            self.message_user(
                request, gettext("%(count)d response(s) reopened.") % {"count": len(done)}
            )


def answer_value(row: Any) -> str:
    parts = [row.row, row.choice, row.text]
    parts += [str(v) for v in (row.number, row.date) if v is not None]
    return " · ".join(str(part) for part in parts if part not in ("", None))


@admin.register(Answer)
class AnswerAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Mostly reached from a response: an answer's own history page (also for deleted rows)."""

    list_display = ["pk", "response", "question", "row", "choice", "text", "number", "date"]
    list_filter = ["response__round", "question__questionnaire"]
    search_fields = ["question__code", "text", "choice"]
    list_select_related = ["response__mechanism", "question"]
    fields = ["response", "question", "row", "choice", "text", "number", "date"]
    readonly_fields = fields
