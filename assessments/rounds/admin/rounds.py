"""The survey round admin: its forms, its page (which links to its participants) and its actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assessments import access
from assessments.questionnaires.models import Audience
from assessments.rounds.admin.common import (
    accepts_participants,
    run_each,
)
from assessments.rounds.admin.focal_point_import import (
    focal_point_import_view,
    focal_point_template_view,
)
from assessments.rounds.models import (
    SurveyRound,
)
from assessments.rounds.services.invitations import (
    manual_reminder_held_back,
    round_send_reminders_now,
)
from assessments.rounds.services.rounds import (
    QUESTIONNAIRE_FIELDS,
    clean_reminder_days,
    ensure_questionnaires_can_change,
    round_add_default_participants,
    round_close,
    round_create,
    round_open,
    round_publish,
    round_reopen,
    round_update,
)

ROUND_FIELDS = [
    "name",
    "slug",
    "year",
    "opens_on",
    "closes_on",
    "questionnaire_mechanism",
    "questionnaire_state",
    "questionnaire_organization",
    "reminder_days",
    "link_grace_days",
]


# --- rounds and participants -----------------------------------------------------------------


class ReminderDaysField(forms.CharField):
    """The reminder days as people write them ("14, 7, 2"), not as JSON."""

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(str(days) for days in value)
        return "" if value is None else str(value)


class SurveyRoundForm(forms.ModelForm):
    reminder_days = ReminderDaysField(
        label=SurveyRound._meta.get_field("reminder_days").verbose_name,
        required=False,
        help_text=SurveyRound._meta.get_field("reminder_days").help_text,
    )

    class Meta:
        model = SurveyRound
        fields = ROUND_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["link_grace_days"].required = False  # blank: none

    def clean_link_grace_days(self) -> int:
        return self.cleaned_data.get("link_grace_days") or 0

    def clean_reminder_days(self) -> list[int]:
        try:
            return clean_reminder_days(self.cleaned_data.get("reminder_days"))
        except ValidationError as exc:  # keyed by field in the service; here the field is known
            raise ValidationError(exc.message_dict["reminder_days"]) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk and QUESTIONNAIRE_FIELDS & set(self.changed_data):
            try:
                ensure_questionnaires_can_change(self.instance)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class SurveyRoundAddForm(SurveyRoundForm):
    add_default_participants = forms.BooleanField(
        label=_("Add the default participants"),
        required=False,
        initial=True,
        help_text=_(
            "Every active mechanism, the member States of those mechanisms and the "
            "organizations engaged with them. You can add and remove participants afterwards."
        ),
    )


@admin.register(SurveyRound)
class SurveyRoundAdmin(SimpleHistoryAdmin):
    form = SurveyRoundForm
    list_display = [
        "name",
        "slug",
        "year",
        "status",
        "opens_on",
        "closes_on",
        "participant_count",
        "dashboard_link",
    ]
    list_filter = ["status", "year"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "opens_on"
    # The team is a plain multiple select: Django's filter_horizontal widget fails axe
    # (aria-label on a span of its search box).
    actions = [
        "open_rounds",
        "close_rounds",
        "reopen_rounds",
        "publish_rounds",
        "add_default_participants",
        "send_reminders_now",
    ]
    lifecycle_fields = ["status", "created_at", "opened_at", "closed_at", "published_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SurveyRound]:
        rounds = access.in_scope(request.user, super().get_queryset(request), "pk")
        return rounds.annotate(_participants=Count("participants"))

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "team":  # people who can sign in to the admin
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_send_reminders_permission(self, request: HttpRequest) -> bool:
        return access.can(request.user, "send_reminders")

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/import-focal-points/",
                view(lambda request, object_id: focal_point_import_view(self, request, object_id)),
                name="assessments_surveyround_import_focal_points",
            ),
            path(
                "focal-points-template.csv",
                view(focal_point_template_view),
                name="assessments_surveyround_focal_point_template",
            ),
            *super().get_urls(),
        ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = SurveyRoundAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        main = ["name", "slug", "year", "opens_on", "closes_on", "reminder_days", "link_grace_days"]
        questionnaires = sorted(QUESTIONNAIRE_FIELDS)
        if obj is None:
            return [
                (None, {"fields": main}),
                (_("Questionnaires"), {"fields": questionnaires}),
                (_("Participants"), {"fields": ["add_default_participants"]}),
            ]
        return [
            (None, {"fields": [*main, "dashboard_link"]}),
            (_("Participants and focal points"), {"fields": ["participant_pages"]}),
            (_("Questionnaires"), {"fields": questionnaires}),
            (_("Team"), {"fields": ["team"]}),
            (_("Status"), {"fields": self.lifecycle_fields}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        readonly = [*self.lifecycle_fields, "dashboard_link", "participant_pages"]
        if not access.works_on_every_round(request.user):
            readonly.append("team")  # only those who see every round hand rounds out
        if obj.status != SurveyRound.Status.DRAFT:
            readonly += sorted(QUESTIONNAIRE_FIELDS)
        return readonly

    def save_model(
        self, request: HttpRequest, obj: SurveyRound, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            # The team is a many-to-many field: the admin's save_related sets it.
            changed = [name for name in form.changed_data if name != "team"]
            fields = {name: form.cleaned_data[name] for name in changed}
            saved = round_update(survey_round=obj, **fields) if fields else obj
        else:
            data = form.cleaned_data
            saved = round_create(
                name=data["name"],
                slug=data["slug"],
                year=data["year"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                questionnaires={
                    audience: data[f"questionnaire_{audience}"] for audience in Audience.values
                },
                reminder_days=data["reminder_days"],
                link_grace_days=data["link_grace_days"],
                with_default_participants=data.get("add_default_participants", False),
            )
            if not access.works_on_every_round(request.user):
                saved.team.add(request.user)  # or its maker could not see it
        # The admin keeps using `obj` (redirect, inlines, log): give it the saved row.
        for model_field in SurveyRound._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(saved, model_field.attname))
        obj._state.adding = False

    @admin.display(description=_("participants"), ordering="_participants")
    def participant_count(self, obj: SurveyRound) -> int:
        return obj._participants

    @admin.display(description=_("dashboard"))
    def dashboard_link(self, obj: SurveyRound) -> str:
        url = reverse("assessments:round_dashboard", args=[obj.slug])
        return format_html('<a href="{}">{}</a>', url, gettext("Response rates and reminders"))

    @admin.display(description=_("pages"))
    def participant_pages(self, obj: SurveyRound) -> str:
        # The participants are listed on their own, paginated page: a round has hundreds.
        listed = reverse("admin:assessments_roundparticipant_changelist")
        added = reverse("admin:assessments_roundparticipant_add")
        importer = reverse("admin:assessments_surveyround_import_focal_points", args=[obj.pk])
        count = getattr(obj, "_participants", None)
        count = obj.participants.count() if count is None else count
        participants = ngettext("%(count)d participant", "%(count)d participants", count) % {
            "count": count
        }
        links = [
            (f"{listed}?round__id__exact={obj.pk}", participants),
            (f"{importer}", gettext("Import focal points")),
        ]
        if accepts_participants(obj):
            links.insert(1, (f"{added}?round={obj.pk}", gettext("Add a participant")))
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def transition(
        self,
        request: HttpRequest,
        queryset: QuerySet[SurveyRound],
        service: Callable[..., SurveyRound],
        message: str,
    ) -> None:
        done = run_each(self, request, queryset, lambda r: service(survey_round=r))
        if done:
            names = ", ".join(str(survey_round) for survey_round, _result in done)
            self.message_user(request, message % {"rounds": names}, messages.SUCCESS)

    @admin.action(description=_("Open (and send the invitations)"), permissions=["change"])
    def open_rounds(self, request: HttpRequest, queryset: QuerySet[SurveyRound]) -> None:
        self.transition(
            request,
            queryset,
            round_open,
            gettext("Opened: %(rounds)s. Invitations are being sent."),
        )

    @admin.action(description=_("Close"), permissions=["change"])
    def close_rounds(self, request: HttpRequest, queryset: QuerySet[SurveyRound]) -> None:
        self.transition(request, queryset, round_close, gettext("Closed: %(rounds)s."))

    @admin.action(description=_("Reopen"), permissions=["change"])
    def reopen_rounds(self, request: HttpRequest, queryset: QuerySet[SurveyRound]) -> None:
        self.transition(request, queryset, round_reopen, gettext("Reopened: %(rounds)s."))

    @admin.action(description=_("Publish"), permissions=["change"])
    def publish_rounds(self, request: HttpRequest, queryset: QuerySet[SurveyRound]) -> None:
        self.transition(request, queryset, round_publish, gettext("Published: %(rounds)s."))

    @admin.action(description=_("Add the default participants"), permissions=["change"])
    def add_default_participants(
        self, request: HttpRequest, queryset: QuerySet[SurveyRound]
    ) -> None:
        for survey_round, added in run_each(
            self, request, queryset, lambda r: round_add_default_participants(survey_round=r)
        ):
            message = ngettext(
                "%(round)s: %(count)d participant added.",
                "%(round)s: %(count)d participants added.",
                added,
            )
            self.message_user(request, message % {"round": survey_round, "count": added})

    @admin.action(description=_("Send a reminder now"), permissions=["send_reminders"])
    def send_reminders_now(self, request: HttpRequest, queryset: QuerySet[SurveyRound]) -> None:
        for survey_round, queued in run_each(
            self, request, queryset, lambda r: round_send_reminders_now(survey_round=r)
        ):
            if not queued and (held_back := manual_reminder_held_back(survey_round)):
                self.message_user(request, f"{survey_round}: {held_back}", messages.WARNING)
                continue
            message = ngettext(
                "%(round)s: %(count)d reminder queued.",
                "%(round)s: %(count)d reminders queued.",
                queued,
            )
            self.message_user(request, message % {"round": survey_round, "count": queued})
