"""The registry: mechanisms (ISCMs), States, organizations, memberships and vocabularies."""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from mechanisms.translation import LocalizedLabelMixin, LocalizedNameMixin, localized

MECHANISM_ACRONYM_VALIDATOR = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]*$", _("Use capital letters, digits and hyphens only (e.g. RCM, MIDSA).")
)
ORGANIZATION_ACRONYM_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9-]*$", _("Use letters, digits and hyphens only (e.g. IOM, UfM).")
)


class Vocabulary(models.Model):
    """A closed list of codes (chair models, funding sources...) from vocabularies.yaml."""

    name = models.CharField(_("name"), max_length=64, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("vocabulary")
        verbose_name_plural = _("vocabularies")

    def __str__(self) -> str:
        return self.name


class Term(LocalizedLabelMixin, models.Model):
    vocabulary = models.ForeignKey(Vocabulary, on_delete=models.CASCADE, related_name="terms")
    code = models.CharField(_("code"), max_length=64)
    label = models.CharField(_("label"), max_length=300)
    label_fr = models.CharField(_("label (French)"), max_length=300, blank=True)
    label_es = models.CharField(_("label (Spanish)"), max_length=300, blank=True)
    phrase = models.CharField(_("summary phrase"), max_length=300, blank=True)
    phrase_fr = models.CharField(_("summary phrase (French)"), max_length=300, blank=True)
    phrase_es = models.CharField(_("summary phrase (Spanish)"), max_length=300, blank=True)
    sentence = models.CharField(_("summary sentence"), max_length=300, blank=True)
    sentence_fr = models.CharField(_("summary sentence (French)"), max_length=300, blank=True)
    sentence_es = models.CharField(_("summary sentence (Spanish)"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["vocabulary", "position", "code"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "code"], name="term_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.display_label}"


class GcmObjective(LocalizedLabelMixin, models.Model):
    """One of the 23 objectives of the Global Compact for Safe, Orderly and Regular Migration."""

    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(23)]
    )
    code = models.CharField(_("code"), max_length=8, unique=True)
    label = models.CharField(_("short label"), max_length=120)
    label_fr = models.CharField(_("short label (French)"), max_length=120, blank=True)
    label_es = models.CharField(_("short label (Spanish)"), max_length=120, blank=True)
    phrase = models.CharField(_("summary phrase"), max_length=120, blank=True)
    phrase_fr = models.CharField(_("summary phrase (French)"), max_length=120, blank=True)
    phrase_es = models.CharField(_("summary phrase (Spanish)"), max_length=120, blank=True)
    title = models.TextField(_("title"))
    title_fr = models.TextField(_("title (French)"), blank=True)
    title_es = models.TextField(_("title (Spanish)"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("GCM objective")
        verbose_name_plural = _("GCM objectives")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=23), name="gcm_objective_number_1_23"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.display_label}"

    @property
    def display_title(self) -> str:
        return localized(self, "title")


class ThematicArea(LocalizedLabelMixin, models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    label = models.CharField(_("label"), max_length=300)
    label_fr = models.CharField(_("label (French)"), max_length=300, blank=True)
    label_es = models.CharField(_("label (Spanish)"), max_length=300, blank=True)
    phrase = models.CharField(_("summary phrase"), max_length=300, blank=True)
    phrase_fr = models.CharField(_("summary phrase (French)"), max_length=300, blank=True)
    phrase_es = models.CharField(_("summary phrase (Spanish)"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    gcm_objectives = models.ManyToManyField(
        GcmObjective, blank=True, related_name="thematic_areas", verbose_name=_("GCM objectives")
    )

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")

    def __str__(self) -> str:
        return self.display_label


class Organization(LocalizedNameMixin, models.Model):
    class Kind(models.TextChoices):
        UN_AGENCY = "un_agency", _("UN agency or related organization")
        IGO = "igo", _("Intergovernmental organization")
        REC = "rec", _("Regional economic community or political union")
        OTHER = "other", _("Other")

    acronym = models.CharField(
        _("acronym"), max_length=32, unique=True, validators=[ORGANIZATION_ACRONYM_VALIDATOR]
    )
    name = models.CharField(_("name"), max_length=300)
    name_fr = models.CharField(_("name (French)"), max_length=300, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return f"{self.acronym} ({self.display_name})"


class M49Region(models.TextChoices):
    """The five regions of the UN M49 standard (Standard country or area codes for statistical
    use), the top level of its geographic grouping."""

    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    OCEANIA = "oceania", _("Oceania")


class State(models.Model):
    """A State or territory, identified by its ISO 3166-1 alpha-2 code."""

    country = CountryField(_("country"), unique=True)
    # From states.yaml (the M49 standard's region and sub-region); blank for Antarctica and the
    # few codes M49 leaves out.
    m49_region = models.CharField(
        _("UN M49 region"), max_length=16, choices=M49Region.choices, blank=True
    )
    m49_subregion = models.CharField(_("UN M49 sub-region"), max_length=64, blank=True)
    un_member = models.BooleanField(_("UN Member State"), default=False)

    class Meta:
        ordering = ["country"]
        verbose_name = _("State")
        verbose_name_plural = _("States")

    def __str__(self) -> str:
        return str(self.country.name)

    @property
    def display_name(self) -> str:
        return str(self.country.name)


class MechanismQuerySet(models.QuerySet["Mechanism"]):
    def active(self) -> MechanismQuerySet:
        return self.filter(status=Mechanism.Status.ACTIVE)


class RegionGroup(models.TextChoices):
    """How the 2019 IOM report grouped the mechanisms: interregional forums and global processes
    in groups of their own, every other mechanism in the region its members lie in. The order is
    the reports' order."""

    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA_PACIFIC = "asia_pacific", _("Asia-Pacific")
    EUROPE_CENTRAL_ASIA = "europe_central_asia", _("Europe and Central Asia")
    MENA = "mena", _("Middle East and North Africa")
    INTERREGIONAL = "interregional", _("Interregional")
    GLOBAL = "global", _("Global")


class Mechanism(LocalizedNameMixin, models.Model):
    class Kind(models.TextChoices):
        RCP = "rcp", _("Regional consultative process")
        INTERREGIONAL_FORUM = "interregional_forum", _("Interregional forum")
        GLOBAL_PROCESS = "global_process", _("Global process")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        DISSOLVED = "dissolved", _("Dissolved")

    acronym = models.CharField(
        _("acronym"), max_length=32, unique=True, validators=[MECHANISM_ACRONYM_VALIDATOR]
    )
    name = models.CharField(_("name"), max_length=300)
    name_fr = models.CharField(_("name (French)"), max_length=300, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=300, blank=True)
    # How a sentence names it, with its article where it takes one ("the Bali Process", "la CRM").
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    short_name_fr = models.CharField(_("short name (French)"), max_length=120, blank=True)
    short_name_es = models.CharField(_("short name (Spanish)"), max_length=120, blank=True)
    short_name_fr_gender = models.CharField(
        _("gender of the French short name"),
        max_length=1,
        blank=True,
        choices=[("m", _("masculine")), ("f", _("feminine"))],
        help_text=_("Needed only when the French short name starts with “l’”."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    established = models.PositiveSmallIntegerField(
        _("year established"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    region = models.CharField(_("region"), max_length=200, blank=True)
    region_group = models.CharField(
        _("region group"),
        max_length=32,
        choices=RegionGroup.choices,
        blank=True,
        help_text=_("The group of regions reports and dashboards count the mechanism under."),
    )
    formal_association = models.CharField(_("formal association"), max_length=300, blank=True)
    chair_model = models.ForeignKey(
        Term,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"vocabulary__name": "chair_models"},
        verbose_name=_("chair model"),
    )
    secretariat_type = models.ForeignKey(
        Term,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"vocabulary__name": "secretariat_types"},
        verbose_name=_("secretariat type"),
    )
    secretariat_host = models.CharField(_("secretariat host"), max_length=300, blank=True)
    secretariat_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="secretariat_of",
        verbose_name=_("secretariat organization"),
        help_text=_("The organization hosting the secretariat, where one exists."),
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    member_count_reported = models.PositiveIntegerField(
        _("reported number of members"),
        null=True,
        blank=True,
        help_text=_("As published; the member list in the registry can be partial."),
    )
    provenance = models.CharField(_("provenance"), max_length=32, blank=True)
    sources = models.TextField(
        _("sources"),
        blank=True,
        help_text=_(
            "Where each fact came from: one source a line, with the date it was consulted."
        ),
    )
    thematic_areas = models.ManyToManyField(
        ThematicArea, blank=True, related_name="mechanisms", verbose_name=_("thematic areas")
    )
    history = HistoricalRecords(m2m_fields=[thematic_areas])

    objects = MechanismQuerySet.as_manager()

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("mechanism")
        verbose_name_plural = _("mechanisms")
        constraints = [
            models.CheckConstraint(
                condition=Q(established__isnull=True)
                | Q(established__gte=1900, established__lte=2100),
                name="mechanism_established_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.acronym}: {self.name}"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: datetime.date | None = None) -> MembershipQuerySet:
        """Memberships in force on a date (today by default); open-ended dates count as in force."""
        on = on or datetime.date.today()
        return self.filter(Q(start_date__isnull=True) | Q(start_date__lte=on)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on)
        )

    def of_states(self) -> MembershipQuerySet:
        return self.filter(state__isnull=False)

    def of_organizations(self) -> MembershipQuerySet:
        return self.filter(organization__isnull=False)


class Membership(models.Model):
    """A State or an organization taking part in a mechanism, in one role, for a period."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")
        CHAIR = "chair", _("Chair")
        SECRETARIAT = "secretariat", _("Secretariat")

    class Source(models.TextChoices):
        REFERENCE = "reference", _("Reference data")
        MANUAL = "manual", _("Entered by the secretariat")

    mechanism = models.ForeignKey(
        Mechanism, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("mechanism")
    )
    state = models.ForeignKey(
        State,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("State"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    start_date = models.DateField(_("began"), null=True, blank=True)
    end_date = models.DateField(_("ended"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.MANUAL, editable=False
    )
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["mechanism", "role", "pk"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(Q(state__isnull=False) & Q(organization__isnull=True))
                | (Q(state__isnull=True) & Q(organization__isnull=False)),
                name="membership_exactly_one_participant",
                violation_error_message=_("A membership is either a State's or an organization's."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_it_begins",
                violation_error_message=_("A membership cannot end before it begins."),
            ),
            # One open (not ended) membership per participant and role in a mechanism; past
            # periods stay as history rows.
            models.UniqueConstraint(
                fields=["mechanism", "state", "role"],
                condition=Q(state__isnull=False, end_date__isnull=True),
                name="membership_one_open_per_state_role",
                violation_error_message=_("This State already holds this role in this mechanism."),
            ),
            models.UniqueConstraint(
                fields=["mechanism", "organization", "role"],
                condition=Q(organization__isnull=False, end_date__isnull=True),
                name="membership_one_open_per_organization_role",
                violation_error_message=_(
                    "This organization already holds this role in this mechanism."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_name} — {self.get_role_display()} of {self.mechanism.acronym}"

    @property
    def participant(self) -> State | Organization:
        return self.state if self.state_id else self.organization  # type: ignore[return-value]

    @property
    def participant_name(self) -> str:
        if self.state_id:
            return self.state.display_name
        return self.organization.acronym if self.organization else ""
