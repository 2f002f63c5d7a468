"""Questionnaire rendering: form data to answers, the section context and the partials."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from lxml import html

from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.schema import schema_from_dict
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.shipped import load_shipped_questionnaires
from assessments.questionnaires.validation import validate_answers
from assessments.responses.forms import answers_from_post, build_section_context
from mechanisms.services import load_reference_data

pytestmark = pytest.mark.django_db


def local(*codes: str) -> dict[str, Any]:
    return {
        "source": "local",
        "items": [
            {"code": c, "label": {"en": c.title(), "fr": f"{c.title()} (fr)"}} for c in codes
        ],
    }


def q(code: str, type_: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "type": type_, "text": {"en": f"Question {code}?"}, **extra}


EXAMPLE = {
    "format": "iscm-questionnaire",
    "format_version": 1,
    "key": "example",
    "version": 1,
    "audience": "state",
    "title": {"en": "Example"},
    "sections": [
        {
            "code": "S1",
            "title": {"en": "Everything", "fr": "Tout"},
            "per_mechanism": False,
            "questions": [
                q("colour", "single", required=True, choices=local("RED", "BLUE"),
                  other_option=True, text={"en": "Colour?", "fr": "Couleur ?"},
                  help={"en": "Pick the closest."}),
                q("shade", "single", choices=local("LIGHT", "DARK"),
                  condition={"question": "colour", "operator": "equals", "values": ["RED"]}),
                q("shade_note", "text",
                  condition={"question": "shade", "operator": "equals", "values": ["DARK"]}),
                q("not_red", "text",
                  condition={"question": "colour", "operator": "not_equals", "values": ["RED"]}),
                q("tools", "multiple", choices=local("PEN", "INK", "BRUSH"), other_option=True),
                q("tool_roles", "matrix", choices=local("PEN", "INK", "BRUSH"),
                  columns=local("OWN", "LEND"), rows_from="tools"),
                q("grid", "matrix", choices=local("A", "B"), columns=local("X", "Y")),
                q("name", "text", required=True),
                q("story", "long_text"),
                q("count", "integer", min_value=0),
                q("share", "decimal"),
                q("since", "year"),
                q("on", "date"),
                q("agree", "yes_no"),
                q("known", "yes_no_dk"),
                q("rating", "scale5"),
                q("intro", "note"),
            ],
        }
    ],
}  # fmt: skip
SCHEMA = schema_from_dict(EXAMPLE, {})
CODES = SCHEMA.sections[0].question_codes


def post(**fields: Any) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def render(answers: dict | None = None, errors: dict | None = None, **kwargs: Any) -> Any:
    kwargs.setdefault("language", "en")
    section = build_section_context(
        SCHEMA, "S1", answers=answers or {}, errors=errors or {}, **kwargs
    )
    with translation.override(kwargs["language"]):
        return html.fromstring(render_to_string("assessments/_section.html", {"section": section}))


def wrapper(page: Any, code: str) -> Any:
    """A question's wrapper, found by its data attribute: read-only renderings carry no ids."""
    return page.xpath(f"//*[@data-question='{code}']")[0]


# --- answers_from_post ------------------------------------------------------------------------


def test_it_turns_every_type_of_field_into_answers() -> None:
    data = post(
        colour="OTHER", colour_other="Teal", tools=["PEN", "OTHER"], tools_other="Quill",
        grid__A=["X", "Y"], grid__B="Y", name="Ada", story="Long\ntext", count="12",
        share="0.5", since="2019", on="2024-05-01", agree="yes", known="dk", rating="4",
    )  # fmt: skip
    answers = answers_from_post(SCHEMA, CODES, data)
    assert answers == {
        "colour": "OTHER",
        "colour_other": "Teal",
        "tools": ["PEN", "OTHER"],
        "tools_other": "Quill",
        "grid": {"A": ["X", "Y"], "B": ["Y"]},
        "name": "Ada",
        "story": "Long\ntext",
        "count": "12",
        "share": "0.5",
        "since": "2019",
        "on": "2024-05-01",
        "agree": "yes",
        "known": "dk",
        "rating": "4",
    }
    assert validate_answers(SCHEMA, answers).is_valid


def test_it_leaves_out_empty_fields_and_unknown_matrix_rows() -> None:
    data = post(colour="", tools=[""], name="", grid__A=[""], grid__Z="X", colour_other=" ")
    assert answers_from_post(SCHEMA, CODES, data) == {}


def test_it_reads_only_the_questions_asked() -> None:
    data = post(name="Ada", story="Not on this page")
    assert answers_from_post(SCHEMA, ["name"], data) == {"name": "Ada"}


def test_matrix_rows_come_from_their_checkbox_fields() -> None:
    data = post(tools=["PEN", "INK"], tool_roles__PEN=["OWN", "LEND"], tool_roles__INK="LEND")
    answers = answers_from_post(SCHEMA, CODES, data)
    assert answers["tool_roles"] == {"PEN": ["OWN", "LEND"], "INK": ["LEND"]}
    assert validate_answers(SCHEMA, answers, complete=False).cleaned["tool_roles"] == {
        "PEN": ["OWN", "LEND"],
        "INK": ["LEND"],
    }


# --- build_section_context --------------------------------------------------------------------


def visible(answers: dict[str, Any]) -> dict[str, bool]:
    context = build_section_context(SCHEMA, "S1", language="en", answers=answers, errors={})
    return {field.code: field.visible for field in context.fields}


def test_hiding_a_question_hides_the_questions_depending_on_it() -> None:
    shown = visible({"colour": "RED", "shade": "DARK"})
    assert shown["shade"] and shown["shade_note"]
    hidden = visible({"colour": "BLUE", "shade": "DARK"})
    assert not hidden["shade"] and not hidden["shade_note"]


def test_not_equals_needs_the_target_answered() -> None:
    assert not visible({})["not_red"]
    assert visible({"colour": "BLUE"})["not_red"]
    assert not visible({"colour": "RED"})["not_red"]


def test_the_context_carries_labels_in_the_language_asked() -> None:
    context = build_section_context(SCHEMA, "S1", language="fr", answers={}, errors={})
    colour = context.fields[0]
    assert context.title == "Tout"
    assert colour.text == "Couleur ?"
    assert colour.help == "Pick the closest."  # no French help: English
    assert [o.label for o in colour.options][:2] == ["Red (fr)", "Blue (fr)"]


# --- the partials -----------------------------------------------------------------------------


def test_text_inputs_have_a_label_and_groups_a_legend() -> None:
    page = render()
    assert page.xpath("//fieldset[@data-section='S1']/legend/h2")[0].text_content() == "Everything"
    assert page.xpath("//label[@for='id_name']")[0].text_content().startswith("Question name?")
    assert page.xpath("//textarea[@id='id_story'][@name='story']")
    legend = wrapper(page, "colour").xpath(".//fieldset/legend")[0]
    assert "Colour?" in legend.text_content()
    assert [i.get("value") for i in page.xpath("//input[@name='colour']")] == [
        "RED",
        "BLUE",
        "OTHER",
    ]
    assert [i.get("type") for i in page.xpath("//input[@name='tools']")] == ["checkbox"] * 4


def test_required_questions_say_so_to_screen_readers() -> None:
    legend = wrapper(render(), "colour").xpath(".//legend")[0]
    assert legend.xpath(".//span[@class='visually-hidden']")[0].text == "(required)"
    assert render().get_element_by_id("id_name").get("aria-required") == "true"


def test_help_and_errors_are_linked_to_the_input() -> None:
    page = render(answers={"name": ""}, errors={"name": ["This question is required."]})
    error = page.get_element_by_id("name-error")
    assert "error" in error.get("class")
    assert error.text_content() == "This question is required."
    assert error.get("hidden") is None
    field = page.get_element_by_id("id_name")
    assert "name-error" in field.get("aria-describedby").split()
    assert field.get("aria-invalid") == "true"
    group = wrapper(page, "colour").xpath(".//fieldset")[0]
    assert group.get("aria-describedby").split() == ["colour-help", "colour-error"]
    assert page.get_element_by_id("colour-error").get("hidden") is not None


def test_conditional_questions_carry_their_condition_and_start_hidden() -> None:
    page = render(answers={"colour": "BLUE"})
    shade = wrapper(page, "shade")
    assert shade.get("hidden") is not None
    assert json.loads(shade.get("data-condition")) == {
        "question": "colour",
        "operator": "equals",
        "values": ["RED"],
    }
    assert wrapper(page, "not_red").get("hidden") is None
    assert wrapper(page, "name").get("data-condition") is None


def test_a_combined_condition_carries_the_results_of_tests_on_other_sections() -> None:
    on_first = {"question": "agree", "operator": "equals", "values": ["yes"]}
    on_second = {"question": "size", "operator": "at_least", "values": ["18"]}
    two_sections = {
        **EXAMPLE,
        "sections": [
            {**EXAMPLE["sections"][0], "questions": [q("agree", "yes_no")]},
            {
                "code": "S2",
                "title": {"en": "Second"},
                "per_mechanism": False,
                "questions": [
                    q("size", "integer"),
                    q("why", "text", condition={"all": [on_first, on_second]}),
                ],
            },
        ],
    }
    schema = schema_from_dict(two_sections, {})

    def condition_on_page(answers: dict) -> tuple[dict, bool]:
        section = build_section_context(schema, "S2", answers=answers, errors={}, language="en")
        page = html.fromstring(render_to_string("assessments/_section.html", {"section": section}))
        why = wrapper(page, "why")
        return json.loads(why.get("data-condition")), why.get("hidden") is None

    assert condition_on_page({"agree": "yes", "size": 20}) == (
        {"all": [{"result": True}, on_second]},
        True,
    )
    assert condition_on_page({"agree": "no", "size": 20}) == (
        {"all": [{"result": False}, on_second]},
        False,
    )


def test_the_other_text_shows_when_other_is_chosen() -> None:
    page = render(answers={"colour": "OTHER", "colour_other": "Teal"})
    other = page.xpath("//*[@data-other-for='colour']")[0]
    assert other.get("hidden") is None
    assert page.get_element_by_id("id_colour_other").get("value") == "Teal"
    assert page.xpath("//*[@data-other-for='tools']")[0].get("hidden") is not None


def test_a_matrix_is_a_table_with_row_and_column_headers() -> None:
    page = render(answers={"grid": {"A": ["Y"]}, "tools": ["INK"]})
    grid = wrapper(page, "grid")
    assert [th.text for th in grid.xpath(".//th[@scope='col']")] == ["X", "Y"]
    assert [th.text for th in grid.xpath(".//th[@scope='row']")] == ["A", "B"]
    ticked = grid.xpath(".//input[@checked]")
    assert [(i.get("name"), i.get("value")) for i in ticked] == [("grid__A", "Y")]
    roles = wrapper(page, "tool_roles")
    assert roles.get("data-rows-from") == "tools"
    shown = [
        tr.get("data-row") for tr in roles.xpath(".//tr[@data-row]") if tr.get("hidden") is None
    ]
    assert shown == ["INK"]


def test_values_already_given_are_filled_in() -> None:
    page = render(answers={"name": "Ada", "count": 12, "agree": "yes", "rating": 4})
    assert page.get_element_by_id("id_name").get("value") == "Ada"
    assert page.get_element_by_id("id_count").get("value") == "12"
    assert page.xpath("//input[@name='agree'][@checked]")[0].get("value") == "yes"
    assert page.xpath("//input[@name='rating'][@checked]")[0].get("value") == "4"


def test_read_only_rendering_shows_the_answers_as_text() -> None:
    answers = {"colour": "OTHER", "colour_other": "Teal", "name": "Ada", "grid": {"A": ["X"]}}
    page = render(answers=answers, readonly=True)
    assert not page.xpath("//input | //textarea")
    assert wrapper(page, "colour").xpath(".//*[@class='answer']")[0].text_content() == "Other: Teal"
    assert wrapper(page, "grid").xpath(".//*[@class='answer']")[0].text_content() == "A: X"
    assert "Not answered" in wrapper(page, "story").text_content()


def test_french_rendering_uses_the_french_texts() -> None:
    page = render(language="fr")
    assert "Couleur ?" in wrapper(page, "colour").xpath(".//legend")[0].text_content()
    label = page.xpath("//input[@value='RED']/following-sibling::label")[0]
    assert label.text == "Red (fr)"


def test_per_mechanism_sections_name_the_mechanism_in_the_legend(settings) -> None:
    load_reference_data(settings.REFERENCE_DATA_DIR)
    load_shipped_questionnaires()
    schema = questionnaire_schema(Questionnaire.objects.get(key="state", version=1))
    section = next(s for s in schema.sections if s.per_mechanism)
    context = build_section_context(
        schema,
        section.code,
        language="en",
        answers={},
        errors={},
        mechanism_label="RCM: Regional Conference on Migration",
    )
    page = html.fromstring(render_to_string("assessments/_section.html", {"section": context}))
    assert page.xpath("//legend/h2")[0].text_content().strip() == (
        "Each mechanism your State takes part in — RCM: Regional Conference on Migration"
    )


def test_option_and_matrix_labels_are_escaped_and_errors_mark_every_input() -> None:
    section = build_section_context(
        SCHEMA, "S1", answers={"tools": ["PEN"]}, language="en",
        errors={"tools": ["Choose one."], "grid": ["Tick a cell."]},
    )  # fmt: skip
    pen = next(o for o in section.fields[CODES.index("tools")].options if o.code == "PEN")
    pen.label = 'Pen <b>& "ink"</b>'
    grid = section.fields[CODES.index("grid")]
    grid.rows[0].label = "<script>alert(1)</script>"
    markup = render_to_string("assessments/_section.html", {"section": section})
    assert "<b>" not in markup and "<script>" not in markup
    page = html.fromstring(markup)
    assert page.xpath("//label[@for='id_tools_0']")[0].text_content() == 'Pen <b>& "ink"</b>'
    tools = page.xpath("//input[@name='tools']")
    assert {i.get("aria-invalid") for i in tools} == {"true"}
    assert [i.get("value") for i in tools if i.get("checked") is not None] == ["PEN"]
    cells = wrapper(page, "grid").xpath(".//td/input")
    assert len(cells) == 4 and {i.get("aria-invalid") for i in cells} == {"true"}
    first_label = wrapper(page, "grid").xpath(".//td/label")[0].text_content()
    assert first_label == "<script>alert(1)</script>: X"
    assert wrapper(page, "colour").xpath(".//input")[0].get("aria-invalid") is None
