"""Focal points, invitations and notifications."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assessments import access
from assessments.rounds.admin.common import (
    PARTY_FIELDS,
    PARTY_SELECT,
    run_each,
)
from assessments.rounds.models import (
    FocalPoint,
    Invitation,
    Notification,
)
from assessments.rounds.services.invitations import (
    invitation_resend,
    invitation_revoke,
    invitation_rotate,
    invitation_url,
)

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


def label_split_datetime(widget: forms.Widget, name: str) -> None:
    """The admin labels only the date half of a date-and-time field: name each half, so that
    a screen reader (and axe) knows what the time input is for."""
    while hasattr(widget, "widget"):  # RelatedFieldWidgetWrapper and the like
        widget = widget.widget
    if isinstance(widget, forms.MultiWidget) and len(widget.widgets) == 2:
        date, time = widget.widgets
        date.attrs["aria-label"] = gettext("%(field)s: date") % {"field": capfirst(name)}
        time.attrs["aria-label"] = gettext("%(field)s: time") % {"field": capfirst(name)}


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

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "expires_at" and field is not None:
            label_split_datetime(field.widget, db_field.verbose_name)
        return field

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invitation]:
        invitations = access.in_scope(
            request.user, super().get_queryset(request), "participant__round"
        )
        return invitations.select_related(*INVITATION_SELECT)

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
            "data-select-on-focus>",  # static/js/admin.js: no inline handler, the CSP blocks them
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        notifications = super().get_queryset(request)
        return access.in_scope(request.user, notifications, "invitation__participant__round")

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
