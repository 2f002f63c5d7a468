"""The round report's figures, read in a fixed number of grouped queries.

Everything is counted in SQL over the typed answer rows of SUBMITTED responses (a choice row per
chosen code, a cell row per ticked matrix cell, a number row per scale answer); Python only
arranges the grouped counts, whose number depends on the registry (questions, choices,
mechanisms), never on the number of responses. A previous round, when given, is read by the same
queries (grouped by round), so comparing costs no extra query. The queries:

1. the round's three questionnaires (their schemas are then cached per process once published);
2. participants, and participants with a submitted response, by round and audience;
3. the mechanisms taking part in each round;
4. the names and regions of those mechanisms and of any mechanism answered about;
5. submitted responses by round, audience and the mechanism they are about;
6. the member States and organizations of the round expected to answer about each mechanism;
7. answer rows of closed questions by round, question, audience, mechanism, matrix row and value;
8. respondents answering each multiple-choice or matrix question, by round, question, audience
   and mechanism (the other closed questions have one answer row per respondent).

A response is "about" a mechanism when it is that mechanism's own response or a State's or an
organization's block about it; once-answered responses of States and organizations are about
none, and their region is "—".
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, IntegerField, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.questionnaires.models import Audience, Questionnaire, QuestionType
from assessments.questionnaires.schema import (
    OTHER_CODE,
    OTHER_SUFFIX,
    QuestionnaireSchema,
    QuestionSpec,
)
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses.models import Answer, Response
from assessments.rounds.models import RoundParticipant, SurveyRound
from mechanisms.models import Mechanism, Membership

CLOSED_TYPES = (
    QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.MATRIX,
    QuestionType.YES_NO, QuestionType.YES_NO_DK, QuestionType.SCALE5,
)  # fmt: skip
SEVERAL_ROWS_TYPES = (QuestionType.MULTIPLE, QuestionType.MATRIX)
AUDIENCES: tuple[str, ...] = (
    Audience.MECHANISM.value,
    Audience.STATE.value,
    Audience.ORGANIZATION.value,
)
AUDIENCE_LABELS = {
    Audience.MECHANISM: gettext_lazy("Mechanisms"),
    Audience.STATE: gettext_lazy("Member States"),
    Audience.ORGANIZATION: gettext_lazy("Intergovernmental organizations"),
}
LEVELS = ("national", "bilateral", "regional", "interregional", "global")
LEVEL_LABELS = {
    "national": gettext_lazy("National"),
    "bilateral": gettext_lazy("Bilateral"),
    "regional": gettext_lazy("Regional"),
    "interregional": gettext_lazy("Interregional"),
    "global": gettext_lazy("Global"),
}
STRUCTURE_CODES = (
    "chair_model", "chair_rotation", "secretariat_type", "funding_sources", "meeting_frequency",
)  # fmt: skip
NO_REGION = "—"
TOP_KINDS = 3
ALL = "all"

GroupKey = tuple[str, int | None]  # (audience, id of the mechanism the response is about)


def percent(part: int, base: int) -> float | None:
    """Rounded to one decimal; None when nobody is in the base (not 0 %: nothing was asked)."""
    return round(100 * part / base, 1) if base else None


def points(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return round(current - previous, 1)


# --- the result ---------------------------------------------------------------------------


@dataclass
class ReportData:
    """Every table of the report as plain rows, labels already in `language`."""

    round_name: str
    round_slug: str
    round_year: int
    language: str
    generated_on: datetime.date
    previous_round_name: str | None
    definitions: list[str]
    response_rates_by_audience: list[dict[str, Any]]
    response_rates_by_region: list[dict[str, Any]]
    response_rates_by_mechanism: list[dict[str, Any]]
    thematic_matrix: dict[str, Any]
    contribution: list[dict[str, Any]]
    structures: dict[str, Any]
    partner_kinds: list[dict[str, Any]]
    added_value: dict[str, Any]
    frequencies: list[dict[str, Any]]
    comparison: dict[str, Any] | None = None


# --- reading -------------------------------------------------------------------------------


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


# --- labels ----------------------------------------------------------------------------------


class Labels:
    """Question texts and value labels in the report's language, from the round's schemas."""

    def __init__(self, schemas: dict[str, QuestionnaireSchema], language: str) -> None:
        self.schemas = schemas
        self.language = language

    def spec(self, code: str) -> QuestionSpec | None:
        for audience in AUDIENCES:
            if code in self.schemas[audience].questions:
                return self.schemas[audience].questions[code]
        return None

    def audiences_asking(self, code: str) -> list[str]:
        return [a for a in AUDIENCES if code in self.schemas[a].questions]

    def question(self, code: str) -> str:
        spec = self.spec(code)
        return spec.text(self.language) if spec else code

    def option_codes(self, code: str) -> list[tuple[str, str]]:
        """Every (row, value) the question offers, in the questionnaire's order."""
        spec = self.spec(code)
        if spec is None:
            return []
        values = list(spec.option_codes)
        if spec.other_option:
            values.append(OTHER_CODE)
        if spec.type == QuestionType.MATRIX:
            return [(row, column) for row in values for column in spec.column_codes]
        return [("", value) for value in values]

    def value(self, code: str, value: str, row: str = "") -> str:
        spec = self.spec(code)
        if spec is None:
            return f"{row} — {value}" if row else value
        if row:
            return f"{self.option(spec, row)} — {self.column(spec, value)}"
        return self.option(spec, value)

    def option(self, spec: QuestionSpec, value: str) -> str:
        if value == OTHER_CODE:
            return _("Other")
        if spec.type in (QuestionType.YES_NO, QuestionType.YES_NO_DK):
            return {"yes": _("Yes"), "no": _("No"), "dk": _("Don't know")}.get(value, value)
        if spec.type == QuestionType.SCALE5:
            anchors = {"1": _("1 (not at all)"), "5": _("5 (very much)")}
            return anchors.get(value, value)
        return spec.option_label(value, self.language)

    def column(self, spec: QuestionSpec, value: str) -> str:
        for option in spec.columns:
            if option.code == value:
                return option.label(self.language)
        return value

    def order(self, code: str) -> dict[str, int]:
        return {value: i for i, (_row, value) in enumerate(self.option_codes(code))}


def ranked(
    counts: dict[str, int], base: int, order: dict[str, int], label_of: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Values named at least once, most frequent first, ties in the questionnaire's order and
    sharing a rank (1, 2, 2, 4)."""
    items = sorted(
        ((value, n) for value, n in counts.items() if n > 0),
        key=lambda item: (-item[1], order.get(item[0], len(order)), item[0]),
    )
    rows, rank, previous = [], 0, None
    for position, (value, n) in enumerate(items, start=1):
        if n != previous:
            rank, previous = position, n
        rows.append({
            "rank": rank, "code": value, "label": label_of(value),
            "count": n, "base": base, "percent": percent(n, base),
        })  # fmt: skip
    return rows


# --- the report ------------------------------------------------------------------------------


class Builder:
    """Arranges the grouped counts of the round (and of the previous one) into tables."""

    def __init__(
        self,
        survey_round: SurveyRound,
        previous_round: SurveyRound | None,
        language: str,
    ) -> None:
        self.round = survey_round
        self.previous_round = previous_round
        self.language = language
        self.labels = Labels(read_schemas(survey_round), language)
        round_ids = [survey_round.pk] + ([previous_round.pk] if previous_round else [])
        self.figures, mentioned = read_figures(round_ids)
        self.mechanisms = read_mechanisms(mentioned, language)
        self.expected = read_expected_blocks(survey_round)
        self.current = self.figures[survey_round.pk]
        self.previous = self.figures[previous_round.pk] if previous_round else None

    # grouping helpers

    def region_of(self, about: int | None) -> str:
        if about is None:
            return NO_REGION
        info = self.mechanisms.get(about)
        return (info.region if info else "") or _("(region not recorded)")

    def acronym(self, mechanism_id: int) -> str:
        info = self.mechanisms.get(mechanism_id)
        return info.acronym if info else str(mechanism_id)

    def round_mechanisms(self, figures: RoundFigures) -> list[int]:
        return sorted(figures.mechanism_ids, key=self.acronym)

    def responding_mechanisms(self, figures: RoundFigures) -> list[int]:
        return [
            m
            for m in self.round_mechanisms(figures)
            if figures.submitted.get((Audience.MECHANISM, m))
        ]

    def regions(self, keys: Iterable[str]) -> list[str]:
        """Regions alphabetically, "—" (about no mechanism) last."""
        return sorted(set(keys), key=lambda r: (r == NO_REGION, r.casefold()))

    def ranked(self, code: str, counts: dict[str, int], base: int) -> list[dict[str, Any]]:
        return ranked(
            counts, base, self.labels.order(code), lambda value: self.labels.value(code, value)
        )

    # response rates

    def rates_by_audience(self, figures: RoundFigures) -> list[dict[str, Any]]:
        rows = []
        for audience in AUDIENCES:
            total, responded = figures.participants.get(audience, (0, 0))
            rows.append({
                "audience": audience, "label": str(AUDIENCE_LABELS[audience]),
                "participants": total, "responded": responded,
                "percent": percent(responded, total),
            })  # fmt: skip
        total = sum(r["participants"] for r in rows)
        responded = sum(r["responded"] for r in rows)
        rows.append({
            "audience": ALL, "label": _("All participants"), "participants": total,
            "responded": responded, "percent": percent(responded, total),
        })  # fmt: skip
        return rows

    def rates_by_mechanism(self) -> list[dict[str, Any]]:
        rows = []
        for mechanism_id in self.round_mechanisms(self.current):
            states, organizations = self.expected.get(mechanism_id, (0, 0))
            state_blocks = self.current.submitted.get((Audience.STATE, mechanism_id), 0)
            organization_blocks = self.current.submitted.get(
                (Audience.ORGANIZATION, mechanism_id), 0
            )
            rows.append({
                "mechanism": self.acronym(mechanism_id),
                "region": self.region_of(mechanism_id),
                "own_response": bool(self.current.submitted.get((Audience.MECHANISM, mechanism_id))),
                "member_states": states, "state_blocks": state_blocks,
                "state_percent": percent(state_blocks, states),
                "organizations": organizations, "organization_blocks": organization_blocks,
                "organization_percent": percent(organization_blocks, organizations),
            })  # fmt: skip
        return rows

    def rates_by_region(self, by_mechanism: list[dict[str, Any]]) -> list[dict[str, Any]]:
        regions: dict[str, dict[str, int]] = defaultdict(Counter)
        for row in by_mechanism:
            tally = regions[row["region"]]
            tally["mechanisms"] += 1
            tally["mechanisms_responded"] += int(row["own_response"])
            tally["expected"] += 1 + row["member_states"] + row["organizations"]
            tally["submitted"] += (
                int(row["own_response"]) + row["state_blocks"] + row["organization_blocks"]
            )
        once = regions[NO_REGION]
        for audience in (Audience.STATE, Audience.ORGANIZATION):
            once["expected"] += self.current.participants.get(audience, (0, 0))[0]
            once["submitted"] += self.current.submitted.get((audience, None), 0)
        return [
            {
                "region": region,
                "mechanisms": regions[region]["mechanisms"],
                "mechanisms_responded": regions[region]["mechanisms_responded"],
                "expected": regions[region]["expected"],
                "submitted": regions[region]["submitted"],
                "percent": percent(regions[region]["submitted"], regions[region]["expected"]),
            }
            for region in self.regions(regions)
        ]

    # thematic focus

    def themes(self, figures: RoundFigures) -> dict[int, set[str]]:
        """Mechanism id -> its current thematic areas, from its own submitted response."""
        result: dict[int, set[str]] = defaultdict(set)
        for kind, about, _row, value, n in figures.answers.values.get("thematic_areas_current", ()):
            if kind == Audience.MECHANISM and about is not None and n:
                result[about].add(value)
        return result

    def thematic_matrix(self) -> dict[str, Any]:
        mechanisms = self.responding_mechanisms(self.current)
        themes = self.themes(self.current)
        areas = []
        for _row, code in self.labels.option_codes("thematic_areas_current"):
            cells = [code in themes.get(m, set()) for m in mechanisms]
            areas.append({
                "code": code, "label": self.labels.value("thematic_areas_current", code),
                "cells": cells, "mechanisms": sum(cells),
            })  # fmt: skip
        return {
            "mechanisms": [self.acronym(m) for m in mechanisms],
            "areas_per_mechanism": [len(themes.get(m, ())) for m in mechanisms],
            "areas": areas,
            "not_responding": self.not_responding(),
        }

    def not_responding(self) -> list[str]:
        responding = set(self.responding_mechanisms(self.current))
        return [self.acronym(m) for m in self.round_mechanisms(self.current) if m not in responding]

    # contribution

    def contribution(self) -> list[dict[str, Any]]:
        answers = self.current.answers
        rows = []
        for level in LEVELS:
            code = f"contribution_{level}"
            tally = answers.tally(code, lambda kind, about: kind)
            kinds = answers.tally(f"{code}_types", lambda kind, about: kind)
            for audience in (*AUDIENCES, ALL):
                counts = self.merged(tally, audience)
                kind_counts = self.merged(kinds, audience)
                answered = sum(counts.values())
                top = self.ranked(
                    f"{code}_types",
                    {value: n for (_row, value), n in kind_counts.items()},
                    counts[("", "yes")],
                )[:TOP_KINDS]
                rows.append({
                    "level": level, "level_label": str(LEVEL_LABELS[level]),
                    "audience": audience,
                    "audience_label": str(AUDIENCE_LABELS[audience]) if audience != ALL else _("All respondents"),
                    "answered": answered, "yes": counts[("", "yes")], "no": counts[("", "no")],
                    "dont_know": counts[("", "dk")], "percent": percent(counts[("", "yes")], answered),
                    "top_kinds": [{"label": t["label"], "count": t["count"]} for t in top],
                })  # fmt: skip
        return rows

    @staticmethod
    def merged(tally: dict[Hashable, Counter], group: str) -> Counter:
        if group != ALL:
            return tally.get(group, Counter())
        total: Counter = Counter()
        for counts in tally.values():
            total.update(counts)
        return total

    # structures and partnerships

    def structures(self) -> dict[str, Any]:
        answers = self.current.answers
        columns = [{"code": code, "label": self.labels.question(code)} for code in STRUCTURE_CODES]
        per_code = {
            code: answers.tally(
                code, lambda kind, about: about if kind == Audience.MECHANISM else None
            )
            for code in STRUCTURE_CODES
        }
        rows = []
        for mechanism_id in self.responding_mechanisms(self.current):
            values = {}
            for code in STRUCTURE_CODES:
                chosen = per_code[code].get(mechanism_id, Counter())
                order = self.labels.order(code)
                codes = sorted(
                    (value for (_row, value), n in chosen.items() if n),
                    key=lambda v: (order.get(v, len(order)), v),
                )
                values[code] = [self.labels.value(code, v) for v in codes]
            rows.append({
                "mechanism": self.acronym(mechanism_id), "region": self.region_of(mechanism_id),
                "values": values,
            })  # fmt: skip
        return {"columns": columns, "rows": rows, "not_responding": self.not_responding()}

    def partner_kinds(self) -> list[dict[str, Any]]:
        answers = self.current.answers
        mechanisms_only = lambda kind, about: ALL if kind == Audience.MECHANISM else None  # noqa: E731
        kinds = answers.tally("partner_types", mechanisms_only).get(ALL, Counter())
        roles = answers.tally("partner_roles", mechanisms_only).get(ALL, Counter())
        base = answers.bases("partner_types", mechanisms_only).get(ALL, 0)
        order = self.labels.order("partner_types")
        codes = [value for _row, value in self.labels.option_codes("partner_types")]
        codes += sorted({value for (_row, value) in kinds} - set(codes))
        codes.sort(key=lambda c: (-kinds[("", c)], order.get(c, len(order))))
        spec = self.labels.spec("partner_roles")
        column_order = {c: i for i, c in enumerate(spec.column_codes if spec else ())}
        rows = []
        for code in codes:
            role_counts = {column: n for (row, column), n in roles.items() if row == code}
            top = ranked(role_counts, kinds[("", code)], column_order, self.role_label)
            rows.append({
                "code": code, "label": self.labels.value("partner_types", code),
                "mechanisms": kinds[("", code)], "base": base,
                "percent": percent(kinds[("", code)], base),
                "roles": [{"label": t["label"], "count": t["count"]} for t in top],
            })  # fmt: skip
        return rows

    def role_label(self, column: str) -> str:
        spec = self.labels.spec("partner_roles")
        return self.labels.column(spec, column) if spec else column

    # added value

    def added_value(self) -> dict[str, Any]:
        answers = self.current.answers
        code = "added_value"

        def ranking(group_of: Callable[[str, int | None], Hashable]) -> dict[Hashable, list]:
            tally = answers.tally(code, group_of)
            bases = answers.bases(code, group_of)
            return {
                group: self.ranked(
                    code,
                    {value: n for (_row, value), n in tally.get(group, Counter()).items()},
                    base,
                )
                for group, base in bases.items()
            }

        by_audience = ranking(lambda kind, about: kind)
        by_region = ranking(lambda kind, about: self.region_of(about))
        bases_audience = answers.bases(code, lambda kind, about: kind)
        bases_region = answers.bases(code, lambda kind, about: self.region_of(about))
        overall = ranking(lambda kind, about: ALL)
        return {
            "overall": overall.get(ALL, []),
            "base": answers.bases(code, lambda kind, about: ALL).get(ALL, 0),
            "by_audience": [
                {
                    "audience": a,
                    "label": str(AUDIENCE_LABELS[a]),
                    "base": bases_audience.get(a, 0),
                    "rows": by_audience.get(a, []),
                }
                for a in self.labels.audiences_asking(code)
            ],
            "by_region": [
                {"region": r, "base": bases_region[r], "rows": by_region.get(r, [])}
                for r in self.regions(bases_region)
            ],
        }

    # frequencies

    def closed_codes(self) -> list[str]:
        codes: list[str] = []
        for audience in AUDIENCES:
            for spec in self.labels.schemas[audience].questions.values():
                if spec.type in CLOSED_TYPES and spec.code not in codes:
                    codes.append(spec.code)
        return codes

    def frequency(self, code: str) -> dict[str, Any]:
        answers = self.current.answers
        groupings: list[tuple[str, Callable[[str, int | None], Hashable]]] = [
            ("all", lambda kind, about: ALL),
            ("audience", lambda kind, about: kind),
            ("region", lambda kind, about: self.region_of(about)),
        ]
        groups, columns = [], []
        for grouping, group_of in groupings:
            tally = answers.tally(code, group_of)
            bases = answers.bases(code, group_of)
            if grouping == "all":
                keys = [ALL]
            elif grouping == "audience":
                keys = self.labels.audiences_asking(code)
            else:
                keys = self.regions(k for k, n in bases.items() if n)
            for key in keys:
                label = {
                    "all": _("All respondents"),
                    "audience": str(AUDIENCE_LABELS.get(key, key)),
                    "region": key,
                }[grouping]
                groups.append(
                    {"kind": grouping, "key": key, "label": label, "base": bases.get(key, 0)}
                )
                columns.append(tally.get(key, Counter()))
        options = self.labels.option_codes(code)
        found = {option for counts in columns for option in counts}
        options += sorted(found - set(options))
        rows = [
            {
                "row": row, "code": value, "label": self.labels.value(code, value, row),
                "counts": [counts[(row, value)] for counts in columns],
                "percents": [percent(counts[(row, value)], g["base"]) for counts, g in zip(columns, groups, strict=True)],
            }
            for row, value in options
        ]  # fmt: skip
        spec = self.labels.spec(code)
        return {
            "code": code, "question": self.labels.question(code),
            "type": spec.type if spec else "", "groups": groups, "rows": rows,
        }  # fmt: skip

    # comparison with the previous round

    def contribution_shares(self, figures: RoundFigures) -> dict[Hashable, tuple[int, int]]:
        """(about mechanism or ALL) -> (yes, answered) over the five levels, every audience."""
        result: dict[Hashable, list[int]] = defaultdict(lambda: [0, 0])
        for level in LEVELS:
            for _kind, about, _row, value, n in figures.answers.values.get(
                f"contribution_{level}", ()
            ):
                for key in (about, ALL):
                    if key is None:
                        continue
                    result[key][1] += n
                    if value == "yes":
                        result[key][0] += n
        return {key: (yes, answered) for key, (yes, answered) in result.items()}

    def added_value_shares(
        self, figures: RoundFigures, group_of: Callable[[str, int | None], Hashable]
    ) -> dict[Hashable, dict[str, float | None]]:
        tally = figures.answers.tally("added_value", group_of)
        bases = figures.answers.bases("added_value", group_of)
        return {
            group: {value: percent(n, base) for (_row, value), n in tally.get(group, {}).items()}
            for group, base in bases.items()
        }

    def shifts(
        self, current: dict[str, float | None] | None, previous: dict[str, float | None] | None
    ) -> list[dict[str, Any]]:
        """Change of each added value's share (points), largest first; only when both rounds
        have answers."""
        if current is None or previous is None:
            return []
        order = self.labels.order("added_value")
        rows = []
        for value in set(current) | set(previous):
            now, before = current.get(value) or 0.0, previous.get(value) or 0.0
            if now != before:
                rows.append({
                    "code": value, "label": self.labels.value("added_value", value),
                    "previous": before, "current": now, "change": round(now - before, 1),
                })  # fmt: skip
        rows.sort(key=lambda r: (-abs(r["change"]), -r["change"], order.get(r["code"], 99)))
        return rows

    def comparison(self, rates: list[dict[str, Any]]) -> dict[str, Any] | None:
        if self.previous is None:
            return None
        previous_rates = {r["audience"]: r for r in self.rates_by_audience(self.previous)}
        response_rates = [
            {
                "audience": r["audience"], "label": r["label"],
                "previous_participants": previous_rates[r["audience"]]["participants"],
                "previous_responded": previous_rates[r["audience"]]["responded"],
                "previous_percent": previous_rates[r["audience"]]["percent"],
                "participants": r["participants"], "responded": r["responded"],
                "percent": r["percent"], "change": points(r["percent"], previous_rates[r["audience"]]["percent"]),
            }
            for r in rates
        ]  # fmt: skip
        themes_now, themes_before = self.themes(self.current), self.themes(self.previous)
        shares_now = self.contribution_shares(self.current)
        shares_before = self.contribution_shares(self.previous)
        per_mechanism = lambda kind, about: about  # noqa: E731
        value_now = self.added_value_shares(self.current, per_mechanism)
        value_before = self.added_value_shares(self.previous, per_mechanism)
        overall = lambda kind, about: ALL  # noqa: E731
        value_now.update(self.added_value_shares(self.current, overall))
        value_before.update(self.added_value_shares(self.previous, overall))
        mechanisms = sorted(
            set(self.responding_mechanisms(self.current))
            | set(self.responding_mechanisms(self.previous)),
            key=self.acronym,
        )
        order = self.labels.order("thematic_areas_current")

        def label(codes: set[str]) -> list[str]:
            ordered = sorted(codes, key=lambda c: (order.get(c, len(order)), c))
            return [self.labels.value("thematic_areas_current", c) for c in ordered]

        rows = []
        for key in [*mechanisms, ALL]:
            if key == ALL:
                now = set().union(*themes_now.values()) if themes_now else set()
                before = set().union(*themes_before.values()) if themes_before else set()
                comparable = bool(themes_now) and bool(themes_before)
            else:
                now, before = themes_now.get(key, set()), themes_before.get(key, set())
                comparable = key in themes_now and key in themes_before
            share_now = percent(*shares_now.get(key, (0, 0)))
            share_before = percent(*shares_before.get(key, (0, 0)))
            rows.append({
                "mechanism": _("All mechanisms") if key == ALL else self.acronym(key),
                "key": key if key == ALL else self.acronym(key),
                "in_both_rounds": comparable,
                "themes_added": label(now - before) if comparable else None,
                "themes_dropped": label(before - now) if comparable else None,
                "contribution_previous": share_before, "contribution_current": share_now,
                "contribution_change": points(share_now, share_before),
                "added_value_shifts": self.shifts(value_now.get(key), value_before.get(key)),
            })  # fmt: skip
        contribution_levels = []
        now_rows = {(r["level"], r["audience"]): r for r in self.contribution()}
        before_levels = self.level_shares(self.previous)
        for level in LEVELS:
            current = now_rows[(level, ALL)]["percent"]
            contribution_levels.append({
                "level": level, "level_label": str(LEVEL_LABELS[level]),
                "previous": before_levels.get(level), "current": current,
                "change": points(current, before_levels.get(level)),
            })  # fmt: skip
        return {
            "previous_round": self.previous_round.name if self.previous_round else "",
            "response_rates": response_rates,
            "mechanisms": rows,
            "contribution_levels": contribution_levels,
            "added_value": self.shifts(value_now.get(ALL), value_before.get(ALL)),
        }

    def level_shares(self, figures: RoundFigures) -> dict[str, float | None]:
        shares = {}
        for level in LEVELS:
            counts = self.merged(
                figures.answers.tally(f"contribution_{level}", lambda k, a: k), ALL
            )
            shares[level] = percent(counts[("", "yes")], sum(counts.values()))
        return shares

    def definitions(self) -> list[str]:
        return [
            _(
                "Only submitted responses are counted; drafts and responses reopened for "
                "changes are left out."
            ),
            _(
                "Response rate by audience: participants with at least one submitted response, "
                "out of the participants of that audience in the round. By mechanism: whether "
                "the mechanism's own response was submitted, and the blocks about it submitted "
                "by member States (and organizations) out of the member States (and "
                "organizations with a role in it) taking part in the round, by the memberships "
                "in force on the closing day."
            ),
            _(
                "Region: the region of the mechanism, as recorded in the registry, for a "
                "mechanism's own response and for every block about a mechanism. A State's or "
                "an organization's once-answered response is about no mechanism and has no "
                "region; it is shown as “—”. Response rates by region count expected responses: "
                "each mechanism's own response and each block about it (in the mechanism's "
                "region), and each State's and organization's once-answered part (under “—”)."
            ),
            _(
                "Respondents: a mechanism's own response, and each block a State or an "
                "organization gave about one mechanism, count once each (a State answering "
                "about three mechanisms counts three times in per-mechanism questions). "
                "Percentages are of the respondents who answered the question; in "
                "multiple-choice questions they add up to more than 100 %."
            ),
            _(
                "Contribution: the share of respondents answering “yes” among those who "
                "answered the question for that level, with the most frequent kinds of "
                "contribution among those who reported one. In the comparison, a mechanism's "
                "share pools the five levels and every response about it."
            ),
            _(
                "Thematic matrix and structures: from the mechanisms' own submitted responses "
                "(current thematic areas; chair model and rotation, secretariat, funding "
                "sources, meeting frequency)."
            ),
            _(
                "Added value: values named at least once, most frequent first; equal counts "
                "share a rank and follow the questionnaire's order."
            ),
        ]

    def build(self) -> ReportData:
        rates = self.rates_by_audience(self.current)
        by_mechanism = self.rates_by_mechanism()
        return ReportData(
            round_name=self.round.name,
            round_slug=self.round.slug,
            round_year=self.round.year,
            language=self.language,
            generated_on=timezone.localdate(),
            previous_round_name=self.previous_round.name if self.previous_round else None,
            definitions=self.definitions(),
            response_rates_by_audience=rates,
            response_rates_by_region=self.rates_by_region(by_mechanism),
            response_rates_by_mechanism=by_mechanism,
            thematic_matrix=self.thematic_matrix(),
            contribution=self.contribution(),
            structures=self.structures(),
            partner_kinds=self.partner_kinds(),
            added_value=self.added_value(),
            frequencies=[self.frequency(code) for code in self.closed_codes()],
            comparison=self.comparison(rates),
        )


def round_report_data(
    survey_round: SurveyRound,
    *,
    previous_round: SurveyRound | None = None,
    language: str = "en",
) -> ReportData:
    """Every figure of the round report, in a fixed number of queries (see the module's doc)."""
    with translation.override(language):
        return Builder(survey_round, previous_round, language).build()
