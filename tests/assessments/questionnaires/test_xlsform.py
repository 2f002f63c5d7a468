"""The XLSForm bridge: reading Kobo/ODK forms, refusing what our format cannot hold, round trips."""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from assessments.questionnaires.shipped import SHIPPED_DIR as QUESTIONNAIRES
from assessments.questionnaires.xlsform import (
    XLSFormError,
    questionnaire_to_xlsform,
    xlsform_to_questionnaire,
)

SETTINGS = [
    ["form_title", "form_title::French (fr)", "form_title::Spanish (es)", "form_id", "version"],
    ["Test form", "Formulaire de test", "Formulario de prueba", "test_form", 3],
]
CHOICES_HEADER = ["list_name", "name", "label::English (en)", "label::French (fr)", "label::es"]
COLORS = [
    ["colors", "RED", "Red", "Rouge", "Rojo"],
    ["colors", "BLUE", "Blue", "Bleu", "Azul"],
]


def workbook_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsform(
    survey: list[list[Any]],
    choices: list[list[Any]] | None = None,
    form_settings: list[list[Any]] | None = None,
) -> bytes:
    """A form: `survey` starts with its header row; `choices` rows go under CHOICES_HEADER."""
    return workbook_bytes(
        {
            "survey": survey,
            "choices": [CHOICES_HEADER, *(choices or [])],
            "settings": form_settings or SETTINGS,
        }
    )


def simple_survey(*rows: list[Any], header: list[str] | None = None) -> bytes:
    """`type, name, label` plus `header`'s extra columns; a `colors` list is defined."""
    columns = ["type", "name", "label", *(header or [])]
    return xlsform([columns, *rows], COLORS)


def errors_of(source: bytes) -> list[str]:
    with pytest.raises(XLSFormError) as caught:
        xlsform_to_questionnaire(source)
    return caught.value.errors


def question_defaults(**fields: Any) -> dict[str, Any]:
    question = {
        "required": False,
        "min_value": None,
        "max_value": None,
        "max_choices": None,
        "other_option": False,
        "choices": None,
        "columns": None,
        "rows_from": None,
        "condition": None,
        "summary_section": "meta",
    }
    question.update(fields)
    return question


# --- reading a Kobo-style form --------------------------------------------------------------

MULTILINGUAL_SURVEY = [
    [
        "type",
        "name",
        "label::English (en)",
        "label::French (fr)",
        "label::es",
        "hint::English (en)",
        "hint::fr",
        "required",
        "constraint",
        "relevant",
        "$kuid",
    ],
    ["start", "start"],
    ["text", "respondent", "Your name", "Votre nom", "Su nombre", None, None, "yes"],
    ["begin_group", "A1", "Programming", "Programmation", "Programación", "About the work"],
    [
        "select_one colors",
        "favourite",
        "Favourite colour",
        "Couleur préférée",
        "Color favorito",
        "Pick one",
        "Choisissez-en une",
        True,
    ],
    ["select_multiple colors", "palette", "Palette", "Palette", "Paleta"],
    [
        "integer",
        "staff",
        "Staff",
        "Personnel",
        "Personal",
        None,
        None,
        "FALSE",
        ". >= 1 and . <= 10",
        "${favourite} = 'RED'",
        "abc123",
    ],
    ["text", "why_not", "Why not?", None, None, None, None, None, None, "${favourite}!='RED'"],
    ["select_one yes_no", "likes", "Do you like it?", "Aimez-vous ?", "¿Le gusta?"],
    ["end_group"],
    ["begin group", "per_mechanism_b1", "Each mechanism", "Chaque mécanisme", "Cada mecanismo"],
    [
        "decimal",
        "budget",
        "Budget",
        None,
        None,
        None,
        None,
        "no",
        ".>=0.5",
        "selected(${palette}, 'BLUE')",
    ],
    ["integer", "meetings", "Meetings", *[None] * 5, ". > 0 and . < 100"],
    ["note", "thanks", "Thanks", *[None] * 6, 'selected( ${favourite} , "BLUE" )'],
    ["end group"],
    ["end", "end"],
]
MULTILINGUAL_CHOICES = [
    *COLORS,
    ["yes_no", "yes", "Yes", "Oui", "Sí"],
    ["yes_no", "no", "No", "Non", "No"],
]
COLOR_ITEMS = [
    {"code": "RED", "label": {"en": "Red", "fr": "Rouge", "es": "Rojo"}},
    {"code": "BLUE", "label": {"en": "Blue", "fr": "Bleu", "es": "Azul"}},
]


def test_reads_a_multilingual_form_with_groups_required_constraints_and_conditions():
    source = xlsform(MULTILINGUAL_SURVEY, MULTILINGUAL_CHOICES)

    questionnaire = xlsform_to_questionnaire(source)

    colors = {"source": "local", "items": COLOR_ITEMS}
    assert questionnaire == {
        "format": "iscm-questionnaire",
        "format_version": 1,
        "key": "test_form",
        "version": 3,
        "audience": "mechanism",
        "status": "draft",
        "title": {"en": "Test form", "fr": "Formulaire de test", "es": "Formulario de prueba"},
        "sections": [
            {
                "code": "main",
                "title": {
                    "en": "Test form",
                    "fr": "Formulaire de test",
                    "es": "Formulario de prueba",
                },
                "per_mechanism": False,
                "questions": [
                    {
                        "code": "respondent",
                        "type": "text",
                        "text": {"en": "Your name", "fr": "Votre nom", "es": "Su nombre"},
                        **question_defaults(required=True),
                    }
                ],
            },
            {
                "code": "A1",
                "title": {"en": "Programming", "fr": "Programmation", "es": "Programación"},
                "help": {"en": "About the work"},
                "per_mechanism": False,
                "questions": [
                    {
                        "code": "favourite",
                        "type": "single",
                        "text": {
                            "en": "Favourite colour",
                            "fr": "Couleur préférée",
                            "es": "Color favorito",
                        },
                        "help": {"en": "Pick one", "fr": "Choisissez-en une"},
                        **question_defaults(required=True, choices=colors),
                    },
                    {
                        "code": "palette",
                        "type": "multiple",
                        "text": {"en": "Palette", "fr": "Palette", "es": "Paleta"},
                        **question_defaults(choices=colors),
                    },
                    {
                        "code": "staff",
                        "type": "integer",
                        "text": {"en": "Staff", "fr": "Personnel", "es": "Personal"},
                        **question_defaults(
                            min_value=1,
                            max_value=10,
                            condition={
                                "question": "favourite",
                                "operator": "equals",
                                "values": ["RED"],
                            },
                        ),
                    },
                    {
                        "code": "why_not",
                        "type": "text",
                        "text": {"en": "Why not?"},
                        **question_defaults(
                            condition={
                                "question": "favourite",
                                "operator": "not_equals",
                                "values": ["RED"],
                            }
                        ),
                    },
                    {
                        "code": "likes",
                        "type": "yes_no",
                        "text": {"en": "Do you like it?", "fr": "Aimez-vous ?", "es": "¿Le gusta?"},
                        **question_defaults(),
                    },
                ],
            },
            {
                "code": "per_mechanism_b1",
                "title": {"en": "Each mechanism", "fr": "Chaque mécanisme", "es": "Cada mecanismo"},
                "per_mechanism": True,
                "questions": [
                    {
                        "code": "budget",
                        "type": "decimal",
                        "text": {"en": "Budget"},
                        **question_defaults(
                            min_value=0.5,
                            condition={
                                "question": "palette",
                                "operator": "includes",
                                "values": ["BLUE"],
                            },
                        ),
                    },
                    {
                        "code": "meetings",
                        "type": "integer",
                        "text": {"en": "Meetings"},
                        **question_defaults(min_value=1, max_value=99),
                    },
                    {
                        "code": "thanks",
                        "type": "note",
                        "text": {"en": "Thanks"},
                        **question_defaults(
                            condition={
                                "question": "favourite",
                                "operator": "equals",
                                "values": ["BLUE"],
                            }
                        ),
                    },
                ],
            },
        ],
    }


def test_key_argument_overrides_form_id_and_settings_give_audience_and_defaults():
    form_settings = [["form_title", "form_id", "audience"], ["State form", "kobo_id", "state"]]
    survey = [["type", "name", "label"], ["text", "name_of_state", "Name"]]

    questionnaire = xlsform_to_questionnaire(xlsform(survey, [], form_settings), key="state")

    assert questionnaire["key"] == "state"
    assert questionnaire["audience"] == "state"
    assert questionnaire["version"] == 1
    assert questionnaire["status"] == "draft"
    assert questionnaire["title"] == {"en": "State form"}
    assert "description" not in questionnaire


def test_lists_only_named_like_built_in_types_but_different_stay_local():
    choices = [
        ["yes_no_dk", "yes", "Yes"],
        ["yes_no_dk", "no", "No"],
        ["yes_no_dk", "maybe", "Maybe"],
        *[["scale5", number, str(number)] for number in range(1, 6)],
        *[["scores", number, str(number)] for number in range(1, 6)],
    ]
    survey = [
        ["type", "name", "label", "appearance"],
        ["select_one yes_no_dk", "unsure", "Unsure"],
        ["select_one scale5", "rating", "Rating"],
        ["select_one scores", "score", "Score"],
        ["text", "story", "Story", "multiline"],
    ]

    questions = xlsform_to_questionnaire(xlsform(survey, choices))["sections"][0]["questions"]

    assert [question["type"] for question in questions] == [
        "single",
        "scale5",
        "single",
        "long_text",
    ]
    assert [item["code"] for item in questions[0]["choices"]["items"]] == ["yes", "no", "maybe"]
    assert questions[1]["choices"] is None
    assert [item["code"] for item in questions[2]["choices"]["items"]] == list("12345")


def test_several_values_in_the_generated_chain_forms():
    survey = simple_survey(
        ["select_multiple colors", "palette", "Palette"],
        ["select_one colors", "favourite", "Favourite"],
        ["text", "a", "A", "${favourite} = 'RED' or ${favourite} = 'BLUE'"],
        ["text", "b", "B", "${favourite} != 'RED' and ${favourite} != \"BLUE\""],
        ["text", "c", "C", "selected(${palette}, 'RED') or selected(${palette}, 'BLUE')"],
        header=["relevant"],
    )

    questions = xlsform_to_questionnaire(survey)["sections"][0]["questions"]

    assert [question["condition"] for question in questions[2:]] == [
        {"question": "favourite", "operator": "equals", "values": ["RED", "BLUE"]},
        {"question": "favourite", "operator": "not_equals", "values": ["RED", "BLUE"]},
        {"question": "palette", "operator": "includes", "values": ["RED", "BLUE"]},
    ]


def test_questions_outside_groups_keep_their_place():
    survey = [
        ["type", "name", "label"],
        ["text", "first", "First"],
        ["begin_group", "main", "Named main"],
        ["text", "second", "Second"],
        ["end_group"],
        ["text", "third", "Third"],
    ]

    sections = xlsform_to_questionnaire(xlsform(survey))["sections"]

    assert [(section["code"], len(section["questions"])) for section in sections] == [
        ("main_2", 1),
        ("main", 1),
        ("main_3", 1),
    ]


def test_reads_from_a_path_and_from_a_file_object(tmp_path):
    source = simple_survey(["text", "story", "Story"])
    path = tmp_path / "form.xlsx"
    path.write_bytes(source)

    assert xlsform_to_questionnaire(str(path)) == xlsform_to_questionnaire(io.BytesIO(source))
    assert xlsform_to_questionnaire(path)["sections"][0]["questions"][0]["code"] == "story"


# --- refusals -------------------------------------------------------------------------------


def test_refused_constructs_name_sheet_row_and_construct():
    survey = simple_survey(
        ["select_one colors", "a", "A"],
        ["geopoint", "where", "Where?"],
        ["integer", "b", "B", "${a} > 3"],
        ["text", "c", "C", "${a} = 'RED' and ${a} = 'BLUE'"],
        ["text", "d", "D", "${unknown} = 'RED'"],
        ["calculate", "total", "Total"],
        ["begin_repeat", "people", "People"],
        header=["relevant"],
    )

    assert errors_of(survey) == [
        "survey row 3: type 'geopoint' is not supported",
        "survey row 7: type 'calculate' is not supported",
        "survey row 8: type 'begin_repeat' is not supported",
        'survey row 4: relevant "${a} > 3" is not in a supported form '
        "(${q} = 'x', ${q} != 'x', selected(${q}, 'x'))",
        "survey row 5: relevant \"${a} = 'RED' and ${a} = 'BLUE'\" is not in a supported form "
        "(${q} = 'x', ${q} != 'x', selected(${q}, 'x'))",
        "survey row 6: relevant \"${unknown} = 'RED'\" refers to 'unknown', which is not a question",
    ]


def test_undefined_choice_list_is_reported_on_the_choices_sheet():
    survey = [["type", "name", "label"], ["text", "a", "A"], ["select_one shapes", "b", "B"]]

    assert errors_of(xlsform(survey)) == [
        "choices: list 'shapes' used in survey row 3 is not defined"
    ]


@pytest.mark.parametrize(
    ("row", "header", "message"),
    [
        (
            ["text", "a", "A", "sometimes"],
            "required",
            "survey row 2: required 'sometimes' is not supported (use yes or no; "
            "conditional values are not supported)",
        ),
        (
            ["text", "a", "A", "${b} = 'x'"],
            "required",
            "survey row 2: required \"${b} = 'x'\" is not supported (use yes or no; "
            "conditional values are not supported)",
        ),
        (
            ["decimal", "a", "A", ". > 0"],
            "constraint",
            'survey row 2: constraint ". > 0" uses a strict comparison, which is only supported '
            "on whole numbers; use >= or <=",
        ),
        (
            ["integer", "a", "A", ". >= 1 or . <= 10"],
            "constraint",
            'survey row 2: constraint ". >= 1 or . <= 10" is not in a supported form '
            '(. >= n, . <= n, . > n, . < n, or two of them joined with "and")',
        ),
        (
            ["integer", "a", "A", "regex(., '^[0-9]+$')"],
            "constraint",
            "survey row 2: constraint \"regex(., '^[0-9]+$')\" is not in a supported form "
            '(. >= n, . <= n, . > n, . < n, or two of them joined with "and")',
        ),
        (
            ["text", "a", "A", ". != ''"],
            "constraint",
            "survey row 2: constraint \". != ''\" is only supported on integer and decimal "
            "questions",
        ),
        (
            ["integer", "a", "A", "${a} * 2"],
            "calculation",
            "survey row 2: column 'calculation' is not supported ('${a} * 2')",
        ),
        (
            ["select_one colors", "a", "A", "filter = 'x'"],
            "choice_filter",
            "survey row 2: column 'choice_filter' is not supported (\"filter = 'x'\")",
        ),
        (
            ["text", "Favourite", "A"],
            "hint",
            "survey row 2: name 'Favourite' is not a valid question code (it must start with a "
            "lowercase letter and hold only lowercase letters, digits and underscores)",
        ),
        (
            ["text", "a", "A", "Indice"],
            "hint::Arabic (ar)",
            "survey row 1: column 'hint::Arabic (ar)' is in a language that is not supported "
            "(only English (en), French (fr) and Spanish (es) are)",
        ),
        (
            ["select_one", "a", "A"],
            "hint",
            "survey row 2: type 'select_one' needs a choice list name",
        ),
        (["text", "a", None, "Aide"], "hint", "survey row 2: question 'a' has no English label"),
    ],
)
def test_each_refused_construct_gives_one_clear_message(row, header, message):
    assert errors_of(simple_survey(row, header=[header])) == [message]


def test_group_problems_are_refused():
    survey = [
        ["type", "name", "label"],
        ["begin_group", "outer", "Outer"],
        ["begin_group", "inner", "Inner"],
        ["text", "a", "A"],
        ["end_group"],
        ["end_group"],
        ["end_group"],
        ["begin_group", "open", "Open"],
        ["text", "b", "B"],
    ]

    assert errors_of(xlsform(survey)) == [
        "survey row 3: group 'inner' is inside group 'outer' (survey row 2); nested groups are "
        "not supported",
        "survey row 7: end_group has no matching begin_group",
        "survey row 8: group 'open' is never closed (its end_group is missing)",
    ]


def test_duplicates_and_settings_problems_are_all_reported():
    survey = [["type", "name", "label"], ["text", "a", "A"], ["integer", "a", "Again"]]
    choices = [["colors", "RED", "Red"], ["colors", "RED", "Red again"]]
    form_settings = [["form_id", "version", "audience"], ["f", "v2", "everyone"]]

    assert errors_of(xlsform(survey, choices, form_settings)) == [
        "settings row 2: the form_title (in English) is missing",
        "settings row 2: version 'v2' is not a whole number of at least 1",
        "settings row 2: audience 'everyone' is not one of mechanism, state, organization",
        "choices row 3: choice 'RED' appears twice in list 'colors' (first in choices row 2)",
        "survey row 3: name 'a' is already used in survey row 2",
    ]


@pytest.mark.parametrize(
    "source",
    [
        b"this is not a spreadsheet",
        b"",
        b"PK\x03\x04 truncated zip",
        io.StringIO("type,name,label"),
        None,
    ],
)
def test_a_file_that_is_not_an_xlsx_gives_one_clear_error(source):
    assert errors_of(source) == [
        "The file is not an .xlsx workbook; save the XLSForm in the Excel Workbook (.xlsx) "
        "format and upload it again."
    ]


def test_old_xls_and_missing_survey_sheet_and_missing_file(tmp_path):
    old_xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    assert errors_of(old_xls) == [
        "The file is an old-style Excel .xls workbook; save it in the Excel Workbook (.xlsx) "
        "format and upload it again."
    ]
    no_survey = workbook_bytes({"Sheet1": [["type", "name"]], "settings": SETTINGS})
    assert errors_of(no_survey) == ["The workbook has no 'survey' sheet, so it is not an XLSForm."]
    with pytest.raises(XLSFormError, match="could not be read"):
        xlsform_to_questionnaire(str(tmp_path / "missing.xlsx"))


def test_str_of_the_error_joins_the_messages():
    error = XLSFormError(["first problem", "second problem"])

    assert isinstance(error, ValueError)
    assert str(error) == "first problem\nsecond problem"


CELL_VALUES = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "text",
            "integer",
            "decimal",
            "select_one colors",
            "select_multiple colors",
            "select_one",
            "begin_group",
            "end_group",
            "note",
            "a",
            "b",
            "yes",
            ". >= 1",
            "${a} = 'RED'",
            "selected(${a}, 'RED')",
            "multiline",
            "year",
            "matrix",
            "local:colors",
            "vocabulary:x",
        ]
    ),
    st.text(st.characters(min_codepoint=32), max_size=8),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
)
SURVEY_HEADERS = st.lists(
    st.sampled_from(
        [
            "type",
            "name",
            "label",
            "label::fr",
            "hint",
            "required",
            "constraint",
            "relevant",
            "appearance",
            "our_type",
            "choice_source",
            "columns_source",
            "max_choices",
            "calculation",
        ]
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=SURVEY_HEADERS,
    rows=st.lists(st.lists(CELL_VALUES, max_size=8), max_size=6),
)
def test_arbitrary_cells_give_a_questionnaire_or_an_xlsform_error(header, rows):
    cleaned = [
        [value for value in row if not (isinstance(value, str) and value[:1] == "=")]
        for row in rows
    ]
    source = xlsform([header, *cleaned], COLORS)

    try:
        result = xlsform_to_questionnaire(source)
    except XLSFormError as error:
        assert error.errors
        assert all(isinstance(message, str) and message for message in error.errors)
    else:
        assert result["sections"]


# --- writing and round trips ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["mechanism", "state", "organization"])
def test_shipped_questionnaires_survive_a_round_trip_exactly(name):
    data = json.loads((QUESTIONNAIRES / f"{name}.json").read_text(encoding="utf-8"))

    assert xlsform_to_questionnaire(questionnaire_to_xlsform(data)) == data


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

    assert xlsform_to_questionnaire(questionnaire_to_xlsform(data)) == EDGE_CASES


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

    result = convert(xlsform=questionnaire_to_xlsform(data), file_type=".xlsx", validate=False)

    assert "<h:title>2019-style questionnaire for Member States</h:title>" in result.xform
