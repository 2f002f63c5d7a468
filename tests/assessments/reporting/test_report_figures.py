"""The round report's figures against hand-computed expectations (the rounds: see
report_helpers), and a constant number of queries."""

from __future__ import annotations

from typing import Any

import pytest

from tests.assessments.reporting.report_helpers import (
    CURRENT,
    RCM_REGION,
    answer,
    new_round,
    ranking,
)

pytestmark = pytest.mark.django_db


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


def test_response_rates_by_region_group_count_own_responses_and_member_state_blocks(report):
    # CMC, RCM and SACM are all in the Americas group: one row. Expected: the three own
    # responses and the member States' blocks (CMC: DO; RCM: MX, DO, CR; SACM: AR); submitted:
    # RCM's and SACM's own, DO's block about CMC, MX's and DO's about RCM, AR's (CR: a draft).
    assert [
        (r["region"], r["mechanisms"], r["mechanisms_responded"], r["expected"], r["submitted"],
         r["percent"])
        for r in report.response_rates_by_region
    ] == [("Americas", 3, 2, 8, 6, 75.0)]  # fmt: skip


def test_the_report_and_the_dashboard_agree_on_region_rates(rounds, report):
    from assessments.rounds.selectors import REGION_RATE_DEFINITION, round_dashboard

    current, _previous = rounds
    dashboard = round_dashboard(current)
    assert [
        (g.label, g.mechanisms, g.mechanisms_submitted, g.expected, g.submitted)
        for g in dashboard.regions
    ] == [
        (r["region"], r["mechanisms"], r["mechanisms_responded"], r["expected"], r["submitted"])
        for r in report.response_rates_by_region
    ]
    assert dashboard.regions[0].acronyms == ["CMC", "RCM", "SACM"]
    assert str(REGION_RATE_DEFINITION) in report.definitions


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
    # expected to answer per mechanism; 9 response rates by region group (the dashboard's query).
    for survey_round in (small, large):
        with django_assert_num_queries(9):
            data = round_report_data(survey_round)
    assert pick(data.contribution, level="national", audience="state")["yes"] == 14
    with django_assert_num_queries(9):  # a previous round is read by the same queries
        round_report_data(large, previous_round=small)


def test_with_every_active_mechanism_the_report_has_one_row_per_region_group(rounds):
    from assessments.reporting.selectors import round_report_data
    from assessments.rounds.selectors import round_dashboard
    from mechanisms.models import Mechanism, RegionGroup

    acronyms = list(Mechanism.objects.active().values_list("acronym", flat=True))
    assert len(acronyms) == 35
    survey_round, _participants = new_round("every-mechanism", 2030, acronyms)

    rows = round_report_data(survey_round).response_rates_by_region
    # 36 free-text regions before; now the seven groups, in their order, 35 mechanisms in all.
    assert [r["region"] for r in rows] == [str(label) for _code, label in RegionGroup.choices]
    assert sum(r["mechanisms"] for r in rows) == 35
    dashboard = round_dashboard(survey_round)
    assert [(g.label, g.expected, g.submitted) for g in dashboard.regions] == [
        (r["region"], r["expected"], r["submitted"]) for r in rows
    ]
