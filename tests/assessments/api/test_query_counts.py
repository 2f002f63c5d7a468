"""The REST API under /api/v1/: the query counts of lists and objects, fixed whatever their size."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses import services as response_services
from assessments.responses.models import Response
from tests.assessments.api.helpers import (
    API,
)


@pytest.fixture
def token_client(world) -> Callable[[str], APIClient]:
    """Token clients (one query to authenticate) for the query-count tests."""

    def client_for(role: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
        return client

    return client_for


# --- query counts ---------------------------------------------------------------------------

# Pinned budgets, authenticated by token (query 1: the token with its user).
#   mechanisms: 2. COUNT 3. the page with member/observer counts, chair model and secretariat
#               type joined 4. their thematic areas (prefetch)
#   states, organizations, memberships: 2. COUNT 3. the page (memberships: State, organization
#               and mechanism joined)
#   questionnaires, rounds and responses (a secretariat administrator): 2.-3. the user's
#               permissions, its own and its roles' (read once per request), [rounds and
#               responses: 4. its focal points, as anyone's], then COUNT and the page
#               (responses: round, mechanism, questionnaire, participant and party joined)
LIST_BUDGETS = {
    "mechanisms": 4,
    "states": 3,
    "organizations": 3,
    "memberships": 3,
    "rounds": 6,
    "questionnaires": 5,
    "responses": 6,
}
# A respondent (or viewer) has its permissions read (2.-3.: it has none) and its focal points
# (4.: which participants it answers for), then COUNT and the page; responses first check that
# it answers for someone at all (5.).
RESPONDENT_BUDGETS = {"responses": 7, "rounds": 6, "questionnaires": 5}


@pytest.mark.parametrize(("endpoint", "budget"), LIST_BUDGETS.items())
def test_every_list_has_a_fixed_query_budget(
    token_client, own_response, django_assert_max_num_queries, endpoint, budget
):
    client = token_client("staff")
    with django_assert_max_num_queries(budget):
        assert client.get(f"{API}/{endpoint}/?page_size=500").status_code == 200


@pytest.mark.parametrize(("endpoint", "budget"), RESPONDENT_BUDGETS.items())
def test_a_respondent_s_lists_have_a_fixed_query_budget(
    token_client, own_response, django_assert_max_num_queries, endpoint, budget
):
    client = token_client("respondent")
    with django_assert_max_num_queries(budget):
        assert client.get(f"{API}/{endpoint}/?page_size=500").status_code == 200


def count_queries(django_assert_max_num_queries, client: APIClient, path: str) -> int:
    with django_assert_max_num_queries(50) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_the_responses_list_does_not_grow_with_its_rows(
    token_client, world, own_response, django_assert_max_num_queries
):
    client = token_client("staff")
    few = count_queries(django_assert_max_num_queries, client, f"{API}/responses/")
    for participant in world.open_round.participants.filter(kind="state")[:30]:
        response_services.response_get_or_create(participant=participant)
    for mechanism in response_services.mechanisms_answered_about(world.participant_a):
        response_services.response_get_or_create(participant=world.participant_a, mechanism=mechanism)  # fmt: skip
    organization = world.open_round.participants.filter(kind="organization").first()
    response_services.response_get_or_create(participant=organization)

    assert Response.objects.count() > 30
    assert count_queries(django_assert_max_num_queries, client, f"{API}/responses/") == few
    respondent = token_client("respondent")
    mine = count_queries(django_assert_max_num_queries, respondent, f"{API}/responses/")
    assert mine == RESPONDENT_BUDGETS["responses"]


def test_the_mechanisms_list_does_not_grow_with_its_rows(
    token_client, django_assert_max_num_queries
):
    client = token_client("staff")
    one = count_queries(django_assert_max_num_queries, client, f"{API}/mechanisms/?page_size=1")
    every = count_queries(django_assert_max_num_queries, client, f"{API}/mechanisms/?page_size=500")

    assert one == every == LIST_BUDGETS["mechanisms"]


def test_one_object_has_a_fixed_query_budget(
    token_client, own_response, django_assert_max_num_queries
):
    # 1. token 2. the mechanism with counts 3. its thematic areas 4. its current memberships
    with django_assert_max_num_queries(4):
        assert token_client("staff").get(f"{API}/mechanisms/RCM/").status_code == 200
    # 1. token 2.-3. permissions (none) 4. focal points 5. the response with its joins 6. its
    # answers; the snapshot of a published questionnaire is cached per process (warmed here)
    questionnaire_schema(own_response.questionnaire)
    with django_assert_max_num_queries(6):
        url = f"{API}/responses/{own_response.pk}/"
        assert token_client("respondent").get(url).status_code == 200
