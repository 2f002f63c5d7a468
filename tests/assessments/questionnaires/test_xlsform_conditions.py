"""XLSForm `relevant`: the common expression forms become our conditions, a group's condition
applies to each question in it, and choice names our codes refuse are mapped and kept."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

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


def condition_of(relevant: str) -> dict | None:
    survey = [*SURVEY_HEAD, ["text", "why", "Why?", relevant]]
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
        ("${color} != ''", "equals", "color", ["RED", "BLUE", "GREEN"]),
    ],
)
def test_common_expression_forms_become_one_condition(relevant, operator, question, values):
    assert condition_of(relevant) == {"question": question, "operator": operator, "values": values}


@pytest.mark.parametrize(
    "relevant",
    [
        "${color} = 'RED' and ${likes} = 'BLUE'",  # two questions
        "${color} = 'RED' or ${color} != 'BLUE'",  # mixed tests
        "not(selected(${likes}, 'RED'))",  # "not includes"
        "${color} = ''",  # unanswered
        "string-length(${why}) > 3",  # functions
        "${color} > 'RED'",  # comparison
        "${color} = 'PURPLE'",  # not a choice
        "${later} = 'x'",  # not an earlier question
        "${color} = 'RED' and",  # incomplete
    ],
)
def test_expressions_beyond_our_conditions_are_refused_on_their_row(relevant):
    survey = [*SURVEY_HEAD, ["text", "why", "Why?", relevant], ["text", "later", "Later"]]

    with pytest.raises(XLSFormError) as caught:
        xlsform_to_questionnaire(workbook_bytes({"survey": survey, "choices": CHOICES}))

    (refusal,) = caught.value.refusals
    assert (refusal.sheet, refusal.row, refusal.construct) == (
        "survey",
        4,
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


def test_a_group_condition_and_the_question_condition_are_combined_when_they_can_be():
    survey = [
        *SURVEY_HEAD,
        ["begin_group", "details", "Details", "${color} != 'RED'"],
        ["text", "same", "Same", "${color} != 'BLUE'"],
        ["text", "other", "Other", "selected(${likes}, 'RED')"],
        ["end_group"],
    ]

    with pytest.raises(XLSFormError) as caught:
        xlsform_to_questionnaire(workbook_bytes({"survey": survey, "choices": CHOICES}))

    # "same": both on color, != joined by and, is one condition; "other" is on two questions
    assert [(r.row, r.construct) for r in caught.value.refusals] == [
        (6, "relevant “(${color} != 'RED') and (selected(${likes}, 'RED'))”")
    ]


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
