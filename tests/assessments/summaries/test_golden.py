"""The 2019 EU–CELAC summary (shared/seeds/000), encoded as answers, comes back out as prose."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.shipped import load_shipped_questionnaires
from assessments.responses.services import (
    participant_responses,
    participant_submit,
    response_save_answers,
)
from assessments.rounds.models import RoundParticipant
from assessments.rounds.services.rounds import round_add_participant, round_create, round_open
from assessments.summaries.render import to_markdown
from assessments.summaries.services import summary_generate
from mechanisms.models import Mechanism, State
from mechanisms.services import load_reference_data, membership_create

pytestmark = pytest.mark.django_db

EIGHT_ADDED_VALUES = [
    "TRUST", "NETWORKING", "STAKEHOLDERS", "TECH_ADVICE", "KNOWLEDGE",
    "COMMON_UNDERSTANDING", "CAPACITY", "PROJECTS",
]  # fmt: skip

SECRETARIAT_ANSWERS = {
    "respondent_role": "CHAIR",
    "thematic_areas_current": ["GOV", "IRR", "MD"],
    "thematic_areas_at_establishment": ["GOV", "IRR", "MD"],
    "thematic_evolution": "The focus has been on migration between the European Union, "
    "Latin America and the Caribbean.",
    "contribution_national": "yes",
    "contribution_national_example": "The dialogue provided a forum for EU and CELAC countries "
    "to exchange best practices and lessons learned on migration issues.",
    "contribution_bilateral": "no",
    "contribution_regional": "dk",
    "contribution_interregional": "yes",
    "contribution_interregional_example": "It facilitated a bi-regional dialogue between two "
    "culturally, historically and economically inter-connected regions.",
    "operating_modalities": "ACTION_PLAN",
    "operating_modalities_document": "Chapter 4 (Migration) of the EU-CELAC Action Plan",
    "chair_model": "COCHAIR",
    "chair_functions": ["CONVENE_MEETINGS", "COMMUNICATE_WITH_MEMBERS"],
    "secretariat_type": "NONE",
    "knowledge_management": ["MEETINGS_EXCHANGE"],
    "funding_sources": ["CHAIR_HOST", "IN_KIND", "OTHER"],
    "funding_sources_other": "in-kind contributions from member organizations",
    "travel_costs": "OWN_COST",
    "partner_types": ["UN_AGENCY", "REC"],
    "partner_roles": {"UN_AGENCY": ["SPEAKER"], "REC": ["MEMBER"]},
    "partnership_description": "The dialogue brought together two regional unions (EU and CELAC) "
    "with long-standing cooperation to address migration issues of mutual interest.",
    "added_value": EIGHT_ADDED_VALUES,
}

STATE_BLOCK = {
    "participation_frequency": "ALL",
    "contribution_national": "yes",
    "contribution_interregional": "yes",
    "added_value": EIGHT_ADDED_VALUES,
    "covers_own_travel": "yes",
}


def answer_and_submit(participant: RoundParticipant, once: dict, per_mechanism: dict) -> None:
    for response in participant_responses(participant):
        answers = per_mechanism if response.mechanism_id else once
        response_save_answers(response=response, answers=answers, expected_version=None)
    assert participant_submit(participant=participant) == {}


@pytest.fixture
def eu_celac_round():
    load_reference_data(settings.REFERENCE_DATA_DIR)
    load_shipped_questionnaires()
    mechanism = Mechanism.objects.get(acronym="EU-CELAC")
    mechanism.status = Mechanism.Status.ACTIVE
    mechanism.save()
    states = [State.objects.get(country=code) for code in ("ES", "MX", "DE")]
    for state in states:
        membership_create(mechanism=mechanism, participant=state)
    today = datetime.date.today()
    survey_round = round_create(
        name="Assessment 2019", slug="assessment-2019", year=2019,
        opens_on=today, closes_on=today + datetime.timedelta(days=30),
        questionnaires={q.audience: q for q in Questionnaire.objects.published()},
        with_default_participants=False,
    )  # fmt: skip
    mechanism_participant = round_add_participant(survey_round=survey_round, party=mechanism)
    state_participants = [round_add_participant(survey_round=survey_round, party=s) for s in states]
    survey_round = round_open(survey_round=survey_round)
    answer_and_submit(mechanism_participant, SECRETARIAT_ANSWERS, {})
    for participant in state_participants:
        answer_and_submit(participant, {"institution": "Ministry of Foreign Affairs"}, STATE_BLOCK)
    return survey_round, mechanism


def test_the_eu_celac_summary_states_every_fact_of_the_2019_text(eu_celac_round):
    survey_round, mechanism = eu_celac_round
    summary = summary_generate(survey_round=survey_round, mechanism=mechanism, language="en")
    text = to_markdown(summary)
    facts = [
        # header, with the round's own figures
        "Summary of Findings per ISCM",
        "3 States, 1 ISCM and 0 intergovernmental organizations provided answers",
        "Name of the inter-State consultation mechanism (ISCM): EU-CELAC Structured and "
        "Comprehensive Bi-regional Dialogue on Migration",
        # 1. thematic focus: between the EU and LAC, unchanged since establishment
        "migration between the European Union, Latin America and the Caribbean",
        "These areas have remained unchanged since its establishment in 2009.",
        # 2. national: a forum to exchange best practices; interregional: a bi-regional dialogue
        "National level: A contribution was reported by the secretariat and 3 of 3 responding "
        "Member States.",
        "exchange best practices and lessons learned",
        "Interregional level: A contribution was reported by the secretariat and 3 of 3",
        "a bi-regional dialogue between two culturally, historically and economically "
        "inter-connected regions",
        # 3. structures
        "operating modalities are set out in its action plan: “Chapter 4 (Migration) of the "
        "EU-CELAC Action Plan”",
        "permanent co-chairs",
        "The chair convenes meetings and communicates with members.",
        "Knowledge is managed and shared through exchanges during meetings.",
        "Its sources of funding: chair or meeting host covers meeting costs, in-kind support",
        "in-kind contributions from member organizations",
        "Member States cover their own travel expenses to attend its meetings.",
        "3 of 3 responding Member States said they cover their own travel.",
        # 4. partnerships: two regional unions; UN agencies as speakers
        "two regional unions (EU and CELAC)",
        "as speaker",
        # 5. added value: the eight values of the seed, with counts
        "The 3 responding Member States valued their participation in this ISCM for "
        "trust-building (3 of 3), networking (3 of 3), access to more stakeholders (3 of 3), "
        "technical advice and policy guidance (3 of 3), knowledge (information, data) (3 of 3), "
        "common understandings and approaches to migration",
        "capacity building (3 of 3) and actual projects and programmes (3 of 3).",
    ]
    missing = [fact for fact in facts if fact not in text]
    assert not missing, f"missing facts: {missing}\n\n{text}"
    assert "UN agencies" in text and "regional economic communities and political unions" in text
    assert "No information was provided" not in text
    # the mechanism's own response and the blocks about it; not the States' once-answered parts
    used = set(summary.responses_used.values_list("pk", flat=True))
    submitted = survey_round.responses.filter(status="submitted")
    assert used == set(
        submitted.filter(participant__mechanism=mechanism).values_list("pk", flat=True)
    ) | set(submitted.filter(mechanism=mechanism).values_list("pk", flat=True))
    assert len(used) == 4


def test_generation_is_deterministic_and_idempotent(eu_celac_round):
    survey_round, mechanism = eu_celac_round
    first = summary_generate(survey_round=survey_round, mechanism=mechanism, language="en")
    text = to_markdown(first)
    second = summary_generate(survey_round=survey_round, mechanism=mechanism, language="en")
    assert second.pk == first.pk
    assert to_markdown(second) == text
    assert survey_round.summaries.count() == 1
