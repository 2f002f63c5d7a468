"""Survey rounds, their participants, focal points, invitations and notifications."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.questionnaires.models import Audience, Questionnaire
from mechanisms.models import Mechanism, Organization, State


def default_reminder_days() -> list[int]:
    return [14, 7, 2]


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class PartyMixin(models.Model):
    """Who a row is about: exactly one of a mechanism, a State or an organization (`kind`)."""

    kind = models.CharField(_("kind"), max_length=16, choices=Audience.choices)
    mechanism = models.ForeignKey(
        Mechanism, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    state = models.ForeignKey(
        State, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @classmethod
    def party_constraint(cls, name: str) -> models.CheckConstraint:
        return models.CheckConstraint(
            condition=(
                Q(kind=Audience.MECHANISM, mechanism__isnull=False, state__isnull=True, organization__isnull=True)
                | Q(kind=Audience.STATE, mechanism__isnull=True, state__isnull=False, organization__isnull=True)
                | Q(kind=Audience.ORGANIZATION, mechanism__isnull=True, state__isnull=True, organization__isnull=False)
            ),
            name=name,
            violation_error_message=_("Exactly one of mechanism, State or organization, matching the kind."),
        )  # fmt: skip

    @property
    def party(self) -> Mechanism | State | Organization:
        return {
            "mechanism": self.mechanism,
            "state": self.state,
            "organization": self.organization,
        }[self.kind]

    @property
    def party_name(self) -> str:
        if self.kind == Audience.MECHANISM:
            return self.mechanism.acronym
        if self.kind == Audience.STATE:
            return self.state.display_name
        return self.organization.acronym


QUESTIONNAIRE_FIELDS = {
    Audience.MECHANISM: "questionnaire_mechanism",
    Audience.STATE: "questionnaire_state",
    Audience.ORGANIZATION: "questionnaire_organization",
}


class SurveyRound(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Published")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    questionnaire_mechanism = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"audience": Audience.MECHANISM},
        verbose_name=_("questionnaire for mechanisms"),
    )
    questionnaire_state = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"audience": Audience.STATE},
        verbose_name=_("questionnaire for Member States"),
    )
    questionnaire_organization = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"audience": Audience.ORGANIZATION},
        verbose_name=_("questionnaire for organizations"),
    )
    organizer = models.CharField(
        _("run by"),
        max_length=200,
        default="IOM",
        help_text=_("Who carries out the survey, as the summaries' introduction names it."),
    )
    reminder_days = models.JSONField(
        _("reminders (days before closing)"),
        default=default_reminder_days,
        blank=True,
        help_text=_("For example 14, 7, 2: reminders go that many days before closing."),
    )
    link_grace_days = models.PositiveSmallIntegerField(
        _("links work for (days after closing)"),
        default=0,
        validators=[MaxValueValidator(366)],
        help_text=_(
            "The round closes itself at the end of its closing day; after that, respondents "
            "can still open their links for this many days to read and download their answers."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="assigned_rounds",
        verbose_name=_("team"),
        help_text=_(
            "The people who work on this round. Round managers, analysts and summary editors "
            "without the permission to work on every round see only the rounds they are on."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        permissions = [
            ("send_reminders", _("Can send reminders")),
            ("access_all_rounds", _("Can work on every round, not only those assigned")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_it_opens",
                violation_error_message=_("A round cannot close before it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def questionnaire_for(self, audience: str) -> Questionnaire:
        # Only the audience's field is read, so that the other two are never fetched.
        return getattr(self, QUESTIONNAIRE_FIELDS[audience])

    def questionnaire_id_for(self, audience: str) -> int:
        return getattr(self, QUESTIONNAIRE_FIELDS[audience] + "_id")


class RoundParticipant(PartyMixin):
    """A mechanism, State or organization asked to answer in a round."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="participants")
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["round", "kind", "pk"]
        verbose_name = _("round participant")
        verbose_name_plural = _("round participants")
        constraints = [
            PartyMixin.party_constraint("round_participant_one_party"),
            models.UniqueConstraint(fields=["round", "mechanism"], condition=Q(mechanism__isnull=False), name="round_participant_unique_mechanism"),
            models.UniqueConstraint(fields=["round", "state"], condition=Q(state__isnull=False), name="round_participant_unique_state"),
            models.UniqueConstraint(fields=["round", "organization"], condition=Q(organization__isnull=False), name="round_participant_unique_organization"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.party_name} ({self.get_kind_display()}) in {self.round_id}"


class FocalPoint(PartyMixin):
    """A person who answers for a mechanism, State or organization, in every round."""

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="focal_points",
        verbose_name=_("user account"),
        help_text=_("Lets the focal point sign in instead of using the invitation link."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        constraints = [PartyMixin.party_constraint("focal_point_one_party")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> ({self.party_name})"


class Invitation(models.Model):
    class Status(models.TextChoices):
        NOT_SENT = "not_sent", _("Not sent")
        SENT = "sent", _("Sent")
        OPENED = "opened", _("Opened")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    participant = models.OneToOneField(
        RoundParticipant, on_delete=models.CASCADE, related_name="invitation"
    )
    nonce = models.CharField(
        _("token nonce"),
        max_length=64,
        default=new_nonce,
        help_text=_("Part of the signed link; rotating it invalidates every earlier link."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NOT_SENT
    )
    expires_at = models.DateTimeField(_("link expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    last_reminder_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    reminder_count = models.PositiveIntegerField(_("reminders sent"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["participant"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"Invitation {self.pk} ({self.get_status_display()})"


class Notification(models.Model):
    """One email to the focal points of an invitation; `key` makes sending idempotent."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")

    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(
        _("key"),
        max_length=64,
        help_text=_("'invitation', 'reminder-14' (days before closing) or 'manual-…'."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["invitation", "key"], name="notification_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key} for invitation {self.invitation_id}"
