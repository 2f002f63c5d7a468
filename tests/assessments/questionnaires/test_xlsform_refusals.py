"""The XLSForm bridge, reading real-world forms: every spelling pyxform accepts, what is left out
(warnings) and what is refused, each with its sheet, row and construct."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
import xlwt
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.questionnaires.xlsform import XLSFormError, xlsform_to_questionnaire
from tests.assessments.questionnaires.xlsform_helpers import (
    COLOR_CHOICES,
    COLORS,
    form,
    questions,
    read_form,
    refusals,
    workbook_bytes,
    xlsform,
)

# --- spellings and defaults ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_text", "expected_type", "other"),
    [
        ("select_one colors", "single", False),
        ("select one colors", "single", False),
        ("select1 colors", "single", False),
        ("select_one colors or_other", "single", True),
        ("select one colors or specify other", "single", True),
        ("select_multiple colors", "multiple", False),
        ("select all that apply colors", "multiple", False),
    ],
)
def test_every_select_spelling_pyxform_accepts_is_read(type_text, expected_type, other):
    (question,) = questions(form([["type", "name", "label"], [type_text, "color", "Colour?"]]))

    assert (question["type"], question["other_option"]) == (expected_type, other)
    assert [item["code"] for item in question["choices"]["items"]] == ["RED", "BLUE"]


@pytest.mark.parametrize(
    "headers",
    [
        ["label:English", "label:French", "hint:Spanish"],
        ["label::English (en)", "label::French (fr)", "hint::Spanish (es)"],
        ["label::en", "label::fr", "hint::es"],
        ["label::English", "label::Français", "hint::Español"],
        ["Label::English", "label::fr-CA", "hint::es_MX"],
    ],
)
def test_every_label_column_spelling_is_read(headers):
    survey = [["type", "name", *headers], ["text", "city", "City", "Ville", "Ciudad"]]

    (question,) = questions(form(survey))

    assert question["text"] == {"en": "City", "fr": "Ville"}
    # a hint in Spanish only: its text stands in for the English one
    assert question["help"] == {"en": "Ciudad", "es": "Ciudad"}


def test_missing_settings_default_title_and_key_from_the_file_name_as_pyxform_does():
    source = form([["type", "name", "label"], ["text", "city", "City"]])

    data = read_form(source, filename="Household survey 2024.xlsx")

    assert data["key"] == "Household_survey_2024"
    assert data["title"] == {"en": "Household survey 2024"}
    assert data["version"] == 1


def test_form_title_and_form_id_of_the_settings_sheet_win_over_the_file_name():
    settings_sheet = [["form_title", "form_id", "version"], ["Census", "census_v2", "2024061201"]]
    source = form([["type", "name", "label"], ["text", "city", "City"]], settings=settings_sheet)

    data = read_form(source, filename="whatever.xlsx")

    assert (data["key"], data["title"], data["version"]) == (
        "census_v2",
        {"en": "Census"},
        2024061201,
    )


def xls_bytes(sheets: dict[str, list[list]]) -> bytes:
    book = xlwt.Workbook()
    for title, rows in sheets.items():
        sheet = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_old_xls_workbook_is_read_like_an_xlsx():
    sheets = {
        "survey": [["type", "name", "label::English (en)"], ["select one colors", "c", "Colour"]],
        "choices": COLOR_CHOICES,
        "settings": [["form_title", "form_id"], ["Old form", "old_form"]],
    }

    data = read_form(xls_bytes(sheets))

    (question,) = data["sections"][0]["questions"]
    assert (data["key"], data["title"]) == ("old_form", {"en": "Old form"})
    assert (question["code"], question["type"], question["text"]) == (
        "c",
        "single",
        {"en": "Colour"},
    )


# --- refusals: what would change the meaning of the answers --------------------------------


def test_each_refused_construct_names_sheet_row_and_construct():
    survey = [
        ["type", "name", "label", "relevant", "choice_filter"],
        ["select_one colors", "a", "A"],
        ["geopoint", "where", "Where?"],
        ["image", "photo", "Photo"],
        ["audio", "voice", "Voice"],
        ["begin_repeat", "people", "People"],
        ["text", "person", "Person"],
        ["end_repeat"],
        ["select_one colors", "b", "B", None, "color = ${a}"],
        ["integer", "c", "C", "${a} > 3"],
        ["text", "d", "D", "${a} = 'RED' and ${b} = 'BLUE'"],  # b is refused
        ["text", "e", "E", "${unknown} = 'RED'"],
        ["text", "f", "F", "${a} = 'GREEN'"],
    ]

    assert refusals(form(survey)) == [
        ("survey", 3, "geopoint"),
        ("survey", 4, "image"),
        ("survey", 5, "audio"),
        ("survey", 6, "begin_repeat"),
        ("survey", 9, "choice_filter"),
        ("survey", 10, "relevant “${a} > 3”"),
        ("survey", 11, "relevant “${a} = 'RED' and ${b} = 'BLUE'”"),
        ("survey", 12, "relevant “${unknown} = 'RED'”"),
        ("survey", 13, "relevant “${a} = 'GREEN'”"),
    ]


def test_refusals_are_in_the_language_of_the_person_importing_and_hold_no_internal_path():
    survey = [["type", "name", "label"], ["geopoint", "where", "Where?"]]

    with translation.override("fr"), pytest.raises(XLSFormError) as caught:
        xlsform_to_questionnaire(form(survey))

    (message,) = caught.value.errors
    assert message.startswith("feuille survey, ligne 2, geopoint")
    assert "sections[" not in message


def test_a_missing_choice_list_and_duplicate_choices_are_refused_on_their_rows():
    survey = [["type", "name", "label"], ["select_one shapes", "s", "Shape"]]
    choices = [*COLOR_CHOICES, ["colors", "RED", "Red again"]]

    assert refusals(form(survey, choices)) == [
        ("choices", 4, "choice “RED”"),
        ("survey", 2, "list “shapes”"),
    ]


@pytest.mark.parametrize(
    "source",
    [b"", b"not a workbook", b"PK\x03\x04 truncated zip", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1xx"],
    ids=["empty", "text", "truncated zip", "truncated xls"],
)
def test_a_file_that_is_not_a_workbook_gives_one_clear_refusal(source):
    assert refusals(source) == [("", 0, "file")]


def test_a_workbook_without_survey_sheet_is_refused():
    source = workbook_bytes({"choices": COLOR_CHOICES, "settings": [["form_id"], ["x"]]})

    assert refusals(source) == [("survey", 0, "sheet")]


# --- caps ---------------------------------------------------------------------------------


def far_cell_workbook(rows: int, column: str = "XFD") -> bytes:
    """A small .xlsx whose survey sheet has one cell at `column` on each of `rows` rows."""
    source = workbook_bytes({"survey": [["type", "name", "label"], ["text", "a", "A"]]})
    cells = "".join(
        f'<row r="{n}"><c r="{column}{n}" t="inlineStr"><is><t>x</t></is></c></row>'
        for n in range(3, rows + 3)
    )
    original = zipfile.ZipFile(io.BytesIO(source))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", cells.encode() + b"</sheetData>")
                data = data.replace(b'<dimension ref="A1:C2"/>', b"")
            target.writestr(item, data)
    return buffer.getvalue()


def test_a_small_file_with_a_cell_at_column_xfd_on_4000_rows_is_refused_fast():
    source = far_cell_workbook(4000)
    assert len(source) < 40_000

    started = time.monotonic()
    found = refusals(source)
    elapsed = time.monotonic() - started
    tracemalloc.start()
    refusals(source)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert found == [("survey", 0, "columns")]
    assert elapsed < 1
    assert peak < 30 * 1024 * 1024


def test_too_many_rows_are_refused_saying_so():
    assert refusals(far_cell_workbook(6000, column="A")) == [("survey", 0, "rows")]


def test_too_many_cells_are_refused_saying_so(monkeypatch):
    monkeypatch.setattr("assessments.questionnaires.xlsform.workbook.MAX_CELLS", 100)

    assert refusals(far_cell_workbook(200, column="B")) == [("survey", 0, "cells")]


def test_reading_that_takes_too_long_is_refused_saying_so(monkeypatch):
    monkeypatch.setattr("assessments.questionnaires.xlsform.workbook.MAX_SECONDS", -1.0)

    assert refusals(form([["type", "name", "label"], ["text", "a", "A"]])) == [
        ("", 0, "reading time")
    ]


# --- arbitrary cells ----------------------------------------------------------------------

CELL_VALUES = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "text",
            "integer",
            "select_one colors",
            "select one colors or_other",
            "select_multiple colors",
            "select_one",
            "begin_group",
            "begin group",
            "end_group",
            "begin_repeat",
            "note",
            "calculate",
            "geopoint",
            "a",
            "b",
            "yes",
            ". >= 1",
            "${a} = 'RED'",
            "not(selected(${a}, 'RED'))",
            "${a} = 'RED' or (${a} = 'BLUE')",
            "${",
            "multiline",
            "matrix",
            "local:colors",
        ]
    ),
    st.text(st.characters(min_codepoint=32), max_size=8),
    st.integers(),
    st.booleans(),
)
SURVEY_HEADERS = st.lists(
    st.sampled_from(
        [
            "type",
            "name",
            "label",
            "label::fr",
            "label:Arabic",
            "hint",
            "required",
            "constraint",
            "relevant",
            "appearance",
            "our_type",
            "choice_filter",
            "$kuid",
            "calculation",
        ]
    ),
    min_size=1,
    max_size=8,
    unique=True,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=SURVEY_HEADERS, rows=st.lists(st.lists(CELL_VALUES, max_size=8), max_size=6))
def test_arbitrary_cells_give_a_questionnaire_or_refusals_with_sheet_and_construct(header, rows):
    cleaned = [
        [value for value in row if not (isinstance(value, str) and value[:1] == "=")]
        for row in rows
    ]
    try:
        imported = xlsform_to_questionnaire(xlsform([header, *cleaned], COLORS))
    except XLSFormError as error:
        assert error.refusals
        assert all(refusal.construct and refusal.message for refusal in error.refusals)
        assert not any("sections[" in message for message in error.errors)
    else:
        assert imported.questionnaire["sections"]


def test_groups_without_a_name_or_with_a_repeated_one_get_their_own_section_codes():
    survey = [
        ["type", "name", "label"],
        ["begin_group", "part", "Part"],
        ["text", "a", "A"],
        ["end_group"],
        ["begin_group", "part", "Part again"],
        ["text", "b", "B"],
        ["end_group"],
        ["begin_group", None, "Nameless"],
        ["text", "c", "C"],
        ["end_group"],
    ]

    data = read_form(form(survey))

    assert [s["code"] for s in data["sections"]] == ["part", "part_2", "group_3"]


def test_a_number_as_a_column_header_is_refused_not_a_crash():
    source = workbook_bytes({"survey": [["type", "name", 7], ["text", "a", "A"]]})

    assert refusals(source) == [("", 0, "workbook")]


def test_a_form_as_kobo_exports_it_imports_with_warnings():
    survey = [
        [
            "type",
            "name",
            "label::English (en)",
            "label::Français (fr)",
            "required",
            "relevant",
            "appearance",
            "$kuid",
            "$autoname",
        ],
        ["start", "start", None, None, "false", None, None, "s1", "start"],
        ["end", "end", None, None, "false", None, None, "e1", "end"],
        [
            "select_one yn",
            "consent",
            "Do you agree?",
            "Êtes-vous d'accord ?",
            "true",
            None,
            "minimal",
            "k1",
            "consent",
        ],
        [
            "begin_group",
            "about",
            "About you",
            "À propos de vous",
            "false",
            "${consent} = 'yes'",
            "field-list",
            "k2",
            "about",
        ],
        ["integer", "Age", "Age", "Âge", "true", None, None, "k3", "Age"],
        [
            "select_multiple langs",
            "langs",
            "Languages",
            "Langues",
            "false",
            None,
            None,
            "k4",
            "langs",
        ],
        [
            "text",
            "langs_other",
            "Other language",
            "Autre langue",
            "false",
            "selected(${langs}, 'other lang')",
            None,
            "k5",
            "langs_other",
        ],
        ["end_group", None, None, None, None, None, None, "k6"],
        ["calculate", "__version__", None, None, "false", None, None, "k7", "__version__"],
    ]
    choices = [
        ["list_name", "name", "label::English (en)", "label::Français (fr)", "$kuid"],
        ["yn", "yes", "Yes", "Oui", "c1"],
        ["yn", "no", "No", "Non", "c2"],
        ["langs", "english", "English", "Anglais", "c3"],
        ["langs", "other lang", "Other", "Autre", "c4"],
    ]
    settings_sheet = [["version", "default_language"], ["vKqN3ZXzT4", "English (en)"]]

    imported = xlsform_to_questionnaire(
        form(survey, choices, settings=settings_sheet), filename="aXb12 Kobo form.xlsx"
    )

    data = imported.questionnaire
    main, about = data["sections"]
    assert (data["key"], data["version"]) == ("aXb12_Kobo_form", 1)
    assert [q["code"] for q in main["questions"]] == ["consent"]
    assert main["questions"][0]["type"] == "single"  # a list named yn is not our yes_no
    assert [q["code"] for q in about["questions"]] == ["age", "langs", "langs_other"]
    consent = {"question": "consent", "operator": "equals", "values": ["yes"]}
    other = {"question": "langs", "operator": "includes", "values": ["other_lang"]}
    # langs_other depends on langs, in the same group: the group's condition is implied
    assert [q["condition"] for q in about["questions"]] == [consent, consent, other]
    assert {w.construct for w in imported.warnings} >= {
        "start",
        "end",
        "calculate",
        "version",
        "column “$kuid”",
        "column “$autoname”",
        "list “langs”",
        "name “Age”",
    }
