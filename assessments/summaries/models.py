"""Per-mechanism summaries ("Summary of Findings per ISCM"), generated from the answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mechanisms.models import Mechanism

SECTION_NUMBERS = ("1", "2", "3", "4", "5")


class Summary(models.Model):
    class Status(models.TextChoices):
        GENERATED = "generated", _("Generated")
        EDITED = "edited", _("Edited")
        PUBLISHED = "published", _("Published")

    round = models.ForeignKey(
        "assessments.SurveyRound", on_delete=models.CASCADE, related_name="summaries"
    )
    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="summaries")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.GENERATED
    )
    header = models.JSONField(
        _("header"), default=dict, blank=True, help_text=_("Title, introduction and name line.")
    )
    generated_sections = models.JSONField(_("generated text by section"), default=dict, blank=True)
    edited_sections = models.JSONField(
        _("edited text by section"),
        default=dict,
        blank=True,
        help_text=_("Sections rewritten by the secretariat; regenerating keeps them."),
    )
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    # What readers see once published: the header and the sections as they were at the last
    # publication. Regenerating (even with `force`) or editing changes only the working text
    # above; publishing again copies it here and counts a new version.
    published_text = models.JSONField(
        _("published text"),
        default=dict,
        blank=True,
        help_text=_("The header and sections as last published; readers see these."),
    )
    published_version = models.PositiveIntegerField(
        _("published version"),
        default=0,
        help_text=_("Grows with each publication; stored files are rendered once per version."),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    answers_fingerprint = models.CharField(_("answers fingerprint"), max_length=64, blank=True)
    newer_answers = models.BooleanField(
        _("newer answers exist"),
        default=False,
        help_text=_("Answers changed since an edited section was written: review the edits."),
    )
    responses_used = models.ManyToManyField(
        "assessments.Response",
        blank=True,
        related_name="summaries",
        verbose_name=_("responses used"),
    )
    history = HistoricalRecords(excluded_fields=["generated_at"])

    class Meta:
        ordering = ["round", "mechanism__acronym", "language"]
        verbose_name = _("summary")
        verbose_name_plural = _("summaries")
        permissions = [
            ("publish_summary", _("Can publish summaries")),
            ("generate_summaries", _("Can generate summaries")),
            ("view_published_outputs", _("Can read published summaries and reports")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "mechanism", "language"], name="summary_unique_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mechanism.acronym} ({self.language}) — {self.round}"

    def section_text(self, number: str) -> str:
        return self.edited_sections.get(number) or self.generated_sections.get(number, "")

    @property
    def sections(self) -> list[tuple[str, str]]:
        """The working text, which the secretariat edits."""
        return [(number, self.section_text(number)) for number in SECTION_NUMBERS]

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED and bool(self.published_text)

    @property
    def shown_header(self) -> dict:
        """The header readers see: the published one once published."""
        return self.published_text.get("header", {}) if self.is_published else self.header

    @property
    def shown_sections(self) -> list[tuple[str, str]]:
        """The sections readers see: the published ones once published."""
        if not self.is_published:
            return self.sections
        published = self.published_text.get("sections", {})
        return [(number, published.get(number, "")) for number in SECTION_NUMBERS]

    @property
    def has_unpublished_changes(self) -> bool:
        return self.is_published and self.published_text != self.working_text()

    def working_text(self) -> dict:
        return {"header": self.header, "sections": dict(self.sections)}
