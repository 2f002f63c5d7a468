"""The queries of the round report (see the package's doc): the grouped counts of one or more
rounds, and the mechanisms, expected blocks and schemas they are read with."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessments.questionnaires.models import Audience, Questionnaire
from assessments.questionnaires.schema import (
    OTHER_SUFFIX,
    QuestionnaireSchema,
)
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses.models import Answer, Response
from assessments.rounds.models import RoundParticipant, SurveyRound
from mechanisms.models import Mechanism, Membership

from .common import AUDIENCES, CLOSED_TYPES, SEVERAL_ROWS_TYPES, GroupKey


@dataclass(frozen=True)
class MechanismInfo:
    acronym: str
    name: str
    region: str


@dataclass
class RoundAnswers:
    """One round's grouped counts, indexed by question code."""

    # code -> [(audience, about, row, value, n)]: answer rows of each value
    values: dict[str, list[tuple[str, int | None, str, str, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # code -> {(audience, about): respondents who answered}, for multiple-choice and matrix
    # questions only (a single value, yes/no or scale answer is one row per respondent)
    answered: dict[str, dict[GroupKey, int]] = field(default_factory=lambda: defaultdict(dict))

    def tally(
        self, code: str, group_of: Callable[[str, int | None], Hashable]
    ) -> dict[Hashable, Counter]:
        """Respondents per (row, value), summed into the groups `group_of` puts (audience,
        about) in; None leaves a response out. Each response has one (audience, about), and at
        most one answer row per (question, row, value), so sums of counts stay exact."""
        result: dict[Hashable, Counter] = defaultdict(Counter)
        for kind, about, row, value, n in self.values.get(code, ()):
            group = group_of(kind, about)
            if group is not None:
                result[group][(row, value)] += n
        return result

    def bases(
        self, code: str, group_of: Callable[[str, int | None], Hashable]
    ) -> dict[Hashable, int]:
        """Respondents who answered the question at all, per group: counted apart for the
        questions with several rows per answer, else the sum of the values' counts."""
        if code not in self.answered:
            return {
                group: sum(counts.values()) for group, counts in self.tally(code, group_of).items()
            }
        result: dict[Hashable, int] = defaultdict(int)
        for (kind, about), n in self.answered[code].items():
            group = group_of(kind, about)
            if group is not None:
                result[group] += n
        return result


@dataclass
class RoundFigures:
    participants: dict[str, tuple[int, int]]  # audience -> (participants, with a submission)
    mechanism_ids: list[int]
    submitted: dict[GroupKey, int]  # (audience, about) -> submitted responses
    answers: RoundAnswers


def about_expression() -> Coalesce:
    return Coalesce(
        "response__mechanism_id", "response__participant__mechanism_id", output_field=IntegerField()
    )


def read_figures(
    round_ids: list[int],
) -> tuple[dict[int, RoundFigures], set[int]]:
    """Queries 2, 3, 5, 7 and 8 for every round at once; also the mechanism ids they mention."""
    figures = {
        pk: RoundFigures(participants={}, mechanism_ids=[], submitted={}, answers=RoundAnswers())
        for pk in round_ids
    }
    submitted = Q(responses__status=Response.Status.SUBMITTED)
    for row in (
        RoundParticipant.objects.filter(round_id__in=round_ids)
        .values("round_id", "kind")
        .annotate(
            total=Count("pk", distinct=True), responded=Count("pk", distinct=True, filter=submitted)
        )
        .order_by()
    ):
        figures[row["round_id"]].participants[row["kind"]] = (row["total"], row["responded"])
    for round_id, mechanism_id in (
        RoundParticipant.objects.filter(round_id__in=round_ids, kind=Audience.MECHANISM)
        .order_by("pk")
        .values_list("round_id", "mechanism_id")
    ):
        figures[round_id].mechanism_ids.append(mechanism_id)
    for row in (
        Response.objects.filter(round_id__in=round_ids, status=Response.Status.SUBMITTED)
        .annotate(
            about=Coalesce(
                "mechanism_id", "participant__mechanism_id", output_field=IntegerField()
            ),
            audience=F("participant__kind"),
        )
        .values("round_id", "audience", "about")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        figures[row["round_id"]].submitted[(row["audience"], row["about"])] = row["n"]
    closed_rows = submitted_answer_rows(round_ids, CLOSED_TYPES)
    # (response, question, row, choice) is unique, so within these groups Count("pk") counts
    # respondents without the cost of a DISTINCT.
    for row in (
        closed_rows.values("round_key", "code", "audience", "about", "row", "choice", "number")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        value = row["choice"] if row["number"] is None else str(int(row["number"]))
        figures[row["round_key"]].answers.values[row["code"]].append(
            (row["audience"], row["about"], row["row"], value, row["n"])
        )
    # Not closed_rows.filter(...): PostgreSQL multiplies the selectivity of two type filters
    # on the same column, expects one row and reads the answers of every round (3 s at 1 M rows
    # instead of 0.5 s).
    several_rows = submitted_answer_rows(round_ids, SEVERAL_ROWS_TYPES)
    for row in (
        several_rows.values("round_key", "code", "audience", "about")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    ):
        key = (row["audience"], row["about"])
        figures[row["round_key"]].answers.answered[row["code"]][key] = row["n"]
    mentioned = {m for f in figures.values() for m in f.mechanism_ids}
    mentioned |= {about for f in figures.values() for _kind, about in f.submitted if about}
    return figures, mentioned


def submitted_answer_rows(round_ids: list[int], types: tuple[str, ...]) -> QuerySet[Answer]:
    """Submitted answers of the rounds to questions of `types`, with what the figures group by."""
    return (
        Answer.objects.filter(
            response__round_id__in=round_ids,
            response__status=Response.Status.SUBMITTED,
            question__type__in=types,
        )
        .exclude(row=OTHER_SUFFIX)  # the text of an "other" answer; its code is counted
        .annotate(
            round_key=F("response__round_id"),
            code=F("question__code"),
            audience=F("response__participant__kind"),
            about=about_expression(),
        )
    )


def read_mechanisms(ids: Iterable[int], language: str) -> dict[int, MechanismInfo]:
    """Query 4."""
    rows = Mechanism.objects.filter(pk__in=sorted(ids)).values(
        "pk", "acronym", "name", "name_fr", "name_es", "region"
    )
    return {
        row["pk"]: MechanismInfo(
            acronym=row["acronym"],
            name=row.get(f"name_{language}") or row["name"],
            region=row["region"].strip(),
        )
        for row in rows
    }


def read_expected_blocks(survey_round: SurveyRound) -> dict[int, tuple[int, int]]:
    """Query 6: mechanism id -> (member States, organizations) of the round answering about it,
    by the memberships in force on the closing day (today while the round is still open)."""
    on = min(timezone.localdate(), survey_round.closes_on)
    participants = RoundParticipant.objects.filter(round=survey_round)
    rows = (
        Membership.objects.current(on)
        .filter(mechanism_id__in=participants.filter(kind=Audience.MECHANISM).values("mechanism"))
        .filter(
            Q(role=Membership.Role.MEMBER, state_id__in=participants.values("state"))
            | Q(organization_id__in=participants.values("organization"))
        )
        .values("mechanism_id")
        .annotate(
            states=Count("state_id", distinct=True),
            organizations=Count("organization_id", distinct=True),
        )
        .order_by()
    )
    return {row["mechanism_id"]: (row["states"], row["organizations"]) for row in rows}


def read_schemas(survey_round: SurveyRound) -> dict[str, QuestionnaireSchema]:
    """Query 1 (and the schemas' own queries, the first time a process meets a version)."""
    ids = {audience: survey_round.questionnaire_id_for(audience) for audience in AUDIENCES}
    questionnaires = Questionnaire.objects.in_bulk(ids.values())
    return {audience: questionnaire_schema(questionnaires[pk]) for audience, pk in ids.items()}
