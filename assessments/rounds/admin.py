"""The secretariat's admin for rounds, participants, focal points, invitations and
notifications. Every change of state goes through the services, so the rules live in
one place; their ValidationErrors become error messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assessments import access
from assessments.questionnaires.models import Audience
from assessments.rounds.models import (
    FocalPoint,
    Invitation,
    Notification,
    RoundParticipant,
    SurveyRound,
)
from assessments.rounds.services.invitations import (
    invitation_resend,
    invitation_revoke,
    invitation_rotate,
    invitation_url,
    round_send_reminders_now,
)
from assessments.rounds.services.rounds import (
    QUESTIONNAIRE_FIELDS,
    clean_reminder_days,
    ensure_questionnaires_can_change,
    round_add_default_participants,
    round_add_participant,
    round_close,
    round_create,
    round_open,
    round_publish,
    round_remove_participant,
    round_reopen,
    round_update,
)

PARTY_FIELDS = ("mechanism", "state", "organization")
PARTY_SELECT = ("mechanism", "state", "organization")
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
]


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def run_each(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    objects: QuerySet,
    action: Callable[[Any], object],
) -> list[tuple[Any, object]]:
    """Call `action` on each selected object; a refusal becomes an error message naming it."""
    done = []
    for obj in objects:
        try:
            done.append((obj, action(obj)))
        except ValidationError as exc:
            model_admin.message_user(request, f"{obj}: {error_text(exc)}", messages.ERROR)
    return done


# --- rounds and participants -----------------------------------------------------------------


class SurveyRoundForm(forms.ModelForm):
    class Meta:
        model = SurveyRound
        fields = ROUND_FIELDS

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


class RoundParticipantForm(forms.ModelForm):
    """A new participant: exactly one of a mechanism, a State or an organization (the kind
    follows from it)."""

    class Meta:
        model = RoundParticipant
        fields = list(PARTY_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("DELETE") or not self.instance._state.adding:
            return cleaned
        chosen = [name for name in PARTY_FIELDS if cleaned.get(name)]
        if len(chosen) != 1:
            raise ValidationError(
                _("Choose exactly one of a mechanism, a State or an organization.")
            )
        self.instance.kind = chosen[0]
        return cleaned


class RoundParticipantInline(admin.TabularInline):
    """Existing participants are shown read-only (remove one with "Delete"); new ones are added
    through round_add_participant, removals through round_remove_participant."""

    model = RoundParticipant
    form = RoundParticipantForm
    extra = 0
    fields = ["kind", *PARTY_FIELDS, "invitation_status", "has_answered"]
    readonly_fields = ["kind", "invitation_status", "has_answered"]
    autocomplete_fields = list(PARTY_FIELDS)

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoundParticipant]:
        return (
            super()
            .get_queryset(request)
            .select_related(*PARTY_SELECT, "invitation")
            .annotate(_responses=Count("responses"))
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_add_permission(request, obj) and accepts_participants(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and accepts_participants(obj)

    @admin.display(description=_("invitation"))
    def invitation_status(self, obj: RoundParticipant) -> str:
        invitation = getattr(obj, "invitation", None) if obj.pk else None
        return invitation.get_status_display() if invitation else "-"

    @admin.display(description=_("has answered"), boolean=True)
    def has_answered(self, obj: RoundParticipant) -> bool:
        return bool(getattr(obj, "_responses", 0))


def accepts_participants(survey_round: SurveyRound | None) -> bool:
    return survey_round is None or survey_round.status in (
        SurveyRound.Status.DRAFT,
        SurveyRound.Status.OPEN,
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
    filter_horizontal = ["team"]
    inlines = [RoundParticipantInline]
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

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = SurveyRoundAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        main = ["name", "slug", "year", "opens_on", "closes_on", "reminder_days"]
        questionnaires = sorted(QUESTIONNAIRE_FIELDS)
        if obj is None:
            return [
                (None, {"fields": main}),
                (_("Questionnaires"), {"fields": questionnaires}),
                (_("Participants"), {"fields": ["add_default_participants"]}),
            ]
        return [
            (None, {"fields": [*main, "dashboard_link"]}),
            (_("Questionnaires"), {"fields": questionnaires}),
            (_("Team"), {"fields": ["team"]}),
            (_("Status"), {"fields": self.lifecycle_fields}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        readonly = [*self.lifecycle_fields, "dashboard_link"]
        if not access.works_on_every_round(request.user):
            readonly.append("team")  # only those who see every round hand rounds out
        if obj.status != SurveyRound.Status.DRAFT:
            readonly += sorted(QUESTIONNAIRE_FIELDS)
        return readonly

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list:
        # On the add page the default participants come from round_create.
        return [] if obj is None else super().get_inlines(request, obj)

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
                with_default_participants=data.get("add_default_participants", False),
            )
            if not access.works_on_every_round(request.user):
                saved.team.add(request.user)  # or its maker could not see it
        # The admin keeps using `obj` (redirect, inlines, log): give it the saved row.
        for model_field in SurveyRound._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(saved, model_field.attname))
        obj._state.adding = False

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is not RoundParticipant:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        removed = [p for p in formset.deleted_objects if self.remove_participant(request, p)]
        added = [
            participant
            for new in formset.new_objects
            if (participant := self.add_participant(request, form.instance, new))
        ]
        # What the admin's change message reports: only what actually happened.
        formset.deleted_objects, formset.new_objects, formset.changed_objects = removed, added, []

    def remove_participant(self, request: HttpRequest, participant: RoundParticipant) -> bool:
        try:
            round_remove_participant(participant=participant)
        except ValidationError as exc:
            self.message_user(
                request, f"{participant.party_name}: {error_text(exc)}", messages.ERROR
            )
            return False
        return True

    def add_participant(
        self, request: HttpRequest, survey_round: SurveyRound, new: RoundParticipant
    ) -> RoundParticipant | None:
        try:
            return round_add_participant(survey_round=survey_round, party=new.party)
        except ValidationError as exc:
            self.message_user(request, f"{new.party_name}: {error_text(exc)}", messages.ERROR)
            return None

    @admin.display(description=_("participants"), ordering="_participants")
    def participant_count(self, obj: SurveyRound) -> int:
        return obj._participants

    @admin.display(description=_("dashboard"))
    def dashboard_link(self, obj: SurveyRound) -> str:
        url = reverse("assessments:round_dashboard", args=[obj.slug])
        return format_html('<a href="{}">{}</a>', url, gettext("Response rates and reminders"))

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
            message = ngettext(
                "%(round)s: %(count)d reminder queued.",
                "%(round)s: %(count)d reminders queued.",
                queued,
            )
            self.message_user(request, message % {"round": survey_round, "count": queued})


# --- focal points, invitations, notifications --------------------------------------------------


@admin.register(FocalPoint)
class FocalPointAdmin(SimpleHistoryAdmin):
    list_display = ["name", "email", "kind", "party", "language", "user"]
    list_filter = ["kind", "language"]
    search_fields = [
        "name",
        "email",
        "mechanism__acronym",
        "organization__acronym",
        "state__country",
    ]
    autocomplete_fields = [*PARTY_FIELDS, "user"]
    list_select_related = [*PARTY_SELECT, "user"]
    fields = ["kind", *PARTY_FIELDS, "name", "email", "language", "user"]

    @admin.display(description=_("for"))
    def party(self, obj: FocalPoint) -> str:
        return obj.party_name


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    fields = ["key", "kind", "created_at", "sent_at", "recipients", "error"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


INVITATION_SELECT = [
    "participant__round",
    "participant__mechanism",
    "participant__state",
    "participant__organization",
]


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
    list_display = [
        "participant_name",
        "kind",
        "round",
        "status",
        "sent_at",
        "last_reminder_at",
        "reminder_count",
        "revoked",
        "expires_at",
    ]
    list_filter = [
        "status",
        "participant__round",
        "participant__kind",
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = [
        "participant__mechanism__acronym",
        "participant__organization__acronym",
        "participant__state__country",
    ]
    list_select_related = INVITATION_SELECT
    fields = [
        "participant",
        "status",
        "link",
        "expires_at",
        "revoked_at",
        "sent_at",
        "opened_at",
        "last_reminder_at",
        "reminder_count",
    ]
    readonly_fields = [name for name in fields if name != "expires_at"]
    inlines = [NotificationInline]
    actions = ["revoke", "rotate", "resend"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invitation]:
        return super().get_queryset(request).select_related(*INVITATION_SELECT)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # invitations are created when a round opens or a participant joins it

    @admin.display(description=_("participant"), ordering="participant")
    def participant_name(self, obj: Invitation) -> str:
        return obj.participant.party_name

    @admin.display(description=_("kind"))
    def kind(self, obj: Invitation) -> str:
        return obj.participant.get_kind_display()

    @admin.display(description=_("round"))
    def round(self, obj: Invitation) -> str:
        return obj.participant.round.name

    @admin.display(description=_("revoked"), boolean=True)
    def revoked(self, obj: Invitation) -> bool:
        return obj.revoked_at is not None

    @admin.display(description=_("current link"))
    def link(self, obj: Invitation) -> str:
        if obj.revoked_at:
            return gettext("Revoked: rotate the link to give a new one.")
        url = invitation_url(obj)
        return format_html(
            '<input type="text" readonly value="{}" size="80" aria-label="{}" '
            'onfocus="this.select()">',
            url,
            gettext("Invitation link"),
        )

    @admin.action(description=_("Revoke the link"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        done = run_each(self, request, queryset, lambda i: invitation_revoke(invitation=i))
        self.message_user(request, gettext("%(count)d link(s) revoked.") % {"count": len(done)})

    @admin.action(
        description=_("Rotate the link (earlier links stop working)"), permissions=["change"]
    )
    def rotate(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        done = run_each(self, request, queryset, lambda i: invitation_rotate(invitation=i))
        self.message_user(
            request,
            gettext(
                "%(count)d new link(s) made; earlier links no longer work. "
                "Resend the invitation to email the new link."
            )
            % {"count": len(done)},
        )

    @admin.action(description=_("Resend the invitation email"), permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        done = run_each(self, request, queryset, lambda i: invitation_resend(invitation=i))
        if done:
            self.message_user(
                request, gettext("%(count)d invitation(s) queued.") % {"count": len(done)}
            )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "kind",
        "participant",
        "created_at",
        "sent_at",
        "recipient_list",
        "error",
    ]
    list_filter = [
        "kind",
        ("sent_at", admin.EmptyFieldListFilter),
        "invitation__participant__round",
    ]
    search_fields = ["key", "recipients", "error"]
    list_select_related = ["invitation__participant__" + name for name in PARTY_SELECT]
    fields = ["invitation", "kind", "key", "created_at", "sent_at", "recipients", "error"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("participant"))
    def participant(self, obj: Notification) -> str:
        return obj.invitation.participant.party_name

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj: Notification) -> str:
        return ", ".join(obj.recipients or [])
