"""Per-mechanism summaries: wording, the five sections, lifecycle, outputs, languages, jobs.

One round is built once for the module (see `world`): RCM is answered by its secretariat, three
member States and two organizations ("many"), SACM by one State and one organization ("one"),
MTM by nobody ("zero").
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from assessments.jobs import services as jobs
from assessments.jobs.models import Job, JobItem
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
from assessments.summaries.compose import SummaryContent, compose_summary, section_titles
from assessments.summaries.inputs import summary_inputs
from assessments.summaries.models import Summary
from assessments.summaries.render import to_docx, to_markdown, to_pdf
from assessments.summaries.services import (
    summaries_job_start,
    summary_edit_section,
    summary_generate,
    summary_publish,
)
from assessments.summaries.tasks import generate_round_summaries_task, generate_summary_task
from assessments.summaries.wording import (
    join_list,
    lower_first,
    of_organizations,
    of_states,
    quote,
    sentence,
    with_count,
)
from mechanisms.models import Mechanism, Organization, State, Term, ThematicArea

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


def generate(world: World, acronym: str, language: str = "en", **kwargs) -> Summary:
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


# --- wording (no database) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], ""),
        (["networking"], "networking"),
        (["networking", "trust-building"], "networking and trust-building"),
        (["a", "b", "c"], "a, b and c"),
        (["a", "", "b"], "a and b"),
    ],
)
def test_join_list_joins_none_one_two_and_three_items(items, expected):
    with translation.override("en"):
        assert join_list(items) == expected


@pytest.mark.parametrize("language", ["fr", "es"])
def test_join_list_uses_the_conjunction_of_the_language(language):
    with translation.override(language):
        conjunction = gettext("and")
        assert join_list(["a"]) == "a"
        assert join_list(["a", "b"]) == f"a {conjunction} b"
        assert join_list(["a", "b", "c"]) == f"a, b {conjunction} c"


def test_join_list_separates_items_that_have_commas_of_their_own_with_semicolons():
    governance = "migration governance, policy and legislation"
    trafficking = "combating trafficking in persons; victim protection"
    with translation.override("en"):
        assert join_list([governance, "networking", trafficking]) == (
            "migration governance, policy and legislation; networking; "
            "and combating trafficking in persons, victim protection"
        )
        # commas inside brackets are no reason; two items need no separator
        assert join_list(["knowledge (information, data)", "a", "b"]) == (
            "knowledge (information, data), a and b"
        )
        assert join_list([governance, trafficking]) == f"{governance} and {trafficking}"
    with translation.override("fr"):
        assert join_list(["a, b", "c", "d"]) == f"a, b\u00a0; c {gettext('and')} d"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Trust-building", "trust-building"),
        ("Access to more stakeholders", "access to more stakeholders"),
        ("IOM resources (incl. the IOM Development Fund)", "IOM resources (incl. the IOM Development Fund)"),
        ("UN agencies", "UN agencies"),
        ("Pro Tempore Presidency", "Pro Tempore Presidency"),
        ("Group of Friends", "Group of Friends"),
        ("Senior Officials' Meeting (SOM)", "Senior Officials' Meeting (SOM)"),
        ("Member State contributions", "Member State contributions"),
        ("Observer States", "observer States"),
        ("États observateurs", "États observateurs"),
        ("Contributions des États membres", "contributions des États membres"),
        ("Financiación de la Unión Europea", "financiación de la Unión Europea"),
        ("A donor", "a donor"),
        ("1. Data", "1. Data"),
        ("", ""),
    ],
)  # fmt: skip
def test_lower_first_lowers_labels_but_keeps_acronyms_and_names(label, expected):
    assert lower_first(label) == expected


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "“a b”"), ("fr", "« a b »"), ("es", "«a b»")]
)
def test_quote_uses_the_quotation_marks_of_the_language(language, expected):
    with translation.override(language):
        assert quote("a \n b") == expected


def test_of_states_is_singular_for_one_responding_state_and_plural_otherwise():
    with translation.override("en"):
        assert of_states(1, 1) == "1 of 1 responding Member State"
        assert of_states(0, 1) == "0 of 1 responding Member State"
        assert of_states(2, 3) == "2 of 3 responding Member States"
        assert of_organizations(1, 2) == "1 of 2 responding organizations"
        assert with_count("networking", 9, 11) == "networking (9 of 11)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("  the chair is permanent ", "The chair is permanent."),
        ("Done.", "Done."),
        ("Really?", "Really?"),
        ("as follows: “we met”", "As follows: “we met”."),
        ("as follows: “we met.”", "As follows: “we met.”"),
        ("comme suit : « nous nous sommes réunis »", "Comme suit : « nous nous sommes réunis »."),
        ("trust-building (3 of 3)", "Trust-building (3 of 3)."),
    ],
)
def test_sentence_capitalizes_and_ends_with_exactly_one_full_stop(text, expected):
    assert sentence(text) == expected


# --- the five sections -------------------------------------------------------------------------

NO_INFORMATION = {
    "1": "No information was provided on the evolution of the mechanism's programming and thematic focus.",
    "2": "No information was provided on the mechanism's contribution to migration governance.",
    "3": "No information was provided on the mechanism's structures.",
    "4": "No information was provided on the mechanism's partnerships.",
    "5": "No information was provided on the added value of membership.",
}  # fmt: skip


@pytest.mark.django_db
def test_with_zero_respondents_every_section_says_no_information_was_provided(world):
    content = compose(world, "MTM")
    assert content.sections == NO_INFORMATION
    summary = generate(world, "MTM")
    assert summary.responses_used.count() == 0
    assert "Mediterranean Transit Migration Dialogue" in summary.header["name_line"]


@pytest.mark.django_db
def test_with_one_respondent_each_section_uses_singular_wording(world):
    sections = compose(world, "SACM").sections
    assert sections["1"] == (
        "Asked which themes matter most to it, the responding Member State named "
        "migration and development (1 of 1)."
    )
    assert sections["2"] == (
        "National level: A contribution was reported by 1 of 1 responding Member State."
    )
    assert sections["3"] == (
        "1 of 1 responding Member State said it covers its own travel.\n\n"
        "0 of 1 responding Member State rated how well its structures and secretariat serve "
        "members at 4 or 5 out of 5."
    )
    assert sections["4"] == (
        "The responding organization described its role as secretariat (1 of 1). "
        "The support it provides: logistical support (1 of 1)."
    )
    assert sections["5"] == (
        "The responding Member State valued its participation in this ISCM for trust-building "
        "(1 of 1).\n\n"
        "The responding organization valued its engagement for capacity building (1 of 1).\n\n"
        "1 of 1 responding Member State rated the mechanism's relevance to it at 4 or 5 out of 5."
    )
    # SACM's secretariat did not answer: nothing is said in its name
    assert "the secretariat" not in "\n".join(sections.values())
    assert "Member States" not in "\n".join(sections.values())


@pytest.mark.django_db
def test_with_many_respondents_the_thematic_focus_counts_and_ranks(world):
    section = compose(world, "RCM").sections["1"].split("\n\n")
    assert section == [
        "The mechanism's current thematic focus is on migration governance, policy and "
        "legislation; labour migration and labour mobility (incl. skills recognition, "
        "pre-departure orientation); irregular migration and mixed migration flows; and "
        "combating trafficking in persons, victim protection.",
        "The secretariat describes the evolution of its programming as follows: "
        "“Labour mobility joined the agenda in 2015”.",
        "The focus has widened since its establishment in 1996: labour migration and labour "
        "mobility (incl. skills recognition, pre-departure orientation) and combating "
        "trafficking in persons; victim protection were added.",
        "The mechanism works under a strategy, action plan or workplan “Strategic Plan "
        "2019-2023” (since 2019).",
        "The theme expected to gain importance in the next three to five years is migration, "
        "environment and climate change; disasters.",
        "Its work supports objectives 1 (data) and 23 (international cooperation) of the "
        "Global Compact for Migration.",
        # a tie of 2 of 3: labour (LAB) comes before irregular (IRR) as in the questionnaire
        "Asked which themes matter most to them, the responding Member States named labour "
        "migration and labour mobility (incl. skills recognition, pre-departure orientation) "
        "(2 of 3); irregular migration and mixed migration flows (2 of 3); and return, "
        "readmission and sustainable reintegration (1 of 3).",
    ]


@pytest.mark.django_db
def test_with_many_respondents_the_contribution_is_reported_by_level(world):
    national, bilateral, regional = compose(world, "RCM").sections["2"].split("\n\n")
    assert national == (
        "National level: A contribution was reported by the secretariat and 2 of 3 responding "
        "Member States. The kinds of contribution named were national migration policy or "
        "strategy (3 respondents), capacity building or training (1 respondent) and data or "
        "migration profile (1 respondent). Examples: “Guidelines on labour migration were "
        "adopted nationally.” (the secretariat); “A national labour migration policy was "
        "drafted.” (a Member State)."
    )
    assert bilateral == "Bilateral level: No respondent reported a contribution at this level."
    assert regional == (
        "Regional level: A contribution was reported by the secretariat, 1 of 3 responding "
        "Member States and 1 of 2 responding organizations. The kind of contribution named was "
        "guidelines or handbook (1 respondent). Examples: “Regional guidelines on return were "
        "drafted.” (an organization)."
    )


@pytest.mark.django_db
def test_with_many_respondents_the_structures_come_from_the_secretariat_and_the_states(world):
    section = compose(world, "RCM").sections["3"].split("\n\n")
    assert section == [
        "The mechanism's operating modalities are set out in its terms of reference: "
        "“Rules of the Regional Conference on Migration”.",
        "The mechanism is led under the following chair model: Pro Tempore Presidency. The "
        "chair changes every year. The chair convenes meetings, sets the agenda and represents "
        "the mechanism externally.",
        "Secretariat: IOM provides the secretariat or technical secretariat. Host of the secretariat: "
        "the IOM office in San José.",
        "It has the following subsidiary body: regional consultation group (e.g. RCM Regional "
        "Consultation Group on Migration). It meets at these levels: vice-ministerial meeting "
        "and Senior Officials' Meeting (SOM). Its main meetings take place several times a "
        "year. Decisions are taken by consensus.",
        "Knowledge is managed and shared through website and publications and reports.",
        "Its sources of funding: Member State contributions (assessed, voluntary or "
        "self-funding mechanism) and IOM resources (incl. the IOM Development Fund). Its "
        "approximate annual budget: USD 100,000 to 500,000.",
        "Member States cover their own travel expenses to attend its meetings. 2 of 3 "
        "responding Member States said they cover their own travel.",
        "The challenge to its sustainability is lack of predictable funding.",
        "2 of 3 responding Member States rated how well its structures and secretariat serve "
        "members at 4 or 5 out of 5.",
    ]


@pytest.mark.django_db
def test_with_many_respondents_the_partnerships_rank_the_organizations_roles(world):
    section = compose(world, "RCM").sections["4"].split("\n\n")
    assert section == [
        "The mechanism engages UN agencies (e.g. IOM, UNHCR, ILO, UNODC, UNICEF, UN regional "
        "commissions) and civil society and NGOs.",
        "Its partners take part in these roles: UN agencies (e.g. IOM, UNHCR, ILO, UNODC, "
        "UNICEF, UN regional commissions) as observer and technical expert; civil society and "
        "NGOs as observer.",
        "The secretariat describes its partnership model as follows: “Civil society meets the "
        "vice-ministers once a year”.",
        "It cooperates with SACM. It takes part in these global processes: Global Forum on "
        "Migration and Development (GFMD) and International Migration Review Forum (IMRF).",
        # the tie of 1 of 2: secretariat before observer, as in the questionnaire
        "The responding organizations described their roles as technical expert (2 of 2), "
        "secretariat (1 of 2) and observer (1 of 2). The support they provide: logistical "
        "support (1 of 2), substantive papers (1 of 2) and research and data (1 of 2).",
    ]


@pytest.mark.django_db
def test_with_many_respondents_the_added_value_is_most_frequent_first(world):
    section = compose(world, "RCM").sections["5"].split("\n\n")
    assert section == [
        # knowledge 3; trust-building and networking tie at 2 (questionnaire order, not A-Z)
        "The 3 responding Member States valued their participation in this ISCM for knowledge "
        "(information, data) (3 of 3), trust-building (2 of 3), networking (2 of 3), capacity "
        "building (1 of 3) and actual projects and programmes (1 of 3).",
        "The 2 responding organizations valued their engagement for knowledge (information, "
        "data) (2 of 2) and networking (1 of 2).",
        "According to the secretariat, members gain trust-building and exchange of good practices.",
        "Examples: “Members agreed on common return guidelines.” (the secretariat); “We met our "
        "neighbours' border officials.” (a Member State).",
        "2 of 3 responding Member States rated the mechanism's relevance to them at 4 or 5 out "
        "of 5.",
    ]


@pytest.mark.django_db
def test_the_introduction_counts_the_round_participants_who_submitted(world):
    content = compose(world, "RCM")
    assert content.title == "Summary of Findings per ISCM"
    assert "a survey was conducted in 2025. Carried out by IOM" in content.introduction[0]
    assert content.introduction[1] == (
        "4 States, 1 ISCM and 2 intergovernmental organizations provided answers to the "
        "questionnaires of the round “Assessment 2025”."
    )
    assert content.name_line == (
        "Name of the inter-State consultation mechanism (ISCM): Regional Conference on "
        "Migration (Puebla Process)"
    )


@pytest.mark.django_db
def test_the_summary_records_the_responses_it_used(world):
    summary = generate(world, "RCM")
    expected = {block_of(world, party, "RCM").pk for party in ("MX", "GT", "HN", "IOM", "ILO")}
    expected.add(Response.objects.get(participant__mechanism__acronym="RCM").pk)
    assert set(summary.responses_used.values_list("pk", flat=True)) == expected
    # the States' once-answered parts and the blocks about SACM are not used
    assert len(expected) == 6


@pytest.mark.django_db
def test_generation_is_deterministic_in_every_language(world):
    for language in ("en", "fr", "es"):
        first = compose(world, "RCM", language)
        assert compose(world, "RCM", language) == first


# --- focus change ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current", "initial", "expected"),
    [
        (["IRR", "GOV"], ["GOV", "IRR"],
         "These areas have remained unchanged since its establishment in 1996."),
        (["GOV", "MD"], ["GOV"],
         "The focus has widened since its establishment in 1996: migration and development "
         "was added."),
        (["GOV", "DIAS", "MD"], ["GOV"],
         "The focus has widened since its establishment in 1996: migration and development "
         "and diaspora engagement were added."),
        (["GOV"], ["GOV", "MD"],
         "The focus has narrowed since its establishment in 1996: migration and development "
         "is no longer among its areas."),
        (["GOV"], ["GOV", "MD", "DIAS"],
         "The focus has narrowed since its establishment in 1996: migration and development "
         "and diaspora engagement are no longer among its areas."),
        (["GOV", "DIAS"], ["GOV", "MD"],
         "The focus has shifted since its establishment in 1996: diaspora engagement was "
         "added, while migration and development is no longer among its areas."),
    ],
)  # fmt: skip
def test_the_focus_change_compares_current_areas_with_those_at_establishment(
    world, current, initial, expected
):
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    inputs.own = {
        **inputs.own,
        "thematic_areas_current": current,
        "thematic_areas_at_establishment": initial,
    }
    paragraphs = compose_summary(inputs, "en").sections["1"].split("\n\n")
    assert paragraphs[2] == expected


@pytest.mark.django_db
def test_the_focus_change_needs_both_lists_and_names_the_year_only_when_known(world):
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    inputs.own = {**inputs.own, "thematic_areas_at_establishment": []}
    assert "since its establishment" not in compose_summary(inputs, "en").sections["1"]
    inputs.own = {**inputs.own, "thematic_areas_at_establishment": ["GOV", "LAB", "IRR", "TIP"]}
    inputs.mechanism.established = None
    assert (
        "These areas have remained unchanged since its establishment."
        in (compose_summary(inputs, "en").sections["1"])
    )


# --- lifecycle ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_regenerating_keeps_an_edited_section_and_flags_newer_answers(world):
    summary = generate(world, "RCM")
    assert summary.status == Summary.Status.GENERATED and summary.generated_at
    versions = summary.history.count()
    summary = summary_edit_section(summary=summary, number="5", text="Our own words.")
    assert summary.status == Summary.Status.EDITED
    assert summary.history.count() == versions + 1

    again = generate(world, "RCM")  # same answers: nothing newer
    assert again.pk == summary.pk and again.section_text("5") == "Our own words."
    assert not again.newer_answers

    change_answers(block_of(world, "MX", "RCM"), {"added_value": ["PROJECTS"]})
    regenerated = generate(world, "RCM")
    assert regenerated.status == Summary.Status.EDITED
    assert regenerated.section_text("5") == "Our own words."
    assert regenerated.newer_answers
    # the generated text underneath follows the new answers
    assert (
        "knowledge (information, data) (2 of 3), actual projects and programmes (2 of 3)"
        in (regenerated.generated_sections["5"])
    )

    forced = generate(world, "RCM", force=True)
    assert forced.status == Summary.Status.GENERATED
    assert forced.edited_sections == {} and not forced.newer_answers
    assert forced.section_text("5") == forced.generated_sections["5"]
    assert "actual projects and programmes (2 of 3)" in forced.section_text("5")
    assert Summary.objects.filter(round_id=world.round_id).count() == 1
    assert forced.history.count() > versions + 3


@pytest.mark.django_db
def test_a_published_summary_keeps_its_text_on_regenerate_unless_forced(world):
    summary = summary_publish(summary=generate(world, "RCM"))
    assert summary.status == Summary.Status.PUBLISHED and summary.published_at
    text = dict(summary.generated_sections)
    change_answers(block_of(world, "HN", "RCM"), {"added_value": ["VISIBILITY"]})

    kept = generate(world, "RCM")
    assert kept.status == Summary.Status.PUBLISHED
    assert kept.generated_sections == text and kept.newer_answers

    forced = generate(world, "RCM", force=True)
    assert forced.status == Summary.Status.GENERATED and forced.published_at is None
    assert "visibility (1 of 3)" in forced.generated_sections["5"]
    statuses = list(forced.history.order_by("history_id").values_list("status", flat=True))
    assert statuses[0] == "generated" and "published" in statuses and statuses[-1] == "generated"


@pytest.mark.django_db
def test_an_empty_edit_restores_the_generated_text_and_bad_numbers_are_refused(world):
    summary = summary_edit_section(summary=generate(world, "SACM"), number="2", text="Mine.")
    summary = summary_edit_section(summary=summary, number="2", text="  ")
    assert summary.status == Summary.Status.GENERATED and summary.edited_sections == {}
    with pytest.raises(ValidationError):
        summary_edit_section(summary=summary, number="6", text="Nothing.")
    with pytest.raises(ValidationError):
        summary_publish(summary=Summary.objects.create(
            round_id=world.round_id, mechanism=world.mechanism("MTM"), language="es"
        ))  # fmt: skip


# --- outputs -----------------------------------------------------------------------------------

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


@pytest.mark.django_db
def test_the_markdown_has_a_title_and_five_numbered_sections(world):
    text = to_markdown(generate(world, "RCM"))
    assert text.startswith("# Summary of Findings per ISCM\n")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [f"## {title}" for title in SECTION_TITLES_EN]
    assert "**Name of the inter-State consultation mechanism (ISCM): Regional Conference" in text


@pytest.mark.django_db
def test_the_word_file_has_real_numbered_headings_and_the_name_line(world):
    summary = generate(world, "RCM")
    paragraphs = docx_paragraphs(to_docx([summary]))
    assert paragraphs[0] == ("Title", "Summary of Findings per ISCM")
    assert [text for style, text in paragraphs if style == "Heading 1"] == SECTION_TITLES_EN
    assert summary.header["name_line"] in [text for _style, text in paragraphs]
    texts = [text for _style, text in paragraphs]
    assert compose(world, "RCM").sections["5"].split("\n\n")[0] in texts


@pytest.mark.django_db
def test_the_pdf_has_pages_with_the_name_and_the_section_titles(world):
    pages = pdf_pages(to_pdf([generate(world, "RCM")]))
    assert len(pages) >= 1
    text = " ".join(pages)
    assert "Regional Conference on Migration (Puebla Process)" in text
    for title in SECTION_TITLES_EN:
        assert title in text


@pytest.mark.django_db
def test_the_compendium_word_file_has_a_table_of_contents_and_a_heading_per_mechanism(world):
    summaries = [generate(world, acronym) for acronym in ("MTM", "RCM", "SACM")]
    content = to_docx(summaries, compendium_title="All summaries")
    paragraphs = docx_paragraphs(content)
    assert paragraphs[0] == ("Title", "All summaries")
    assert [text for style, text in paragraphs if style == "Heading 1"] == [
        "Contents",
        "Mediterranean Transit Migration Dialogue",
        "Regional Conference on Migration (Puebla Process)",
        "South American Conference on Migration (Lima Process)",
    ]
    assert [text for style, text in paragraphs if style == "Heading 2"] == SECTION_TITLES_EN * 3
    import docx

    body = docx.Document(io.BytesIO(content)).element.body.xml
    assert 'TOC \\o "1-2"' in body and 'w:fldCharType="begin"' in body


@pytest.mark.django_db
def test_the_compendium_pdf_has_a_contents_page_and_one_summary_per_mechanism(world):
    summaries = [generate(world, acronym) for acronym in ("MTM", "RCM", "SACM")]
    pages = pdf_pages(to_pdf(summaries, compendium_title="All summaries"))
    assert "Contents" in pages[0] and "Evolution of programming" not in pages[0]
    for acronym in ("MTM", "RCM", "SACM"):
        assert acronym in pages[0]
    text = " ".join(pages[1:])
    assert text.count("Name of the inter-State consultation mechanism (ISCM):") == 3
    assert text.count("1. Evolution of programming and thematic focus") == 3
    assert len(pages) >= 4  # the contents page, then each summary starts on a new page


# --- the summary page and downloads -------------------------------------------------------------


def summary_url(world: World, acronym: str) -> str:
    return reverse("assessments:summary", args=[world.slug, acronym])


@pytest.mark.django_db
def test_the_summary_page_is_for_the_secretariat_until_published(world, client, admin_client):
    generate(world, "RCM", "fr")
    url = summary_url(world, "RCM") + "?lang=fr"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Conférence régionale sur les migrations (Processus de Puebla)" in page.text
    assert client.get(url).status_code == 404

    summary_publish(summary=Summary.objects.get(round_id=world.round_id, language="fr"))
    assert client.get(url).status_code == 200
    assert client.get(summary_url(world, "RCM") + "?lang=es").status_code == 404


@pytest.mark.django_db
def test_the_summary_page_links_to_the_other_available_languages(world, client, admin_client):
    for language in ("en", "fr", "es"):
        generate(world, "RCM", language)
    page = admin_client.get(summary_url(world, "RCM") + "?lang=fr").text
    assert '<strong aria-current="true">FR</strong>' in page
    assert 'href="?lang=en"' in page and 'href="?lang=es"' in page
    assert '<html lang="fr"' in page or 'lang="fr"' in page

    summary_publish(summary=Summary.objects.get(round_id=world.round_id, language="en"))
    public = client.get(summary_url(world, "RCM") + "?lang=en").text
    assert 'href="?lang=fr"' not in public and 'href="?lang=es"' not in public


@pytest.mark.django_db
def test_the_downloads_have_the_right_content_types(world, admin_client):
    generate(world, "RCM")
    expected = {
        "md": "text/markdown; charset=utf-8",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf",
        "html": "text/html; charset=utf-8",
    }
    for fmt, content_type in expected.items():
        url = reverse("assessments:summary_download", args=[world.slug, "RCM", "en", fmt])
        response = admin_client.get(url)
        assert response.status_code == 200, fmt
        assert response["Content-Type"] == content_type
        assert f'filename="{world.slug}-RCM-en.{fmt}"' in response["Content-Disposition"]
    markdown = admin_client.get(
        reverse("assessments:summary_download", args=[world.slug, "RCM", "en", "md"])
    ).content.decode()
    assert markdown.startswith("# Summary of Findings per ISCM")
    url = reverse("assessments:summary_download", args=[world.slug, "RCM", "en", "txt"])
    assert admin_client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_compendium_downloads_hold_every_visible_summary(world, client, admin_client):
    for acronym in ("MTM", "RCM", "SACM"):
        generate(world, acronym)
    url = reverse("assessments:compendium", args=[world.slug, "en", "docx"])
    response = admin_client.get(url)
    assert response.status_code == 200
    headings = [text for style, text in docx_paragraphs(response.content) if style == "Heading 1"]
    assert len(headings) == 4  # Contents and three mechanisms
    assert client.get(url).status_code == 404  # nothing published yet


# --- French and Spanish ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "es"])
def test_a_summary_in_french_or_spanish_uses_the_labels_and_names_of_that_language(world, language):
    summary = generate(world, "RCM", language)
    sections = dict(summary.sections)
    labour = ThematicArea.objects.get(code="LAB")
    knowledge = Term.objects.get(vocabulary__name="added_value", code="KNOWLEDGE")
    assert lower_first(getattr(labour, f"label_{language}")) in sections["1"]
    assert lower_first(getattr(knowledge, f"label_{language}")) in sections["5"]
    assert labour.label.lower() not in sections["1"]
    assert "knowledge (information" not in sections["5"]
    rcm = world.mechanism("RCM")
    assert summary.header["name_line"].endswith(getattr(rcm, f"name_{language}"))
    with translation.override(language):
        assert summary.header["title"] == gettext("Summary of Findings per ISCM")
        assert summary.header["section_titles"] == section_titles()
        assert section_titles()["3"] == gettext("Salient ISCM structures")
        assert quote("Guidelines on labour migration were adopted nationally.") in sections["2"]
    markdown = to_markdown(summary)
    assert f"## 3. {summary.header['section_titles']['3']}" in markdown


@pytest.mark.django_db
def test_a_mechanism_without_a_french_name_keeps_its_english_name(world):
    summary = generate(world, "MTM", "fr")
    assert summary.header["name_line"].endswith("Mediterranean Transit Migration Dialogue")
    with translation.override("fr"):
        assert summary.section_text("3") == gettext(
            "No information was provided on the mechanism's structures."
        )


# --- the round job (Celery) --------------------------------------------------------------------


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # CI sets a broker; run the tasks in-process here


@pytest.mark.django_db
def test_the_round_job_generates_one_summary_per_mechanism_and_language(
    world, eager, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = summaries_job_start(survey_round=world.survey_round, user=admin_user)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.error == ""
    keys = sorted(job.items.values_list("key", flat=True))
    assert keys == sorted(
        f"{m}:{lang}" for m in ("MTM", "RCM", "SACM") for lang in ("en", "fr", "es")
    )
    assert set(job.items.values_list("status", flat=True)) == {JobItem.Status.DONE}
    assert job.progress_total == job.progress_done == 9 and job.percent == 100
    summaries = Summary.objects.filter(round_id=world.round_id)
    assert summaries.count() == 9

    # re-running replaces, never duplicates
    generate_round_summaries_task(job.pk)  # the same job again: already finished, a no-op
    with django_capture_on_commit_callbacks(execute=True):
        second = summaries_job_start(survey_round=world.survey_round, languages=["en"])
    second.refresh_from_db()
    assert second.status == Job.Status.SUCCEEDED and second.items.count() == 3
    generate_summary_task(world.round_id, world.mechanism("RCM").pk, "en")
    assert summaries.count() == 9


@pytest.mark.django_db
def test_a_failing_summary_is_recorded_and_the_others_are_still_generated(
    world, eager, monkeypatch, django_capture_on_commit_callbacks
):
    from assessments.summaries import services as summary_services

    real = summary_services.summary_generate

    def failing_for_rcm(*, mechanism, **kwargs):
        if mechanism.acronym == "RCM":
            raise RuntimeError("the RCM summary broke")
        return real(mechanism=mechanism, **kwargs)

    monkeypatch.setattr(summary_services, "summary_generate", failing_for_rcm)
    with django_capture_on_commit_callbacks(execute=True):
        job = summaries_job_start(survey_round=world.survey_round, languages=["en"])
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "RCM:en" in job.error and "the RCM summary broke" in job.error
    assert "SACM" not in job.error and "MTM" not in job.error
    assert job.progress_done == job.progress_total == 3
    items = dict(job.items.values_list("key", "status"))
    assert items == {"MTM:en": "done", "RCM:en": "failed", "SACM:en": "done"}
    generated = Summary.objects.filter(round_id=world.round_id).values_list(
        "mechanism__acronym", flat=True
    )
    assert sorted(generated) == ["MTM", "SACM"]


@pytest.mark.django_db
def test_the_job_page_shows_progress_to_staff_and_the_requester_only(
    world, client, admin_client, django_user_model
):
    requester = django_user_model.objects.create_user("requester", password="x")
    other = django_user_model.objects.create_user("other", password="x")
    job = jobs.job_create(kind=Job.Kind.SUMMARIES, survey_round=world.survey_round, user=requester)
    jobs.job_add_items(job_id=job.pk, keys=["RCM:en", "SACM:en"])
    jobs.job_claim(job_id=job.pk)
    jobs.job_item_finish(job_id=job.pk, key="RCM:en")

    page = admin_client.get(reverse("assessments:job", args=[job.pk]))
    assert page.status_code == 200
    assert '<progress max="100" value="50"' in page.text
    state = admin_client.get(reverse("assessments:job_status", args=[job.pk])).json()
    assert state["status"] == "running" and state["done"] == 1 and state["total"] == 2
    assert state["percent"] == 50 and state["finished"] is False
    assert {"id", "message", "error", "files", "status_label"} <= set(state)

    client.force_login(other)
    assert client.get(reverse("assessments:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("assessments:job_status", args=[job.pk])).status_code == 404
    client.force_login(requester)
    assert client.get(reverse("assessments:job_status", args=[job.pk])).status_code == 200


# --- the management command --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
def test_the_command_writes_one_file_per_mechanism(world, tmp_path, fmt):
    out = io.StringIO()
    call_command("generate_summaries", world.slug, format=fmt, out=tmp_path / fmt, stdout=out)
    files = sorted(path.name for path in (tmp_path / fmt).iterdir())
    assert files == [f"{world.slug}-{m}-en.{fmt}" for m in ("MTM", "RCM", "SACM")]
    content = (tmp_path / fmt / f"{world.slug}-RCM-en.{fmt}").read_bytes()
    check = {
        "md": lambda: content.decode().startswith("# Summary of Findings per ISCM"),
        "html": lambda: b"Regional Conference on Migration" in content,
        "docx": lambda: ("Heading 1", SECTION_TITLES_EN[0]) in docx_paragraphs(content),
        "pdf": lambda: "Salient ISCM structures" in " ".join(pdf_pages(content)),
    }[fmt]
    assert check()
    assert "Wrote 3 summaries" in out.getvalue()


@pytest.mark.django_db
def test_the_command_can_write_one_mechanism_in_another_language(world, tmp_path):
    call_command(
        "generate_summaries", world.slug, mechanism="sacm", language="es", format="md",
        out=tmp_path, stdout=io.StringIO(),
    )  # fmt: skip
    assert [path.name for path in tmp_path.iterdir()] == [f"{world.slug}-SACM-es.md"]
    assert (
        "Conferencia Suramericana sobre Migraciones"
        in (tmp_path / f"{world.slug}-SACM-es.md").read_text()
    )


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_round_or_mechanism(world, tmp_path):
    with pytest.raises(CommandError, match="No round"):
        call_command("generate_summaries", "no-such-round", out=tmp_path)
    with pytest.raises(CommandError, match="not a mechanism of this round"):
        call_command("generate_summaries", world.slug, mechanism="BALI", out=tmp_path)


# --- the admin ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_change_page_stores_a_section_as_an_edit(world, admin_client):
    summary = generate(world, "RCM")
    url = reverse("admin:assessments_summary_change", args=[summary.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="section_3"' in page.text

    data = {f"section_{n}": "" for n in "12345"} | {"section_3": "Rewritten by the secretariat."}
    assert admin_client.post(url, data).status_code == 302
    summary.refresh_from_db()
    assert summary.status == Summary.Status.EDITED
    assert summary.edited_sections == {"3": "Rewritten by the secretariat."}
    assert summary.section_text("3") == "Rewritten by the secretariat."


@pytest.mark.django_db
def test_the_admin_lists_summaries_and_publishes_them(world, admin_client):
    summary = summary_edit_section(
        summary=generate(world, "RCM"), number="3", text="Rewritten by the secretariat."
    )
    changelist = reverse("admin:assessments_summary_changelist")
    page = admin_client.get(changelist)
    assert page.status_code == 200
    assert f"{summary_url(world, 'RCM')}?lang=en" in page.text

    response = admin_client.post(
        changelist, {"action": "publish", "_selected_action": [summary.pk]}
    )
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.status == Summary.Status.PUBLISHED and summary.published_at
    assert summary.section_text("3") == "Rewritten by the secretariat."


def added_value_examples_paragraph(content: SummaryContent) -> str:
    return next(p for p in content.sections["5"].split("\n\n") if p.startswith("Examples:"))


@pytest.mark.django_db
def test_a_summary_quotes_at_most_eight_examples_and_says_how_many_more_were_given(world):
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    inputs.states.examples["added_value_example"] = [f"State example {i}." for i in range(30)]
    inputs.organizations.examples["added_value_example"] = [f"Org example {i}." for i in range(9)]
    paragraph = added_value_examples_paragraph(compose_summary(inputs, "en"))
    # the secretariat's, then the remaining seven shared: four State examples, three organizations'
    assert paragraph.count("(the secretariat)") == 1
    assert paragraph.count("(a Member State)") == 4
    assert paragraph.count("(an organization)") == 3
    assert "State example 3." in paragraph and "State example 4." not in paragraph
    assert paragraph.endswith(
        "32 further examples were given; every example is in the round's exports."
    )


@pytest.mark.django_db
def test_an_example_given_by_several_respondents_is_quoted_once_with_their_number(world):
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    inputs.states.examples["added_value_example"] = ["Shared data.", "shared   DATA.", "Other."]
    inputs.organizations.examples["added_value_example"] = []
    paragraph = added_value_examples_paragraph(compose_summary(inputs, "en"))
    assert paragraph == (
        "Examples: “Members agreed on common return guidelines.” (the secretariat); "
        "“Shared data.” (2 Member States); “Other.” (a Member State)."
    )


@pytest.mark.django_db
def test_few_examples_are_all_quoted_and_organizations_use_room_states_leave(world):
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    inputs.states.examples["added_value_example"] = ["S1.", "S2."]
    inputs.organizations.examples["added_value_example"] = [f"O{i}." for i in range(10)]
    paragraph = added_value_examples_paragraph(compose_summary(inputs, "en"))
    assert paragraph.count("(a Member State)") == 2
    assert paragraph.count("(an organization)") == 5
    assert paragraph.endswith(
        "5 further examples were given; every example is in the round's exports."
    )


@pytest.mark.django_db
def test_the_examples_left_out_and_shared_examples_are_counted_in_french(world):
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    inputs.states.examples["added_value_example"] = ["Même texte.", "même texte."] + [
        f"Exemple {i}." for i in range(12)
    ]
    content = compose_summary(inputs, "fr")
    paragraph = next(p for p in content.sections["5"].split("\n\n") if "« Même texte. »" in p)
    assert "« Même texte. » (2 États membres)" in paragraph
    assert paragraph.endswith(
        "6 autres exemples ont été donnés ; tous les exemples figurent dans les exportations du "
        "cycle d'enquête."
    )
