from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mechanisms.models import Mechanism, Membership, Organization, State


def validate_single_chair(membership: Membership) -> None:
    """A mechanism has at most one chair on any date; co-chairs are recorded as `chair` too,
    so the rule is about one participant holding the chair twice in overlapping periods."""
    if membership.role != Membership.Role.CHAIR:
        return
    overlapping = Membership.objects.filter(
        mechanism_id=membership.mechanism_id,
        role=Membership.Role.CHAIR,
        state_id=membership.state_id,
        organization_id=membership.organization_id,
    ).exclude(pk=membership.pk)
    if membership.end_date:
        overlapping = overlapping.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=membership.end_date)
        )
    if membership.start_date:
        overlapping = overlapping.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=membership.start_date)
        )
    if overlapping.exists():
        raise ValidationError(
            {"start_date": _("This participant already chairs the mechanism in that period.")}
        )


@transaction.atomic
def membership_create(
    *,
    mechanism: Mechanism,
    participant: State | Organization,
    role: str = Membership.Role.MEMBER,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> Membership:
    membership = Membership(
        mechanism=mechanism,
        state=participant if isinstance(participant, State) else None,
        organization=participant if isinstance(participant, Organization) else None,
        role=role,
        start_date=start_date,
        end_date=end_date,
    )
    membership.full_clean()
    validate_single_chair(membership)
    membership.save()
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, end_date: datetime.date) -> Membership:
    membership.end_date = end_date
    membership.full_clean()
    membership.save(update_fields=["end_date"])
    return membership
