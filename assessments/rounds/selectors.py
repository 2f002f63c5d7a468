"""Read queries of the secretariat's round dashboard: a fixed number of queries per page,
whatever the number of participants, with every count computed in SQL."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.questionnaires.models import Audience
from assessments.rounds.models import (
    FocalPoint,
    Invitation,
    Notification,
    RoundParticipant,
    SurveyRound,
)
from mechanisms.models import M49Region, Membership, RegionGroup

SUBMITTED = Q(invitation__status=Invitation.Status.SUBMITTED)
IN_PROGRESS = Q(invitation__status=Invitation.Status.IN_PROGRESS)


def rate(part: int, whole: int) -> int | None:
    """A whole percentage, or None when there is nothing to count."""
    return round(100 * part / whole) if whole else None


def count_of(queryset: QuerySet, group: str, counted: str = "pk") -> Coalesce:
    """A correlated `COUNT(DISTINCT counted)` of `queryset` (already filtered on an OuterRef and
    grouped by `group`), 0 when no row matches."""
    counts = (
        queryset.order_by()  # a model's default ordering would join the GROUP BY
        .values(group)
        .annotate(n=Count(counted, distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


# --- by audience ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AudienceRates:
    audience: str
    label: str
    participants: int
    submitted: int
    in_progress: int
    last_reminder_at: object = None

    @property
    def not_started(self) -> int:
        return self.participants - self.submitted - self.in_progress

    @property
    def rate(self) -> int | None:
        return rate(self.submitted, self.participants)


def round_audience_rates(survey_round: SurveyRound) -> list[AudienceRates]:
    """One row per audience (all three, even when empty): one query.

    A participant's progress is its invitation's status, which the response services keep
    up to date: "submitted" once every part is submitted, "in progress" once an answer is saved.
    """
    rows = {
        row["kind"]: row
        for row in RoundParticipant.objects.filter(round=survey_round)
        .order_by()
        .values("kind")
        .annotate(
            participants=Count("pk"),
            submitted=Count("pk", filter=SUBMITTED),
            in_progress=Count("pk", filter=IN_PROGRESS),
            last_reminder_at=Max("invitation__last_reminder_at"),
        )
    }
    return [
        AudienceRates(
            audience=audience.value,
            label=str(audience.label),
            participants=rows.get(audience.value, {}).get("participants", 0),
            submitted=rows.get(audience.value, {}).get("submitted", 0),
            in_progress=rows.get(audience.value, {}).get("in_progress", 0),
            last_reminder_at=rows.get(audience.value, {}).get("last_reminder_at"),
        )
        for audience in Audience
    ]


def audience_totals(rows: list[AudienceRates]) -> AudienceRates:
    """The whole round: the sum of the three audience rows."""
    reminders = [row.last_reminder_at for row in rows if row.last_reminder_at]
    return AudienceRates(
        audience="",
        label="",
        participants=sum(row.participants for row in rows),
        submitted=sum(row.submitted for row in rows),
        in_progress=sum(row.in_progress for row in rows),
        last_reminder_at=max(reminders) if reminders else None,
    )


# --- by mechanism and by region ------------------------------------------------------------


def round_mechanism_rates(survey_round: SurveyRound) -> QuerySet[RoundParticipant]:
    """The round's mechanisms with their own progress and their member States' blocks: one query.

    `states_expected`: member States (current membership, role "member") that take part in the
    round, i.e. who owe a per-mechanism block about this mechanism; `states_submitted`: those
    blocks submitted. Both are correlated subqueries, so rows never multiply.
    """
    # Imported here: responses depend on rounds, so rounds import them only where they read them.
    from assessments.responses.models import Response

    round_states = RoundParticipant.objects.filter(round=survey_round, kind=Audience.STATE).values(
        "state_id"
    )
    members = Membership.objects.current(memberships_on(survey_round)).filter(
        mechanism_id=OuterRef("mechanism_id"),
        role=Membership.Role.MEMBER,
        state_id__in=round_states,
    )
    blocks = Response.objects.filter(
        round=survey_round,
        mechanism_id=OuterRef("mechanism_id"),
        participant__kind=Audience.STATE,
        status=Response.Status.SUBMITTED,
    )
    return (
        RoundParticipant.objects.filter(round=survey_round, kind=Audience.MECHANISM)
        .select_related("mechanism")
        .annotate(
            invitation_status=F("invitation__status"),
            last_reminder_at=F("invitation__last_reminder_at"),
            states_expected=count_of(members, "mechanism_id", "state_id"),
            states_submitted=count_of(blocks, "mechanism_id", "participant_id"),
        )
        .order_by("mechanism__region_group", "mechanism__acronym")
    )


def memberships_on(survey_round: SurveyRound) -> datetime.date:
    """Who owes a block: the memberships in force on the closing day, today while it is open."""
    return min(timezone.localdate(), survey_round.closes_on)


# The one definition of a response rate by region, shown on the dashboard and in the report.
REGION_RATE_DEFINITION = gettext_lazy(
    "Rates by region group count, for the mechanisms of each group (the groups of the 2019 IOM "
    "report), each mechanism's own questionnaire and the block about the mechanism owed by each "
    "of its member States taking part in the round (memberships in force on the closing day, "
    "today while the round is open): submitted out of owed. Organizations' blocks and the "
    "once-answered parts of States and organizations belong to no region and are counted in the "
    "rates by audience only."
)


@dataclass
class RegionRates:
    region: str  # a RegionGroup code, "" when the mechanism has none
    mechanisms: int = 0
    mechanisms_submitted: int = 0
    states_expected: int = 0
    states_submitted: int = 0
    acronyms: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        labels = dict(RegionGroup.choices)
        return str(labels[self.region]) if self.region in labels else _("No region group recorded")

    @property
    def expected(self) -> int:
        return self.mechanisms + self.states_expected

    @property
    def submitted(self) -> int:
        return self.mechanisms_submitted + self.states_submitted

    @property
    def rate(self) -> int | None:
        return rate(self.submitted, self.expected)


def round_region_rates(
    survey_round: SurveyRound, mechanism_rows: list[RoundParticipant] | None = None
) -> list[RegionRates]:
    """Response rates by region group (REGION_RATE_DEFINITION), one row per group with
    mechanisms in the round, in the groups' order: one query, summed in SQL over the mechanism
    rows above (a (mechanism, State) pair counts once per mechanism)."""
    rows = (
        round_mechanism_rates(survey_round)
        .order_by()
        .values(group=F("mechanism__region_group"))
        .annotate(
            n_mechanisms=Count("pk"),
            n_mechanisms_submitted=Count("pk", filter=SUBMITTED),
            n_states_expected=Sum("states_expected"),
            n_states_submitted=Sum("states_submitted"),
        )
    )
    order = {code: position for position, code in enumerate(RegionGroup.values)}
    regions = [
        RegionRates(
            region=row["group"], mechanisms=row["n_mechanisms"],
            mechanisms_submitted=row["n_mechanisms_submitted"],
            states_expected=row["n_states_expected"] or 0,
            states_submitted=row["n_states_submitted"] or 0,
        )
        for row in rows
    ]  # fmt: skip
    # The dashboard lists each group's mechanisms, from the rows it has already read.
    for row in mechanism_rows or []:
        for region in regions:
            if region.region == row.mechanism.region_group:
                region.acronyms.append(row.mechanism.acronym)
    return sorted(regions, key=lambda r: order.get(r.region, len(order)))


@dataclass(frozen=True)
class StateRegionRates:
    region: str  # an M49Region code, "" for a State M49 does not place
    participants: int
    submitted: int

    @property
    def label(self) -> str:
        labels = dict(M49Region.choices)
        return str(labels[self.region]) if self.region in labels else _("No M49 region")

    @property
    def rate(self) -> int | None:
        return rate(self.submitted, self.participants)


def round_state_region_rates(survey_round: SurveyRound) -> list[StateRegionRates]:
    """The round's States by their UN M49 region: how many take part and how many submitted
    everything they owe (their invitation's status), in M49's order: one GROUP BY."""
    rows = (
        RoundParticipant.objects.filter(round=survey_round, kind=Audience.STATE)
        .order_by()
        .values(region=F("state__m49_region"))
        .annotate(participants=Count("pk"), submitted=Count("pk", filter=SUBMITTED))
    )
    order = {code: position for position, code in enumerate(M49Region.values)}
    regions = [
        StateRegionRates(row["region"], row["participants"], row["submitted"]) for row in rows
    ]
    return sorted(regions, key=lambda r: order.get(r.region, len(order)))


# --- who has not submitted -----------------------------------------------------------------


def round_non_submitters(survey_round: SurveyRound) -> QuerySet[RoundParticipant]:
    """Participants who have not submitted everything, with their invitation and how many focal
    points they have (none means no email can reach them): one query."""
    focal_points = FocalPoint.objects.filter(kind=OuterRef("kind")).filter(
        # Within one kind only that kind's column is set, on both sides.
        Q(mechanism_id=OuterRef("mechanism_id"))
        | Q(state_id=OuterRef("state_id"))
        | Q(organization_id=OuterRef("organization_id"))
    )
    return (
        RoundParticipant.objects.filter(round=survey_round)
        .exclude(SUBMITTED)
        .select_related("mechanism", "state", "organization")
        .annotate(
            invitation_pk=F("invitation__pk"),
            invitation_status=F("invitation__status"),
            sent_at=F("invitation__sent_at"),
            last_reminder_at=F("invitation__last_reminder_at"),
            reminder_count=F("invitation__reminder_count"),
            revoked_at=F("invitation__revoked_at"),
            focal_point_count=count_of(focal_points, "kind"),
        )
        .order_by("kind", "mechanism__acronym", "organization__acronym", "state__country")
    )


@dataclass
class RoundDashboard:
    survey_round: SurveyRound
    audiences: list[AudienceRates]
    total: AudienceRates
    mechanisms: list[RoundParticipant]
    regions: list[RegionRates]
    non_submitters: list[RoundParticipant]
    failed_notifications: list[Notification] = field(default_factory=list)
    state_regions: list[StateRegionRates] = field(default_factory=list)
    region_definition: str = field(default_factory=lambda: str(REGION_RATE_DEFINITION))


def with_status_labels(rows: list[RoundParticipant]) -> list[RoundParticipant]:
    """Name each row's invitation status in the current language (no invitation before opening)."""
    labels = dict(Invitation.Status.choices)
    for row in rows:
        row.invitation_status_label = labels.get(row.invitation_status, _("No invitation yet"))
    return rows


def round_dashboard(survey_round: SurveyRound) -> RoundDashboard:
    """Everything the dashboard shows: five queries, whatever the size of the round."""
    audiences = round_audience_rates(survey_round)
    mechanisms = with_status_labels(list(round_mechanism_rates(survey_round)))
    return RoundDashboard(
        survey_round=survey_round,
        audiences=audiences,
        total=audience_totals(audiences),
        mechanisms=mechanisms,
        regions=round_region_rates(survey_round, mechanisms),
        non_submitters=with_status_labels(list(round_non_submitters(survey_round))),
        state_regions=round_state_region_rates(survey_round),
        failed_notifications=list(round_failed_notifications(survey_round)),
    )


FAILED_NOTIFICATIONS_SHOWN = 50


def round_failed_notifications(survey_round: SurveyRound) -> QuerySet[Notification]:
    """Invitations and reminders that could not be sent and are still pending, newest first
    (their error says why); one query."""
    return (
        Notification.objects.filter(
            invitation__participant__round=survey_round, sent_at__isnull=True
        )
        .filter(Q(error__startswith="not sent") | Q(error__startswith="recipients refused"))
        .select_related(
            "invitation__participant__mechanism",
            "invitation__participant__state",
            "invitation__participant__organization",
        )
        .order_by("-created_at")[:FAILED_NOTIFICATIONS_SHOWN]
    )
