"""The XLSForm bridge, writing: questionnaires become XLSForms that read back unchanged."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from assessments.questionnaires.shipped import SHIPPED_DIR as QUESTIONNAIRES
from assessments.questionnaires.xlsform import questionnaire_to_xlsform
from tests.assessments.questionnaires.xlsform_helpers import question_defaults, read_form


@pytest.mark.parametrize("name", ["mechanism", "state", "organization"])
def test_shipped_questionnaires_survive_a_round_trip_exactly(name):
    data = json.loads((QUESTIONNAIRES / f"{name}.json").read_text(encoding="utf-8"))

    assert read_form(questionnaire_to_xlsform(data)) == data


def local(*codes: str) -> dict[str, Any]:
    return {
        "source": "local",
        "items": [
            {"code": code, "label": {"en": code.title(), "fr": code.lower()}} for code in codes
        ],
    }


def question(code: str, type_: str, **fields: Any) -> dict[str, Any]:
    return {
        "code": code,
        "type": type_,
        "text": {"en": code.title()},
        **question_defaults(**fields),
    }


EDGE_CASES = {
    "format": "iscm-questionnaire",
    "format_version": 1,
    "key": "edge",
    "version": 7,
    "audience": "organization",
    "status": "retired",
    "title": {"en": "=Edge cases", "es": "Casos límite"},
    "sections": [
        {
            "code": "per_mechanism_but_not",
            "title": {"en": "Not per mechanism"},
            "per_mechanism": False,
            "questions": [
                question("yes_no", "single", choices=local("YES", "NO"), required=True),
                question("scale5", "single", choices=local("1", "2", "3", "4", "5")),
                question("picked", "multiple", choices=local("A", "B", "C"), max_choices=2),
                question("org", "single", choices={"source": "mechanisms"}, other_option=True),
                question("vocab", "multiple", choices={"source": "vocabulary", "name": "x.y"}),
                question(
                    "shown",
                    "text",
                    condition={"question": "picked", "operator": "includes", "values": ["A", "B"]},
                ),
                question(
                    "hidden",
                    "long_text",
                    condition={"question": "yes_no", "operator": "equals", "values": ["YES", "NO"]},
                    summary_section="2",
                ),
                question(
                    "quoted",
                    "date",
                    condition={"question": "org", "operator": "not_equals", "values": ["O'K", "X"]},
                ),
            ],
        },
        {
            "code": "B 1",
            "title": {"en": "Per mechanism", "fr": "Par mécanisme"},
            "help": {"fr": "Aide", "en": "Help"},
            "per_mechanism": True,
            "questions": [
                question("founded", "year", min_value=1900, max_value=2100),
                question("share", "decimal", min_value=0.25, max_value=1e20),
                question("count", "integer", min_value=-5),
                question("share_2", "decimal", max_value=3),
                question(
                    "roles",
                    "matrix",
                    choices=local("DONOR", "MEMBER"),
                    columns={"source": "vocabulary", "name": "partner_types"},
                    rows_from="picked",
                ),
                question(
                    "by_mechanism",
                    "matrix",
                    choices={"source": "mechanisms"},
                    columns=local("LEAD", "SUPPORT"),
                ),
                question("agree", "yes_no_dk", help={"en": "=1+1"}),
                question("score", "scale5"),
                question("done", "yes_no"),
                question("bye", "note"),
            ],
        },
        {"code": "yes_no", "title": {"en": "Empty"}, "per_mechanism": False, "questions": []},
    ],
}


def test_every_construct_of_the_format_survives_a_round_trip():
    data = copy.deepcopy(EDGE_CASES)

    assert read_form(questionnaire_to_xlsform(data)) == EDGE_CASES


def test_written_workbook_is_a_readable_xlsform():
    workbook = load_workbook(io.BytesIO(questionnaire_to_xlsform(EDGE_CASES)), read_only=True)
    survey = list(workbook["survey"].iter_rows(values_only=True))
    header = survey[0]
    rows = [dict(zip(header, row, strict=False)) for row in survey[1:]]
    by_name = {row["name"]: row for row in rows if row["name"]}

    assert workbook.sheetnames == ["survey", "choices", "settings"]
    assert by_name["per_mechanism_B_1"]["type"] == "begin_group"
    assert by_name["per_mechanism_B_1"]["section_code"] == "B 1"
    assert by_name["section_per_mechanism_but_not"]["section_code"] == "per_mechanism_but_not"
    assert by_name["yes_no"]["type"] == "select_one yes_no_2"
    assert by_name["hidden"]["relevant"] == "${yes_no} = 'YES' or ${yes_no} = 'NO'"
    assert by_name["quoted"]["relevant"] == "${org} != \"O'K\" and ${org} != 'X'"
    assert by_name["shown"]["relevant"] == "selected(${picked}, 'A') or selected(${picked}, 'B')"
    assert by_name["founded"]["constraint"] == ". >= 1900 and . <= 2100"
    assert by_name["founded"]["our_type"] == "year"
    assert by_name["roles"]["columns_source"] == "vocabulary:partner_types"
    assert by_name["by_mechanism"]["columns_source"] == "local:by_mechanism_columns"
    assert by_name["hidden"]["appearance"] == "multiline"
    assert by_name["agree"]["type"] == "select_one yes_no_dk"


def test_written_form_with_local_lists_converts_with_pyxform():
    from pyxform.xls2xform import convert

    data = json.loads((QUESTIONNAIRES / "state.json").read_text(encoding="utf-8"))
    for section in data["sections"]:
        for item in section["questions"]:
            if item["choices"] and item["choices"]["source"] != "local":
                item["choices"] = local("ONE", "TWO")
    with_wording(data)

    result = convert(xlsform=questionnaire_to_xlsform(data), file_type=".xlsx", validate=False)

    assert "<h:title>2019-style questionnaire for Member States</h:title>" in result.xform
    # The summary wording travels as extra data of the choices, which the form ignores.
    assert "<phrase_fr>" in result.xform and "<sentence_en>" in result.xform


# Summary wording of choices: `phrase` and `sentence` go through the choices sheet.


def local_items(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        item
        for section in data["sections"]
        for question_ in section["questions"]
        for key in ("choices", "columns")
        if (question_.get(key) or {}).get("source") == "local"
        for item in question_[key]["items"]
    ]


def with_wording(data: dict[str, Any]) -> dict[str, Any]:
    """Give every other local item a phrase in three languages (and some a sentence), keeping any
    wording the items already have; the other items are left without."""
    for index, item in enumerate(local_items(data)):
        if index % 2 == 0:
            code = item["code"]
            item.setdefault("phrase", {"en": f"the {code}", "fr": f"le {code}", "es": f"el {code}"})
            if index % 4 == 0:
                item.setdefault("sentence", {"en": f"It is {code}.", "fr": f"C'est {code}."})
    return data


@pytest.mark.parametrize("name", ["mechanism", "state", "organization"])
def test_shipped_questionnaires_with_summary_wording_survive_a_round_trip(name):
    data = with_wording(json.loads((QUESTIONNAIRES / f"{name}.json").read_text(encoding="utf-8")))
    items = local_items(data)
    assert any("phrase" in item for item in items) and any("sentence" in item for item in items)

    assert read_form(questionnaire_to_xlsform(data)) == data


WORDING = {
    "format": "iscm-questionnaire",
    "format_version": 1,
    "key": "wording",
    "version": 1,
    "audience": "mechanism",
    "status": "draft",
    "title": {"en": "Wording"},
    "sections": [
        {
            "code": "A1",
            "title": {"en": "Work"},
            "per_mechanism": False,
            "questions": [
                question(
                    "reporting",
                    "single",
                    choices={
                        "source": "local",
                        "items": [
                            {
                                "code": "ANNUAL",
                                "label": {"en": "Annually", "fr": "Chaque année", "es": "Anual"},
                                "phrase": {
                                    "en": "once a year",
                                    "fr": "une fois par an",
                                    "es": "una vez al año",
                                },
                                "sentence": {
                                    "en": "It reports every year.",
                                    "fr": "Il rend compte chaque année.",
                                    "es": "Informa cada año.",
                                },
                            },
                            {
                                "code": "NEVER",
                                "label": {"en": "Never"},
                                "sentence": {"en": "It never reports.", "es": "Nunca informa."},
                            },
                            {"code": "OTHER_WAY", "label": {"en": "Otherwise"}},
                        ],
                    },
                ),
                question(
                    "roles",
                    "matrix",
                    choices={"source": "mechanisms"},
                    columns={
                        "source": "local",
                        "items": [
                            {
                                "code": "LEAD",
                                "label": {"en": "Lead"},
                                "phrase": {"en": "leads", "fr": "dirige", "es": "dirige"},
                            },
                            {"code": "SUPPORT", "label": {"en": "Support"}},
                        ],
                    },
                ),
            ],
        }
    ],
}
WORDING_COLUMNS = [
    "phrase_en",
    "phrase_fr",
    "phrase_es",
    "sentence_en",
    "sentence_fr",
    "sentence_es",
]


def choices_sheet(data: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The header of the written choices sheet, and its rows by column."""
    workbook = load_workbook(io.BytesIO(questionnaire_to_xlsform(data)), read_only=True)
    header, *rows = workbook["choices"].iter_rows(values_only=True)
    return list(header), [dict(zip(header, row, strict=True)) for row in rows]


def test_phrases_and_sentences_of_a_small_questionnaire_survive_a_round_trip():
    data = copy.deepcopy(WORDING)

    assert read_form(questionnaire_to_xlsform(data)) == WORDING


def test_choices_sheet_has_phrase_and_sentence_columns_filled_for_the_items_that_have_them():
    header, rows = choices_sheet(WORDING)
    by_code = {row["name"]: row for row in rows}

    assert header == [
        "list_name",
        "name",
        "label::English (en)",
        "label::French (fr)",
        "label::Spanish (es)",
        *WORDING_COLUMNS,
    ]
    assert [by_code["ANNUAL"][column] for column in WORDING_COLUMNS] == [
        "once a year",
        "une fois par an",
        "una vez al año",
        "It reports every year.",
        "Il rend compte chaque année.",
        "Informa cada año.",
    ]
    assert [by_code["NEVER"][column] for column in WORDING_COLUMNS] == [
        *[None] * 3,
        "It never reports.",
        None,
        "Nunca informa.",
    ]
    assert by_code["LEAD"]["phrase_es"] == "dirige"
    assert [by_code["OTHER_WAY"][column] for column in WORDING_COLUMNS] == [None] * 6


def test_choices_sheet_keeps_its_columns_when_no_item_has_wording():
    header, rows = choices_sheet(EDGE_CASES)

    assert header[-6:] == WORDING_COLUMNS
    assert rows and all(row[column] is None for row in rows for column in WORDING_COLUMNS)
