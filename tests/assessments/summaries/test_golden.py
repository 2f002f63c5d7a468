"""The 2019 EU–CELAC summary (shared/seeds/000), encoded as answers, comes back out as prose."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from pathlib import Path

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
from assessments.summaries.markdown import plain_text
from assessments.summaries.render import to_markdown
from assessments.summaries.services import summary_generate
from mechanisms.models import Mechanism, State
from mechanisms.services import load_reference_data, membership_create

pytestmark = pytest.mark.django_db

# The published 2019 summary of EU-CELAC (shared/seeds/000), and a reference case of ours.
GOLDEN = Path(__file__).parent / "golden"
EU_CELAC_2019 = GOLDEN / "eu_celac_2019.txt"
BUDAPEST = GOLDEN / "budapest.txt"

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


def answered_round(
    mechanism: Mechanism, secretariat: dict, states: dict[str, dict], institution: str
):
    """A 2019 round of the shipped questionnaires in which the mechanism's secretariat and each
    member State (country code -> its block about the mechanism) submitted."""
    load_shipped_questionnaires()
    parties = {code: State.objects.get(country=code) for code in states}
    # The registry lists some of them already (the Budapest Process's Türkiye, Hungary,
    # Pakistan); the others become members here.
    listed = set(
        mechanism.memberships.current().filter(role="member").values_list("state", flat=True)
    )
    for state in parties.values():
        if state.pk not in listed:
            membership_create(mechanism=mechanism, participant=state)
    today = datetime.date.today()
    survey_round = round_create(
        name="Assessment 2019", slug="assessment-2019", year=2019,
        opens_on=today, closes_on=today + datetime.timedelta(days=30),
        questionnaires={q.audience: q for q in Questionnaire.objects.published()},
        with_default_participants=False,
    )  # fmt: skip
    own = round_add_participant(survey_round=survey_round, party=mechanism)
    participants = {
        code: round_add_participant(survey_round=survey_round, party=state)
        for code, state in parties.items()
    }
    survey_round = round_open(survey_round=survey_round)
    answer_and_submit(own, secretariat, {})
    for code, participant in participants.items():
        answer_and_submit(participant, {"institution": institution}, states[code])
    return survey_round


@pytest.fixture
def eu_celac_round():
    load_reference_data(settings.REFERENCE_DATA_DIR)
    mechanism = Mechanism.objects.get(acronym="EU-CELAC")
    mechanism.status = Mechanism.Status.ACTIVE
    mechanism.save()
    states = dict.fromkeys(("ES", "MX", "DE"), STATE_BLOCK)
    survey_round = answered_round(
        mechanism, SECRETARIAT_ANSWERS, states, "Ministry of Foreign Affairs"
    )
    return survey_round, mechanism


def test_the_eu_celac_summary_states_every_fact_of_the_2019_text(eu_celac_round):
    survey_round, mechanism = eu_celac_round
    summary = summary_generate(survey_round=survey_round, mechanism=mechanism, language="en")
    text = to_markdown(summary)
    facts = [
        # header, with the round's own figures (no "0 intergovernmental organizations")
        "Summary of Findings per ISCM",
        "3 States and 1 ISCM provided answers",
        "Name of the inter-State consultation mechanism (ISCM): EU-CELAC Structured and "
        "Comprehensive Bi-regional Dialogue on Migration",
        # 1. thematic focus: between the EU and LAC, unchanged since establishment
        "migration between the European Union, Latin America and the Caribbean",
        "These areas have remained unchanged since its establishment in 2009.",
        # 2. national: a forum to exchange best practices; interregional: a bi-regional dialogue
        "National level: The secretariat and all 3 Member States that answered reported a "
        "contribution.",
        "exchange best practices and lessons learned",
        "Interregional level: The secretariat and all 3 Member States that answered reported a "
        "contribution.",
        "a bi-regional dialogue between two culturally, historically and economically "
        "inter-connected regions",
        # 3. structures
        "Its operating modalities are set out in its action plan, “Chapter 4 (Migration) of the "
        "EU-CELAC Action Plan”.",
        "The EU-CELAC dialogue is led by permanent co-chairs.",
        "Its chair convenes meetings and communicates with members.",
        "Knowledge is shared through exchanges during meetings.",
        "Its funding comes from the chair or meeting host, in-kind support and “in-kind "
        "contributions from member organizations”.",
        "Member States cover their own travel expenses to attend its meetings.",
        "All 3 Member States that answered said they cover their own travel.",
        # 4. partnerships: two regional unions; UN agencies as speakers
        "two regional unions (EU and CELAC)",
        "UN agencies as speakers",
        # 5. added value: the eight values of the seed, all named by every State
        "All 3 Member States that answered value their participation in the EU-CELAC dialogue "
        "for trust-building, networking, access to more stakeholders, technical advice and "
        "policy guidance, knowledge, common understandings and approaches to migration issues, "
        "capacity building, and actual projects and programmes.",
        "The secretariat names the same benefits as the Member States.",
    ]
    missing = [fact for fact in facts if fact not in text]
    assert not missing, f"missing facts: {missing}\n\n{text}"
    assert "No information was provided" not in text
    # the mechanism's own response and the blocks about it; not the States' once-answered parts
    used = set(summary.responses_used.values_list("pk", flat=True))
    submitted = survey_round.responses.filter(status="submitted")
    assert used == set(
        submitted.filter(participant__mechanism=mechanism).values_list("pk", flat=True)
    ) | set(submitted.filter(mechanism=mechanism).values_list("pk", flat=True))
    assert len(used) == 4
    assert_reads_like(summary, EU_CELAC_2019)


def test_generation_is_deterministic_and_idempotent(eu_celac_round):
    survey_round, mechanism = eu_celac_round
    first = summary_generate(survey_round=survey_round, mechanism=mechanism, language="en")
    text = to_markdown(first)
    second = summary_generate(survey_round=survey_round, mechanism=mechanism, language="en")
    assert second.pk == first.pk
    assert to_markdown(second) == text
    assert survey_round.summaries.count() == 1


# --- reading like the reference text -----------------------------------------------------------

SENTENCE_END = re.compile(r"(?<=[.!?”])\s+(?=[A-Z“])")


def reference_sections(path: Path) -> str:
    """The prose of a reference text's five sections: from "1. Evolution" to the end, without
    the section titles (which may wrap onto a second line)."""
    text = path.read_text(encoding="utf-8")
    lines, in_title = [], False
    for line in text[text.index("1. Evolution") :].splitlines():
        line = line.strip()
        if re.match(r"\d\. [A-Z]", line):
            in_title = True
        elif not line:
            continue
        elif in_title and (line[0].islower() or line.startswith("(")):
            continue  # a title's second line
        else:
            in_title = False
            lines.append(line)
    return " ".join(" ".join(lines).split())


def openings(text: str) -> list[str]:
    sentences = [s for s in SENTENCE_END.split(" ".join(text.split())) if len(s.split()) > 2]
    return [s.split()[0].strip("“").lower() for s in sentences]


def longest_run(words: list[str]) -> int:
    """The most sentences in a row that start with the same word."""
    longest = run = 0
    for index, word in enumerate(words):
        run = run + 1 if index and word == words[index - 1] else 1
        longest = max(longest, run)
    return longest


def assert_reads_like(summary, reference: Path) -> None:
    """As long as the reference, give or take, and its sentences no more alike in how they
    start: the seed varies "The EU-CELAC dialogue", "It", "The ISCM", "Member States"."""
    ours = "\n".join(plain_text(text) for _n, text in summary.sections)
    theirs = reference_sections(reference)
    ours_words, their_words = len(ours.split()), len(theirs.split())
    assert 0.6 * their_words <= ours_words <= 1.6 * their_words, (ours_words, their_words)
    ours_openings, their_openings = openings(ours), openings(theirs)
    assert longest_run(ours_openings) <= max(2, longest_run(their_openings)), ours_openings
    share = Counter(ours_openings).most_common(1)[0][1] / len(ours_openings)
    their_share = Counter(their_openings).most_common(1)[0][1] / len(their_openings)
    assert share <= max(their_share, 0.25) + 0.1, (Counter(ours_openings), their_share)
    assert "the mechanism" not in " ".join(ours.lower().split(". ")[0:1])
    assert not re.search(r"(^|\. )The mechanism ", ours)


# --- a second reference case: the Budapest Process (golden/budapest.txt) ----------------------

BUDAPEST_SECRETARIAT = {
    "respondent_role": "SECRETARIAT",
    "thematic_areas_current": ["LAB", "MD", "IRR", "TIP", "SOM", "RET", "ASY", "INT"],
    "thematic_areas_at_establishment": ["IRR"],
    "thematic_evolution": "The Budapest Process started with a focus on irregular migration in "
    "Europe and has continuously widened its geographical and thematic scope.",
    "has_strategy": "YES",
    "strategy_title": "Istanbul Commitments on the Silk Routes Partnership for Migration",
    "strategy_since": 2019,
    "contribution_national": "yes",
    "contribution_national_types": ["NAT_CAPACITY"],
    "contribution_national_example": "Migrant Resource Centres in Islamabad and Lahore inform "
    "intending migrants about legal ways to work and study abroad.",
    "contribution_bilateral": "no",
    "contribution_interregional": "yes",
    "contribution_interregional_types": ["GLB_COMMON_POSITION"],
    "contribution_interregional_example": "It brings together countries of origin, transit and "
    "destination from Europe to the Silk Routes region.",
    "operating_modalities": "DECLARATION",
    "operating_modalities_document": "Istanbul Ministerial Declaration (2013)",
    "chair_model": "CHAIR_COCHAIR",
    "chair_rotation": "PERMANENT",
    "chair_functions": ["CONVENE_MEETINGS", "SET_AGENDA"],
    "secretariat_type": "ICMPD",
    "subsidiary_bodies": ["REGIONAL_WG"],
    "meeting_levels": ["MINISTERIAL", "SOM"],
    "meeting_frequency": "ANNUAL",
    "decision_making": "CONSENSUS",
    "funding_sources": ["EU", "MEMBER_CONTRIB"],
    "partner_types": ["UN_AGENCY", "OTHER_IGO"],
    "partner_roles": {"UN_AGENCY": ["OBSERVER", "SPEAKER"], "OTHER_IGO": ["OBSERVER", "SPEAKER"]},
}
BUDAPEST_STATES = {
    "TR": {"contribution_national": "yes", "contribution_interregional": "yes",
           "added_value": ["NETWORKING", "GOOD_PRACTICES"], "relevance": 5},
    "HU": {"contribution_national": "no", "contribution_interregional": "yes",
           "added_value": ["NETWORKING", "GOOD_PRACTICES"], "relevance": 5},
    "PK": {"contribution_national": "yes", "contribution_interregional": "yes",
           "added_value": ["NETWORKING", "PROJECTS"], "relevance": 4},
}  # fmt: skip


@pytest.fixture
def budapest_round():
    load_reference_data(settings.REFERENCE_DATA_DIR)
    mechanism = Mechanism.objects.get(acronym="BUDAPEST")
    survey_round = answered_round(
        mechanism, BUDAPEST_SECRETARIAT, BUDAPEST_STATES, "Ministry of Interior"
    )
    return survey_round, mechanism


BUDAPEST_SECTIONS = {
    "1": "The Budapest Process focuses on labour migration, migration and development, "
    "irregular and mixed migration, combating trafficking in persons, and 4 other areas. In the "
    "secretariat's words: “The Budapest Process started with a focus on irregular migration in "
    "Europe and has continuously widened its geographical and thematic scope.” According to its "
    "answers, it covered irregular and mixed migration at its establishment in 1993. It works "
    "under its “Istanbul Commitments on the Silk Routes Partnership for Migration”, adopted in "
    "2019.",
    "2": "National level: The secretariat and 2 of 3 Member States that answered reported a "
    "contribution, mainly through capacity building. The secretariat gives an example: "
    "“Migrant Resource Centres in Islamabad and Lahore inform intending migrants about legal "
    "ways to work and study abroad.”\n\n"
    "Interregional level: The secretariat and all 3 Member States that answered reported a "
    "contribution, mainly through common positions. In the words of the secretariat: “It "
    "brings together countries of origin, transit and destination from Europe to the Silk "
    "Routes region.”\n\n"
    "No contribution was reported at the bilateral level.",
    "3": "Its operating modalities are set out in a declaration, “Istanbul Ministerial "
    "Declaration (2013)”. The Budapest Process is led by a standing chair and co-chair. Its "
    "chair convenes meetings and sets the agenda. ICMPD provides the secretariat.\n\n"
    "It meets once a year at ministerial level and at senior officials' level. The ISCM has "
    "regional working groups. Decisions are taken by consensus.\n\n"
    "Its funding comes from Member State contributions and European Union funding.",
    "4": "The Budapest Process engages UN agencies and other intergovernmental organizations as "
    "observers and speakers.",
    "5": "Member States value their participation in the Budapest Process mainly for networking "
    "(3 of 3), exchange of good practices (2 of 3), and actual projects and programmes (1 of "
    "3).\n\n"
    "All 3 Member States that answered rated its relevance at 4 or 5 out of 5.",
}


def test_the_budapest_process_summary_states_every_fact_of_its_reference_and_no_other(
    budapest_round,
):
    survey_round, mechanism = budapest_round
    summary = summary_generate(survey_round=survey_round, mechanism=mechanism, language="en")
    sections = dict(summary.sections)
    assert sections == BUDAPEST_SECTIONS
    assert_reads_like(summary, BUDAPEST)
