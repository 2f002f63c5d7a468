"""The XLSForm bridge, reading real-world forms: what is imported with a warning (left out, or
kept in the nearest form our model holds), each warning with its sheet, row and construct."""

from __future__ import annotations

from assessments.questionnaires.xlsform import xlsform_to_questionnaire
from tests.assessments.questionnaires.xlsform_helpers import form, questions, refusals, warnings

# --- warnings: imported, with what was left out -------------------------------------------


def test_kobo_extra_columns_are_warned_once_each_with_their_first_row():
    survey = [
        ["type", "name", "label", "$kuid", "$autoname", "required_message"],
        ["text", "a", "A", "k1", "a", None],
        ["integer", "b", "B", "k2", "b", "Please answer"],
    ]

    assert warnings(form(survey)) == [
        ("survey", 2, "column “$kuid”"),
        ("survey", 2, "column “$autoname”"),
        ("survey", 3, "column “required_message”"),
    ]


def test_a_fourth_language_is_warned_and_the_others_are_kept():
    survey = [
        ["type", "name", "label::English (en)", "label::Arabic (ar)", "label::French (fr)"],
        ["text", "a", "Name", "اسم", "Nom"],
    ]
    imported = xlsform_to_questionnaire(form(survey), filename="f.xlsx")

    (question,) = imported.questionnaire["sections"][0]["questions"]
    assert question["text"] == {"en": "Name", "fr": "Nom"}
    assert [(w.sheet, w.row, w.construct) for w in imported.warnings] == [
        ("survey", 2, "language “Arabic (ar)”")
    ]


def test_calculate_and_metadata_are_warned_notes_are_kept_and_hint_only_rows_use_the_hint():
    survey = [
        ["type", "name", "label", "hint", "calculation"],
        ["start", "start"],
        ["deviceid", "deviceid"],
        ["note", "intro", "Welcome"],
        ["integer", "n", "Count"],
        ["calculate", "double", None, None, "${n} * 2"],
        ["text", "remark", None, "Any remark?"],
    ]
    source = form(survey)

    assert warnings(source) == [
        ("survey", 2, "start"),
        ("survey", 3, "deviceid"),
        ("survey", 6, "calculate"),
        ("survey", 7, "hint"),
    ]
    intro, count, remark = questions(source)
    assert (intro["type"], intro["text"]) == ("note", {"en": "Welcome"})
    assert count["code"] == "n"
    assert (remark["text"], "help" in remark) == ({"en": "Any remark?"}, False)


def test_media_on_labels_is_warned_and_the_text_kept():
    survey = [
        ["type", "name", "label", "media::image", "audio::English (en)"],
        ["text", "a", "A", "a.png", "a.mp3"],
    ]
    source = form(survey)

    assert warnings(source) == [("survey", 2, "column “image”"), ("survey", 2, "column “audio”")]
    assert questions(source)[0]["text"] == {"en": "A"}


def test_constraints_beyond_number_bounds_and_conditional_required_are_warned():
    survey = [
        ["type", "name", "label", "constraint", "required"],
        ["integer", "age", "Age", ". >= 0 and . <= 120", "yes"],
        ["text", "phone", "Phone", "regex(., '^[0-9]+$')", "${age} > 18"],
    ]
    source = form(survey)

    assert warnings(source) == [("survey", 3, "required"), ("survey", 3, "constraint")]
    age, phone = questions(source)
    assert (age["min_value"], age["max_value"], age["required"]) == (0, 120, True)
    assert (phone["min_value"], phone["required"]) == (None, False)


def test_ranges_times_barcodes_and_acknowledgements_are_imported_as_what_holds_them():
    survey = [
        ["type", "name", "label", "parameters"],
        ["range", "score", "Score", "start=0 end=10 step=1"],
        ["range", "share", "Share", "start=1 end=0 step=0.1"],
        ["time", "at", "At what time?"],
        ["datetime", "when", "When?"],
        ["barcode", "code", "Code"],
        ["acknowledge", "consent", "I agree to take part"],
    ]
    source = form(survey)

    assert warnings(source) == [
        ("survey", 2, "range"),
        ("survey", 3, "range"),
        ("survey", 4, "time"),
        ("survey", 5, "datetime"),
        ("survey", 6, "barcode"),
        ("survey", 7, "acknowledge"),
    ]
    score, share, at, when, code, consent = questions(source)
    assert (score["type"], score["min_value"], score["max_value"]) == ("integer", 0, 10)
    assert (share["type"], share["min_value"], share["max_value"]) == ("decimal", 0, 1)
    assert [q["type"] for q in (at, when, code)] == ["text", "text", "text"]
    assert (consent["type"], consent["text"]) == ("single", {"en": "I agree to take part"})
    assert consent["choices"]["items"] == [
        {"code": "OK", "label": {"en": "OK", "fr": "OK", "es": "OK"}}
    ]


def test_a_name_used_again_in_another_group_gets_a_numbered_code_and_a_warning():
    survey = [
        ["type", "name", "label"],
        ["begin_group", "first", "First"],
        ["text", "comments", "Comments on the first part"],
        ["end_group"],
        ["begin_group", "second", "Second"],
        ["text", "comments", "Comments on the second part"],
        ["end_group"],
    ]
    source = form(survey)

    assert warnings(source) == [("survey", 6, "name “comments”")]
    assert [q["code"] for q in questions(source)] == ["comments", "comments_2"]


def test_a_text_that_refers_to_other_answers_is_kept_as_written_with_a_warning():
    survey = [
        ["type", "name", "label", "hint"],
        ["text", "who", "Name"],
        ["integer", "age", "How old is ${who}?", None],
        ["text", "plain", "Plain", "Hint for ${who}"],
    ]
    source = form(survey)

    assert warnings(source) == [("survey", 3, "label"), ("survey", 4, "label")]
    assert questions(source)[1]["text"] == {"en": "How old is ${who}?"}


def test_names_that_are_not_our_codes_are_imported_under_a_code_and_warned():
    survey = [
        ["type", "name", "label", "relevant"],
        ["select_one colors", "Q1_Colour", "Colour"],
        ["text", "Q2", "Why", "${Q1_Colour} = 'RED'"],
    ]
    source = form(survey)

    first, second = questions(source)
    assert (first["code"], second["code"]) == ("q1_colour", "q2")
    assert second["condition"] == {"question": "q1_colour", "operator": "equals", "values": ["RED"]}
    assert ("survey", 2, "name “Q1_Colour”") in warnings(source)


def test_true_is_no_condition_and_a_question_relevant_false_is_left_out_with_a_warning():
    survey = [
        ["type", "name", "label", "relevant"],
        ["text", "shown", "Shown", "true()"],
        ["text", "hidden", "Never shown", "false()"],
        ["text", "after", "After"],
    ]
    source = form(survey)

    assert warnings(source) == [("survey", 3, "relevant “false()”")]
    assert [(q["code"], q["condition"]) for q in questions(source)] == [
        ("shown", None),
        ("after", None),
    ]


def test_a_question_without_a_name_gets_a_code_made_from_its_label():
    survey = [
        ["type", "name", "label"],
        ["text", None, "Any remark on the visit?"],
        ["text", None, "Any remark on the visit?"],
        ["integer", None, None],
    ]

    assert refusals(form(survey)) == [("survey", 4, "name")]
    survey.pop()
    source = form(survey)
    assert warnings(source) == [("survey", 2, "name"), ("survey", 3, "name")]
    assert [q["code"] for q in questions(source)] == [
        "any_remark_on_the_visit",
        "any_remark_on_the_visit_2",
    ]
