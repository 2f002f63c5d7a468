"""Admin for summaries: edit a section, publish, regenerate."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assessments import access
from assessments.summaries.models import SECTION_NUMBERS, Summary
from assessments.summaries.services import (
    summary_acknowledge_newer_answers,
    summary_edit_section,
    summary_generate,
    summary_publish,
)
from mechanisms.text import validate_text


def section_field(number: str) -> forms.CharField:
    return forms.CharField(
        label=_("Section %(n)s (edited text)") % {"n": number},
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 100}),
        validators=[validate_text],
    )


class SummaryForm(forms.ModelForm):
    """One text area per section: empty means 'use the generated text'."""

    section_1 = section_field("1")
    section_2 = section_field("2")
    section_3 = section_field("3")
    section_4 = section_field("4")
    section_5 = section_field("5")

    class Meta:
        model = Summary
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            return
        for number in SECTION_NUMBERS:
            field = self.fields[f"section_{number}"]
            field.initial = self.instance.edited_sections.get(number, "")
            generated = self.instance.generated_sections.get(number, "")
            field.help_text = _("Leave empty to use the generated text: %(text)s") % {
                "text": generated[:600]
            }


@admin.register(Summary)
class SummaryAdmin(SimpleHistoryAdmin):
    form = SummaryForm
    list_display = [
        "mechanism",
        "language",
        "round",
        "status",
        "generated_at",
        "newer_answers",
        "page_link",
    ]
    list_filter = ["round", "language", "status", "newer_answers"]
    search_fields = ["mechanism__acronym", "mechanism__name"]
    list_select_related = ["mechanism", "round"]
    readonly_fields = [
        "round",
        "mechanism",
        "language",
        "status",
        "generated_at",
        "published_at",
        "newer_answers",
        "page_link",
        "entered_on_behalf",
    ]
    actions = ["publish", "regenerate", "regenerate_force", "acknowledge"]

    def get_fieldsets(self, request, obj=None):
        sections = [f"section_{n}" for n in SECTION_NUMBERS]
        return [
            (
                None,
                {
                    "fields": [
                        "round",
                        "mechanism",
                        "language",
                        "status",
                        "generated_at",
                        "published_at",
                        "newer_answers",
                        "page_link",
                        "entered_on_behalf",
                    ]
                },
            ),
            (_("Sections"), {"fields": sections}),
        ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # summaries are generated, not typed in

    def get_queryset(self, request: HttpRequest) -> QuerySet[Summary]:
        return access.in_scope(request.user, super().get_queryset(request))

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return access.can(request.user, "publish_summary")

    def has_generate_permission(self, request: HttpRequest) -> bool:
        return access.can(request.user, "generate_summaries")

    @admin.display(description=_("answers entered on a participant's behalf"))
    def entered_on_behalf(self, obj: Summary) -> str:
        """Which of the responses used someone entered for the participant, and who."""
        used = obj.responses_used.filter(entered_by__isnull=False).select_related(
            "entered_by", "participant__mechanism", "participant__state",
            "participant__organization",
        )  # fmt: skip
        rows = [(r.participant.party_name, r.entered_by.get_username()) for r in used]
        if not rows:
            return _("None: every response used was entered by its respondents.")
        return format_html_join(
            ", ", "{} ({})", ((party, _("entered by %s") % user) for party, user in rows)
        )

    @admin.display(description=_("page"))
    def page_link(self, obj: Summary) -> str:
        url = reverse("assessments:summary", args=[obj.round.slug, obj.mechanism.acronym])
        return format_html('<a href="{}?lang={}">{}</a>', url, obj.language, _("view"))

    def save_model(self, request, obj, form, change) -> None:
        for number in SECTION_NUMBERS:
            text = form.cleaned_data.get(f"section_{number}", "")
            if text.strip() != obj.edited_sections.get(number, ""):
                summary_edit_section(summary=obj, number=number, text=text)

    def run(self, request: HttpRequest, queryset: QuerySet[Summary], service, done: str) -> None:
        count = 0
        for summary in queryset.select_related("round", "mechanism"):
            try:
                service(summary)
                count += 1
            except ValidationError as exc:
                self.message_user(request, f"{summary}: {' '.join(exc.messages)}", messages.ERROR)
        if count:
            self.message_user(request, done % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Summary]) -> None:
        self.run(
            request, queryset, lambda s: summary_publish(summary=s), _("%(n)d summaries published.")
        )

    @admin.action(description=_("Regenerate (keep edited sections)"), permissions=["generate"])
    def regenerate(self, request: HttpRequest, queryset: QuerySet[Summary]) -> None:
        self.run(
            request,
            queryset,
            lambda s: summary_generate(
                survey_round=s.round, mechanism=s.mechanism, language=s.language
            ),
            _("%(n)d summaries regenerated."),
        )

    @admin.action(description=_("Regenerate and replace edited sections"), permissions=["generate"])
    def regenerate_force(self, request: HttpRequest, queryset: QuerySet[Summary]) -> None:
        self.run(
            request,
            queryset,
            lambda s: summary_generate(
                survey_round=s.round, mechanism=s.mechanism, language=s.language, force=True
            ),
            _("%(n)d summaries regenerated from the answers."),
        )

    @admin.action(description=_("Mark newer answers as reviewed"), permissions=["change"])
    def acknowledge(self, request: HttpRequest, queryset: QuerySet[Summary]) -> None:
        self.run(
            request,
            queryset,
            lambda s: summary_acknowledge_newer_answers(summary=s),
            _("%(n)d summaries marked as reviewed."),
        )
