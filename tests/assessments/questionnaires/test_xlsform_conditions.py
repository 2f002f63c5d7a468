"""XLSForm `relevant`: the common expression forms become our conditions, a group's condition
applies to each question in it, and choice names our codes refuse are mapped and kept."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pyxform.xls2xform import convert as pyxform_convert

from assessments.questionnaires.models import Choice
from assessments.questionnaires.services import questionnaire_to_dict, xlsform_import
from assessments.questionnaires.xlsform import (
    XLSFormError,
    questionnaire_to_xlsform,
    xlsform_to_questionnaire,
)
from tests.assessments.questionnaires.xlsform_helpers import read_form, workbook_bytes

CHOICES = [
    ["list_name", "name", "label"],
    ["colors", "RED", "Red"],
    ["colors", "BLUE", "Blue"],
    ["colors", "GREEN", "Green"],
]
SURVEY_HEAD = [
    ["type", "name", "label", "relevant"],
    ["select_one colors", "color", "Colour"],
    ["select_multiple colors", "likes", "Liked colours"],
]
MORE_HEAD = [["decimal", "size", "Size"], ["text", "why_not", "Why not?"]]


def convert(content: bytes) -> str:
    """The XForm pyxform makes of `content` (raising on its errors)."""
    xform = pyxform_convert(xlsform=content, file_type=".xlsx", validate=False).xform
    assert "relevant=" in xform
    return xform


def condition_of(relevant: str) -> dict | None:
    survey = [*SURVEY_HEAD, *MORE_HEAD, ["text", "why", "Why?", relevant]]
    data = read_form(workbook_bytes({"survey": survey, "choices": CHOICES}))
    return data["sections"][0]["questions"][-1]["condition"]


@pytest.mark.parametrize(
    ("relevant", "operator", "question", "values"),
    [
        ("${color} = 'RED'", "equals", "color", ["RED"]),
        ('${color}="RED"', "equals", "color", ["RED"]),
        ("${color} != 'RED'", "not_equals", "color", ["RED"]),
        ("${color} = 'RED' or ${color} = 'BLUE'", "equals", "color", ["RED", "BLUE"]),
        ("(${color} = 'BLUE') or (${color} = 'RED')", "equals", "color", ["RED", "BLUE"]),
        ("${color} != 'RED' and ${color} != 'BLUE'", "not_equals", "color", ["RED", "BLUE"]),
        ("not(${color} = 'RED')", "not_equals", "color", ["RED"]),
        ("not(${color} = 'RED' or ${color} = 'GREEN')", "not_equals", "color", ["RED", "GREEN"]),
        ("selected(${color}, 'GREEN')", "equals", "color", ["GREEN"]),
        ("selected(${likes}, 'RED')", "includes", "likes", ["RED"]),
        (
            "selected(${likes}, 'RED') or selected(${likes}, 'BLUE')",
            "includes",
            "likes",
            ["RED", "BLUE"],
        ),
        ("${color} != ''", "answered", "color", []),
        ("${why_not} != ''", "answered", "why_not", []),
        ("string-length(${why_not}) > 0", "answered", "why_not", []),
        ("count-selected(${likes}) > 0", "answered", "likes", []),
        ("not(selected(${likes}, 'RED'))", "excludes", "likes", ["RED"]),
        ("${size} >= 18", "at_least", "size", ["18"]),
        ("${size} > 17", "greater_than", "size", ["17"]),
        ("not(${size} < 5)", "at_least", "size", ["5"]),
        ("${size} <= 2.5", "at_most", "size", ["2.5"]),
        ("${size} = 3", "equals", "size", ["3"]),
        ("18 <= ${size}", "at_least", "size", ["18"]),
        ("'RED' = ${color}", "equals", "color", ["RED"]),
        ("${size} != '3'", "not_equals", "size", ["3"]),
    ],
)
def test_common_expression_forms_become_one_condition(relevant, operator, question, values):
    assert condition_of(relevant) == {"question": question, "operator": operator, "values": values}


RED = {"question": "color", "operator": "equals", "values": ["RED"]}
NOT_BLUE = {"question": "color", "operator": "not_equals", "values": ["BLUE"]}
LIKES_BLUE = {"question": "likes", "operator": "includes", "values": ["BLUE"]}
ADULT = {"question": "size", "operator": "at_least", "values": ["18"]}


@pytest.mark.parametrize(
    ("relevant", "condition"),
    [
        ("${color} = 'RED' and ${likes} = 'BLUE'", {"all": [RED, LIKES_BLUE]}),
        ("${color} = 'RED' or ${color} != 'BLUE'", {"any": [RED, NOT_BLUE]}),
        ("${color} = 'RED' or ${size} >= 18", {"any": [RED, ADULT]}),
        (
            "(${color} = 'RED' or ${color} = 'BLUE') and ${size} >= 18",
            {"all": [{**RED, "values": ["RED", "BLUE"]}, ADULT]},
        ),
        (
            "not(${color} = 'BLUE' or ${size} < 18)",
            {"all": [{**NOT_BLUE}, ADULT]},
        ),
        (
            "${color} = 'RED' and (selected(${likes}, 'BLUE') or ${size} >= 18)",
            {"all": [RED, {"any": [LIKES_BLUE, ADULT]}]},
        ),
        (
            "${color} = 'RED' and ${color} = 'RED' and ${likes} = 'BLUE'",
            {"all": [RED, LIKES_BLUE]},
        ),
    ],
)
def test_tests_on_several_questions_are_combined_with_all_and_any(relevant, condition):
    assert condition_of(relevant) == condition


@pytest.mark.parametrize(
    "relevant",
    [
        "${color} = ''",  # unanswered
        "string-length(${why}) > 3",  # functions
        "count-selected(${likes}) > 1",  # counting
        "${color} > 'RED'",  # comparison of a choice
        "${why_not} = 'x'",  # a text compared with a value
        "${size} = 'big'",  # a number compared with a word
        "today() > ${size}",  # functions
        " or ".join(f"(${{size}} > {n} and ${{color}} = 'RED')" for n in range(12)),  # 24
        "${color} = 'PURPLE'",  # not a choice
        "${later} = 'x'",  # not an earlier question
        "${color} = 'RED' and",  # incomplete
    ],
)
def test_expressions_beyond_our_conditions_are_refused_on_their_row(relevant):
    survey = [
        *SURVEY_HEAD,
        *MORE_HEAD,
        ["text", "why", "Why?", relevant],
        ["text", "later", "Later"],
    ]

    with pytest.raises(XLSFormError) as caught:
        xlsform_to_questionnaire(workbook_bytes({"survey": survey, "choices": CHOICES}))

    (refusal,) = caught.value.refusals
    assert (refusal.sheet, refusal.row, refusal.construct) == (
        "survey",
        6,
        f"relevant “{relevant}”",
    )
    assert refusal.message


def test_a_group_condition_applies_to_each_question_of_the_group_and_its_nested_groups():
    survey = [
        *SURVEY_HEAD,
        ["begin_group", "details", "Details", "${color} = 'RED' or ${color} = 'BLUE'"],
        ["text", "shade", "Shade"],
        ["begin group", "inner", "Inner"],
        ["integer", "count", "Count"],
        ["end group"],
        ["end_group"],
        ["text", "after", "After"],
    ]

    imported = xlsform_to_questionnaire(workbook_bytes({"survey": survey, "choices": CHOICES}))

    first, details, after = imported.questionnaire["sections"]
    expected = {"question": "color", "operator": "equals", "values": ["RED", "BLUE"]}
    assert details["code"] == "details"
    assert [(q["code"], q["condition"]) for q in details["questions"]] == [
        ("shade", expected),
        ("count", expected),
    ]
    assert [q["code"] for q in first["questions"]] == ["color", "likes"]
    assert (after["code"], [q["condition"] for q in after["questions"]]) == ("main_2", [None])
    assert [(w.row, w.construct) for w in imported.warnings] == [(6, "group “inner”")]


def test_a_group_condition_and_the_question_condition_are_combined():
    survey = [
        *SURVEY_HEAD,
        ["begin_group", "details", "Details", "${color} != 'RED'"],
        ["text", "same", "Same", "${color} != 'BLUE'"],
        ["text", "other", "Other", "selected(${likes}, 'RED')"],
        ["end_group"],
    ]

    data = read_form(workbook_bytes({"survey": survey, "choices": CHOICES}))

    same, other = data["sections"][1]["questions"]
    # "same": both on color, != joined by and, is one test; "other" is on two questions
    not_red = {"question": "color", "operator": "not_equals", "values": ["RED"]}
    assert same["condition"] == {**not_red, "values": ["RED", "BLUE"]}
    assert other["condition"] == {
        "all": [not_red, {"question": "likes", "operator": "includes", "values": ["RED"]}]
    }


def test_combined_conditions_are_written_back_and_convert_in_pyxform():
    survey = [
        *SURVEY_HEAD,
        *MORE_HEAD,
        [
            "text",
            "why",
            "Why?",
            "(${color} = 'RED' or ${size} > 2) and not(selected(${likes}, 'BLUE'))",
        ],
        ["text", "how", "How?", "${why_not} != '' or ${color} = 'GREEN'"],
    ]
    data = read_form(workbook_bytes({"survey": survey, "choices": CHOICES}))
    data.update({"key": "combined", "version": 1, "title": {"en": "Combined"}})

    exported = questionnaire_to_xlsform(data)

    assert read_form(exported)["sections"] == data["sections"]
    book = load_workbook(io.BytesIO(exported))
    rows = list(book["survey"].iter_rows(values_only=True))
    relevants = [row[rows[0].index("relevant")] for row in rows[1:]]
    assert "(${color} = 'RED' or ${size} > 2) and not(selected(${likes}, 'BLUE'))" in relevants
    assert "${why_not} != '' or ${color} = 'GREEN'" in relevants
    xform = convert(exported)
    assert "= 'RED' or  /data/main/size  &gt; 2) and not(selected(" in xform


ACCENTED = [
    ["list_name", "name", "label"],
    ["answers", "sí", "Sí"],
    ["answers", "no sé", "No sé"],
    ["answers", "no", "No"],
]
ACCENTED_SURVEY = [
    ["type", "name", "label", "relevant"],
    ["select_one answers", "answer", "Answer"],
    ["text", "why", "Why?", "${answer} = 'sí'"],
]


def test_choice_names_pyxform_accepts_are_mapped_to_stored_codes_and_written_back():
    source = workbook_bytes({"survey": ACCENTED_SURVEY, "choices": ACCENTED})

    data = read_form(source)

    answer, why = data["sections"][0]["questions"]
    assert answer["choices"]["items"] == [
        {"code": "si", "label": {"en": "Sí"}, "xlsform_name": "sí"},
        {"code": "no_se", "label": {"en": "No sé"}, "xlsform_name": "no sé"},
        {"code": "no", "label": {"en": "No"}},
    ]
    assert why["condition"] == {"question": "answer", "operator": "equals", "values": ["si"]}
    exported = questionnaire_to_xlsform(data)
    assert read_form(exported) == data

    book = load_workbook(io.BytesIO(exported))
    names = [row[1] for row in book["choices"].iter_rows(min_row=2, values_only=True)]
    survey = list(book["survey"].iter_rows(values_only=True))
    relevants = [row[survey[0].index("relevant")] for row in survey[1:]]
    assert names == ["sí", "no sé", "no"]
    assert "${answer} = 'sí'" in relevants


@pytest.mark.django_db
def test_mapped_choice_names_are_stored_and_exported_through_the_database(reference_registry):
    source = workbook_bytes({"survey": ACCENTED_SURVEY, "choices": ACCENTED})

    questionnaire, _warnings = xlsform_import(source, filename="answers.xlsx")

    stored = Choice.objects.filter(question__questionnaire=questionnaire).order_by("position")
    assert [(c.code, c.xlsform_name) for c in stored] == [
        ("si", "sí"),
        ("no_se", "no sé"),
        ("no", ""),
    ]
    data = questionnaire_to_dict(questionnaire)
    assert read_form(questionnaire_to_xlsform(data)) == data


@pytest.mark.django_db
def test_a_combined_condition_is_stored_and_exported_through_the_database(reference_registry):
    survey = [
        *SURVEY_HEAD,
        *MORE_HEAD,
        ["text", "why", "Why?", "${color} = 'RED' and (${size} > 2 or ${why_not} != '')"],
    ]
    source = workbook_bytes({"survey": survey, "choices": CHOICES})

    questionnaire, _warnings = xlsform_import(source, filename="combined.xlsx")

    why = questionnaire.questions.get(code="why")
    expected = {
        "all": [
            RED,
            {
                "any": [
                    {"question": "size", "operator": "greater_than", "values": ["2"]},
                    {"question": "why_not", "operator": "answered", "values": []},
                ]
            },
        ]
    }
    assert (why.condition_question, why.condition_group) == (None, expected)
    data = questionnaire_to_dict(questionnaire)
    assert data["sections"][0]["questions"][-1]["condition"] == expected
    assert read_form(questionnaire_to_xlsform(data)) == data


PIECES = [
    "${color}", "${likes}", "${size}", "${why_not}", "${nowhere}", "'RED'", "'BLUE'", "''", "3",
    "2.5", "=", "!=", ">", ">=", "<", "<=", " and ", " or ", "not(", "(", ")", ",", "selected(",
    "count-selected(", "string-length(", "today()", ".", "$", "'", "{",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=12))
def test_any_relevant_gives_a_condition_or_a_refusal_on_its_row(pieces):
    relevant = " ".join(pieces)
    survey = [*SURVEY_HEAD, *MORE_HEAD, ["text", "why", "Why?", relevant]]
    source = workbook_bytes({"survey": survey, "choices": CHOICES})
    try:
        imported = xlsform_to_questionnaire(source)
    except XLSFormError as caught:
        assert [(r.sheet, r.row) for r in caught.refusals] == [("survey", 6)]
        return
    condition = imported.questionnaire["sections"][0]["questions"][-1]["condition"]
    assert condition is None or isinstance(condition, dict)
