"""The round the summaries tests share (`world`, built once per test module), and helpers.

RCM is answered by its secretariat, three member States and two organizations ("many"), SACM
by one State and one organization ("one"), MTM by nobody ("zero": it gets no summary).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.db.models import Q
from django.urls import reverse

from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.shipped import load_shipped_questionnaires
from assessments.responses.models import Response
from assessments.responses.services import (
    participant_responses,
    participant_submit,
    response_reopen,
    response_save_answers,
    response_submit,
)
from assessments.rounds.models import RoundParticipant, SurveyRound
from assessments.rounds.services.rounds import round_add_participant, round_create, round_open
from assessments.summaries.compose import SummaryContent, compose_summary
from assessments.summaries.inputs import summary_inputs
from assessments.summaries.models import Summary
from assessments.summaries.services import summary_generate
from mechanisms.models import Mechanism, Organization, State

if not admin.site.is_registered(Summary):
    import assessments.admin  # noqa: F401  (registers the Summary and Job admins)

RCM_OWN = {
    "respondent_role": "SECRETARIAT",
    "thematic_areas_current": ["GOV", "LAB", "IRR", "TIP"],
    "thematic_areas_at_establishment": ["GOV", "IRR"],
    "thematic_evolution": "Labour mobility joined the agenda in 2015",
    "has_strategy": "YES",
    "strategy_title": "Strategic Plan 2019-2023",
    "strategy_since": 2019,
    "emerging_themes": ["ENV"],
    "gcm_objectives": ["GCM01", "GCM23"],
    "contribution_national": "yes",
    "contribution_national_types": ["NAT_POLICY", "NAT_CAPACITY"],
    "contribution_national_example": "Guidelines on labour migration were adopted nationally.",
    "contribution_bilateral": "no",
    "contribution_regional": "yes",
    "contribution_regional_types": ["REG_GUIDELINES"],
    "operating_modalities": "TERMS_OF_REFERENCE",
    "operating_modalities_document": "Rules of the Regional Conference on Migration",
    "chair_model": "PPT",
    "chair_rotation": "ANNUAL",
    "chair_functions": ["CONVENE_MEETINGS", "SET_AGENDA", "REPRESENT_EXTERNALLY"],
    "secretariat_type": "IOM",
    "secretariat_host": "the IOM office in San José",
    "subsidiary_bodies": ["CONSULTATION_GROUP"],
    "meeting_levels": ["VICE_MINISTERIAL", "SOM"],
    "meeting_frequency": "SEVERAL_A_YEAR",
    "decision_making": "CONSENSUS",
    "knowledge_management": ["WEBSITE", "PUBLICATIONS"],
    "funding_sources": ["MEMBER_CONTRIB", "IOM"],
    "travel_costs": "OWN_COST",
    "annual_budget": "100K_500K",
    "sustainability_challenges": ["FUNDING_PREDICTABILITY"],
    "partner_types": ["UN_AGENCY", "CSO"],
    "partner_roles": {"UN_AGENCY": ["OBSERVER", "TECHNICAL_EXPERT"], "CSO": ["OBSERVER"]},
    "partnership_description": "Civil society meets the vice-ministers once a year",
    "cooperating_mechanisms": ["SACM"],
    "global_processes": ["GFMD", "IMRF"],
    "added_value": ["TRUST", "GOOD_PRACTICES"],
    "added_value_example": "Members agreed on common return guidelines.",
    "relevance": 5,
}
RCM_STATES = {
    "MX": {
        "thematic_relevance": ["IRR", "LAB"],
        "contribution_national": "yes",
        "contribution_national_types": ["NAT_POLICY"],
        "contribution_national_example": "A national labour migration policy was drafted.",
        "contribution_regional": "yes",
        "added_value": ["TRUST", "NETWORKING", "KNOWLEDGE"],
        "added_value_example": "We met our neighbours' border officials.",
        "relevance": 5,
        "structure_satisfaction": 4,
        "covers_own_travel": "yes",
    },
    "GT": {
        "thematic_relevance": ["IRR"],
        "contribution_national": "no",
        "added_value": ["NETWORKING", "KNOWLEDGE", "CAPACITY"],
        "relevance": 3,
        "structure_satisfaction": 5,
        "covers_own_travel": "yes",
    },
    "HN": {
        "thematic_relevance": ["LAB", "RET"],
        "contribution_national": "yes",
        "contribution_national_types": ["NAT_POLICY", "NAT_DATA"],
        "added_value": ["KNOWLEDGE", "PROJECTS", "TRUST"],
        "relevance": 4,
        "structure_satisfaction": 2,
        "covers_own_travel": "no",
    },
}
RCM_ORGANIZATIONS = {
    "IOM": {
        "organization_roles": ["SECRETARIAT", "TECHNICAL_EXPERT"],
        "support_types": ["LOGISTICS", "RESEARCH_DATA"],
        "contribution_regional": "yes",
        "contribution_regional_example": "Regional guidelines on return were drafted.",
        "added_value": ["KNOWLEDGE"],
    },
    "ILO": {
        "organization_roles": ["OBSERVER", "TECHNICAL_EXPERT"],
        "support_types": ["SUBSTANTIVE_PAPERS"],
        "added_value": ["NETWORKING", "KNOWLEDGE"],
    },
}
SACM_STATE = {
    "thematic_relevance": ["MD"],
    "contribution_national": "yes",
    "added_value": ["TRUST"],
    "relevance": 4,
    "structure_satisfaction": 3,
    "covers_own_travel": "yes",
}
SACM_ORGANIZATION = {
    "organization_roles": ["SECRETARIAT"],
    "support_types": ["LOGISTICS"],
    "added_value": ["CAPACITY"],
}


@dataclass(frozen=True)
class World:
    round_id: int
    slug: str

    @property
    def survey_round(self) -> SurveyRound:
        return SurveyRound.objects.get(pk=self.round_id)

    def mechanism(self, acronym: str) -> Mechanism:
        return Mechanism.objects.get(acronym=acronym)


def answer_and_submit(participant: RoundParticipant, once: dict, per_mechanism: dict) -> None:
    """per_mechanism: acronym -> answers about that mechanism."""
    for response in participant_responses(participant):
        answers = per_mechanism[response.mechanism.acronym] if response.mechanism_id else once
        response_save_answers(response=response, answers=answers, expected_version=None)
    assert participant_submit(participant=participant) == {}


@pytest.fixture(scope="module")
def world(reference_registry, django_db_blocker) -> World:
    """Built inside reference_registry's module transaction, so it is rolled back with it."""
    with django_db_blocker.unblock():
        load_shipped_questionnaires()
        today = datetime.date.today()
        survey_round = round_create(
            name="Assessment 2025", slug="assessment-2025", year=2025,
            opens_on=today, closes_on=today + datetime.timedelta(days=30),
            questionnaires={q.audience: q for q in Questionnaire.objects.published()},
            with_default_participants=False,
        )  # fmt: skip
        add = round_add_participant
        mechanism_participants = {
            acronym: add(survey_round=survey_round, party=Mechanism.objects.get(acronym=acronym))
            for acronym in ("RCM", "SACM", "MTM")
        }
        states = {
            code: add(survey_round=survey_round, party=State.objects.get(country=code))
            for code in ("MX", "GT", "HN", "CO")
        }
        organizations = {
            acronym: add(survey_round=survey_round, party=Organization.objects.get(acronym=acronym))
            for acronym in ("IOM", "ILO")
        }
        survey_round = round_open(survey_round=survey_round)
        answer_and_submit(mechanism_participants["RCM"], RCM_OWN, {})
        for code, answers in RCM_STATES.items():
            answer_and_submit(
                states[code], {"institution": "Ministry of Foreign Affairs"}, {"RCM": answers}
            )
        answer_and_submit(states["CO"], {"institution": "Cancillería"}, {"SACM": SACM_STATE})
        answer_and_submit(
            organizations["IOM"], {}, {"RCM": RCM_ORGANIZATIONS["IOM"], "SACM": SACM_ORGANIZATION}
        )
        answer_and_submit(organizations["ILO"], {}, {"RCM": RCM_ORGANIZATIONS["ILO"]})
        return World(round_id=survey_round.pk, slug=survey_round.slug)


def compose(world: World, acronym: str, language: str = "en") -> SummaryContent:
    return compose_summary(summary_inputs(world.survey_round, world.mechanism(acronym)), language)


def generate(world: World, acronym: str, language: str = "en", **kwargs) -> Summary | None:
    return summary_generate(
        survey_round=world.survey_round, mechanism=world.mechanism(acronym), language=language,
        **kwargs,
    )  # fmt: skip


def block_of(world: World, party: str, acronym: str) -> Response:
    """The submitted per-mechanism response of a State (country code) or organization."""
    return Response.objects.get(
        Q(participant__state__country=party) | Q(participant__organization__acronym=party),
        round_id=world.round_id,
        mechanism__acronym=acronym,
    )


def change_answers(response: Response, answers: dict) -> None:
    response = response_reopen(response=response)
    response_save_answers(response=response, answers=answers, expected_version=None)
    response_submit(response=response)


def normalized(text: str) -> str:
    return " ".join(text.split())


SECTION_TITLES_EN = [
    "1. Evolution of programming and thematic focus",
    "2. Contribution to migration governance at national, (inter)regional and global levels "
    "(with examples)",
    "3. Salient ISCM structures",
    "4. Partnership models by the ISCM",
    "5. Added value of membership in the given ISCM for States and organizations (with examples)",
]


def docx_paragraphs(content: bytes) -> list[tuple[str, str]]:
    import docx

    return [(p.style.name, p.text) for p in docx.Document(io.BytesIO(content)).paragraphs]


def pdf_pages(content: bytes) -> list[str]:
    from pypdf import PdfReader

    assert content.startswith(b"%PDF")
    return [normalized(page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # CI sets a broker; run the tasks in-process here


def summary_url(world: World, acronym: str) -> str:
    return reverse("assessments:summary", args=[world.slug, acronym])
