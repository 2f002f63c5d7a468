"""Invitation links, emails and reminders.

A link carries a signed token naming one invitation and its current nonce: rotating the nonce
(or revoking) invalidates earlier links; expiry is checked against the invitation. Each email is a
`Notification` row with a unique key per invitation, created before sending and marked sent after,
so that a retried task sends only what is still pending.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import uuid

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from assessments.rounds.models import (
    FocalPoint,
    Invitation,
    Notification,
    SurveyRound,
)

logger = logging.getLogger(__name__)
# "Send reminder now" pressed again within this time sends nothing.
MANUAL_REMINDER_COOLDOWN = datetime.timedelta(minutes=10)

# Errors worth sending again later (the server is down or busy); anything else is permanent.
TRANSIENT_EMAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)
TOKEN_SALT = "assessments.invitation"
REMINDERS_ONLY_WHEN_OPEN = "Reminders can only be sent while the round is open."
RESEND_ONLY_WHEN_OPEN = "Invitations can only be sent while the round is open."
RESEND_REVOKED = "This invitation has been revoked: rotate its link before sending it again."


class InvalidInvitation(Exception):
    """The link is malformed, rotated, revoked or expired; the message says which, for the page."""


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(
        {"i": invitation.pk, "n": invitation.nonce}, salt=TOKEN_SALT, compress=True
    )


def invitation_url(invitation: Invitation) -> str:
    path = reverse("assessments:invitation", args=[invitation_token(invitation)])
    return settings.SITE_URL.rstrip("/") + path


def invitation_from_token(token: str, *, now: datetime.datetime | None = None) -> Invitation:
    """The invitation a link grants, or InvalidInvitation."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
        invitation_id, nonce = int(payload["i"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidInvitation(_("This link is not valid.")) from None
    invitation = (
        Invitation.objects.select_related("participant__round").filter(pk=invitation_id).first()
    )
    if invitation is None or not constant_time_equal(invitation.nonce, nonce):
        raise InvalidInvitation(_("This link has been replaced by a newer one."))
    if invitation.revoked_at:
        raise InvalidInvitation(_("This link has been revoked."))
    if (now or timezone.now()) > invitation.expires_at:
        raise InvalidInvitation(_("This link has expired."))
    return invitation


def constant_time_equal(a: str, b: str) -> bool:
    from django.utils.crypto import constant_time_compare

    return constant_time_compare(a, b)


@transaction.atomic
def invitation_mark_opened(*, invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )
    Invitation.objects.filter(
        pk=invitation.pk, status__in=[Invitation.Status.NOT_SENT, Invitation.Status.SENT]
    ).update(status=Invitation.Status.OPENED)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Stop the link working at once; revoking again keeps the first date."""
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_rotate(
    *, invitation: Invitation, extend_to: datetime.datetime | None = None
) -> Invitation:
    """A new link for the same participant; earlier links stop working."""
    from assessments.rounds.models import new_nonce

    invitation.nonce = new_nonce()
    invitation.revoked_at = None
    if extend_to:
        invitation.expires_at = extend_to
    invitation.save(update_fields=["nonce", "revoked_at", "expires_at"])
    return invitation


def focal_points_of(invitation: Invitation) -> list[FocalPoint]:
    participant = invitation.participant
    return list(
        FocalPoint.objects.filter(
            kind=participant.kind,
            mechanism_id=participant.mechanism_id,
            state_id=participant.state_id,
            organization_id=participant.organization_id,
        ).order_by("pk")
    )


# --- queueing ---------------------------------------------------------------------------


def queue_notifications(invitations: list[Invitation], *, kind: str, key: str) -> int:
    """Create the pending notification rows (once per invitation and key); returns how many new."""
    existing = set(
        Notification.objects.filter(invitation__in=invitations, key=key).values_list(
            "invitation_id", flat=True
        )
    )
    new = [
        Notification(invitation=invitation, kind=kind, key=key)
        for invitation in invitations
        if invitation.pk not in existing
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def queue_round_invitations(survey_round: SurveyRound) -> int:
    invitations = list(
        Invitation.objects.filter(participant__round=survey_round, revoked_at__isnull=True)
    )
    return queue_notifications(invitations, kind=Notification.Kind.INVITATION, key="invitation")


def unsubmitted_invitations(survey_round: SurveyRound) -> list[Invitation]:
    """Invitations of participants who have not submitted everything (nor been revoked)."""
    return list(
        Invitation.objects.filter(participant__round=survey_round, revoked_at__isnull=True)
        .exclude(status=Invitation.Status.SUBMITTED)
        .select_related("participant")
    )


def queue_due_reminders(survey_round: SurveyRound, *, today: datetime.date | None = None) -> int:
    """Queue the scheduled reminders whose day has come; each (invitation, day) at most once."""
    if survey_round.status != SurveyRound.Status.OPEN:
        return 0
    today = today or timezone.localdate()
    due = [
        days
        for days in survey_round.reminder_days or []
        if survey_round.closes_on - datetime.timedelta(days=int(days))
        <= today
        <= survey_round.closes_on
    ]
    if not due:
        return 0
    # Only the latest due reminder: a round opened late must not send 14-, 7- and 2-day ones at once.
    key = f"reminder-{min(due)}"
    return queue_notifications(
        unsubmitted_invitations(survey_round), kind=Notification.Kind.REMINDER, key=key
    )


def queue_manual_reminder(survey_round: SurveyRound, *, request_id: str) -> int:
    """ "Send a reminder now": one reminder per unsubmitted participant for this request."""
    if survey_round.status != SurveyRound.Status.OPEN:
        raise ValidationError(_(REMINDERS_ONLY_WHEN_OPEN))
    key = f"manual-{request_id}"[:64]
    return queue_notifications(
        unsubmitted_invitations(survey_round), kind=Notification.Kind.REMINDER, key=key
    )


def enqueue_sending(survey_round: SurveyRound) -> None:
    from assessments.rounds.tasks import send_pending_notifications_task

    round_id = survey_round.pk
    transaction.on_commit(lambda: send_pending_notifications_task.delay(round_id), robust=True)


def last_manual_reminder_at(survey_round: SurveyRound) -> datetime.datetime | None:
    """When someone last pressed "Send reminder now" for the round (None: never)."""
    return Notification.objects.filter(
        invitation__participant__round=survey_round,
        kind=Notification.Kind.REMINDER,
        key__startswith="manual-",
    ).aggregate(last=Max("created_at"))["last"]


def manual_reminder_too_soon(survey_round: SurveyRound) -> bool:
    last = last_manual_reminder_at(survey_round)
    return last is not None and timezone.now() - last < MANUAL_REMINDER_COOLDOWN


def manual_reminder_held_back(survey_round: SurveyRound) -> str | None:
    """Why "Send reminder now" sent nothing just now, for the person who pressed it (None: it
    is not held back)."""
    last = last_manual_reminder_at(survey_round)
    if last is None or timezone.now() - last >= MANUAL_REMINDER_COOLDOWN:
        return None
    return _(
        "No reminder sent: the focal points were reminded %(since)s ago. "
        "A reminder can be sent again %(minutes)d minutes after the last one."
    ) % {"since": timesince(last), "minutes": MANUAL_REMINDER_COOLDOWN.total_seconds() // 60}


@transaction.atomic
def round_send_reminders_now(*, survey_round: SurveyRound, request_id: str | None = None) -> int:
    """The secretariat's "send a reminder now": queue one reminder per participant who has not
    submitted and send them after commit; returns how many were queued.

    A second press within MANUAL_REMINDER_COOLDOWN queues nothing (two clicks, or two people
    on the dashboard, must not mail every focal point twice); the round's row lock makes two
    presses at the same moment take turns. A retried sending task sends each reminder once.
    """
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    if survey_round.status == SurveyRound.Status.OPEN and manual_reminder_too_soon(survey_round):
        return 0
    queued = queue_manual_reminder(survey_round, request_id=request_id or uuid.uuid4().hex)
    if queued:
        enqueue_sending(survey_round)
    return queued


@transaction.atomic
def invitation_resend(*, invitation: Invitation) -> int:
    """Send the invitation email again (with the current link); returns how many were queued."""
    invitation = Invitation.objects.select_related("participant__round").get(pk=invitation.pk)
    survey_round = invitation.participant.round
    if survey_round.status != SurveyRound.Status.OPEN:
        raise ValidationError(_(RESEND_ONLY_WHEN_OPEN))
    if invitation.revoked_at:
        raise ValidationError(_(RESEND_REVOKED))
    key = f"invitation-{uuid.uuid4().hex}"
    queued = queue_notifications([invitation], kind=Notification.Kind.INVITATION, key=key)
    enqueue_sending(survey_round)
    return queued


# --- sending ----------------------------------------------------------------------------


# The error of a notification worth trying again (see notification_send); the others (no
# focal point, revoked, recipients refused) are final.
RETRY_PREFIX = "not sent"


def pending_notification_ids(survey_round: SurveyRound) -> list[int]:
    return list(
        Notification.objects.filter(
            Q(error="") | Q(error__startswith=RETRY_PREFIX),
            invitation__participant__round=survey_round,
            sent_at__isnull=True,
        ).values_list("pk", flat=True)
    )


def notification_send(*, notification_id: int) -> bool:
    """Send one pending notification to every focal point; True when sent now.

    The row is locked while sending so that two workers cannot both send it; a notification
    already sent is skipped, which makes retries harmless.
    """
    with transaction.atomic():
        notification = (
            # Lock only the notification: PostgreSQL refuses FOR UPDATE on the nullable side
            # of the outer joins to the party.
            Notification.objects.select_for_update(of=("self",))
            .select_related("invitation__participant__round", "invitation__participant__mechanism",
                            "invitation__participant__state", "invitation__participant__organization")
            .filter(pk=notification_id, sent_at__isnull=True)
            .first()
        )  # fmt: skip
        if notification is None:
            return False
        invitation = notification.invitation
        if notification.kind == Notification.Kind.REMINDER and (
            invitation.participant.round.status != SurveyRound.Status.OPEN
        ):
            notification.error = "skipped: the round is no longer open"
            notification.save(update_fields=["error"])
            return False
        if invitation.revoked_at or (
            notification.kind == Notification.Kind.REMINDER
            and invitation.status == Invitation.Status.SUBMITTED
        ):
            notification.error = "skipped: revoked or already submitted"
            notification.save(update_fields=["error"])
            return False
        focal_points = focal_points_of(invitation)
        if not focal_points:
            notification.error = "no focal point"
            notification.save(update_fields=["error"])
            return False
        url = invitation_url(invitation)
        try:
            messages = [build_email(notification, focal_point, url) for focal_point in focal_points]
            get_connection().send_messages(messages)
        except smtplib.SMTPRecipientsRefused as exc:
            # Permanent: retrying would fail the same way (and hold back the round's other emails).
            record_failure(
                notification, f"recipients refused: {', '.join(map(str, exc.recipients))}"
            )
            return False
        except TRANSIENT_EMAIL_ERRORS as exc:
            transient = exc
        except (BadHeaderError, ValueError) as exc:
            # The message cannot be built (a line break in a header, say): sending again cannot
            # help until someone fixes the round. Recorded for the dashboard; the notification
            # stays pending, so the next pass (the daily reminder check) tries it again, and
            # the round's other notifications still go out.
            record_failure(notification, f"not sent: {type(exc).__name__}: {exc}")
            return False
        else:
            record_sent(notification, invitation, [fp.email for fp in focal_points])
            return True
    # Recorded for the dashboard once the lock is released (a raise inside the transaction
    # would roll the record back), then raised for the task's retry with back-off.
    record_failure(
        notification, f"not sent yet, will retry: {type(transient).__name__}: {transient}"
    )
    raise transient


def record_failure(notification: Notification, error: str) -> None:
    Notification.objects.filter(pk=notification.pk).update(error=error[:1000])
    logger.warning("Notification %s: %s", notification.pk, error)


def record_sent(notification: Notification, invitation: Invitation, recipients: list[str]) -> None:
    now = timezone.now()
    notification.sent_at = now
    notification.recipients = recipients
    notification.error = ""  # an earlier failure, now overcome
    notification.save(update_fields=["sent_at", "recipients", "error"])
    if notification.kind == Notification.Kind.INVITATION:
        Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(sent_at=now)
        Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.NOT_SENT).update(
            status=Invitation.Status.SENT
        )
    else:
        Invitation.objects.filter(pk=invitation.pk).update(
            last_reminder_at=now, reminder_count=F("reminder_count") + 1
        )


def build_email(
    notification: Notification, focal_point: FocalPoint, url: str
) -> EmailMultiAlternatives:
    survey_round = notification.invitation.participant.round
    context = {
        "focal_point": focal_point,
        "participant": notification.invitation.participant,
        "round": survey_round,
        "url": url,
        "is_reminder": notification.kind == Notification.Kind.REMINDER,
    }
    with translation.override(focal_point.language):
        subject_template = (
            _("Reminder: %(round)s closes on %(date)s")
            if context["is_reminder"]
            else _("Invitation: %(round)s")
        )
        subject = subject_template % {
            "round": survey_round.name,
            "date": date_format(survey_round.closes_on, "DATE_FORMAT"),  # as the body says it
        }
        text = render_to_string("assessments/email/invitation.txt", context)
        html = render_to_string("assessments/email/invitation.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [focal_point.email]
    )
    message.attach_alternative(html, "text/html")
    return message
