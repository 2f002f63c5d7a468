"""questionnaire_schema: its query count, and the registry lists its choices come from."""

from __future__ import annotations

from typing import Any

import pytest

from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.services import questionnaire_import, questionnaire_new_version
from tests.assessments.questionnaires.question_bank import BANK_QUESTIONS
from tests.assessments.questionnaires.questionnaire_files import (
    SHIPPED_KEYS,
    question,
    small,
    texts,
)

pytestmark = pytest.mark.django_db


# questionnaire_schema: sections, questions (with their condition target), choices, then one
# query per kind of registry list: vocabulary terms, thematic areas, GCM objectives, mechanisms.
SCHEMA_QUERIES = 7


# --- questionnaire_schema query count -----------------------------------------------------------


def three_questions() -> dict[str, Any]:
    """Three questions drawing on the same four kinds of registry list as the shipped ones."""
    data = small("three")
    data["sections"][0]["questions"] = [
        question("themes", "multiple", texts("Themes?"), choices={"source": "vocabulary", "name": "thematic_areas"}),
        question("grid", "matrix", texts("Grid?"), choices={"source": "vocabulary", "name": "gcm_objectives"},
                 columns={"source": "vocabulary", "name": "added_value"}),
        question("partners", "multiple", texts("Partners?"), choices={"source": "mechanisms"}),
    ]  # fmt: skip
    return data


@pytest.mark.parametrize("which", ["mechanism", "three"])
def test_questionnaire_schema_runs_in_a_fixed_number_of_queries(
    shipped, django_assert_num_queries, which
):
    # Drafts: the schema of a published version may be cached, a draft's is built every time.
    if which == "mechanism":
        draft = questionnaire_new_version(questionnaire=shipped["mechanism"])
    else:
        draft = questionnaire_import(three_questions())
    for _ in range(2):
        with django_assert_num_queries(SCHEMA_QUERIES):
            schema = questionnaire_schema(draft)
    assert len(schema.questions) == {"mechanism": 51, "three": 3}[which]
    assert schema.id == draft.pk


@pytest.mark.parametrize("key", SHIPPED_KEYS)
def test_questionnaire_schema_of_a_published_version_stays_within_the_bound(
    shipped, django_assert_max_num_queries, key
):
    for _ in range(2):
        with django_assert_max_num_queries(SCHEMA_QUERIES):
            schema = questionnaire_schema(shipped[key])
    assert schema.questions.keys() == BANK_QUESTIONS[key].keys()


def test_questionnaire_schema_resolves_registry_choices(shipped):
    schema = questionnaire_schema(shipped["mechanism"])
    partners = schema.questions["cooperating_mechanisms"].options
    assert len(partners) == 41
    assert partners[0].code < partners[-1].code  # mechanisms come in acronym order
    assert schema.questions["partner_roles"].column_codes[0] == "OBSERVER"
    gcm = schema.questions["gcm_objectives"].options
    assert len(gcm) == 23
    assert gcm[0].label("en").startswith("1. ")
    assert schema.questions["strategy_title"].condition.values == ("YES",)
