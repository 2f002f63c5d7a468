"""The round report: figures against hand-computed expectations, a constant number of queries,
the HTML, PDF and XLSX outputs, the background job, and the staff page.

The small round (2024): mechanisms RCM and SACM answer, CMC does not. Member States: MX (RCM),
AR (SACM), DO (RCM and CMC) submit; CR (RCM) leaves a draft. UNHCR (observer of RCM and CMC)
submits. The previous round (2019): RCM, SACM, MX and AR.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

from assessments.jobs.models import Job
from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.shipped import load_shipped_questionnaires
from assessments.responses.services import (
    participant_responses,
    participant_submit,
    response_save_answers,
)
from assessments.rounds.models import RoundParticipant, SurveyRound
from assessments.rounds.services.rounds import round_add_participant, round_create, round_open
from mechanisms.models import Mechanism, Organization, State
from mechanisms.services import load_reference_data

pytestmark = pytest.mark.django_db

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


@pytest.fixture(scope="module")
def rounds(django_db_setup, django_db_blocker) -> Iterator[tuple[SurveyRound, SurveyRound]]:
    """Both rounds, built once for the module and rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data(settings.REFERENCE_DATA_DIR)
        load_shipped_questionnaires()
        previous, participants = new_round("r2019", 2019, ["RCM", "SACM", "MX", "AR"])
        for code, answers in PREVIOUS.items():
            answer(participants[code], answers)
        current, participants = new_round(
            "r2024", 2024, ["RCM", "SACM", "CMC", "MX", "AR", "DO", "CR", "UNHCR"]
        )
        for code, answers in CURRENT.items():
            answer(participants[code], answers)
        answer(participants["CR"], DRAFT_CR, submit=False)
        yield current, previous
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def report(rounds):
    from assessments.reporting.selectors import round_report_data

    current, previous = rounds
    return round_report_data(current, previous_round=previous)


# --- figures ------------------------------------------------------------------------------


def pick(rows: list[dict], **match: Any) -> dict:
    found = [row for row in rows if all(row[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, rows)
    return found[0]


def test_response_rates_count_participants_with_a_submission_by_audience(report):
    assert [
        (r["audience"], r["participants"], r["responded"], r["percent"])
        for r in report.response_rates_by_audience
    ] == [
        ("mechanism", 3, 2, 66.7),  # CMC did not answer
        ("state", 4, 3, 75.0),  # CR only saved a draft
        ("organization", 1, 1, 100.0),
        ("all", 8, 6, 75.0),
    ]


def test_response_rates_by_mechanism_compare_blocks_with_member_states_in_the_round(report):
    rows = {r["mechanism"]: r for r in report.response_rates_by_mechanism}
    assert list(rows) == ["CMC", "RCM", "SACM"]
    # RCM: MX, DO and CR are members in the round; CR's block is a draft. MX is only an
    # observer of SACM, so not expected there.
    assert rows["RCM"] | {} == {
        "mechanism": "RCM", "region": RCM_REGION, "own_response": True,
        "member_states": 3, "state_blocks": 2, "state_percent": 66.7,
        "organizations": 1, "organization_blocks": 1, "organization_percent": 100.0,
    }  # fmt: skip
    assert (rows["SACM"]["member_states"], rows["SACM"]["state_blocks"]) == (1, 1)
    assert (rows["SACM"]["organizations"], rows["SACM"]["organization_percent"]) == (0, None)
    assert rows["CMC"]["own_response"] is False
    assert (rows["CMC"]["state_blocks"], rows["CMC"]["organization_blocks"]) == (1, 1)


def test_response_rates_by_region_count_expected_responses_with_once_parts_under_a_dash(report):
    assert [
        (r["region"], r["mechanisms"], r["mechanisms_responded"], r["expected"], r["submitted"],
         r["percent"])
        for r in report.response_rates_by_region
    ] == [
        ("Caribbean", 1, 0, 3, 2, 66.7),  # CMC's own (missing), DO's and UNHCR's blocks
        (RCM_REGION, 1, 1, 5, 4, 80.0),  # own, MX, DO, CR (draft), UNHCR
        ("South America", 1, 1, 2, 2, 100.0),  # own, AR
        ("—", 0, 0, 5, 4, 80.0),  # once-answered parts: 4 States (CR a draft), 1 organization
    ]  # fmt: skip


def test_the_thematic_matrix_crosses_responding_mechanisms_with_every_thematic_area(report):
    matrix = report.thematic_matrix
    assert matrix["mechanisms"] == ["RCM", "SACM"]
    assert matrix["not_responding"] == ["CMC"]
    assert matrix["areas_per_mechanism"] == [3, 2]
    cells = {a["code"]: (a["cells"], a["mechanisms"]) for a in matrix["areas"]}
    assert len(cells) == 30
    assert cells["GOV"] == ([True, True], 2)
    assert cells["LAB"] == ([True, False], 1)
    assert cells["TIP"] == ([True, False], 1)
    assert cells["MD"] == ([False, True], 1)
    assert cells["SOM"] == ([False, False], 0)
    assert sum(n for _cells, n in cells.values()) == 5


def test_contribution_by_level_gives_the_share_reporting_one_and_the_frequent_kinds(report):
    rows = report.contribution
    national = pick(rows, level="national", audience="all")
    # RCM yes, SACM dk; MX yes, AR no, DO (RCM) yes, DO (CMC) dk; UNHCR (RCM) no
    assert (national["answered"], national["yes"], national["no"], national["dont_know"]) == (
        7, 3, 2, 2,
    )  # fmt: skip
    assert national["percent"] == 42.9
    assert national["top_kinds"] == [
        {"label": "National migration policy or strategy", "count": 3},
        {"label": "Capacity building or training", "count": 2},
    ]
    states = pick(rows, level="national", audience="state")
    assert (states["answered"], states["yes"], states["percent"]) == (4, 2, 50.0)
    organizations = pick(rows, level="national", audience="organization")
    assert (organizations["answered"], organizations["percent"]) == (1, 0.0)
    regional = pick(rows, level="regional", audience="all")
    assert (regional["answered"], regional["yes"], regional["percent"]) == (3, 3, 100.0)
    assert [k["count"] for k in regional["top_kinds"]] == [3, 1]
    assert regional["top_kinds"][0]["label"] == "Regional action plan"
    assert pick(rows, level="bilateral", audience="mechanism")["percent"] == 0.0
    nobody = pick(rows, level="global", audience="all")
    assert (nobody["answered"], nobody["percent"], nobody["top_kinds"]) == (0, None, [])
    assert len(rows) == 5 * 4


def test_the_structures_table_lists_each_responding_mechanism(report):
    structures = report.structures
    assert [c["code"] for c in structures["columns"]] == [
        "chair_model", "chair_rotation", "secretariat_type", "funding_sources", "meeting_frequency",
    ]  # fmt: skip
    assert structures["not_responding"] == ["CMC"]
    rcm, sacm = structures["rows"]
    assert rcm["mechanism"] == "RCM" and sacm["mechanism"] == "SACM"
    assert rcm["values"]["chair_model"] == ["Pro Tempore Presidency"]
    assert rcm["values"]["chair_rotation"] == ["Every year"]
    assert rcm["values"]["meeting_frequency"] == ["Once a year"]
    assert len(rcm["values"]["funding_sources"]) == 2
    assert rcm["values"]["funding_sources"][0].startswith("Member State contributions")
    assert rcm["values"]["funding_sources"][1].startswith("IOM resources")
    assert sacm["values"]["chair_model"][0].startswith("Rotating chair")
    assert sacm["values"]["meeting_frequency"] == ["Several times a year"]
    assert sacm["values"]["secretariat_type"] == rcm["values"]["secretariat_type"]


def test_partner_kinds_are_ranked_with_their_most_frequent_roles(report):
    kinds = report.partner_kinds
    assert [(k["code"], k["mechanisms"], k["base"], k["percent"]) for k in kinds[:3]] == [
        ("UN_AGENCY", 2, 2, 100.0),
        ("CSO", 1, 2, 50.0),
        ("OBSERVER_STATE", 0, 2, 0.0),
    ]
    assert len(kinds) == 15 + 1  # every kind of the list and "other", the unnamed ones last
    # ties keep the columns' order: observer, speaker, technical expert
    assert [(r["label"], r["count"]) for r in kinds[0]["roles"]] == [
        ("Observer", 1), ("Speaker", 1), ("Technical expert", 1),
    ]  # fmt: skip
    assert [(r["label"], r["count"]) for r in kinds[1]["roles"]] == [("Observer", 1)]


def ranking(rows: list[dict]) -> list[tuple]:
    return [(r["rank"], r["code"], r["count"], r["percent"]) for r in rows]


def test_added_value_is_ranked_overall_with_shared_ranks_for_ties(report):
    value = report.added_value
    # 8 respondents: RCM, SACM and the blocks MX-RCM, AR-SACM, DO-RCM, DO-CMC, UNHCR-RCM,
    # UNHCR-CMC. CR's draft (PROJECTS, TRUST) is not counted.
    assert value["base"] == 8
    assert ranking(value["overall"]) == [
        (1, "TRUST", 5, 62.5),
        (2, "NETWORKING", 4, 50.0),
        (3, "KNOWLEDGE", 2, 25.0),
        (4, "COMMON_UNDERSTANDING", 1, 12.5),
        (4, "CAPACITY", 1, 12.5),
    ]


def test_added_value_is_ranked_by_audience_and_by_region(report):
    by_audience = {g["audience"]: g for g in report.added_value["by_audience"]}
    assert list(by_audience) == ["mechanism", "state", "organization"]
    assert by_audience["mechanism"]["base"] == 2
    assert ranking(by_audience["mechanism"]["rows"]) == [
        (1, "TRUST", 2, 100.0), (2, "NETWORKING", 1, 50.0), (2, "KNOWLEDGE", 1, 50.0),
        (2, "COMMON_UNDERSTANDING", 1, 50.0),
    ]  # fmt: skip
    assert ranking(by_audience["state"]["rows"]) == [
        (1, "NETWORKING", 3, 75.0), (2, "TRUST", 2, 50.0), (3, "CAPACITY", 1, 25.0),
    ]  # fmt: skip
    assert ranking(by_audience["organization"]["rows"]) == [
        (1, "TRUST", 1, 50.0), (1, "KNOWLEDGE", 1, 50.0),
    ]  # fmt: skip
    by_region = {g["region"]: g for g in report.added_value["by_region"]}
    assert list(by_region) == ["Caribbean", RCM_REGION, "South America"]
    assert by_region[RCM_REGION]["base"] == 4  # RCM, MX, DO, UNHCR
    assert ranking(by_region[RCM_REGION]["rows"]) == [
        (1, "TRUST", 3, 75.0), (2, "NETWORKING", 2, 50.0), (2, "KNOWLEDGE", 2, 50.0),
        (4, "CAPACITY", 1, 25.0),
    ]  # fmt: skip
    assert ranking(by_region["Caribbean"]["rows"]) == [
        (1, "TRUST", 1, 50.0), (1, "NETWORKING", 1, 50.0),
    ]  # fmt: skip
    assert ranking(by_region["South America"]["rows"]) == [
        (1, "TRUST", 1, 50.0), (1, "NETWORKING", 1, 50.0), (1, "COMMON_UNDERSTANDING", 1, 50.0),
    ]  # fmt: skip


def frequency(report, code: str) -> dict:
    return pick(report.frequencies, code=code)


def columns(table: dict) -> dict[str, tuple]:
    """Group label -> (base, {value: (n, percent)})."""
    return {
        group["key"]: (
            group["base"],
            {row["code"] if not row["row"] else (row["row"], row["code"]): (row["counts"][i], row["percents"][i]) for row in table["rows"]},
        )
        for i, group in enumerate(table["groups"])
    }  # fmt: skip


def test_there_is_a_frequency_table_for_every_closed_question_with_every_option(report):
    codes = [f["code"] for f in report.frequencies]
    assert len(codes) == len(set(codes))
    assert {"thematic_areas_current", "added_value", "relevance", "partner_roles",
            "national_coordination", "organization_roles", "synergy_preferences"} <= set(codes)  # fmt: skip
    assert not {"institution", "thematic_evolution", "strategy_since"} & set(codes)
    assert len(frequency(report, "thematic_areas_current")["rows"]) == 30
    added = frequency(report, "added_value")
    assert len(added["rows"]) == 14  # not just the values named
    assert columns(added)["all"][1]["PROJECTS"] == (0, 0.0)  # only CR's draft named it
    roles = frequency(report, "partner_roles")
    assert len(roles["rows"]) == 15 * 6  # partner kinds by roles
    assert columns(roles)["all"][1][("UN_AGENCY", "OBSERVER")] == (1, 50.0)


def test_frequency_tables_are_disaggregated_by_audience_and_by_region(report):
    relevance = columns(frequency(report, "relevance"))
    # asked of mechanisms and States, not of organizations
    assert list(relevance) == [
        "all",
        "mechanism",
        "state",
        "Caribbean",
        RCM_REGION,
        "South America",
    ]
    assert relevance["all"] == (6, {
        "1": (0, 0.0), "2": (1, 16.7), "3": (1, 16.7), "4": (2, 33.3), "5": (2, 33.3),
    })  # fmt: skip
    assert relevance["mechanism"] == (2, {
        "1": (0, 0.0), "2": (0, 0.0), "3": (0, 0.0), "4": (1, 50.0), "5": (1, 50.0),
    })  # fmt: skip
    assert relevance[RCM_REGION][0] == 3 and relevance[RCM_REGION][1]["5"] == (2, 66.7)
    assert relevance["Caribbean"] == (1, {
        "1": (0, 0.0), "2": (1, 100.0), "3": (0, 0.0), "4": (0, 0.0), "5": (0, 0.0),
    })  # fmt: skip
    coordination = columns(frequency(report, "national_coordination"))
    # a State's once-answered question: no region but "—"
    assert list(coordination) == ["all", "state", "—"]
    assert coordination["—"] == (3, {"yes": (2, 66.7), "no": (1, 33.3)})
    participation = frequency(report, "participation_frequency")
    assert [(r["code"], r["counts"][0]) for r in participation["rows"]] == [
        ("ALL", 2), ("MOST", 1), ("SOME", 0), ("RARELY", 1),
    ]  # fmt: skip
    labels = {r["code"]: r["label"] for r in frequency(report, "contribution_national")["rows"]}
    assert labels == {"yes": "Yes", "no": "No", "dk": "Don't know"}


def test_the_comparison_shows_themes_added_and_dropped_and_shifts(report):
    comparison = report.comparison
    assert comparison["previous_round"] == "Assessment 2019"
    rates = {r["audience"]: r for r in comparison["response_rates"]}
    assert (rates["mechanism"]["previous_percent"], rates["mechanism"]["percent"]) == (100.0, 66.7)
    assert rates["mechanism"]["change"] == -33.3
    assert rates["organization"]["previous_percent"] is None
    assert rates["organization"]["change"] is None
    mechanisms = {r["key"]: r for r in comparison["mechanisms"]}
    assert list(mechanisms) == ["RCM", "SACM", "all"]  # CMC answered in neither round
    rcm = mechanisms["RCM"]
    assert rcm["themes_added"] == ["Combating trafficking in persons; victim protection"]
    assert rcm["themes_dropped"] == ["Combating migrant smuggling"]
    # RCM now: own yes, yes, no; MX yes; DO yes; UNHCR no = 4 / 6. Before: own yes; MX no = 1 / 2.
    assert (rcm["contribution_previous"], rcm["contribution_current"]) == (50.0, 66.7)
    assert rcm["contribution_change"] == 16.7
    # RCM's respondents naming each value: before RCM, MX (TRUST 2 / 2); now 4 respondents.
    # Largest shifts first; of equal size, gains before losses.
    assert [(s["code"], s["previous"], s["current"], s["change"]) for s in rcm["added_value_shifts"]] == [
        ("NETWORKING", 0.0, 50.0, 50.0), ("KNOWLEDGE", 0.0, 50.0, 50.0),
        ("CAPACITY", 0.0, 25.0, 25.0), ("TRUST", 100.0, 75.0, -25.0),
    ]  # fmt: skip
    sacm = mechanisms["SACM"]
    assert (sacm["themes_added"], sacm["themes_dropped"]) == ([], [])
    assert (sacm["contribution_previous"], sacm["contribution_current"]) == (50.0, 50.0)
    overall = mechanisms["all"]
    assert overall["themes_added"] == ["Combating trafficking in persons; victim protection"]
    assert overall["themes_dropped"] == ["Combating migrant smuggling"]
    levels = {r["level"]: r for r in comparison["contribution_levels"]}
    # national before: RCM yes, SACM no, MX no, AR yes = 2 / 4
    assert (levels["national"]["previous"], levels["national"]["current"]) == (50.0, 42.9)
    assert levels["national"]["change"] == -7.1
    assert levels["global"]["change"] is None
    shifts = {s["code"]: s for s in comparison["added_value"]}
    # before: 4 respondents, TRUST 4, NETWORKING 1
    assert (shifts["TRUST"]["previous"], shifts["TRUST"]["current"]) == (100.0, 62.5)
    assert shifts["TRUST"]["change"] == -37.5
    assert shifts["NETWORKING"]["change"] == 25.0
    assert comparison["added_value"][0]["code"] == "TRUST"  # the largest shift first


def test_a_report_without_previous_round_has_no_comparison(rounds):
    from assessments.reporting.selectors import round_report_data

    current, _previous = rounds
    assert round_report_data(current).comparison is None


def test_labels_follow_the_report_language(rounds):
    from assessments.reporting.selectors import round_report_data

    current, _previous = rounds
    french = round_report_data(current, language="fr")
    assert french.thematic_matrix["areas"][0]["label"] == (
        "Gouvernance des migrations, politiques et législation"
    )
    assert french.language == "fr"


# --- queries -------------------------------------------------------------------------------

RCM_STATES = ["BZ", "CA", "CR", "GT", "HN", "MX", "NI"]
SACM_STATES = ["AR", "BO", "BR", "CL", "CO", "EC", "PE"]
STATE_ANSWERS = (
    {"institution": "Ministry", "national_coordination": "yes"},
    {
        mechanism: {"contribution_national": "yes", "added_value": ["TRUST"], "relevance": 4}
        for mechanism in ("RCM", "SACM")
    },
)


def test_the_number_of_queries_does_not_grow_with_the_responses(rounds, django_assert_num_queries):
    from assessments.reporting.selectors import round_report_data

    small, participants = new_round("q-small", 2030, ["RCM", "MX"])
    answer(participants["RCM"], CURRENT["RCM"])
    answer(participants["MX"], STATE_ANSWERS)
    large, participants = new_round("q-large", 2031, ["RCM", "SACM", *RCM_STATES, *SACM_STATES])
    for code, participant in participants.items():
        answer(participant, CURRENT[code] if code in CURRENT and len(code) > 2 else STATE_ANSWERS)
    assert small.responses.filter(status="submitted").count() == 3
    assert large.responses.filter(status="submitted").count() == 30
    round_report_data(small)  # the questionnaires' schemas are cached from here on
    # 1 the round's questionnaires; 2 participants by audience with and without a submission;
    # 3 the round's mechanisms; 4 submitted responses by audience and mechanism; 5 answer rows
    # of closed questions grouped by question, audience, mechanism, row and value; 6 respondents
    # per question, audience and mechanism; 7 mechanisms' names and regions; 8 memberships
    # expected to answer per mechanism.
    for survey_round in (small, large):
        with django_assert_num_queries(8):
            data = round_report_data(survey_round)
    assert pick(data.contribution, level="national", audience="state")["yes"] == 14
    with django_assert_num_queries(8):  # a previous round is read by the same queries
        round_report_data(large, previous_round=small)


# --- outputs -------------------------------------------------------------------------------


def test_the_html_has_every_table_with_captions_and_headers_and_inline_charts(report):
    import re

    from assessments.reporting.render import report_tables, to_html

    html = to_html(report)
    assert html.startswith("<!DOCTYPE html>")
    assert html.count("<svg") == 3
    assert 'role="img"' in html
    tables = report_tables(report)
    assert len(tables) == 14 + len(report.frequencies)
    assert html.count("<caption>") >= len(tables)
    for title in ("Response rates by audience", "Thematic matrix: current thematic areas by mechanism",
                  "Contribution to migration governance by level", "Structures across mechanisms",
                  "Partner kinds engaged by the mechanisms", "Added value, ranked by region",
                  "Comparison by mechanism", "Introduction and definitions"):  # fmt: skip
        assert title in html
    assert '<th scope="col">Response rate (%)</th>' in html
    assert '<th scope="row">Member States</th><td>4</td><td>3</td><td>75.0</td>' in html
    assert 'scope="colgroup"' in html  # the frequency tables' groups
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "ids must be unique across the inline SVGs and tables"
    assert to_html(report) == html  # deterministic, charts included


def test_the_workbook_has_one_sheet_per_table_with_a_bold_frozen_header(report):
    from openpyxl import load_workbook

    from assessments.reporting.render import report_tables, to_xlsx, xlsx_header

    workbook = load_workbook(io.BytesIO(to_xlsx(report)))
    tables = report_tables(report)
    assert len(workbook.sheetnames) == len(tables)
    assert len(set(workbook.sheetnames)) == len(tables)
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    for sheet, table in zip(workbook.worksheets, tables, strict=True):
        header = [cell.value for cell in sheet[1]]
        assert header == xlsx_header(table)
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.max_row == 1 + len(table.rows)
    rates = workbook["Rates by audience"]
    assert [c.value for c in rates[3]] == ["Member States", 4, 3, 75.0]
    relevance = workbook["F relevance"]
    assert relevance["A1"].value == "Answer"
    assert relevance["B1"].value == "All respondents (n = 6): n"


def test_charts_are_deterministic_svg_and_png(report):
    from assessments.reporting import charts

    first = charts.svg(charts.added_value_chart(report))
    assert first == charts.svg(charts.added_value_chart(report))
    assert first.startswith("<svg") and "<dc:date>" not in first
    assert charts.png(charts.thematic_heatmap(report)).startswith(b"\x89PNG")


# A child program that reads the HTML and answers with a fixed "PDF", for tests that need a
# report's files but not WeasyPrint's layout.
STAND_IN_PDF = "import sys; sys.stdin.buffer.read(); sys.stdout.write('%PDF-1.7 again')"


def pdf_text(pdf: bytes) -> str:
    """The text of every page on one line (pypdf sometimes puts a space before a full stop)."""
    import re

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+([.,])", r"\1", " ".join(text.split()))


def test_the_pdf_leaves_out_the_frequency_appendix_and_says_where_it_is(report):
    from assessments.reporting.render import report_tables, to_html, to_pdf

    printed = to_html(report, printed=True)
    text = pdf_text(to_pdf(printed))
    assert "Frequency tables of every closed question" in text  # the appendix's heading stays
    assert (
        "The frequency tables of every closed question are not printed in this PDF. They are in "
        "the other files of this report: the workbook (XLSX), the HTML version and the Word "
        "document."
    ) in text
    assert report.frequencies
    assert 'id="table-frequency_' not in printed
    for frequency in report.frequencies:
        assert f"({frequency['code']})" not in text, frequency["code"]
    # Every other table is printed, in the same order.
    screen = [t.key for t in report_tables(report) if not t.key.startswith("frequency_")]
    assert [t.key for t in report_tables(report, printed=True)] == screen
    assert all(f'id="table-{key}"' in printed for key in screen)
    assert "Comparison by mechanism" in text and "Response rates by mechanism" in text
    assert printed.count('<img src="data:image/svg+xml;base64,') == 3  # the charts, as images
    assert "<svg" not in printed


def test_the_pdfs_note_and_compact_tables_follow_the_report_language(rounds):
    from assessments.reporting.render import to_html
    from assessments.reporting.selectors import round_report_data

    current, _previous = rounds
    french = to_html(round_report_data(current, language="fr"), printed=True)
    assert "ne sont pas imprimés dans ce PDF" in french
    assert "Mécanismes ayant ce domaine thématique" in french
    spanish = to_html(round_report_data(current, language="es"), printed=True)
    assert "no se imprimen en este PDF" in spanish
    assert "Valores añadidos en el orden de la clasificación general" in spanish


def test_the_pdf_lists_each_thematic_areas_mechanisms_with_the_same_counts(report):
    from assessments.reporting.render import report_tables

    matrix = {t.key: t for t in report_tables(report)}["thematic_matrix"]
    listed = {t.key: t for t in report_tables(report, printed=True)}["thematic_matrix"]
    mechanisms = matrix.columns[1:-1]
    assert mechanisms == ["RCM", "SACM"]
    assert len(listed.rows) == len(matrix.rows)
    for grid_row, list_row in zip(matrix.rows[:-1], listed.rows[:-1], strict=True):
        ticked = [m for m, tick in zip(mechanisms, grid_row[1:-1], strict=True) if tick == "✓"]
        assert list_row == [grid_row[0], grid_row[-1], ", ".join(ticked) or None]
    governance = listed.rows[0]
    assert governance[1:] == [2, "RCM, SACM"]  # GOV: both mechanisms
    assert listed.rows[-1] == ["Thematic areas per mechanism", None, "RCM (3), SACM (2)"]
    assert listed.note == matrix.note == "No submitted response from: CMC."


def test_the_pdf_shows_added_value_by_audience_and_region_as_grids_with_the_same_figures(report):
    from assessments.reporting.render import report_tables

    long = {t.key: t for t in report_tables(report)}
    grids = {t.key: t for t in report_tables(report, printed=True)}
    for key in ("added_value_audience", "added_value_region"):
        grid = grids[key]
        values = grid.columns[2:]
        assert values[:2] == ["Trust-building", "Networking"]  # the overall ranking's order
        cells = {
            (row[0], value): n
            for row in grid.rows
            for value, n in zip(values, row[2:], strict=True)
        }
        named = {(group, label): (count, percent)
                 for group, _base, _rank, label, count, percent in long[key].rows}  # fmt: skip
        for (group, value), n in cells.items():
            count, percent = named.get((group, value), (0, 0.0))
            assert n == f"{count}\u00a0({percent:.1f})", (key, group, value)
        bases = {row[0]: row[1] for row in long[key].rows}
        assert {row[0]: row[1] for row in grid.rows} == bases
    audience = {row[0]: row for row in grids["added_value_audience"].rows}
    # The States' 4 blocks: TRUST in 2, NETWORKING in 3, COMMON_UNDERSTANDING in none.
    assert audience["Member States"][1:4] == [4, "2\u00a0(50.0)", "3\u00a0(75.0)"]
    labels = grids["added_value_audience"].columns
    common = labels.index("Common understandings and approaches to migration issues")
    assert audience["Member States"][common] == "0\u00a0(0.0)"


def test_word_tables_are_the_xml_python_docx_would_write(report):
    from docx import Document
    from lxml import etree

    from assessments.reporting.render import Table, display, write_docx_table, xlsx_header

    table = Table(
        "t", "A caption", "T", ["Label", "n", "Text"],
        [[" spaced ", 3, "a & b <c>"], ["tab\there", None, ""], ["two\nlines", 1.25, "—"]],
        note="A note",
    )  # fmt: skip
    fast = Document()
    write_docx_table(fast, table)
    api = Document()  # what write_docx_table did cell by cell with python-docx's API
    api.add_paragraph(table.title, style="Caption")
    grid = api.add_table(rows=1 + len(table.rows), cols=3)
    grid.style = "Table Grid"
    for row, values in zip(grid.rows, [xlsx_header(table), *table.rows], strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = display(value) if value != "" else ""
    for cell in grid.rows[0].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True
    api.add_paragraph(table.note)
    assert etree.tostring(fast.element.body) == etree.tostring(api.element.body)


# --- the job -------------------------------------------------------------------------------


def test_the_report_job_runs_end_to_end_and_keeps_one_set_of_files(
    rounds, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from pypdf import PdfReader

    from assessments.reporting import render
    from assessments.reporting.services.report import report_job_start, run_report_job

    settings.CELERY_TASK_ALWAYS_EAGER = True  # CI sets a broker; run the task in-process here
    current, previous = rounds
    with django_capture_on_commit_callbacks(execute=True):
        job = report_job_start(survey_round=current, previous_round=previous)
    job.refresh_from_db()
    assert (job.status, job.error, job.percent) == (Job.Status.SUCCEEDED, "", 100)
    assert (job.kind, job.parameters["previous_round_id"]) == (Job.Kind.ROUND_REPORT, previous.pk)
    files = {f.name: f for f in job.files.all()}
    assert sorted(files) == ["report.docx", "report.html", "report.pdf", "report.xlsx"]
    pdf = files["report.pdf"].file.read()
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages[:6])
    assert "Response rates by audience" in text
    assert "Round report" in text
    assert files["report.html"].file.read().decode().count("<svg") == 3
    assert files["report.docx"].size > 0
    # A second delivery finds the job taken; a fresh claim re-runs it and replaces the files
    # by name. (The PDF's rendering is already checked above: a stand-in saves time here.)
    monkeypatch.setattr(render, "PDF_CHILD", STAND_IN_PDF)
    run_report_job(job_id=job.pk)
    assert job.files.count() == 4
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    run_report_job(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.percent) == (Job.Status.SUCCEEDED, 2, 100)
    assert job.files.count() == 4
    assert job.files.get(name="report.pdf").file.read() == b"%PDF-1.7 again"


def test_the_jobs_pdf_says_where_the_frequency_tables_are_and_the_other_files_have_them(rounds):
    from django.utils.html import escape
    from docx import Document
    from openpyxl import load_workbook

    from assessments.jobs import services as jobs
    from assessments.reporting.selectors import round_report_data
    from assessments.reporting.services.report import run_report_job

    current, previous = rounds
    job = jobs.job_create(
        kind=Job.Kind.ROUND_REPORT, survey_round=current,
        parameters={"previous_round_id": previous.pk, "language": "en"},
    )  # fmt: skip
    run_report_job(job_id=job.pk)
    files = {f.name: f.file.read() for f in job.files.all()}
    frequencies = round_report_data(current, previous_round=previous).frequencies
    assert len(frequencies) > 20
    captions = [f"{f['question']} ({f['code']})" for f in frequencies]
    text = pdf_text(files["report.pdf"])
    assert "are not printed in this PDF" in text
    assert "the workbook (XLSX), the HTML version and the Word document" in text
    assert not [f["code"] for f in frequencies if f"({f['code']})" in text]
    html = files["report.html"].decode()
    assert all(f'<table id="table-frequency_{f["code"]}"' in html for f in frequencies)
    assert all(escape(caption) in html for caption in captions)
    assert "not printed in this PDF" not in html
    sheets = load_workbook(io.BytesIO(files["report.xlsx"]), read_only=True).sheetnames
    assert all(f"F {f['code']}"[:31] in sheets for f in frequencies)
    word = Document(io.BytesIO(files["report.docx"]))
    paragraphs = {p.text for p in word.paragraphs}
    assert all(caption in paragraphs for caption in captions)


def test_a_transient_database_error_requeues_the_job_until_the_last_attempt(rounds, monkeypatch):
    from django.db import OperationalError

    import assessments.reporting.selectors
    from assessments.jobs import services as jobs
    from assessments.reporting.services.report import MAX_ATTEMPTS, run_report_job
    from assessments.reporting.tasks import round_report_task

    assert round_report_task.autoretry_for == (OperationalError,)
    assert round_report_task.max_retries == MAX_ATTEMPTS - 1

    def lost_connection(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(assessments.reporting.selectors, "round_report_data", lost_connection)
    current, _previous = rounds
    job = jobs.job_create(kind=Job.Kind.ROUND_REPORT, survey_round=current)
    with pytest.raises(OperationalError):
        run_report_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # so that Celery's retry can claim it
    assert "server closed the connection" in job.error
    Job.objects.filter(pk=job.pk).update(attempts=MAX_ATTEMPTS - 1)
    with pytest.raises(OperationalError):
        run_report_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "OperationalError: server closed the connection unexpectedly"


def test_any_other_error_fails_the_job_at_once_without_a_retry(rounds, monkeypatch):
    import assessments.reporting.selectors
    from assessments.jobs import services as jobs
    from assessments.reporting.services.report import run_report_job

    def broken(*args, **kwargs):
        raise ValueError("no such question")

    monkeypatch.setattr(assessments.reporting.selectors, "round_report_data", broken)
    current, _previous = rounds
    job = jobs.job_create(kind=Job.Kind.ROUND_REPORT, survey_round=current)
    run_report_job(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.Status.FAILED, "ValueError: no such question")


# --- the staff page ------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(username="secretariat", is_staff=True)
    client.force_login(user)
    return client


def test_the_staff_page_shows_the_latest_report_inline_with_its_files(rounds, staff_client):
    from assessments.jobs import services as jobs

    current, _previous = rounds
    job = jobs.job_create(kind=Job.Kind.ROUND_REPORT, survey_round=current)
    jobs.job_attach_file(
        job_id=job.pk, name="report.html", content=b"<h1>Report & figures</h1>",
        content_type="text/html",
    )  # fmt: skip
    jobs.job_succeed(job_id=job.pk)
    jobs.job_create(kind=Job.Kind.ROUND_REPORT, survey_round=current)  # queued, not shown inline
    page = staff_client.get(f"/rounds/{current.slug}/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'srcdoc="&lt;h1&gt;Report &amp; figures&lt;/h1&gt;"' in html
    assert f"/jobs/{job.pk}/files/" in html
    assert '<option value="' in html and "Assessment 2019" in html


def test_starting_a_report_from_the_page_enqueues_it_and_opens_the_job(
    rounds, staff_client, django_capture_on_commit_callbacks, monkeypatch
):
    from assessments.reporting.tasks import round_report_task

    sent = []
    monkeypatch.setattr(round_report_task, "delay", sent.append)
    current, previous = rounds
    with django_capture_on_commit_callbacks(execute=True):
        answer_page = staff_client.post(
            f"/rounds/{current.slug}/report/",
            {"language": "fr", "previous_round": previous.pk},
        )
    job = Job.objects.get(kind=Job.Kind.ROUND_REPORT, round=current)
    assert answer_page.status_code == 302
    assert answer_page["Location"] == f"/jobs/{job.pk}/"
    assert sent == [job.pk]
    assert job.parameters == {"previous_round_id": previous.pk, "language": "fr"}


def test_the_report_page_is_for_the_secretariat_only(rounds, client, django_user_model):
    current, _previous = rounds
    client.force_login(django_user_model.objects.create_user(username="focal-point"))
    page = client.get(f"/rounds/{current.slug}/report/")
    assert page.status_code == 302 and "login" in page["Location"]


def test_a_report_whose_pdf_cannot_be_made_fails_with_the_childs_reason(rounds, monkeypatch):
    from assessments.jobs import services as jobs
    from assessments.reporting import render
    from assessments.reporting.services.report import run_report_job

    monkeypatch.setattr(render, "PDF_CHILD", "import sys; sys.exit('fonts are missing')")
    current, _previous = rounds
    job = jobs.job_create(
        kind=Job.Kind.ROUND_REPORT, survey_round=current, parameters={"language": "en"}
    )
    run_report_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "RuntimeError: The PDF could not be made: fonts are missing"
    assert not job.files.filter(name="report.pdf").exists()


def test_the_pdf_is_laid_out_in_a_child_process_while_the_other_files_are_written(monkeypatch):
    from assessments.reporting import render

    started = []
    monkeypatch.setattr(render, "PDF_CHILD", STAND_IN_PDF)
    real_popen = render.subprocess.Popen

    def popen(*args, **kwargs):
        started.append(args[0])
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(render.subprocess, "Popen", popen)
    with render.PendingPdf("<p>ISCM</p>") as pending:
        assert pending.process.pid and started  # running before anyone waits for it
        assert pending.result() == b"%PDF-1.7 again"
    assert started[0][:2] == [render.sys.executable, "-c"]
