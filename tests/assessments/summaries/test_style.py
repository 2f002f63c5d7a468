"""Every summary of the demo round, in English, French and Spanish, passes the checks a
secretariat editor makes before signing (see `style.py`): no questionnaire wording or label
aside, no "0 of", no sentence said twice, within its word budget, no English left in French or
Spanish prose, French punctuation with its no-break spaces."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assessments.demo.services import load_demo
from assessments.questionnaires.shipped import load_shipped_questionnaires
from assessments.rounds.models import SurveyRound
from assessments.summaries.compose import compose_summary
from assessments.summaries.inputs import summary_inputs
from assessments.summaries.selectors import summarised_and_skipped
from tests.assessments.summaries.style import style_problems


@pytest.fixture(scope="module")
def demo_round(reference_registry, django_db_blocker) -> int:
    with django_db_blocker.unblock():
        load_shipped_questionnaires()
        load_demo()
        return SurveyRound.objects.get(slug="iscm-assessment-2019").pk


@pytest.fixture(scope="module")
def demo_inputs(demo_round, django_db_blocker) -> list:
    with django_db_blocker.unblock():
        survey_round = SurveyRound.objects.get(pk=demo_round)
        summarised, skipped = summarised_and_skipped(survey_round)
        # Nobody drawn by the demo answered about FEM (its four members were not drawn).
        assert {m.acronym for m in skipped} == {"FEM"}
        assert len(summarised) == 34
        return [summary_inputs(survey_round, mechanism) for mechanism in summarised]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_every_demo_summary_reads_as_a_secretariat_would_sign_it(demo_inputs, language):
    problems = [
        f"{inputs.mechanism.acronym} ({language}): {problem}"
        for inputs in demo_inputs
        for problem in style_problems(compose_summary(inputs, language), inputs)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_the_style_checks_catch_what_they_are_for(demo_inputs):
    """The checks themselves can fail: a summary with each fault is caught."""
    inputs = demo_inputs[0]
    content = compose_summary(inputs, "fr")
    faulty = {
        "1": "Le mécanisme works under a strategy, action plan or workplan.",
        "2": "Niveau national: 0 of 3 États membres.",
        "3": "Les agences (e.g. OIM). Les agences (e.g. OIM).",
        "4": " ".join(["mot"] * 700),
        "5": "",
    }
    problems = "\n".join(style_problems(replace(content, sections=faulty), inputs))
    for expected in (
        "English in fr",
        "no no-break space before ':'",
        "a count of zero",
        "a label's aside",
        "sentence repeated 2 times",
        "over the budget",
    ):
        assert expected in problems, expected
    english = compose_summary(inputs, "en")
    pasted = {**english.sections, "1": "It works under a strategy, action plan or workplan."}
    problems = "\n".join(style_problems(replace(english, sections=pasted), inputs))
    assert "question wording in the prose" in problems
    assert not style_problems(english, inputs)
