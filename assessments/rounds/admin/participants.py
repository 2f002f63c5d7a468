"""A round's participants, on paginated pages of their own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assessments import access
from assessments.rounds.admin.common import (
    PARTY_FIELDS,
    PARTY_SELECT,
    accepts_participants,
    error_text,
)
from assessments.rounds.models import (
    RoundParticipant,
)
from assessments.rounds.services.rounds import (
    round_add_participant,
    round_remove_participant,
)


class RoundParticipantForm(forms.ModelForm):
    """A new participant of a draft or open round: exactly one of a mechanism, a State or an
    organization (the kind follows from it)."""

    class Meta:
        model = RoundParticipant
        fields = ["round", *PARTY_FIELDS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        chosen = [name for name in PARTY_FIELDS if cleaned.get(name)]
        if len(chosen) != 1:
            raise ValidationError(
                _("Choose exactly one of a mechanism, a State or an organization.")
            )
        if cleaned.get("round") and not accepts_participants(cleaned["round"]):
            raise ValidationError(_("This round no longer accepts participants."))
        self.instance.kind = chosen[0]
        return cleaned


@admin.register(RoundParticipant)
class RoundParticipantAdmin(admin.ModelAdmin):
    """A round's participants on pages of their own (a round has hundreds). New ones are added
    through round_add_participant, removals go through round_remove_participant; a participant
    is never edited (remove it and add another)."""

    form = RoundParticipantForm
    list_display = ["participant_name", "kind", "round", "invitation_status", "has_answered"]
    list_filter = ["round", "kind"]
    search_fields = ["mechanism__acronym", "organization__acronym", "state__country"]
    list_select_related = [*PARTY_SELECT, "round", "invitation"]
    list_per_page = 50
    show_full_result_count = False  # one COUNT, not two, on every page
    autocomplete_fields = list(PARTY_FIELDS)
    actions = ["remove_participants"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoundParticipant]:
        participants = access.in_scope(request.user, super().get_queryset(request))
        return participants.annotate(_responses=Count("responses"))

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # removal goes through the service, which may refuse
        return actions

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"round": request.GET.get("round")}

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: RoundParticipant, form: forms.ModelForm, change: bool
    ) -> None:
        saved = round_add_participant(survey_round=obj.round, party=obj.party)
        obj.pk, obj.added_at = saved.pk, saved.added_at
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: RoundParticipant) -> None:
        try:
            round_remove_participant(participant=obj)
        except ValidationError as exc:
            self.message_user(request, f"{obj.party_name}: {error_text(exc)}", messages.ERROR)

    @admin.action(description=_("Remove from the round"), permissions=["delete"])
    def remove_participants(
        self, request: HttpRequest, queryset: QuerySet[RoundParticipant]
    ) -> None:
        removed = 0
        for participant in queryset:
            try:
                round_remove_participant(participant=participant)
                removed += 1
            except ValidationError as exc:
                message = f"{participant.party_name}: {error_text(exc)}"
                self.message_user(request, message, messages.ERROR)
        if removed:
            message = ngettext(
                "%(count)d participant removed.", "%(count)d participants removed.", removed
            )
            self.message_user(request, message % {"count": removed}, messages.SUCCESS)

    @admin.display(description=_("participant"), ordering="pk")
    def participant_name(self, obj: RoundParticipant) -> str:
        return obj.party_name

    @admin.display(description=_("invitation"))
    def invitation_status(self, obj: RoundParticipant) -> str:
        invitation = getattr(obj, "invitation", None) if obj.pk else None
        return invitation.get_status_display() if invitation else "-"

    @admin.display(description=_("has answered"), boolean=True)
    def has_answered(self, obj: RoundParticipant) -> bool:
        return bool(getattr(obj, "_responses", 0))
