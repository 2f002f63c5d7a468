"""Personal data of focal points: export everything held about a person, or erase it.

Erasing replaces the name and address in the focal point row, in its history and in the
recipients of sent notifications; the answers a focal point gave on behalf of a State or an
organization are the participant's, not personal data, and stay.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from assessments.rounds.models import FocalPoint, Notification

ERASED_NAME = "(erased)"


def erased_email(pk: int) -> str:
    return f"erased-{pk}@invalid.example"


def focal_point_personal_data(*, email: str) -> dict[str, Any]:
    """Everything held about the person with this address (case-insensitive)."""
    focal_points = FocalPoint.objects.filter(email__iexact=email).select_related(
        "mechanism", "state", "organization", "user"
    )
    return {
        "email": email,
        "focal_points": [
            {
                "name": fp.name,
                "email": fp.email,
                "language": fp.language,
                "answers_for": fp.party_name,
                "user_account": fp.user.get_username() if fp.user else None,
                "history": [
                    {"date": h.history_date.isoformat(), "type": h.history_type, "name": h.name, "email": h.email}
                    for h in fp.history.order_by("history_date")
                ],
            }
            for fp in focal_points
        ],
        "emails_sent": [
            {"date": n.sent_at.isoformat() if n.sent_at else None, "kind": n.kind, "round": n.invitation.participant.round.slug}
            for n in Notification.objects.filter(recipients__icontains=email).select_related("invitation__participant__round")
            if any(r.lower() == email.lower() for r in n.recipients)
        ],
    }  # fmt: skip


@transaction.atomic
def focal_point_erase(*, email: str) -> int:
    """Erase a person's name and address everywhere; returns how many focal points it concerned."""
    focal_points = list(FocalPoint.objects.select_for_update().filter(email__iexact=email))
    for fp in focal_points:
        fp.history.update(name=ERASED_NAME, email=erased_email(fp.pk))
        FocalPoint.objects.filter(pk=fp.pk).update(
            name=ERASED_NAME, email=erased_email(fp.pk), user=None
        )
    for notification in Notification.objects.filter(recipients__icontains=email):
        kept = [r for r in notification.recipients if r.lower() != email.lower()]
        if kept != notification.recipients:
            notification.recipients = [*kept, ERASED_NAME]
            notification.save(update_fields=["recipients"])
    return len(focal_points)
