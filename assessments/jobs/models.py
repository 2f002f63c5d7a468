"""Background jobs a person can watch: progress, result files, errors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def job_file_path(instance: JobFile, filename: str) -> str:
    return f"jobs/{instance.job_id}/{filename}"


class Job(models.Model):
    class Kind(models.TextChoices):
        SUMMARIES = "summaries", _("Per-mechanism summaries of a round")
        ROUND_REPORT = "round_report", _("Round report")
        EXPORT = "export", _("Export of a round's responses")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    round = models.ForeignKey(
        "assessments.SurveyRound",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("last sign of life"),
        null=True,
        blank=True,
        help_text=_("Updated while running; a watchdog requeues jobs whose worker vanished."),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        permissions = [
            ("run_export", _("Can run exports of responses")),
            ("run_report", _("Can run round reports")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")) | Q(progress_total=0),
                name="job_progress_within_total",
            ),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class JobFile(models.Model):
    """A result file of a job, kept through Django's storage API (local disk, S3...)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("file"), upload_to=job_file_path, max_length=300)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["job", "name"]
        verbose_name = _("job file")
        verbose_name_plural = _("job files")
        constraints = [models.UniqueConstraint(fields=["job", "name"], name="job_file_unique_name")]

    def __str__(self) -> str:
        return self.name


class JobItem(models.Model):
    """One unit of a fanned-out job (e.g. one summary); the job's progress is derived from these."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(_("key"), max_length=120)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["job", "pk"]
        verbose_name = _("job item")
        verbose_name_plural = _("job items")
        constraints = [models.UniqueConstraint(fields=["job", "key"], name="job_item_unique_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_status_display()})"
