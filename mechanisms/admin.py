from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from mechanisms.models import (
    GcmObjective,
    Mechanism,
    Membership,
    Organization,
    State,
    Term,
    ThematicArea,
    Vocabulary,
)
from mechanisms.services.memberships import validate_single_chair


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["mechanism", "state", "organization", "role", "start_date", "end_date"]

    def clean(self) -> dict:
        cleaned = super().clean()
        mechanism = cleaned.get("mechanism") or getattr(self.instance, "mechanism", None)
        if mechanism and mechanism.pk and not self.errors:
            candidate = Membership(
                pk=self.instance.pk,
                mechanism=mechanism,
                state=cleaned.get("state"),
                organization=cleaned.get("organization"),
                role=cleaned.get("role"),
                start_date=cleaned.get("start_date"),
                end_date=cleaned.get("end_date"),
            )
            try:
                validate_single_chair(candidate)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["state", "organization"]
    fields = ["state", "organization", "role", "start_date", "end_date", "source"]
    readonly_fields = ["source"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("state", "organization", "mechanism")


@admin.register(Mechanism)
class MechanismAdmin(SimpleHistoryAdmin):
    # Django 6 makes https the scheme of a typed address without one; say so now.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["acronym", "name", "kind", "status", "region", "established", "member_count"]
    list_filter = ["kind", "status", "region", "thematic_areas"]
    search_fields = ["acronym", "name", "name_fr", "name_es"]
    filter_horizontal = ["thematic_areas"]
    autocomplete_fields = ["secretariat_organization"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["acronym", "name", "name_fr", "name_es", "kind", "status"]}),
        (_("Context"), {"fields": ["established", "region", "formal_association", "website",
                                   "description", "member_count_reported", "provenance"]}),
        (_("Structures"), {"fields": ["chair_model", "secretariat_type", "secretariat_host",
                                      "secretariat_organization"]}),
        (_("Thematic focus"), {"fields": ["thematic_areas"]}),
    ]  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mechanism]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                _member_count=Count(
                    "memberships",
                    filter=Q(memberships__role=Membership.Role.MEMBER, memberships__end_date=None),
                )
            )
        )

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj: Mechanism) -> int:
        return obj._member_count


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    form = MembershipForm
    list_display = ["mechanism", "participant_name", "role", "start_date", "end_date", "source"]
    list_filter = ["role", "source", "mechanism__kind", "mechanism"]
    search_fields = ["mechanism__acronym", "organization__acronym", "state__country"]
    autocomplete_fields = ["mechanism", "state", "organization"]
    list_select_related = ["mechanism", "state", "organization"]


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["country", "code"]
    search_fields = ["country"]

    def get_search_results(self, request, queryset, search_term):
        """Country names live in django-countries, not in the table: match them in Python."""
        if not search_term:
            return queryset, False
        from django_countries import countries

        term = search_term.lower()
        codes = [
            code for code, name in countries if term in str(name).lower() or term == code.lower()
        ]
        return queryset.filter(country__in=codes), False

    @admin.display(description=_("ISO code"))
    def code(self, obj: State) -> str:
        return obj.country.code


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["acronym", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["acronym", "name", "name_fr", "name_es"]


@admin.register(ThematicArea)
class ThematicAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "position"]
    search_fields = ["code", "label", "label_fr", "label_es"]
    filter_horizontal = ["gcm_objectives"]


@admin.register(GcmObjective)
class GcmObjectiveAdmin(admin.ModelAdmin):
    list_display = ["number", "label", "title"]
    search_fields = ["label", "title"]


class TermInline(admin.TabularInline):
    model = Term
    extra = 0
    fields = ["code", "label", "label_fr", "label_es", "position"]


@admin.register(Vocabulary)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name", "terms__code"]
    inlines = [TermInline]
