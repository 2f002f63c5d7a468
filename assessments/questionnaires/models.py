"""Questionnaires: versioned, multilingual, with sections, questions, choices and conditions."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mechanisms.translation import localized

QUESTION_CODE_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]*$",
    _("Use lower-case letters, digits and underscores, starting with a letter."),
)
CHOICE_CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9_.-]+$", _("Use letters, digits, underscores, dots and hyphens only.")
)


class Audience(models.TextChoices):
    MECHANISM = "mechanism", _("Mechanism (chair or secretariat)")
    STATE = "state", _("Member State")
    ORGANIZATION = "organization", _("Intergovernmental organization")


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    YEAR = "year", _("Year")
    DATE = "date", _("Date")
    YES_NO = "yes_no", _("Yes / no")
    YES_NO_DK = "yes_no_dk", _("Yes / no / don't know")
    SCALE5 = "scale5", _("Scale of 1 to 5")
    MATRIX = "matrix", _("Matrix")
    NOTE = "note", _("Note (no answer)")


CHOICE_TYPES = {QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.MATRIX}
CONDITION_TARGET_TYPES = {
    QuestionType.SINGLE,
    QuestionType.MULTIPLE,
    QuestionType.YES_NO,
    QuestionType.YES_NO_DK,
}
NUMBER_TYPES = {QuestionType.INTEGER, QuestionType.DECIMAL, QuestionType.YEAR}


class ChoiceSource(models.TextChoices):
    NONE = "", _("None")
    LOCAL = "local", _("Listed with the question")
    VOCABULARY = "vocabulary", _("A vocabulary of the registry")
    MECHANISMS = "mechanisms", _("The registry of mechanisms")


class ConditionOperator(models.TextChoices):
    EQUALS = "equals", _("equals one of")
    NOT_EQUALS = "not_equals", _("is answered and equals none of")
    INCLUDES = "includes", _("includes one of")
    EXCLUDES = "excludes", _("is answered and includes none of")
    GREATER_THAN = "greater_than", _("is greater than")
    AT_LEAST = "at_least", _("is at least")
    LESS_THAN = "less_than", _("is less than")
    AT_MOST = "at_most", _("is at most")
    ANSWERED = "answered", _("is answered")


class SummarySection(models.TextChoices):
    THEMATIC_FOCUS = "1", _("1. Evolution of programming and thematic focus")
    CONTRIBUTION = "2", _("2. Contribution to migration governance")
    STRUCTURES = "3", _("3. Salient structures")
    PARTNERSHIPS = "4", _("4. Partnership models")
    ADDED_VALUE = "5", _("5. Added value of membership")
    META = "meta", _("None (about the respondent)")


class QuestionnaireQuerySet(models.QuerySet["Questionnaire"]):
    def published(self) -> QuestionnaireQuerySet:
        return self.filter(status=Questionnaire.Status.PUBLISHED)


class Questionnaire(models.Model):
    """One version of a questionnaire; versions of the same questionnaire share a `key`."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    key = models.SlugField(
        _("key"), max_length=64, help_text=_("Shared by every version of this questionnaire.")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("title"), max_length=300)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    history = HistoricalRecords()

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="questionnaire_unique_version"),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="questionnaire_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="questionnaire_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_title} (v{self.version}, {self.get_status_display()})"

    @property
    def display_title(self) -> str:
        return localized(self, "title")

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class Section(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    code = models.CharField(_("code"), max_length=64, validators=[CHOICE_CODE_VALIDATOR])
    position = models.PositiveIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=300)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=300, blank=True)
    help = models.TextField(_("help"), blank=True)
    help_fr = models.TextField(_("help (French)"), blank=True)
    help_es = models.TextField(_("help (Spanish)"), blank=True)
    per_mechanism = models.BooleanField(
        _("per mechanism"),
        default=False,
        help_text=_("Answered once for each mechanism the respondent takes part in."),
    )

    class Meta:
        ordering = ["questionnaire", "position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="section_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.display_title}"

    @property
    def display_title(self) -> str:
        return localized(self, "title")

    @property
    def display_help(self) -> str:
        return localized(self, "help")


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=64, validators=[QUESTION_CODE_VALIDATOR])
    position = models.PositiveIntegerField(_("position"), default=0)
    type = models.CharField(_("type"), max_length=16, choices=QuestionType.choices)
    text = models.TextField(_("text"))
    text_fr = models.TextField(_("text (French)"), blank=True)
    text_es = models.TextField(_("text (Spanish)"), blank=True)
    help = models.TextField(_("help"), blank=True)
    help_fr = models.TextField(_("help (French)"), blank=True)
    help_es = models.TextField(_("help (Spanish)"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    min_value = models.DecimalField(
        _("minimum"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    max_choices = models.PositiveIntegerField(_("maximum choices"), null=True, blank=True)
    other_option = models.BooleanField(_("'other, please specify' option"), default=False)
    choice_source = models.CharField(
        _("choices from"), max_length=16, choices=ChoiceSource.choices, blank=True
    )
    choice_vocabulary = models.CharField(_("choice vocabulary"), max_length=64, blank=True)
    column_source = models.CharField(
        _("matrix columns from"), max_length=16, choices=ChoiceSource.choices, blank=True
    )
    column_vocabulary = models.CharField(_("column vocabulary"), max_length=64, blank=True)
    rows_from = models.CharField(
        _("matrix rows from question"),
        max_length=64,
        blank=True,
        help_text=_("Only the rows chosen in this earlier multiple-choice question are asked."),
    )
    condition_question = models.ForeignKey(
        "self",
        # RESTRICT: a question others depend on cannot be deleted alone, but the whole
        # questionnaire (or section) can be.
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name=_("shown when question"),
    )
    condition_operator = models.CharField(
        _("condition"), max_length=16, choices=ConditionOperator.choices, blank=True
    )
    condition_values = models.JSONField(_("condition values"), default=list, blank=True)
    # A combination of tests ({"all": [...]} or {"any": [...]}, see conditions.py), for the
    # conditions the three fields above cannot hold; checked by the questionnaire format.
    condition_group = models.JSONField(
        _("combined condition"),
        null=True,
        blank=True,
        help_text=_(
            'Tests combined with "all" or "any", as in the questionnaire format, e.g. '
            '{"all": [{"question": "a", "operator": "equals", "values": ["yes"]}, '
            '{"question": "b", "operator": "at_least", "values": ["18"]}]}.'
        ),
    )
    summary_section = models.CharField(
        _("summary section"),
        max_length=8,
        choices=SummarySection.choices,
        default=SummarySection.META,
    )

    class Meta:
        ordering = ["questionnaire", "section__position", "position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_unique_code"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=models.F("min_value")),
                name="question_min_not_above_max",
                violation_error_message=_("The minimum cannot be above the maximum."),
            ),
            models.CheckConstraint(
                condition=Q(condition_question__isnull=True) | ~Q(condition_operator=""),
                name="question_condition_has_operator",
                violation_error_message=_("A condition needs an operator."),
            ),
            models.CheckConstraint(
                condition=Q(condition_question__isnull=True) | Q(condition_group__isnull=True),
                name="question_one_kind_of_condition",
                violation_error_message=_(
                    "A question has either a single condition or a combined one, not both."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def display_text(self) -> str:
        return localized(self, "text")

    @property
    def display_help(self) -> str:
        return localized(self, "help")


class Choice(models.Model):
    """A choice of a local list: the options (or matrix rows), or the matrix columns."""

    class Kind(models.TextChoices):
        OPTION = "option", _("Option or matrix row")
        COLUMN = "column", _("Matrix column")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.OPTION)
    code = models.CharField(_("code"), max_length=64, validators=[CHOICE_CODE_VALIDATOR])
    position = models.PositiveIntegerField(_("position"), default=0)
    label = models.CharField(_("label"), max_length=300)
    label_fr = models.CharField(_("label (French)"), max_length=300, blank=True)
    label_es = models.CharField(_("label (Spanish)"), max_length=300, blank=True)
    # How a summary says the choice: a phrase that fits in a sentence, and for single choices
    # that read as a statement ("The chair rotates every year."), a whole sentence.
    phrase = models.CharField(_("summary phrase"), max_length=300, blank=True)
    phrase_fr = models.CharField(_("summary phrase (French)"), max_length=300, blank=True)
    phrase_es = models.CharField(_("summary phrase (Spanish)"), max_length=300, blank=True)
    sentence = models.CharField(_("summary sentence"), max_length=300, blank=True)
    sentence_fr = models.CharField(_("summary sentence (French)"), max_length=300, blank=True)
    sentence_es = models.CharField(_("summary sentence (Spanish)"), max_length=300, blank=True)
    # The choice's name in the XLSForm it was imported from, when our code rules refused it
    # (accents, spaces...): the XLSForm export writes it back.
    xlsform_name = models.CharField(_("XLSForm name"), max_length=300, blank=True)

    class Meta:
        ordering = ["question", "kind", "position", "pk"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["question", "kind", "code"], name="choice_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"

    @property
    def display_label(self) -> str:
        return localized(self, "label")
