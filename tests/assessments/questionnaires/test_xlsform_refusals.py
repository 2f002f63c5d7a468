"""The XLSForm bridge, refusals: what our format cannot hold gives one clear message a problem."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.questionnaires.xlsform import XLSFormError
from tests.assessments.questionnaires.xlsform_helpers import (
    COLORS,
    SETTINGS,
    errors_of,
    read_form,
    simple_survey,
    workbook_bytes,
    xlsform,
)


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
        read_form(str(tmp_path / "missing.xlsx"))


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
        result = read_form(source)
    except XLSFormError as error:
        assert error.errors
        assert all(isinstance(message, str) and message for message in error.errors)
    else:
        assert result["sections"]


def test_summary_wording_without_english_or_in_another_language_is_refused():
    header = ["list_name", "name", "label", "phrase::fr", "sentence_en", "sentence::English"]
    header += ["phrase::German (de)"]
    choices = [
        ["colors", "RED", "Red", "le rouge"],
        ["colors", "BLUE", "Blue", None, "It is blue.", "It is blue!"],
        ["colors", "GREEN", "Green", None, None, None, "das Grüne"],
    ]
    survey = [["type", "name", "label"], ["select_one colors", "a", "A"]]

    assert errors_of(xlsform(survey, choices, choices_header=header)) == [
        "choices row 3: two columns give different values for sentence::en",
        "choices row 1: column 'phrase::German (de)' is in a language that is not supported "
        "(only English (en), French (fr) and Spanish (es) are)",
        "choices row 2: choice 'RED' of list 'colors' has a phrase but no English phrase",
    ]
