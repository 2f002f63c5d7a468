"""The five sections as prose: phrases not labels, counts over who answered, editorial
choices (ranked lists, a few varied examples, attributed statements), the word budget."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.utils import translation
from django.utils.translation import gettext

from assessments.summaries.compose import compose_summary, word_budget, words
from assessments.summaries.inputs import summary_inputs
from assessments.summaries.markdown import plain_text
from assessments.summaries.wording import quote
from mechanisms.models import Term, ThematicArea
from tests.assessments.summaries.world import compose, generate

pytestmark = pytest.mark.django_db


def test_one_respondent_is_one_member_state_never_one_of_one(world):
    assert compose(world, "SACM").sections == {
        "1": "One Member State named migration and development as the theme that matters most "
        "to it.",
        "2": "National level: One Member State reported a contribution.",
        "3": "One Member State said it covers its own travel.\n\n"
        "One Member State rated how well its structures serve members below 4 out of 5.",
        "4": "One organization takes part as secretariat and supports it through logistics.",
        "5": "One Member State values its participation in the SACM for trust-building. One "
        "organization values its engagement for capacity building.\n\n"
        "One Member State rated its relevance at 4 or 5 out of 5.",
    }


def test_the_thematic_focus_names_areas_by_their_phrases_and_ranks_the_states_themes(world):
    focus, outlook, states = compose(world, "RCM").sections["1"].split("\n\n")
    assert focus == (
        "The RCM focuses on migration governance, labour migration and 2 other areas. In the "
        "secretariat's words: “Labour mobility joined the agenda in 2015”. Compared with its "
        "areas at establishment, its answers add labour migration and combating trafficking in "
        "persons. It works under its “Strategic Plan 2019-2023”, adopted in 2019."
    )
    assert outlook == (
        "The secretariat expects migration and climate change to gain importance in the coming "
        "years. Its work supports objectives 1 (data) and 23 (international cooperation) of the "
        "Global Compact for Migration."
    )
    # labour and irregular tie at 2 of 3: both are shown, in the questionnaire's order
    assert states == (
        "Member States that answered named labour migration (2 of 3), irregular and mixed "
        "migration (2 of 3), and return and reintegration (1 of 3) as the themes that matter "
        "most to them."
    )


def test_a_contribution_is_counted_over_those_who_answered_about_that_level(world):
    national, regional, bilateral = compose(world, "RCM").sections["2"].split("\n\n")
    assert national == (
        "National level: The secretariat and 2 of 3 Member States that answered reported a "
        "contribution, mainly through national migration policies (3 of 3) and 2 other kinds. "
        "The secretariat gives an example: “Guidelines on labour migration were adopted "
        "nationally.”"
    )
    # only Mexico and IOM answered about the regional level: "one", not "1 of 3"
    assert regional == (
        "Regional level: The secretariat, one Member State and one organization reported a "
        "contribution, mainly through guidelines. In the words of an organization: “Regional "
        "guidelines on return were drafted.”"
    )
    assert bilateral == "No contribution was reported at the bilateral level."


def test_the_structures_read_as_sentences_not_as_questionnaire_wording(world):
    structures = compose(world, "RCM").sections["3"]
    assert structures.split("\n\n") == [
        "Its operating modalities are set out in its terms of reference, “Rules of the Regional "
        "Conference on Migration”. The RCM is led by a pro tempore presidency. The chair rotates "
        "every year. Its chair convenes meetings, sets the agenda and represents the "
        "mechanism externally. IOM provides the secretariat.",
        "It meets several times a year at vice-ministerial level and at senior officials' level. "
        "The ISCM has a regional consultation group. Decisions are taken by consensus. Knowledge "
        "is shared through its website and publications and reports.",
        "Its funding comes from Member State contributions and IOM resources. Its annual budget "
        "is between USD 100,000 and 500,000. Member States cover their own travel expenses to "
        "attend its meetings. 2 of 3 Member States that answered said they cover their own "
        "travel. Its main challenge to sustainability is unpredictable funding.",
        "2 of 3 Member States that answered rated how well its structures serve members at 4 or "
        "5 out of 5.",
    ]


def test_no_label_aside_becomes_a_claim(world):
    text = "\n".join(compose(world, "RCM").sections.values())
    for aside in ("e.g.", "incl.", "UNHCR", "ILO, UNODC", "IOM Development Fund", "/"):
        assert aside not in text, aside


def test_partners_with_the_same_roles_are_named_together(world):
    partners, cooperation, organizations = compose(world, "RCM").sections["4"].split("\n\n")
    assert partners == (
        "The RCM engages UN agencies as observers and technical experts and civil society "
        "organizations as observers."
    )
    assert cooperation == (
        "It cooperates with the SACM and takes part in the Global Forum on Migration and "
        "Development and the International Migration Review Forum."
    )
    assert organizations.startswith("Organizations that answered take part as technical expert")


def test_the_added_value_lists_the_most_frequent_first_and_sums_up_the_rest(world):
    values, example, relevance = compose(world, "RCM").sections["5"].split("\n\n")
    assert values == (
        "Member States value their participation in the RCM mainly for knowledge (3 of 3) and "
        "4 other benefits. Organizations value their engagement mainly for knowledge (2 of 2) "
        "and networking (1 of 2). According to the secretariat, members gain trust-building and "
        "exchange of good practices."
    )
    assert example == "The secretariat reports: “Members agreed on common return guidelines.”"
    assert relevance == "2 of 3 Member States that answered rated its relevance at 4 or 5 out of 5."


def test_a_question_nobody_answered_says_nothing(world):
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    inputs.states.answered.pop("covers_own_travel")
    inputs.states.answered.pop("relevance")
    sections = compose_summary(inputs, "en").sections
    assert "cover their own travel." not in sections["3"].replace("expenses", "")
    assert "rated its relevance" not in sections["5"]


def test_sources_that_disagree_are_attributed(world):
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    inputs.own = {**inputs.own, "thematic_evolution": "Our focus has not changed."}
    focus = compose_summary(inputs, "en").sections["1"].split("\n\n")[0]
    assert (
        "In the secretariat's words: “Our focus has not changed.” Compared with its areas at "
        "establishment, its answers add labour migration" in focus
    )
    assert "has widened" not in focus  # stated as the answers' account, beside its own


@pytest.mark.parametrize(
    ("current", "initial", "expected"),
    [
        (["IRR", "GOV"], ["GOV", "IRR"],
         "These areas have remained unchanged since its establishment in 1996."),
        (["GOV", "MD"], ["GOV"],
         "Its focus has widened since its establishment in 1996 to include migration and "
         "development."),
        (["GOV"], ["GOV", "MD"],
         "Its focus has narrowed since its establishment in 1996: it no longer includes "
         "migration and development."),
        (["GOV", "DIAS"], ["GOV", "MD"],
         "Its focus has shifted since its establishment in 1996: diaspora engagement joined its "
         "areas, while migration and development left them."),
    ],
)  # fmt: skip
def test_the_focus_change_compares_current_areas_with_those_at_establishment(
    world, current, initial, expected
):
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    inputs.own = {
        **inputs.own,
        "thematic_evolution": "",
        "thematic_areas_current": current,
        "thematic_areas_at_establishment": initial,
    }
    assert expected in compose_summary(inputs, "en").sections["1"]


def test_at_most_two_examples_are_quoted_per_question_own_first_then_a_state(world):
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    inputs.states.examples["added_value_example"] = [f"State example {i}." for i in range(30)]
    inputs.organizations.examples["added_value_example"] = [f"Org example {i}." for i in range(9)]
    text = compose_summary(inputs, "en").sections["5"]
    assert text.count("“") <= 2
    quoted = re.findall(r"“([^”]*)”", text)
    assert quoted[0] == "Members agreed on common return guidelines."
    assert all(not q.startswith("Org example") for q in quoted[1:]) or len(quoted) == 1


def test_an_example_given_by_several_respondents_is_quoted_once_with_their_number(world):
    inputs = summary_inputs(world.survey_round, world.mechanism("SACM"))
    inputs.states.examples["added_value_example"] = ["Shared data.", "shared   DATA."]
    assert (
        "2 Member States give the same example: “Shared data.”"
        in (compose_summary(inputs, "en").sections["5"])
    )


def test_sentences_do_not_start_alike_in_a_row(world):
    for number, text in compose(world, "RCM").sections.items():
        openings = [s.split()[0] for s in re.split(r"(?<=[.”])\s+(?=[A-Z])", plain_text(text))]
        runs = [openings[i : i + 3] for i in range(len(openings) - 2)]
        assert not [run for run in runs if len(set(run)) == 1], (number, openings)


def test_a_long_summary_is_tightened_to_its_word_budget(world):
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    long_example = "A long example that goes on about what the mechanism did for us. " * 4
    for level in ("national", "regional", "interregional", "global", "bilateral"):
        inputs.own[f"contribution_{level}"] = "yes"
        inputs.states.examples[f"contribution_{level}_example"] = [long_example] * 3
    content = compose_summary(inputs, "en")
    assert words(content.sections) <= word_budget(inputs) == 500


def test_generation_is_deterministic_in_every_language(world):
    for language in ("en", "fr", "es"):
        first = compose(world, "RCM", language)
        assert compose(world, "RCM", language) == first


def test_a_mechanism_nobody_answered_about_gets_no_summary(world):
    assert generate(world, "MTM") is None
    assert not world.survey_round.summaries.filter(mechanism__acronym="MTM").exists()


def test_the_introduction_names_only_the_kinds_of_respondent_there_were(world):
    content = compose(world, "RCM")
    assert content.introduction[1] == (
        "4 States, 1 ISCM and 2 intergovernmental organizations provided answers to the "
        "questionnaires of the round “Assessment 2025”."
    )
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    inputs = replace(inputs, figures=replace(inputs.figures, organizations=0))
    assert compose_summary(inputs, "en").introduction[1].startswith("4 States and 1 ISCM provided")


@pytest.mark.parametrize(
    ("language", "organizer", "colon", "quoted"),
    [
        ("fr", "l'OIM", "Niveau national\u00a0:", "«\u00a0Guidelines on labour migration"),
        ("es", "la OIM", "Nivel nacional:", "«Guidelines on labour migration"),
    ],
)
def test_french_and_spanish_summaries_use_their_own_names_and_typography(
    world, language, organizer, colon, quoted
):
    content = compose(world, "RCM", language)
    assert organizer in content.introduction[0] and "IOM" not in content.introduction[0]
    assert content.sections["2"].startswith(colon)
    assert quoted in content.sections["2"]
    rcm = world.mechanism("RCM")
    assert content.name_line.endswith(getattr(rcm, f"name_{language}"))
    with translation.override(language):
        assert "labour migration" not in content.sections["1"].split("«")[0]


@pytest.mark.parametrize("language", ["fr", "es"])
def test_a_summary_in_french_or_spanish_uses_the_phrases_and_names_of_that_language(
    world, language
):
    content = compose(world, "RCM", language)
    labour = ThematicArea.objects.get(code="LAB")
    knowledge = Term.objects.get(vocabulary__name="added_value", code="KNOWLEDGE")
    assert getattr(labour, f"phrase_{language}") in content.sections["1"]
    assert getattr(knowledge, f"phrase_{language}") in content.sections["5"]
    assert labour.phrase not in content.sections["1"]
    with translation.override(language):
        assert content.title == gettext("Summary of Findings per ISCM")
        assert content.section_titles["3"] == gettext("Salient ISCM structures")
        assert (
            quote("Guidelines on labour migration were adopted nationally.")
            in (content.sections["2"])
        )


def test_a_mechanism_without_a_french_name_keeps_its_english_name(world):
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    inputs.mechanism.name_fr = ""
    content = compose_summary(inputs, "fr")
    assert content.name_line.endswith("Regional Conference on Migration (Puebla Process)")


def test_a_partner_whose_kind_says_its_role_is_not_given_it_again(world):
    inputs = summary_inputs(world.survey_round, world.mechanism("RCM"))
    inputs.own = {
        **inputs.own,
        "partner_types": ["OBSERVER_STATE", "UN_AGENCY"],
        "partner_roles": {"OBSERVER_STATE": ["OBSERVER"], "UN_AGENCY": ["OBSERVER"]},
    }
    partners = compose_summary(inputs, "en").sections["4"].split("\n\n")[0]
    assert partners == "The RCM engages observer States and UN agencies as observers."
