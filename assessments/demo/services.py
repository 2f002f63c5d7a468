"""A demo round in the style of the 2019 assessment, so that the system can be explored.

22 mechanisms, 46 States and 3 organizations submitted (as in 2019), a few participants left
drafts, the others have not started. Answers come from `answer_generator`, seeded, and are
coherent with the registry: a State answers only about the mechanisms it is a current member
of (the real services decide which responses it owes). Everything goes through the real
services (round_create, round_open, participant_responses, response_save_answers,
participant_submit), so history rows and invitation statuses are those of real use.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from simple_history.utils import bulk_create_with_history

from assessments.demo.answers import generate_answers
from assessments.questionnaires.models import Audience, Questionnaire
from assessments.questionnaires.schema import QuestionnaireSchema
from assessments.questionnaires.selectors import published_questionnaires, questionnaire_schema
from assessments.questionnaires.shipped import load_shipped_questionnaires
from assessments.responses.models import Answer, Response
from assessments.responses.services import (
    participant_responses,
    participant_submit,
    response_save_answers,
    scope_of,
)
from assessments.rounds.models import (
    FocalPoint,
    Invitation,
    Notification,
    RoundParticipant,
    SurveyRound,
)
from assessments.rounds.services.rounds import round_create, round_open
from mechanisms.models import Mechanism, Membership
from mechanisms.services import load_reference_data

DEMO_SLUG = "iscm-assessment-2019"
DEMO_NAME = "ISCM assessment 2019 (demo)"
DEMO_YEAR = 2019
OPEN_DAYS = 30  # the round opened 30 days ago and closes in 30 days: open today
SUBMITTED = {Audience.MECHANISM: 22, Audience.STATE: 46, Audience.ORGANIZATION: 3}
DRAFTS = {Audience.MECHANISM: 3, Audience.STATE: 5, Audience.ORGANIZATION: 0}
PREFERRED_ORGANIZATIONS = ("IOM", "UNHCR", "ILO")  # the three that answered in 2019
DRAFT_SHARE = (0.3, 0.7)  # a draft keeps this share of a complete answer set
DRAFT_RESPONSES = 2  # a draft State filled in its once-section and at most one mechanism
SUBMIT_FAILED = "The generated answers of {party} could not be submitted: {errors}"

SPANISH = frozenset({
    "AR", "BO", "CL", "CO", "CR", "CU", "DO", "EC", "ES", "GQ", "GT", "HN", "MX", "NI", "PA",
    "PE", "PR", "PY", "SV", "UY", "VE",
})  # fmt: skip
FRENCH = frozenset({
    "BE", "BF", "BI", "BJ", "CD", "CF", "CG", "CI", "CM", "DJ", "DZ", "FR", "GA", "GN", "HT",
    "KM", "LU", "MA", "MC", "MG", "ML", "MR", "NE", "RW", "SN", "TD", "TG", "TN",
})  # fmt: skip
ORGANIZATION_LANGUAGES = {"SEGIB": "es", "ECLAC": "es", "AMU": "fr"}
FIRST_NAMES = {
    "en": ("Sarah", "James", "Amina", "David", "Grace", "Samuel", "Priya", "Michael", "Fatima",
           "Daniel", "Helen", "Kwame"),
    "fr": ("Marie", "Jean", "Aminata", "Pierre", "Fatou", "Olivier", "Claire", "Moussa",
           "Sophie", "Ibrahima", "Nadia", "Luc"),
    "es": ("María", "José", "Ana", "Carlos", "Lucía", "Javier", "Carmen", "Diego", "Isabel",
           "Andrés", "Valeria", "Jorge"),
}  # fmt: skip
LAST_NAMES = {
    "en": ("Mensah", "Thompson", "Okafor", "Williams", "Patel", "Nguyen", "Banda", "Clarke",
           "Haddad", "Kariuki", "Lindqvist", "Rahman"),
    "fr": ("Diallo", "Martin", "Traoré", "Dubois", "Ndiaye", "Lefèvre", "Koné", "Bernard", "Sow",
           "Moreau", "Benali", "Girard"),
    "es": ("González", "Rodríguez", "Fernández", "López", "Martínez", "Pérez", "Ramírez",
           "Torres", "Vargas", "Castro", "Morales", "Herrera"),
}  # fmt: skip


@dataclass
class DemoReport:
    created: bool
    slug: str = DEMO_SLUG
    submitted: dict[str, int] = field(default_factory=dict)  # participants, by audience
    drafts: int = 0
    not_started: int = 0
    answers: int = 0
    seconds: float = 0.0


@transaction.atomic
def load_demo(*, seed: int = 2019) -> DemoReport:
    """Create the demo round once; when it exists already, change nothing."""
    started = time.monotonic()
    if SurveyRound.objects.filter(slug=DEMO_SLUG).exists():
        return DemoReport(created=False, seconds=time.monotonic() - started)
    with translation.override("en"):  # texts and names must not depend on the active language
        survey_round = demo_round_create(demo_questionnaires())
        focal_point_create_missing(survey_round, seed=seed)
        survey_round = round_open(survey_round=survey_round)
        invitations_mark_sent(survey_round)
        answer_round(survey_round, seed=seed)
    report = demo_report(survey_round)
    report.seconds = time.monotonic() - started
    return report


# --- the round -------------------------------------------------------------------------------


def demo_questionnaires() -> dict[str, Questionnaire]:
    """The latest published shipped questionnaires, loading the registry and them if missing."""
    if not Mechanism.objects.exists():
        load_reference_data(settings.REFERENCE_DATA_DIR)
    found = latest_shipped()
    if len(found) < len(Audience.values):
        load_shipped_questionnaires()
        found = latest_shipped()
    return found


def latest_shipped() -> dict[str, Questionnaire]:
    """The shipped questionnaires' keys are their audiences (mechanism, state, organization)."""
    found = {}
    for audience in Audience.values:
        questionnaire = published_questionnaires(audience).filter(key=audience).first()
        if questionnaire is not None:
            found[audience] = questionnaire
    return found


def demo_round_create(questionnaires: dict[str, Questionnaire]) -> SurveyRound:
    today = timezone.localdate()
    return round_create(
        name=DEMO_NAME,
        slug=DEMO_SLUG,
        year=DEMO_YEAR,
        opens_on=today - datetime.timedelta(days=OPEN_DAYS),
        closes_on=today + datetime.timedelta(days=OPEN_DAYS),
        questionnaires=questionnaires,
    )


# --- focal points and invitations --------------------------------------------------------------


def party_key(row: RoundParticipant | FocalPoint) -> tuple[str, int]:
    return row.kind, getattr(row, f"{row.kind}_id")


def party_code(participant: RoundParticipant) -> str:
    """ISO code of a State, acronym of a mechanism or organization: stable, readable."""
    if participant.kind == Audience.STATE:
        return str(participant.state.country.code)
    return participant.party.acronym


def focal_point_create_missing(survey_round: SurveyRound, *, seed: int) -> int:
    """A fictitious focal point for every participant that has none yet (kept across rounds)."""
    participants = survey_round.participants.select_related("mechanism", "state", "organization")
    existing = {party_key(fp) for fp in FocalPoint.objects.all()}
    languages = mechanism_languages()
    new = [
        demo_focal_point(p, seed=seed, languages=languages)
        for p in participants
        if party_key(p) not in existing
    ]
    bulk_create_with_history(new, FocalPoint)
    return len(new)


def demo_focal_point(
    participant: RoundParticipant, *, seed: int, languages: dict[int, str]
) -> FocalPoint:
    code = party_code(participant)
    language = party_language(participant, code, languages)
    rng = random.Random(f"{seed}:focal-point:{participant.kind}:{code}")
    name = f"{rng.choice(FIRST_NAMES[language])} {rng.choice(LAST_NAMES[language])}"
    return FocalPoint(
        kind=participant.kind,
        mechanism_id=participant.mechanism_id,
        state_id=participant.state_id,
        organization_id=participant.organization_id,
        name=name,
        email=f"focal.point.{code.lower()}@example.org",
        language=language,
    )


def state_language(code: str) -> str:
    return "es" if code in SPANISH else "fr" if code in FRENCH else "en"


def party_language(participant: RoundParticipant, code: str, mechanisms: dict[int, str]) -> str:
    if participant.kind == Audience.STATE:
        return state_language(code)
    if participant.kind == Audience.MECHANISM:
        return mechanisms.get(participant.mechanism_id, "en")
    return ORGANIZATION_LANGUAGES.get(code, "en")


def mechanism_languages() -> dict[int, str]:
    """Each mechanism's most common language among its current member States (English on a tie)."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    members = Membership.objects.current().filter(role=Membership.Role.MEMBER, state__isnull=False)
    for mechanism_id, country in members.values_list("mechanism_id", "state__country"):
        counts[mechanism_id][state_language(country)] += 1
    return {
        mechanism_id: max(sorted(c), key=lambda lang: (c[lang], lang == "en"))
        for mechanism_id, c in counts.items()
    }


def invitations_mark_sent(survey_round: SurveyRound) -> None:
    """Record the invitations as already sent, without sending them.

    round_open queues the sending task on commit; run eagerly (make run, no broker) with the
    console email backend it would print 200+ emails to fictitious addresses. The email settings
    cannot be swapped safely at run time, and creating the focal points after the commit would
    leave every notification failed with "no focal point". So, inside the transaction, before
    the task runs, each invitation gets its "invitation" notification already marked sent (the
    unique key the task uses): the task then finds nothing pending and sends nothing.
    """
    now = timezone.now()
    emails: dict[tuple[str, int], list[str]] = defaultdict(list)
    for focal_point in FocalPoint.objects.order_by("pk"):
        emails[party_key(focal_point)].append(focal_point.email)
    invitations = Invitation.objects.filter(participant__round=survey_round)
    Notification.objects.bulk_create(
        Notification(
            invitation=invitation, kind=Notification.Kind.INVITATION, key="invitation",
            sent_at=now, recipients=emails[party_key(invitation.participant)],
        )
        for invitation in invitations.select_related("participant")
    )  # fmt: skip
    invitations.update(status=Invitation.Status.SENT, sent_at=now)


# --- answers -----------------------------------------------------------------------------------


def choose_respondents(survey_round: SurveyRound, rng: random.Random) -> dict[int, str]:
    """Participant id -> 'submitted' or 'draft'; the others do not answer."""
    plan: dict[int, str] = {}
    participants = survey_round.participants.select_related("mechanism", "state", "organization")
    by_kind: dict[str, list[RoundParticipant]] = defaultdict(list)
    for participant in participants:
        by_kind[participant.kind].append(participant)
    for kind in Audience.values:  # a fixed order: the draws do not depend on the database
        members = sorted(by_kind[kind], key=party_code)
        preferred = [p for p in members if kind == Audience.ORGANIZATION
                     and party_code(p) in PREFERRED_ORGANIZATIONS]  # fmt: skip
        others = [p for p in members if p not in preferred]
        wanted = SUBMITTED[kind] + DRAFTS[kind]
        chosen = preferred[: SUBMITTED[kind]]
        chosen += rng.sample(others, min(wanted - len(chosen), len(others)))
        for index, participant in enumerate(chosen):
            plan[participant.pk] = "submitted" if index < SUBMITTED[kind] else "draft"
    return plan


def answer_round(survey_round: SurveyRound, *, seed: int) -> None:
    plan = choose_respondents(survey_round, random.Random(seed))
    schemas = {
        audience: questionnaire_schema(survey_round.questionnaire_for(audience))
        for audience in Audience.values
    }
    contexts = mechanism_contexts(survey_round.year)
    roles = organization_roles()
    participants = survey_round.participants.select_related("mechanism", "state", "organization")
    for participant in participants.filter(pk__in=plan).order_by("kind", "pk"):
        facts = ParticipantFacts(participant, schemas[participant.kind], contexts, roles)
        answer_participant(facts, draft=plan[participant.pk] == "draft", seed=seed)


@dataclass
class ParticipantFacts:
    participant: RoundParticipant
    schema: QuestionnaireSchema
    contexts: dict[int, dict[str, Any]]  # by mechanism id
    roles: dict[tuple[int, int], list[str]]  # (organization id, mechanism id) -> roles

    def context(self, mechanism: Mechanism | None) -> dict[str, Any]:
        participant = self.participant
        if participant.kind == Audience.MECHANISM:
            return self.contexts[participant.mechanism_id]
        context = dict(self.contexts[mechanism.pk]) if mechanism else {"year": DEMO_YEAR}
        if participant.kind == Audience.STATE:
            context["respondent"] = participant.state.display_name
        elif mechanism is not None:
            context["roles"] = self.roles.get((participant.organization_id, mechanism.pk), [])
        return context


def answer_participant(facts: ParticipantFacts, *, draft: bool, seed: int) -> None:
    participant = facts.participant
    for index, response in enumerate(participant_responses(participant)):
        about = response.mechanism.acronym if response.mechanism_id else "once"
        rng = random.Random(f"{seed}:{participant.kind}:{party_code(participant)}:{about}")
        answers = generate_answers(
            facts.schema, rng, scope=scope_of(response), context=facts.context(response.mechanism)
        )
        if draft:
            answers = first_part(answers, rng) if index < DRAFT_RESPONSES else {}
        if answers:
            response_save_answers(
                response=response, answers=answers, expected_version=None, schema=facts.schema
            )
    if not draft:
        errors = participant_submit(participant=participant)
        if errors:
            party = party_code(participant)
            raise RuntimeError(SUBMIT_FAILED.format(party=party, errors=errors))


def first_part(answers: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The answers of a respondent who stopped part-way: a prefix in display order, so every
    kept dependent question keeps the answer it depends on."""
    keep = round(len(answers) * rng.uniform(*DRAFT_SHARE))
    return dict(list(answers.items())[:keep])


def mechanism_contexts(year: int) -> dict[int, dict[str, Any]]:
    """Registry facts of every mechanism, for `generate_answers` (three queries)."""
    mechanisms = Mechanism.objects.select_related("chair_model", "secretariat_type")
    mechanisms = mechanisms.prefetch_related("thematic_areas__gcm_objectives")
    return {mechanism.pk: mechanism_context(mechanism, year) for mechanism in mechanisms}


def mechanism_context(mechanism: Mechanism, year: int) -> dict[str, Any]:
    areas = sorted(mechanism.thematic_areas.all(), key=lambda a: (a.position, a.code))
    objectives = sorted({o.number: o.code for a in areas for o in a.gcm_objectives.all()}.items())
    return {
        "acronym": mechanism.acronym,
        "name": mechanism.name,
        "kind": mechanism.kind,
        "thematic_areas": [area.code for area in areas],
        "gcm_objectives": [code for _number, code in objectives],
        "chair_model": mechanism.chair_model.code if mechanism.chair_model else None,
        "secretariat_type": mechanism.secretariat_type.code if mechanism.secretariat_type else None,
        "secretariat_host": mechanism.secretariat_host,
        "established": mechanism.established,
        "members": mechanism.member_count_reported,
        "year": year,
    }


def organization_roles() -> dict[tuple[int, int], list[str]]:
    roles: dict[tuple[int, int], list[str]] = defaultdict(list)
    current = Membership.objects.current().filter(organization__isnull=False).order_by("role")
    for organization_id, mechanism_id, role in current.values_list(
        "organization_id", "mechanism_id", "role"
    ):
        roles[(organization_id, mechanism_id)].append(role)
    return roles


# --- the report ----------------------------------------------------------------------------------


def demo_report(survey_round: SurveyRound) -> DemoReport:
    """Participants by progress: all responses submitted, some answers (draft), none (one query
    for the participants, one for the answers)."""
    report = DemoReport(created=True, submitted={kind: 0 for kind in Audience.values})
    participants = survey_round.participants.annotate(
        total=Count("responses"),
        done=Count("responses", filter=Q(responses__status=Response.Status.SUBMITTED)),
    ).values_list("kind", "total", "done")
    for kind, total, done in participants:
        if total and total == done:
            report.submitted[kind] += 1
        elif total:
            report.drafts += 1
        else:
            report.not_started += 1
    report.answers = Answer.objects.filter(response__round=survey_round).count()
    return report
