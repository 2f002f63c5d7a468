"""A synthetic round at global scale, inserted in bulk.

The round has `states` States (those with reference memberships first, then by ISO code),
`mechanisms` mechanisms (the active reference ones, then synthetic `BENCH-001`, ...) and
`organizations × scale` synthetic organizations (`BENCH-ORG-00001`, ...) engaged with every
mechanism: the scale knob multiplies responses through them, since a round's participants are
unique per party and there are only 249 ISO countries. Each State is a current member of 1 to 10
of the round's mechanisms: its reference memberships, plus synthetic ones up to a drawn number.

Every participant answers completely and has submitted: answers come from `generate_answers`
(valid, complete, coherent with the registry) and become rows through `rows_for`, as the
response service stores them. Rows are inserted in bulk: `bulk_create` in large batches, and the
answers through PostgreSQL's COPY (`bulk_create` on other databases). Seeded rows get no history
rows (simple_history records only what goes through `save()`).
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_countries import countries

from assessments.demo.answers import generate_answers
from assessments.demo.services import demo_questionnaires, mechanism_contexts, organization_roles
from assessments.questionnaires.models import Audience, Question, Questionnaire
from assessments.questionnaires.schema import OTHER_SUFFIX, QuestionnaireSchema
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses.models import Answer, Response
from assessments.responses.services import rows_for
from assessments.rounds.models import Invitation, RoundParticipant, SurveyRound
from assessments.rounds.services.rounds import round_create
from mechanisms.models import Mechanism, Membership, Organization, State, Term, ThematicArea

SLUG = "bench-x{scale}"
SYNTHETIC_MECHANISM = "BENCH-{:03d}"
SYNTHETIC_ORGANIZATION = "BENCH-ORG-{:05d}"
SYNTHETIC_PREFIX = "BENCH-"
MAX_STATES = len(countries)  # 249 ISO 3166-1 codes
# How many of the round's mechanisms a State belongs to, from 1 to 10: mostly a few (the
# reference registry has 1 to 7 per State, most often 1 to 3).
MEMBERSHIP_WEIGHTS = (22, 18, 15, 12, 10, 8, 6, 4, 3, 2)
MECHANISM_KINDS = ("rcp", "rcp", "rcp", "interregional_forum")
BATCH = 5000
ANSWER_TABLE = Answer._meta.db_table
ANSWER_COLUMNS = ("response_id", "question_id", "row", "choice", "text", "number", "date")
ROUND_OPEN_DAYS = 30
# Tables the reset empties: everything the registry, the rounds and the web sessions hold.
RESET_PREFIXES = ("assessments_", "mechanisms_", "django_session", "axes_")


@dataclass(frozen=True)
class SeedSpec:
    states: int = 193
    mechanisms: int = 60
    organizations: int = 20  # per unit of scale
    scale: int = 1
    seed: int = 2024

    @property
    def organization_count(self) -> int:
        return self.organizations * self.scale

    @property
    def slug(self) -> str:
        return SLUG.format(scale=self.scale)

    @property
    def name(self) -> str:
        """Also tells a reused round from one seeded with other parameters."""
        return (
            f"Benchmark x{self.scale}: {self.states} States, {self.mechanisms} mechanisms, "
            f"{self.organization_count} organizations (seed {self.seed})"
        )


@dataclass
class SeedResult:
    survey_round: SurveyRound
    participants: dict[str, int]
    responses: int
    answers: int
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step


@dataclass(frozen=True)
class Planned:
    """A response to answer: light enough to hold 100,000 of them."""

    response_id: int
    participant: RoundParticipant
    mechanism_id: int | None


def rng_for(spec: SeedSpec, *parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (spec.seed, *parts)))


# --- the whole round ------------------------------------------------------------------------


def seed_round(spec: SeedSpec) -> SeedResult:
    """Create the round `spec.slug` (it must not exist) with every answer; one transaction."""
    started = time.perf_counter()
    steps: dict[str, float] = {}
    with transaction.atomic():
        mark = time.perf_counter()
        questionnaires = demo_questionnaires()  # loads the registry and questionnaires if missing
        mechanisms = bench_mechanisms(spec)
        states = bench_states(spec, mechanisms)
        organizations = bench_organizations(spec, mechanisms)
        steps["registry"], mark = time.perf_counter() - mark, time.perf_counter()
        survey_round = bench_round_create(spec, questionnaires)
        participants = participants_create(survey_round, mechanisms, states, organizations)
        plan = responses_create(survey_round, participants, mechanisms)
        steps["responses"], mark = time.perf_counter() - mark, time.perf_counter()
        answers = answers_create(survey_round, plan, spec)
        steps["answers"], mark = time.perf_counter() - mark, time.perf_counter()
    analyze()
    steps["analyze"] = time.perf_counter() - mark
    counts = {kind: 0 for kind in Audience.values}
    for participant in participants:
        counts[participant.kind] += 1
    return SeedResult(
        survey_round=survey_round,
        participants=counts,
        responses=len(plan),
        answers=answers,
        seconds=time.perf_counter() - started,
        steps=steps,
    )


def analyze() -> None:
    """Fresh planner statistics after a bulk load (autovacuum would get there, later)."""
    if connection.vendor != "postgresql":
        return
    tables = [Answer, Response, RoundParticipant, Invitation, Membership]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(m._meta.db_table for m in tables))


def reset_data() -> None:
    """Empty the registry, rounds and sessions of the (benchmark) database: PostgreSQL only.
    The caller makes sure this is the benchmark's own database."""
    prefixes = RESET_PREFIXES
    tables = [t for t in connection.introspection.table_names() if t.startswith(prefixes)]
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables) + " CASCADE"
        )
    from assessments.questionnaires.selectors import _published_schemas

    _published_schemas.clear()  # ids are reused after a reset


# --- the registry ---------------------------------------------------------------------------


def bench_mechanisms(spec: SeedSpec) -> list[Mechanism]:
    """The active reference mechanisms (by acronym), then synthetic ones up to `spec.mechanisms`."""
    reference = list(
        Mechanism.objects.active()
        .exclude(acronym__startswith=SYNTHETIC_PREFIX)
        .order_by("acronym")[: spec.mechanisms]
    )
    acronyms = [
        SYNTHETIC_MECHANISM.format(n) for n in range(1, spec.mechanisms - len(reference) + 1)
    ]
    existing = set(Mechanism.objects.filter(acronym__in=acronyms).values_list("acronym", flat=True))
    missing = [a for a in acronyms if a not in existing]
    if missing:
        synthetic_mechanisms_create(spec, missing)
    synthetic = Mechanism.objects.filter(acronym__in=acronyms).order_by("acronym")
    return reference + list(synthetic)


def synthetic_mechanisms_create(spec: SeedSpec, acronyms: list[str]) -> None:
    """Mechanisms that look like the reference ones: a kind, a region, a chair model and
    secretariat type, and 3 to 8 thematic areas."""
    regions = sorted(
        set(Mechanism.objects.exclude(region="").values_list("region", flat=True))
    ) or ["Global"]
    chair_models = list(Term.objects.filter(vocabulary__name="chair_models").order_by("pk"))
    secretariats = list(Term.objects.filter(vocabulary__name="secretariat_types").order_by("pk"))
    areas = list(ThematicArea.objects.order_by("pk"))
    mechanisms, area_picks = [], {}
    for acronym in acronyms:
        rng = rng_for(spec, "mechanism", acronym)
        mechanisms.append(
            Mechanism(
                acronym=acronym,
                name=f"Benchmark Consultation Process {acronym[len(SYNTHETIC_PREFIX) :]}",
                kind=rng.choice(MECHANISM_KINDS),
                established=rng.randint(1990, 2016),
                region=rng.choice(regions),
                chair_model=rng.choice(chair_models) if chair_models else None,
                secretariat_type=rng.choice(secretariats) if secretariats else None,
                provenance="benchmark",
            )
        )
        area_picks[acronym] = rng.sample(areas, min(len(areas), rng.randint(3, 8)))
    Mechanism.objects.bulk_create(mechanisms, batch_size=BATCH)
    through = Mechanism.thematic_areas.through
    through.objects.bulk_create(
        through(mechanism_id=mechanism.pk, thematicarea_id=area.pk)
        for mechanism in Mechanism.objects.filter(acronym__in=acronyms)
        for area in area_picks[mechanism.acronym]
    )


def current_members(mechanisms: list[Mechanism]) -> dict[int, set[int]]:
    """State id -> the round's mechanisms it is a current member of."""
    found: dict[int, set[int]] = defaultdict(set)
    rows = Membership.objects.current().filter(
        role=Membership.Role.MEMBER, state__isnull=False, mechanism__in=mechanisms
    )
    for state_id, mechanism_id in rows.values_list("state_id", "mechanism_id"):
        found[state_id].add(mechanism_id)
    return found


def bench_states(spec: SeedSpec, mechanisms: list[Mechanism]) -> list[State]:
    """`spec.states` States, those already members of a round mechanism first, each made a
    member of 1 to 10 of the round's mechanisms."""
    State.objects.bulk_create(
        [State(country=code) for code, _name in countries], ignore_conflicts=True
    )
    members = current_members(mechanisms)
    states = sorted(State.objects.all(), key=lambda s: (s.pk not in members, str(s.country)))
    states = states[: spec.states]
    mechanism_ids = [m.pk for m in mechanisms]
    new = []
    for state in states:
        rng = rng_for(spec, "state", state.country)
        wanted = rng.choices(range(1, 11), weights=MEMBERSHIP_WEIGHTS)[0]
        have = members.get(state.pk, set())
        pool = [pk for pk in mechanism_ids if pk not in have]
        for mechanism_id in rng.sample(pool, max(0, min(wanted, len(mechanism_ids)) - len(have))):
            new.append(Membership(mechanism_id=mechanism_id, state=state))
    Membership.objects.bulk_create(new, batch_size=BATCH)
    return states


def bench_organizations(spec: SeedSpec, mechanisms: list[Mechanism]) -> list[Organization]:
    """`organizations × scale` synthetic organizations, observers of every round mechanism."""
    acronyms = [SYNTHETIC_ORGANIZATION.format(n) for n in range(1, spec.organization_count + 1)]
    wanted = set(acronyms)
    existing = {
        o.acronym for o in Organization.objects.filter(acronym__startswith=SYNTHETIC_PREFIX)
    }
    Organization.objects.bulk_create(
        [
            Organization(acronym=a, name=f"Benchmark organization {a[-5:]}", kind="igo")
            for a in acronyms
            if a not in existing
        ],
        batch_size=BATCH,
    )
    organizations = sorted(
        (o for o in Organization.objects.filter(acronym__startswith=SYNTHETIC_PREFIX)
         if o.acronym in wanted),
        key=lambda o: o.acronym,
    )  # fmt: skip
    engaged = set(
        Membership.objects.current()
        .filter(organization__acronym__startswith=SYNTHETIC_PREFIX, mechanism__in=mechanisms)
        .values_list("organization_id", "mechanism_id")
    )
    Membership.objects.bulk_create(
        [
            Membership(mechanism=m, organization=o, role=Membership.Role.OBSERVER)
            for o in organizations
            for m in mechanisms
            if (o.pk, m.pk) not in engaged
        ],
        batch_size=BATCH,
    )
    return organizations


# --- the round, its participants and responses -------------------------------------------------


def bench_round_create(spec: SeedSpec, questionnaires: dict[str, Questionnaire]) -> SurveyRound:
    """An open round (autosave needs one), with no default participants."""
    today = timezone.localdate()
    survey_round = round_create(
        name=spec.name,
        slug=spec.slug,
        year=today.year,
        opens_on=today - datetime.timedelta(days=ROUND_OPEN_DAYS),
        closes_on=today + datetime.timedelta(days=ROUND_OPEN_DAYS),
        questionnaires=questionnaires,
        with_default_participants=False,
    )
    SurveyRound.objects.filter(pk=survey_round.pk).update(
        status=SurveyRound.Status.OPEN, opened_at=timezone.now()
    )
    survey_round.refresh_from_db()
    return survey_round


def participants_create(
    survey_round: SurveyRound,
    mechanisms: list[Mechanism],
    states: list[State],
    organizations: list[Organization],
) -> list[RoundParticipant]:
    """The participants, each with an invitation already sent and opened."""
    rows = (
        [RoundParticipant(round=survey_round, kind=Audience.MECHANISM, mechanism=m) for m in mechanisms]
        + [RoundParticipant(round=survey_round, kind=Audience.STATE, state=s) for s in states]
        + [RoundParticipant(round=survey_round, kind=Audience.ORGANIZATION, organization=o)
           for o in organizations]
    )  # fmt: skip
    RoundParticipant.objects.bulk_create(rows, batch_size=BATCH)
    participants = list(
        RoundParticipant.objects.filter(round=survey_round)
        .select_related("mechanism", "state", "organization")
        .order_by("pk")
    )
    now = timezone.now()
    Invitation.objects.bulk_create(
        [
            Invitation(
                participant=p,
                status=Invitation.Status.SUBMITTED,
                sent_at=now,
                opened_at=now,
                expires_at=now + datetime.timedelta(days=2 * ROUND_OPEN_DAYS),
            )
            for p in participants
        ],
        batch_size=BATCH,
    )
    return participants


def answered_about(mechanisms: list[Mechanism]) -> dict[tuple[str, int], list[int]]:
    """(kind, party id) -> ids of the round mechanisms it answers about, by acronym, as
    `responses.mechanisms_answered_about` decides: a State's where it is a current member, an
    organization's where it has any current role."""
    acronyms = {m.pk: m.acronym for m in mechanisms}
    found: dict[tuple[str, int], set[int]] = defaultdict(set)
    current = Membership.objects.current().filter(mechanism__in=mechanisms)
    for state_id, mechanism_id in current.filter(
        role=Membership.Role.MEMBER, state__isnull=False
    ).values_list("state_id", "mechanism_id"):
        found[(Audience.STATE, state_id)].add(mechanism_id)
    for organization_id, mechanism_id in current.filter(organization__isnull=False).values_list(
        "organization_id", "mechanism_id"
    ):
        found[(Audience.ORGANIZATION, organization_id)].add(mechanism_id)
    return {key: sorted(ids, key=acronyms.__getitem__) for key, ids in found.items()}


def party_id(participant: RoundParticipant) -> int:
    return getattr(participant, f"{participant.kind}_id")


def responses_create(
    survey_round: SurveyRound, participants: list[RoundParticipant], mechanisms: list[Mechanism]
) -> list[Planned]:
    """Every response the participants owe (once-answered first, then one per mechanism by
    acronym, as `participant_responses` creates them), submitted."""
    schemas = {a: questionnaire_schema(survey_round.questionnaire_for(a)) for a in Audience.values}
    about = answered_about(mechanisms)
    now = timezone.now()
    pending: list[tuple[Response, RoundParticipant]] = []
    plan: list[Planned] = []
    for participant in participants:
        schema = schemas[participant.kind]
        mechanism_ids: list[int | None] = []
        if any(not section.per_mechanism for section in schema.sections):
            mechanism_ids.append(None)
        if schema.has_per_mechanism_sections:
            mechanism_ids += about.get((participant.kind, party_id(participant)), [])
        for mechanism_id in mechanism_ids:
            response = Response(
                round=survey_round, participant=participant, mechanism_id=mechanism_id,
                questionnaire_id=schema.id, status=Response.Status.SUBMITTED, version=2,
                submitted_at=now,
            )  # fmt: skip
            pending.append((response, participant))
        if len(pending) >= BATCH:
            plan += responses_insert(pending)
            pending = []
    return plan + responses_insert(pending)


def responses_insert(pending: list[tuple[Response, RoundParticipant]]) -> list[Planned]:
    Response.objects.bulk_create([response for response, _p in pending])
    return [Planned(r.pk, p, r.mechanism_id) for r, p in pending]


# --- answers --------------------------------------------------------------------------------


def answers_create(survey_round: SurveyRound, plan: list[Planned], spec: SeedSpec) -> int:
    """Generate and insert every answer row; returns how many."""
    rows = AnswerSource(survey_round, spec).rows(plan)
    if connection.vendor == "postgresql":
        return copy_rows(rows)
    count = 0
    batch: list[Answer] = []
    for values in rows:
        batch.append(Answer(**dict(zip(ANSWER_COLUMNS, values, strict=True))))
        if len(batch) >= BATCH:
            count += len(Answer.objects.bulk_create(batch))
            batch = []
    return count + len(Answer.objects.bulk_create(batch))


def copy_rows(rows: Iterable[tuple]) -> int:
    """COPY the rows into the answer table, streamed: the rows must come without a query, as
    the connection belongs to the COPY until it ends."""
    count = 0
    sql = f"COPY {ANSWER_TABLE} ({', '.join(ANSWER_COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


class AnswerSource:
    """Everything answers are generated from, read up front, so that `rows` runs no query."""

    def __init__(self, survey_round: SurveyRound, spec: SeedSpec) -> None:
        self.spec = spec
        self.year = survey_round.year
        self.schemas = {
            a: questionnaire_schema(survey_round.questionnaire_for(a)) for a in Audience.values
        }
        self.question_ids = {
            audience: dict(
                Question.objects.filter(questionnaire_id=schema.id).values_list("code", "pk")
            )
            for audience, schema in self.schemas.items()
        }
        self.contexts = mechanism_contexts(self.year)
        self.roles = organization_roles()
        self.acronyms = {pk: context["acronym"] for pk, context in self.contexts.items()}

    def rows(self, plan: list[Planned]) -> Iterator[tuple]:
        """(response_id, question_id, row, choice, text, number, date) of every answer."""
        for planned in plan:
            schema = self.schemas[planned.participant.kind]
            ids = self.question_ids[planned.participant.kind]
            for row in answer_objects(self.answers(planned), schema, ids):
                yield (planned.response_id, row.question_id, row.row, row.choice, row.text,
                       row.number, row.date)  # fmt: skip

    def answers(self, planned: Planned) -> dict[str, Any]:
        """The same answers for the same seed, whatever the database ids."""
        participant, mechanism_id = planned.participant, planned.mechanism_id
        about = self.acronyms[mechanism_id] if mechanism_id else "once"
        rng = rng_for(self.spec, participant.kind, party_code(participant), about)
        return generate_answers(
            self.schemas[participant.kind],
            rng,
            scope="per_mechanism" if mechanism_id else "once",
            context=self.context(participant, mechanism_id),
        )

    def context(self, participant: RoundParticipant, mechanism_id: int | None) -> dict[str, Any]:
        """The registry facts `generate_answers` makes its answers coherent with."""
        if participant.kind == Audience.MECHANISM:
            return self.contexts[participant.mechanism_id]
        context = dict(self.contexts[mechanism_id]) if mechanism_id else {"year": self.year}
        if participant.kind == Audience.STATE:
            context["respondent"] = participant.state.display_name
        elif mechanism_id is not None:
            context["roles"] = self.roles.get((participant.organization_id, mechanism_id), [])
        return context


def party_code(participant: RoundParticipant) -> str:
    if participant.kind == Audience.STATE:
        return str(participant.state.country)
    return participant.party.acronym


def answer_objects(
    answers: dict[str, Any], schema: QuestionnaireSchema, question_ids: dict[str, int]
) -> list[Answer]:
    """The rows `responses.write_answers` would store for these (valid) answers."""
    rows: list[Answer] = []
    for code, value in answers.items():
        if code.endswith(OTHER_SUFFIX) and code not in schema.questions:
            base = question_ids[code[: -len(OTHER_SUFFIX)]]
            rows.append(Answer(question_id=base, row=OTHER_SUFFIX, text=value))
        else:
            rows += rows_for(question_ids[code], schema.questions[code].type, value)
    return rows
