"""The benchmark's seeding at a tiny scale: counts and validity, never timings."""

from __future__ import annotations

import pytest

from assessments.benchmark.seed import SeedResult, SeedSpec, seed_round
from assessments.questionnaires.models import Audience
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses.models import Answer, Response
from assessments.responses.services import completeness_errors, mechanisms_answered_about
from mechanisms.models import Membership

pytestmark = pytest.mark.django_db

TINY = SeedSpec(states=5, mechanisms=3, organizations=2, scale=1)


@pytest.fixture
def seeded(reference_data) -> SeedResult:
    return seed_round(TINY)


def test_it_seeds_the_asked_numbers_of_participants(seeded):
    assert seeded.participants == {
        Audience.MECHANISM: 3,
        Audience.STATE: 5,
        Audience.ORGANIZATION: 2,
    }
    assert seeded.survey_round.slug == "bench-x1"


def test_each_state_is_a_member_of_one_to_three_of_the_round_mechanisms(seeded):
    mechanisms = seeded.survey_round.participants.filter(kind=Audience.MECHANISM)
    for participant in seeded.survey_round.participants.filter(kind=Audience.STATE):
        memberships = Membership.objects.current().filter(
            state_id=participant.state_id,
            role=Membership.Role.MEMBER,
            mechanism_id__in=mechanisms.values("mechanism_id"),
        )
        assert 1 <= memberships.count() <= 3


def test_it_creates_every_response_the_participants_owe(seeded):
    owed = 0
    for participant in seeded.survey_round.participants.select_related("round"):
        # A mechanism answers once; a State or organization once plus once per mechanism.
        about = mechanisms_answered_about(participant)
        owed += 1 + len(about)
        if participant.kind == Audience.ORGANIZATION:
            assert len(about) == 3  # engaged with every mechanism of the round
    responses = Response.objects.filter(round=seeded.survey_round)
    assert responses.count() == seeded.responses == owed
    assert set(responses.values_list("status", flat=True)) == {Response.Status.SUBMITTED}


def test_it_counts_the_answer_rows_it_inserted(seeded):
    answers = Answer.objects.filter(response__round=seeded.survey_round)
    assert answers.count() == seeded.answers
    assert not Response.objects.filter(round=seeded.survey_round, answers__isnull=True).exists()


def test_every_generated_response_is_complete_and_valid(seeded):
    for response in Response.objects.filter(round=seeded.survey_round).select_related(
        "questionnaire"
    ):
        assert completeness_errors(response, questionnaire_schema(response.questionnaire)) == {}


def test_seeded_rows_have_no_history(seeded):
    assert not Answer.history.filter(response__round=seeded.survey_round).exists()


def test_the_scale_multiplies_the_organizations(reference_data):
    small = seed_round(TINY)
    large = seed_round(SeedSpec(states=5, mechanisms=3, organizations=2, scale=3))
    assert large.participants[Audience.ORGANIZATION] == 6
    assert large.participants[Audience.STATE] == small.participants[Audience.STATE]
    # Each organization answers once and once about each of the 3 mechanisms.
    assert large.responses - small.responses == (6 - 2) * (1 + 3)
