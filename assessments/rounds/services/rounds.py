"""Round lifecycle: create, choose participants, open, close, reopen, publish."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.questionnaires.models import Audience, Questionnaire
from assessments.rounds.models import Invitation, RoundParticipant, SurveyRound
from mechanisms.models import Mechanism, Membership, Organization, State

QUESTIONNAIRE_FIELDS = frozenset(
    {"questionnaire_mechanism", "questionnaire_state", "questionnaire_organization"}
)
# Changed only by the transitions below, never by round_update.
LIFECYCLE_FIELDS = frozenset({"status", "opened_at", "closed_at", "published_at", "created_at"})
STATUS_NOT_EDITABLE = (
    "The status of a round changes only by opening, closing, reopening or publishing it."
)
REMINDER_DAYS_INVALID = (
    "Give whole numbers of days before closing between 0 and 366, e.g. 14, 7, 2."
)


def parse_reminder_days(text: str) -> list[object]:
    """What people type: "14, 7, 2", "14 7 2" or the JSON "[14, 7, 2]"; "" is no reminders.
    Items that are not whole numbers stay as they are, for clean_reminder_days to refuse."""
    items = [item for item in re.split(r"[\s,;]+", text.strip().strip("[]")) if item]
    return [int(item) if item.isascii() and item.isdigit() else item for item in items]


def clean_reminder_days(value: object) -> list[int]:
    """The reminder schedule as distinct days before closing, latest first; ValidationError
    (on `reminder_days`) for anything else, so that the daily task never meets a bad value."""
    if value is None:
        return []
    if isinstance(value, str):
        value = parse_reminder_days(value)
    if not isinstance(value, list) or not all(
        isinstance(days, int) and not isinstance(days, bool) and 0 <= days <= 366 for days in value
    ):
        raise ValidationError({"reminder_days": _(REMINDER_DAYS_INVALID)})
    return sorted(set(value), reverse=True)


def lock_round(survey_round: SurveyRound) -> SurveyRound:
    """Re-read the round under a row lock: two admins acting at once act one after the other."""
    return SurveyRound.objects.select_for_update().get(pk=survey_round.pk)


def require_status(survey_round: SurveyRound, *allowed: str, action: str) -> None:
    if survey_round.status not in allowed:
        raise ValidationError(
            _("Cannot %(action)s a round that is %(status)s.")
            % {"action": action, "status": survey_round.get_status_display().lower()}
        )


@transaction.atomic
def round_create(
    *,
    name: str,
    slug: str,
    year: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    questionnaires: dict[str, Questionnaire],
    reminder_days: list[int] | str | None = None,
    link_grace_days: int = 0,
    with_default_participants: bool = True,
) -> SurveyRound:
    survey_round = SurveyRound(
        name=name,
        slug=slug,
        year=year,
        opens_on=opens_on,
        closes_on=closes_on,
        questionnaire_mechanism=questionnaires[Audience.MECHANISM],
        questionnaire_state=questionnaires[Audience.STATE],
        questionnaire_organization=questionnaires[Audience.ORGANIZATION],
        reminder_days=[14, 7, 2] if reminder_days is None else clean_reminder_days(reminder_days),
        link_grace_days=link_grace_days,
    )
    survey_round.full_clean()
    survey_round.save()
    if with_default_participants:
        round_add_default_participants(survey_round=survey_round)
    return survey_round


def default_participant_ids(
    mechanisms: list[int] | None = None,
) -> dict[str, set[int]]:
    """Every active mechanism, the member States of those mechanisms and the organizations
    engaged with them (any current role), as ids by kind; three queries."""
    mechanism_ids = set(
        Mechanism.objects.active().values_list("pk", flat=True)
        if mechanisms is None
        else mechanisms
    )
    current = Membership.objects.current().filter(mechanism_id__in=mechanism_ids)
    state_ids = set(
        current.filter(role=Membership.Role.MEMBER, state__isnull=False).values_list(
            "state_id", flat=True
        )
    )
    organization_ids = set(
        current.filter(organization__isnull=False).values_list("organization_id", flat=True)
    )
    return {
        Audience.MECHANISM: mechanism_ids,
        Audience.STATE: state_ids,
        Audience.ORGANIZATION: organization_ids,
    }


@transaction.atomic
def round_add_default_participants(*, survey_round: SurveyRound) -> int:
    """Add the default participants that are not in the round yet; returns how many."""
    survey_round = lock_round(survey_round)
    require_status(
        survey_round,
        SurveyRound.Status.DRAFT,
        SurveyRound.Status.OPEN,
        action=_("add participants to"),
    )
    wanted = default_participant_ids()
    existing = {
        kind: set(
            survey_round.participants.filter(kind=kind).values_list(
                {
                    "mechanism": "mechanism_id",
                    "state": "state_id",
                    "organization": "organization_id",
                }[kind],
                flat=True,
            )
        )
        for kind in wanted
    }
    new = [
        RoundParticipant(round=survey_round, kind=kind, **{kind + "_id": pk})
        for kind, ids in wanted.items()
        for pk in sorted(ids - existing[kind])
    ]
    RoundParticipant.objects.bulk_create(new)
    if survey_round.status == SurveyRound.Status.OPEN:
        invite_late_participants(survey_round)
    return len(new)


@transaction.atomic
def round_add_participant(
    *, survey_round: SurveyRound, party: Mechanism | State | Organization
) -> RoundParticipant:
    survey_round = lock_round(survey_round)
    require_status(
        survey_round,
        SurveyRound.Status.DRAFT,
        SurveyRound.Status.OPEN,
        action=_("add participants to"),
    )
    kind = {
        Mechanism: Audience.MECHANISM,
        State: Audience.STATE,
        Organization: Audience.ORGANIZATION,
    }[type(party)]
    participant = RoundParticipant(round=survey_round, kind=kind, **{kind: party})
    participant.full_clean()
    participant.save()
    if survey_round.status == SurveyRound.Status.OPEN:
        invite_late_participants(survey_round)
    return participant


def invite_late_participants(survey_round: SurveyRound) -> None:
    """Participants added to an open round get their invitation and its email, like the others."""
    if create_missing_invitations(survey_round):
        from assessments.rounds.tasks import send_round_invitations_task

        round_id = survey_round.pk
        transaction.on_commit(lambda: send_round_invitations_task.delay(round_id), robust=True)


@transaction.atomic
def round_remove_participant(*, participant: RoundParticipant) -> None:
    # Locking the participant row makes a response being created for it at the same moment wait
    # (its foreign key needs a share lock on this row), so "no answers" stays true until deleted.
    participant = (
        RoundParticipant.objects.select_for_update().select_related("round").get(pk=participant.pk)
    )
    require_status(
        participant.round,
        SurveyRound.Status.DRAFT,
        SurveyRound.Status.OPEN,
        action=_("remove participants from"),
    )
    if participant.responses.exists():
        raise ValidationError(_("This participant has already answered: it cannot be removed."))
    participant.delete()


def check_questionnaires_publishable(survey_round: SurveyRound) -> None:
    problems = []
    for audience in Audience.values:
        questionnaire = survey_round.questionnaire_for(audience)
        if questionnaire.audience != audience:
            problems.append(
                _("The questionnaire for %(audience)s is meant for another audience.")
                % {"audience": Audience(audience).label}
            )
        elif questionnaire.status != Questionnaire.Status.PUBLISHED:
            problems.append(
                _("The questionnaire for %(audience)s is not published.")
                % {"audience": Audience(audience).label}
            )
    if problems:
        raise ValidationError(problems)


def round_closing_time(survey_round: SurveyRound) -> datetime.datetime:
    """The end of the closing day, in the site's time zone: when an open round closes itself."""
    closing = datetime.datetime.combine(survey_round.closes_on, datetime.time.max)
    return timezone.make_aware(closing)


def invitation_expiry(survey_round: SurveyRound) -> datetime.datetime:
    """Links stop working when the round closes, or the round's grace period after that."""
    grace = datetime.timedelta(days=survey_round.link_grace_days or 0)
    return round_closing_time(survey_round) + grace


def create_missing_invitations(survey_round: SurveyRound) -> int:
    expires = invitation_expiry(survey_round)
    missing = survey_round.participants.filter(invitation__isnull=True)
    invitations = [Invitation(participant=p, expires_at=expires) for p in missing]
    Invitation.objects.bulk_create(invitations)
    return len(invitations)


def extend_invitations(survey_round: SurveyRound) -> int:
    """A later closing date (reopening, editing) carries the links' expiry with it; never shortens."""
    expires = invitation_expiry(survey_round)
    return Invitation.objects.filter(
        participant__round=survey_round, expires_at__lt=expires
    ).update(expires_at=expires)


@transaction.atomic
def round_open(*, survey_round: SurveyRound) -> SurveyRound:
    """Open a draft round: questionnaires must be published; invitations are created and sent
    (by a Celery task, after commit). Opening twice (two admins) sends one set."""
    survey_round = lock_round(survey_round)
    require_status(survey_round, SurveyRound.Status.DRAFT, action=_("open"))
    check_questionnaires_publishable(survey_round)
    if not survey_round.participants.exists():
        raise ValidationError(_("The round has no participants."))
    create_missing_invitations(survey_round)
    survey_round.status = SurveyRound.Status.OPEN
    survey_round.opened_at = timezone.now()
    survey_round.save(update_fields=["status", "opened_at"])
    from assessments.rounds.tasks import send_round_invitations_task

    round_id = survey_round.pk
    transaction.on_commit(lambda: send_round_invitations_task.delay(round_id), robust=True)
    return survey_round


@transaction.atomic
def round_close(*, survey_round: SurveyRound, reason: str = "") -> SurveyRound:
    """Close an open round; drafts stay drafts (they can be finished if the round reopens).
    Reminders stop: none is queued for a closed round, and queued ones are not sent."""
    survey_round = lock_round(survey_round)
    require_status(survey_round, SurveyRound.Status.OPEN, action=_("close"))
    survey_round.status = SurveyRound.Status.CLOSED
    survey_round.closed_at = timezone.now()
    if reason:
        survey_round._change_reason = reason
    survey_round.save(update_fields=["status", "closed_at"])
    return survey_round


def close_due_rounds(*, now: datetime.datetime | None = None) -> list[SurveyRound]:
    """Close every open round whose closing day has ended (run by Celery beat)."""
    today = timezone.localdate(now or timezone.now())
    closed = []
    for survey_round in SurveyRound.objects.filter(
        status=SurveyRound.Status.OPEN, closes_on__lt=today
    ):
        try:
            closed.append(
                round_close(survey_round=survey_round, reason="closed at its closing time")
            )
        except ValidationError:  # closed meanwhile by someone else: nothing to do
            continue
    return closed


@transaction.atomic
def round_reopen(
    *, survey_round: SurveyRound, closes_on: datetime.date | None = None
) -> SurveyRound:
    """Reopen a closed round (recorded in the round's history), optionally with a new closing date."""
    survey_round = lock_round(survey_round)
    require_status(survey_round, SurveyRound.Status.CLOSED, action=_("reopen"))
    survey_round.status = SurveyRound.Status.OPEN
    survey_round._change_reason = "reopened"
    if closes_on:
        survey_round.closes_on = closes_on
    survey_round.full_clean()
    survey_round.save()
    extend_invitations(survey_round)
    return survey_round


@transaction.atomic
def round_publish(*, survey_round: SurveyRound) -> SurveyRound:
    survey_round = lock_round(survey_round)
    require_status(survey_round, SurveyRound.Status.CLOSED, action=_("publish"))
    survey_round.status = SurveyRound.Status.PUBLISHED
    survey_round.published_at = timezone.now()
    survey_round.save(update_fields=["status", "published_at"])
    return survey_round


def ensure_questionnaires_can_change(survey_round: SurveyRound) -> None:
    """Questionnaires of a round are fixed once it has opened."""
    if survey_round.pk and survey_round.status != SurveyRound.Status.DRAFT:
        raise ValidationError(_("The questionnaires of a round cannot change once it has opened."))


@transaction.atomic
def round_update(*, survey_round: SurveyRound, **fields: object) -> SurveyRound:
    """Change a round's own fields (name, dates, questionnaires while draft, reminder days).

    The status and its timestamps are refused here: they move only through the transitions.
    """
    if LIFECYCLE_FIELDS & set(fields):
        raise ValidationError(_(STATUS_NOT_EDITABLE))
    if "reminder_days" in fields:
        fields["reminder_days"] = clean_reminder_days(fields["reminder_days"])
    survey_round = lock_round(survey_round)
    changing = {
        name for name in QUESTIONNAIRE_FIELDS & set(fields)
        if getattr(survey_round, name) != fields[name]
    }  # fmt: skip
    if changing:
        ensure_questionnaires_can_change(survey_round)
    for name, value in fields.items():
        setattr(survey_round, name, value)
    survey_round.full_clean()
    survey_round.save()
    extend_invitations(survey_round)
    return survey_round
