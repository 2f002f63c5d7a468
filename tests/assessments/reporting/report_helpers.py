"""The rounds of the round report tests, and the helpers several of their modules share.

The small round (2024): mechanisms RCM and SACM answer, CMC does not. Member States: MX (RCM),
AR (SACM), DO (RCM and CMC) submit; CR (RCM) leaves a draft. UNHCR (observer of RCM and CMC)
submits. The previous round (2019): RCM, SACM, MX and AR.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

from assessments.questionnaires.models import Questionnaire
from assessments.responses.services import (
    participant_responses,
    participant_submit,
    response_save_answers,
)
from assessments.rounds.models import RoundParticipant, SurveyRound
from assessments.rounds.services.rounds import round_add_participant, round_create, round_open
from mechanisms.models import Mechanism, Organization, State

RCM_REGION = "North and Central America, Dominican Republic"

CURRENT = {
    "RCM": {
        "respondent_role": "SECRETARIAT",
        "thematic_areas_current": ["GOV", "LAB", "TIP"],
        "contribution_national": "yes",
        "contribution_national_types": ["NAT_POLICY", "NAT_CAPACITY"],
        "contribution_bilateral": "no",
        "contribution_regional": "yes",
        "contribution_regional_types": ["REG_ACTION_PLAN"],
        "chair_model": "PPT",
        "chair_rotation": "ANNUAL",
        "secretariat_type": "IOM",
        "funding_sources": ["MEMBER_CONTRIB", "IOM"],
        "meeting_frequency": "ANNUAL",
        "partner_types": ["UN_AGENCY", "CSO"],
        "partner_roles": {"UN_AGENCY": ["OBSERVER", "TECHNICAL_EXPERT"], "CSO": ["OBSERVER"]},
        "added_value": ["TRUST", "NETWORKING", "KNOWLEDGE"],
        "relevance": 5,
    },
    "SACM": {
        "thematic_areas_current": ["GOV", "MD"],
        "contribution_national": "dk",
        "contribution_regional": "yes",
        "contribution_regional_types": ["REG_DECLARATION", "REG_ACTION_PLAN"],
        "chair_model": "ROT",
        "chair_rotation": "ANNUAL",
        "secretariat_type": "IOM",
        "funding_sources": ["MEMBER_CONTRIB"],
        "meeting_frequency": "SEVERAL_A_YEAR",
        "partner_types": ["UN_AGENCY"],
        "partner_roles": {"UN_AGENCY": ["SPEAKER"]},
        "added_value": ["TRUST", "COMMON_UNDERSTANDING"],
        "relevance": 4,
    },
    # States and organizations: the once-answered part, then blocks by mechanism
    "MX": (
        {"institution": "SRE", "national_coordination": "yes"},
        {
            "RCM": {
                "participation_frequency": "ALL",
                "contribution_national": "yes",
                "contribution_national_types": ["NAT_POLICY"],
                "added_value": ["TRUST", "NETWORKING"],
                "relevance": 4,
            }
        },
    ),
    "AR": (
        {"institution": "DNM", "national_coordination": "no"},
        {
            "SACM": {
                "participation_frequency": "MOST",
                "contribution_national": "no",
                "contribution_regional": "yes",
                "contribution_regional_types": ["REG_ACTION_PLAN"],
                "added_value": ["NETWORKING"],
                "relevance": 3,
            }
        },
    ),
    "DO": (
        {"institution": "DGM", "national_coordination": "yes"},
        {
            "RCM": {
                "participation_frequency": "ALL",
                "contribution_national": "yes",
                "contribution_national_types": ["NAT_CAPACITY", "NAT_POLICY"],
                "added_value": ["TRUST", "CAPACITY"],
                "relevance": 5,
            },
            "CMC": {
                "participation_frequency": "RARELY",
                "contribution_national": "dk",
                "added_value": ["NETWORKING"],
                "relevance": 2,
            },
        },
    ),
    "UNHCR": (
        {"unit": "Protection"},
        {
            "RCM": {
                "organization_roles": ["OBSERVER"],
                "contribution_national": "no",
                "added_value": ["KNOWLEDGE"],
            },
            "CMC": {
                "organization_roles": ["OBSERVER", "TECHNICAL_EXPERT"],
                "added_value": ["TRUST"],
            },
        },
    ),
}
# Saved but never submitted: none of it may be counted.
DRAFT_CR = (
    {"institution": "DGME", "national_coordination": "no"},
    {"RCM": {"contribution_national": "yes", "added_value": ["PROJECTS", "TRUST"], "relevance": 1}},
)

PREVIOUS = {
    "RCM": {
        "thematic_areas_current": ["GOV", "LAB", "SOM"],
        "contribution_national": "yes",
        "added_value": ["TRUST"],
    },
    "SACM": {
        "thematic_areas_current": ["GOV", "MD"],
        "contribution_national": "no",
        "added_value": ["NETWORKING", "TRUST"],
    },
    "MX": (
        {"institution": "SRE"},
        {"RCM": {"contribution_national": "no", "added_value": ["TRUST"]}},
    ),
    "AR": (
        {"institution": "DNM"},
        {"SACM": {"contribution_national": "yes", "added_value": ["TRUST"]}},
    ),
}


def party(code: str) -> Mechanism | State | Organization:
    for model, field in ((Mechanism, "acronym"), (Organization, "acronym"), (State, "country")):
        found = model.objects.filter(**{field: code}).first()
        if found is not None:
            return found
    raise LookupError(code)


def new_round(slug: str, year: int, parties: list[str]) -> tuple[SurveyRound, dict]:
    today = datetime.date.today()
    survey_round = round_create(
        name=f"Assessment {year}", slug=slug, year=year,
        opens_on=today, closes_on=today + datetime.timedelta(days=30),
        questionnaires={q.audience: q for q in Questionnaire.objects.published()},
        with_default_participants=False,
    )  # fmt: skip
    participants = {
        code: round_add_participant(survey_round=survey_round, party=party(code))
        for code in parties
    }
    return round_open(survey_round=survey_round), participants


def answer(participant: RoundParticipant, answers: Any, *, submit: bool = True) -> None:
    once, blocks = answers if isinstance(answers, tuple) else (answers, {})
    for response in participant_responses(participant):
        values = blocks.get(response.mechanism.acronym, {}) if response.mechanism_id else once
        if values:
            response_save_answers(response=response, answers=values, expected_version=None)
    if submit:
        assert participant_submit(participant=participant) == {}


def ranking(rows: list[dict]) -> list[tuple]:
    return [(r["rank"], r["code"], r["count"], r["percent"]) for r in rows]


# A child program that reads the HTML and answers with a fixed "PDF", for tests that need a
# report's files but not WeasyPrint's layout.
STAND_IN_PDF = "import sys; sys.stdin.buffer.read(); sys.stdout.write('%PDF-1.7 again')"


def pdf_text(pdf: bytes) -> str:
    """The text of every page on one line (pypdf sometimes puts a space before a full stop)."""
    import re

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+([.,])", r"\1", " ".join(text.split()))
