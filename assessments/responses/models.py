"""Responses and their answers, stored one typed row per value so SQL can aggregate them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments.questionnaires.models import Question, Questionnaire
from assessments.rounds.models import RoundParticipant, SurveyRound
from mechanisms.models import Mechanism


class ResponseQuerySet(models.QuerySet["Response"]):
    def submitted(self) -> ResponseQuerySet:
        return self.filter(status=Response.Status.SUBMITTED)

    def editable(self) -> ResponseQuerySet:
        return self.filter(status__in=[Response.Status.DRAFT, Response.Status.REOPENED])


class Response(models.Model):
    """A participant's answers to the once-answered sections (`mechanism` empty), or to the
    per-mechanism sections about one mechanism."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REOPENED = "reopened", _("Reopened")

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="responses")
    participant = models.ForeignKey(
        RoundParticipant, on_delete=models.CASCADE, related_name="responses"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    mechanism = models.ForeignKey(
        Mechanism,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses_about",
        verbose_name=_("about mechanism"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Grows with every change; guards concurrent edits.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    # Set when someone enters answers for the participant (a reply that came by e-mail or in
    # Word): the history says who changed what, this says at a glance who answered for whom.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered on the participant's behalf by"),
    )
    history = HistoricalRecords()

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["round", "participant", "mechanism"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        permissions = [
            ("enter_answers_on_behalf", _("Can enter answers on a participant's behalf")),
            ("reopen_response", _("Can reopen a submitted response")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "mechanism"],
                condition=Q(mechanism__isnull=False),
                name="response_unique_per_mechanism",
            ),
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(mechanism__isnull=True),
                name="response_unique_once",
            ),
        ]
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        about = f" about {self.mechanism.acronym}" if self.mechanism_id else ""
        return f"Response {self.pk}{about} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.REOPENED)


class Answer(models.Model):
    """One value: a text, a number, a date, or one choice code (a multiple choice question has
    one row per chosen code; a matrix one row per ticked cell, `row` naming the row)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    row = models.CharField(_("matrix row"), max_length=64, blank=True)
    choice = models.CharField(_("choice code"), max_length=64, blank=True)
    text = models.TextField(_("text"), blank=True)
    number = models.DecimalField(
        _("number"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    date = models.DateField(_("date"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["response", "question", "row", "choice"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "row", "choice"], name="answer_unique_value"
            ),
        ]
        indexes = [models.Index(fields=["question", "choice"])]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.choice or self.text or self.number or self.date}"
