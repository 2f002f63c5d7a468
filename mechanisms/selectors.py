"""Read queries on the registry, shaped for their callers."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from mechanisms.models import (
    GcmObjective,
    Mechanism,
    Membership,
    Term,
    ThematicArea,
)
from mechanisms.translation import localized


def in_force_on(on: datetime.date) -> Q:
    return (Q(memberships__start_date__isnull=True) | Q(memberships__start_date__lte=on)) & (
        Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=on)
    )


def mechanism_list(*, on: datetime.date | None = None) -> QuerySet[Mechanism]:
    """Mechanisms with their current member and observer counts, in one query."""
    current = in_force_on(on or datetime.date.today())
    return (
        Mechanism.objects.select_related("chair_model", "secretariat_type")
        .annotate(
            member_count=Count(
                "memberships", filter=current & Q(memberships__role=Membership.Role.MEMBER)
            ),
            observer_count=Count(
                "memberships", filter=current & Q(memberships__role=Membership.Role.OBSERVER)
            ),
        )
        .order_by("acronym")
    )


def mechanism_detail_queryset() -> QuerySet[Mechanism]:
    memberships = Membership.objects.select_related("state", "organization").order_by(
        "role", "organization__acronym", "state__country"
    )
    return Mechanism.objects.select_related(
        "chair_model", "secretariat_type", "secretariat_organization"
    ).prefetch_related(
        Prefetch("memberships", queryset=memberships, to_attr="all_memberships"),
        "thematic_areas",
    )


def memberships_by_role(
    mechanism: Mechanism, *, on: datetime.date | None = None
) -> dict[str, list[Membership]]:
    """Memberships in force on a date, grouped by role; uses the prefetched `all_memberships`."""
    on = on or datetime.date.today()
    grouped: dict[str, list[Membership]] = {role: [] for role in Membership.Role.values}
    for membership in mechanism.all_memberships:
        if is_in_force(membership, on):
            grouped[membership.role].append(membership)
    grouped[Membership.Role.MEMBER].sort(key=lambda m: m.participant_name)
    return grouped


def is_in_force(membership: Membership, on: datetime.date) -> bool:
    started = membership.start_date is None or membership.start_date <= on
    not_ended = membership.end_date is None or membership.end_date >= on
    return started and not_ended


def current_chairs(mechanism: Mechanism, *, on: datetime.date | None = None) -> list[Membership]:
    """Who chairs `mechanism` on a date (several for co-chairs and troikas)."""
    return list(
        Membership.objects.filter(mechanism=mechanism, role=Membership.Role.CHAIR)
        .current(on)
        .select_related("state", "organization")
    )


def region_choices() -> list[tuple[str, str]]:
    regions = (
        Mechanism.objects.exclude(region="").order_by("region").values_list("region", flat=True)
    )
    return [(region, region) for region in regions.distinct()]


def vocabulary_choices(name: str, *, language: str | None = None) -> list[tuple[str, str]]:
    """(code, label) pairs of a named choice list, labels in `language` (default: active)."""
    if name == "thematic_areas":
        rows = ThematicArea.objects.order_by("position", "code")
        return [(row.code, localized(row, "label", language)) for row in rows]
    if name == "gcm_objectives":
        return [
            (row.code, f"{row.number}. {localized(row, 'label', language)}")
            for row in GcmObjective.objects.order_by("number")
        ]
    if name == "mechanisms":
        rows = Mechanism.objects.order_by("acronym")
        return [(row.acronym, f"{row.acronym}: {localized(row, 'name', language)}") for row in rows]
    terms = Term.objects.filter(vocabulary__name=name).order_by("position", "code")
    return [(term.code, localized(term, "label", language)) for term in terms]


def vocabulary_exists(name: str) -> bool:
    if name in {"thematic_areas", "gcm_objectives", "mechanisms"}:
        return True
    return Term.objects.filter(vocabulary__name=name).exists()
