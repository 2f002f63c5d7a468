"""The JSON format of questionnaires: export, import, and what an import refuses."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from assessments.questionnaires.format import QuestionnaireFormatError
from assessments.questionnaires.models import Question, Questionnaire, Section
from assessments.questionnaires.services import questionnaire_import, questionnaire_to_dict
from tests.assessments.questionnaires.questionnaire_files import (
    SHIPPED_KEYS,
    counts,
    full_featured,
    small,
    when,
)

pytestmark = pytest.mark.django_db


def q_of(data: dict[str, Any], index: int) -> dict[str, Any]:
    return data["sections"][0]["questions"][index]


def delete_questionnaire(questionnaire: Questionnaire) -> None:
    """Delete a questionnaire despite the PROTECT of Question.condition_question.

    A plain delete() fails: see test_a_questionnaire_with_conditions_can_be_deleted in
    test_lifecycle.py.
    """
    questionnaire.questions.update(condition_question=None)
    questionnaire.delete()


# --- JSON round trip --------------------------------------------------------------------------


def round_trip(questionnaire: Questionnaire) -> tuple[dict, dict]:
    exported = questionnaire_to_dict(questionnaire)
    delete_questionnaire(questionnaire)
    assert not Questionnaire.objects.filter(key=exported["key"]).exists()
    return exported, questionnaire_to_dict(questionnaire_import(copy.deepcopy(exported)))


@pytest.mark.parametrize("key", SHIPPED_KEYS)
def test_a_shipped_questionnaire_survives_export_delete_import(shipped, key):
    before = counts()
    exported, again = round_trip(shipped[key])
    assert again == exported
    assert counts() == before


def test_the_hand_made_questionnaire_exports_as_it_was_imported(reference_data):
    data = full_featured()
    assert questionnaire_to_dict(questionnaire_import(copy.deepcopy(data))) == data


def test_the_hand_made_questionnaire_survives_export_delete_import(reference_data):
    exported, again = round_trip(questionnaire_import(full_featured()))
    assert again == exported == full_featured()


def test_import_stores_every_feature_in_the_database(reference_data):
    questionnaire = questionnaire_import(full_featured())
    assert (questionnaire.title_fr, questionnaire.description_es) == ("Tout", "")
    fruits = Question.objects.get(questionnaire=questionnaire, code="fruits")
    assert (fruits.max_choices, fruits.other_option, fruits.choice_source) == (2, True, "local")
    assert [(c.code, c.label_fr) for c in fruits.choices.order_by("position")] == [
        ("APPLE", "Pomme"),
        ("PEAR", "Poire"),
        ("PLUM", "Prune"),
    ]
    roles = Question.objects.get(questionnaire=questionnaire, code="fruit_roles")
    assert roles.rows_from == "fruits"
    assert list(roles.choices.filter(kind="column").values_list("code", "label_es")) == [
        ("GROW", ""),
        ("SELL", "Vender"),
    ]
    share = Question.objects.get(questionnaire=questionnaire, code="share")
    assert (float(share.min_value), float(share.max_value)) == (0.5, 99.25)
    gap = Question.objects.get(questionnaire=questionnaire, code="plan_gap")
    assert (gap.condition_question.code, gap.condition_operator, gap.condition_values) == (
        "plan",
        "not_equals",
        ["YES", "NO"],
    )
    assert Section.objects.get(questionnaire=questionnaire, code="S2").per_mechanism


def test_an_imported_questionnaire_is_a_draft_unless_the_file_says_otherwise():
    draft = questionnaire_import(small())
    assert (draft.status, draft.published_at) == ("draft", None)
    published = questionnaire_import(small("other") | {"status": "published"})
    assert published.status == "published"
    assert published.published_at is not None


# --- import refusals ------------------------------------------------------------------------


def set_condition(index: int, condition: dict) -> Callable[[dict], None]:
    return lambda data: q_of(data, index).update(condition=condition)


def add_unknown_key(data: dict) -> None:
    q_of(data, 2)["colour"] = "red"
    data["author"] = "me"


REFUSALS = {
    "forward reference": (
        set_condition(0, when("picks", "includes", "X")),
        "“picks” is not an earlier question (conditions may only look back)",
    ),
    "self condition": (
        set_condition(1, when("picks", "includes", "X")),
        "questions[1] (picks).condition: a question cannot depend on itself.",
    ),
    "unknown code": (
        set_condition(2, when("ghost", "equals", "A")),
        "“ghost” is not an earlier question",
    ),
    "condition on a text question": (
        set_condition(3, when("name", "equals", "A")),
        "“name” must be a choice, yes/no or number question (any other question can only be "
        "tested with “answered”).",
    ),
    "equals on a multiple": (
        set_condition(2, when("picks", "equals", "X")),
        "use “includes” or “excludes” for a multiple choice question.",
    ),
    "excludes on a single choice": (
        set_condition(2, when("kind", "excludes", "A")),
        "“excludes” is for multiple choice questions; use “equals” or “not_equals”.",
    ),
    "answered with values": (
        set_condition(3, when("name", "answered", "A")),
        "values: “answered” takes no values (an empty list).",
    ),
    "both all and any": (
        set_condition(3, {"all": [when("kind", "equals", "A")] * 2, "any": []}),
        "condition: either “all” or “any”, alone.",
    ),
    "a combination of one": (
        set_condition(3, {"any": [when("kind", "equals", "A")]}),
        "condition.any: a list of at least two conditions.",
    ),
    "a bad test inside a combination": (
        set_condition(3, {"all": [when("kind", "equals", "A"), when("ghost", "equals", "A")]}),
        "questions[3] (since).condition.all[1].question: “ghost” is not an earlier question",
    ),
    "combinations nested too deep": (
        set_condition(
            3,
            {
                "all": [
                    when("kind", "equals", "A"),
                    {
                        "any": [
                            when("kind", "equals", "B"),
                            {
                                "all": [
                                    when("kind", "equals", "A"),
                                    {"any": [when("kind", "equals", "A")] * 2},
                                ]
                            },
                        ]
                    },
                ]
            },
        ),
        "condition.all[1].any[1]: combinations nest at most 3 deep.",
    ),
    "too many tests": (
        set_condition(3, {"any": [when("kind", "equals", "A")] * 21}),
        "condition: at most 20 tests.",
    ),
}
REFUSALS |= {
    "value not a choice": (
        set_condition(2, when("kind", "equals", "Z")),
        "values: not choices of “kind”: Z.",
    ),
    "unknown vocabulary": (
        lambda data: q_of(data, 0).update(choices={"source": "vocabulary", "name": "no_such_list"}),
        "unknown vocabulary “no_such_list”",
    ),
    "duplicate code": (
        lambda data: q_of(data, 3).update(code="name"),
        "questions[3] (name).code: “name” is used twice in this questionnaire.",
    ),
    "missing English text": (
        lambda data: q_of(data, 2).update(text={"fr": "Nom ?"}),
        "questions[2] (name).text.en: the English text is required.",
    ),
    "unknown keys": (add_unknown_key, "questions[2] (name): unknown keys colour."),
    "bad type": (
        lambda data: q_of(data, 2).update(type="slider"),
        "questions[2] (name).type: one of single, multiple, text",
    ),
    "min above max": (
        lambda data: q_of(data, 3).update(min_value=2000, max_value=1999),
        "questions[3] (since): min_value is above max_value.",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_import_refuses_a_broken_questionnaire_listing_the_problem_and_writes_nothing(case):
    break_it, expected = REFUSALS[case]
    data = small()
    break_it(data)
    before = counts()
    with pytest.raises(QuestionnaireFormatError) as caught:
        questionnaire_import(data)
    assert any(expected in error for error in caught.value.errors), caught.value.errors
    assert counts() == before


def test_import_lists_every_problem_at_once():
    data = small()
    add_unknown_key(data)
    q_of(data, 3).update(min_value=5, max_value=1)
    with pytest.raises(QuestionnaireFormatError) as caught:
        questionnaire_import(data)
    assert caught.value.errors == [
        "questionnaire: unknown keys author.",
        "sections[0].questions[2] (name): unknown keys colour.",
        "sections[0].questions[3] (since): min_value is above max_value.",
    ]


def test_import_refuses_a_version_that_already_exists():
    questionnaire_import(small())
    before = counts()
    with pytest.raises(QuestionnaireFormatError) as caught:
        questionnaire_import(small())
    assert caught.value.errors == [
        "Questionnaire “small” version 1 already exists; import it under another version number."
    ]
    assert counts() == before
    questionnaire_import(small(version=2))
    assert counts()[0] == before[0] + 1


def test_import_refuses_a_bound_too_large_to_store():
    # DecimalField(max_digits=20, decimal_places=6): 10**15 cannot be stored. The import crashes
    # with decimal.InvalidOperation (DataError on PostgreSQL) instead of listing the problem.
    data = small()
    q_of(data, 3).update(max_value=10**15)
    before = counts()
    with pytest.raises(QuestionnaireFormatError):
        questionnaire_import(data)
    assert counts() == before
