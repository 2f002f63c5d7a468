"""What one mechanism's summary is built from, read in a fixed number of queries.

Counts of choices are aggregated in SQL over the typed answer rows; only the mechanism's own
answers and the free-text examples are read row by row (they are few).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q

from assessments.questionnaires.models import Audience
from assessments.questionnaires.schema import QuestionnaireSchema
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses.models import Answer, Response
from assessments.responses.services import stored_answers
from assessments.rounds.models import RoundParticipant, SurveyRound
from mechanisms.models import Mechanism

# Free-text questions whose answers are quoted as examples, by the audience that gives them.
EXAMPLE_CODES = (
    "contribution_national_example", "contribution_bilateral_example",
    "contribution_regional_example", "contribution_interregional_example",
    "contribution_global_example", "added_value_example",
)  # fmt: skip


@dataclass(frozen=True)
class RoundFigures:
    states: int
    mechanisms: int
    organizations: int


@dataclass
class AudienceAnswers:
    """Submitted per-mechanism answers of one audience (States or organizations)."""

    respondents: int = 0
    # (question code, row, choice) -> number of respondents; row is "" except for matrices
    counts: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # (question code, value) -> number of respondents, for scale questions (1-5)
    scale_counts: dict[tuple[str, int], int] = field(default_factory=dict)
    # question code -> number of respondents who answered it at all
    answered: dict[str, int] = field(default_factory=dict)
    # question code -> example texts, in a stable order
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def count(self, code: str, choice: str, row: str = "") -> int:
        return self.counts.get((code, row, choice), 0)

    def count_values(self, code: str, values: set[int]) -> int:
        return sum(
            n for (c, value), n in self.scale_counts.items() if c == code and value in values
        )

    def ranked(self, code: str, option_order: tuple[str, ...]) -> list[tuple[str, int]]:
        """(choice, count) of a question, most frequent first, ties in the questionnaire's order."""
        order = {c: i for i, c in enumerate(option_order)}
        pairs = [
            (choice, n) for (c, row, choice), n in self.counts.items() if c == code and not row
        ]
        return sorted(pairs, key=lambda p: (-p[1], order.get(p[0], len(order)), p[0]))


@dataclass
class SummaryInputs:
    survey_round: SurveyRound
    mechanism: Mechanism
    figures: RoundFigures
    schemas: dict[str, QuestionnaireSchema]
    own: dict[str, Any]  # the mechanism's own submitted answers (empty if none)
    own_response_id: int | None
    states: AudienceAnswers
    organizations: AudienceAnswers
    response_ids: list[int]
    member_count: int
    fingerprint: str = ""


def round_figures(survey_round: SurveyRound) -> RoundFigures:
    """Participants who submitted, by audience (any submitted response counts)."""
    submitted = Q(responses__status=Response.Status.SUBMITTED)
    totals = (
        RoundParticipant.objects.filter(round=survey_round)
        .filter(submitted)
        .values("kind")
        .annotate(n=Count("pk", distinct=True))
    )
    by_kind = {row["kind"]: row["n"] for row in totals}
    return RoundFigures(
        states=by_kind.get(Audience.STATE, 0),
        mechanisms=by_kind.get(Audience.MECHANISM, 0),
        organizations=by_kind.get(Audience.ORGANIZATION, 0),
    )


def audience_answers(responses: Any) -> AudienceAnswers:
    """Counts (in SQL) and examples of submitted per-mechanism responses of one audience."""
    result = AudienceAnswers(respondents=responses.count())
    if not result.respondents:
        return result
    # order_by(): the default orderings of Answer and Response would otherwise join the round,
    # participant, questionnaire and section tables into every grouped query (Django drops
    # Meta.ordering from GROUP BY queries but keeps its joins), turning an index lookup of the
    # few responses about one mechanism into a scan of every answer row.
    rows = Answer.objects.filter(response__in=responses.order_by()).order_by()
    grouped = (
        rows.exclude(choice="")
        .values("question__code", "row", "choice")
        .annotate(n=Count("response", distinct=True))
    )
    result.counts = {(g["question__code"], g["row"], g["choice"]): g["n"] for g in grouped}
    scales = (
        rows.filter(question__type="scale5", number__isnull=False)
        .values("question__code", "number")
        .annotate(n=Count("response", distinct=True))
    )
    result.scale_counts = {(g["question__code"], int(g["number"])): g["n"] for g in scales}
    answered = rows.values("question__code").annotate(n=Count("response", distinct=True))
    result.answered = {a["question__code"]: a["n"] for a in answered}
    texts = (
        rows.filter(question__code__in=EXAMPLE_CODES).exclude(text="").order_by("response_id", "pk")
    )
    for code, text in texts.values_list("question__code", "text"):
        result.examples[code].append(text)
    return result


def summary_inputs(survey_round: SurveyRound, mechanism: Mechanism) -> SummaryInputs:
    submitted = Response.objects.filter(round=survey_round, status=Response.Status.SUBMITTED)
    own_response = (
        submitted.filter(participant__kind=Audience.MECHANISM, participant__mechanism=mechanism)
        .select_related("questionnaire")
        .first()
    )
    schemas = {
        audience: questionnaire_schema(survey_round.questionnaire_for(audience))
        for audience in Audience.values
    }
    own = stored_answers(own_response, schemas[Audience.MECHANISM]) if own_response else {}
    about = submitted.filter(mechanism=mechanism)
    state_responses = about.filter(participant__kind=Audience.STATE)
    organization_responses = about.filter(participant__kind=Audience.ORGANIZATION)
    response_ids = sorted(
        ([own_response.pk] if own_response else [])
        + list(about.order_by().values_list("pk", flat=True))
    )
    inputs = SummaryInputs(
        survey_round=survey_round,
        mechanism=mechanism,
        figures=round_figures(survey_round),
        schemas=schemas,
        own=own,
        own_response_id=own_response.pk if own_response else None,
        states=audience_answers(state_responses),
        organizations=audience_answers(organization_responses),
        response_ids=response_ids,
        member_count=mechanism.memberships.current()
        .filter(role="member", state__isnull=False)
        .count(),
    )
    inputs.fingerprint = answers_fingerprint(response_ids)
    return inputs


def answers_fingerprint(response_ids: list[int]) -> str:
    """Changes whenever the set of responses used, or any of their versions, changes."""
    versions = (
        Response.objects.filter(pk__in=response_ids).order_by("pk").values_list("pk", "version")
    )
    latest = Answer.history.filter(response_id__in=response_ids).aggregate(t=Max("history_date"))[
        "t"
    ]
    digest = hashlib.sha256(repr((list(versions), str(latest))).encode()).hexdigest()
    return digest
