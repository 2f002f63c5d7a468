"""The REST API under /api/v1/: who may do what (every role x every endpoint, own and another
participant's objects), authentication and the 401 challenge."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from assessments.responses import services as response_services
from assessments.responses.models import Response
from mechanisms.models import Mechanism, Membership, Organization, State
from tests.assessments.api.helpers import (
    API,
    Call,
    assert_error,
    create_call,
    draft_questionnaire,
    new_round_data,
    submitted,
)
from tests.factories import (
    RespondentUserFactory,
    StateFactory,
    StateFocalPointFactory,
)

B_ANSWER = "Dirección Nacional de Migraciones"  # the other participant's answer: must never leak
ROLES = ["anonymous", "viewer", "respondent", "respondent_token", "staff"]


def patch_call(response: Response) -> Call:
    answers = {"recommendations": "More joint meetings."}
    return Call("patch", f"{API}/responses/{response.pk}/", {"version": response.version, "answers": answers})  # fmt: skip


def round_action(slug: str, action: str) -> Call:
    return Call("post", f"{API}/rounds/{slug}/{action}/")


def closed_round(world: SimpleNamespace) -> str:
    from assessments.rounds.services.rounds import round_close

    return round_close(survey_round=world.open_round).slug


U = 401  # anonymous: no credentials
# Each endpoint: how to call it (given the world and A's own response), then the status for
# anonymous, viewer, respondent A (session), respondent A (token) and staff.
MATRIX: dict[str, tuple[Callable[[SimpleNamespace, Response], Call], tuple[int, ...]]] = {
    # responses: A's own and B's (another participant's)
    "responses list": (lambda w, own: Call("get", f"{API}/responses/"), (U, 403, 200, 200, 200)),
    "response retrieve own": (lambda w, own: Call("get", f"{API}/responses/{own.pk}/"), (U, 404, 200, 200, 200)),
    "response retrieve other": (lambda w, own: Call("get", f"{API}/responses/{w.response_b.pk}/"), (U, 404, 404, 404, 200)),
    "response create own": (lambda w, own: create_call(w, w.participant_a), (U, 400, 200, 200, 200)),
    "response create other": (lambda w, own: create_call(w, w.participant_b), (U, 400, 400, 400, 200)),
    "response patch own": (lambda w, own: patch_call(own), (U, 404, 200, 200, 200)),
    "response patch other": (lambda w, own: patch_call(w.response_b), (U, 404, 404, 404, 200)),
    "response submit own": (lambda w, own: Call("post", f"{API}/responses/{own.pk}/submit/"), (U, 404, 200, 200, 200)),
    "response submit other": (lambda w, own: Call("post", f"{API}/responses/{w.response_b.pk}/submit/"), (U, 404, 404, 404, 200)),
    "response reopen own": (lambda w, own: Call("post", f"{API}/responses/{submitted(own).pk}/reopen/"), (U, 403, 403, 403, 200)),
    "response reopen other": (lambda w, own: Call("post", f"{API}/responses/{submitted(w.response_b).pk}/reopen/"), (U, 403, 403, 403, 200)),
    # rounds
    "rounds list": (lambda w, own: Call("get", f"{API}/rounds/"), (U, 200, 200, 200, 200)),
    "round retrieve open": (lambda w, own: Call("get", f"{API}/rounds/{w.open_round.slug}/"), (U, 404, 200, 200, 200)),
    "round retrieve published": (lambda w, own: Call("get", f"{API}/rounds/{w.published_round.slug}/"), (U, 200, 200, 200, 200)),
    "round create": (lambda w, own: Call("post", f"{API}/rounds/", new_round_data(w)), (U, 403, 403, 403, 201)),
    "round patch": (lambda w, own: Call("patch", f"{API}/rounds/{w.open_round.slug}/", {"name": "Survey 2025 (extended)"}), (U, 403, 403, 403, 200)),
    "round open": (lambda w, own: round_action(w.draft_round.slug, "open"), (U, 403, 403, 403, 200)),
    "round close": (lambda w, own: round_action(w.open_round.slug, "close"), (U, 403, 403, 403, 200)),
    "round publish": (lambda w, own: round_action(closed_round(w), "publish"), (U, 403, 403, 403, 200)),
    "round send reminders": (lambda w, own: round_action(w.open_round.slug, "send-reminders"), (U, 403, 403, 403, 202)),
    # questionnaires: drafts are the secretariat's
    "questionnaires list": (lambda w, own: Call("get", f"{API}/questionnaires/"), (U, 200, 200, 200, 200)),
    "questionnaire retrieve published": (lambda w, own: Call("get", f"{API}/questionnaires/{w.questionnaires['state'].pk}/"), (U, 200, 200, 200, 200)),
    "questionnaire retrieve draft": (lambda w, own: Call("get", f"{API}/questionnaires/{draft_questionnaire(w).pk}/"), (U, 404, 404, 404, 200)),
    # the registry: public
    "mechanisms list": (lambda w, own: Call("get", f"{API}/mechanisms/"), (200,) * 5),
    "mechanism retrieve": (lambda w, own: Call("get", f"{API}/mechanisms/mirps/"), (200,) * 5),
    "states list": (lambda w, own: Call("get", f"{API}/states/"), (200,) * 5),
    "state retrieve": (lambda w, own: Call("get", f"{API}/states/{State.objects.get(country='MX').pk}/"), (200,) * 5),
    "organizations list": (lambda w, own: Call("get", f"{API}/organizations/"), (200,) * 5),
    "organization retrieve": (lambda w, own: Call("get", f"{API}/organizations/{Organization.objects.get(acronym='IOM').pk}/"), (200,) * 5),
    "memberships list": (lambda w, own: Call("get", f"{API}/memberships/"), (200,) * 5),
    "membership retrieve": (lambda w, own: Call("get", f"{API}/memberships/{Membership.objects.first().pk}/"), (200,) * 5),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_permission_matrix(api, world, own_response, endpoint, role):
    build, statuses = MATRIX[endpoint]
    call = build(world, own_response)
    expected = statuses[ROLES.index(role)]

    answer = getattr(api(role), call.method)(call.path, call.data, format="json")

    assert answer.status_code == expected, (endpoint, role, answer.content)
    if expected >= 400:
        body = assert_error(answer, expected)
        assert set(body) == {"detail", "errors"}, "an error carries no data of the object"
    if role.startswith("respondent") and endpoint.startswith("response"):
        text = answer.content.decode()
        assert B_ANSWER not in text and "Argentina" not in text, text


@pytest.mark.parametrize("role", ["respondent", "respondent_token"])
def test_a_respondent_lists_only_its_own_participant_s_responses(api, world, own_response, role):
    about_mirps = response_services.response_get_or_create(
        participant=world.participant_a, mechanism=Mechanism.objects.get(acronym="MIRPS")
    )

    body = api(role).get(f"{API}/responses/").json()

    assert body["count"] == 2
    assert {r["id"] for r in body["results"]} == {own_response.pk, about_mirps.pk}
    assert {r["participant"]["id"] for r in body["results"]} == {world.participant_a.pk}
    assert {r["participant"]["name"] for r in body["results"]} == {"Mexico"}
    assert str(world.response_b.pk) not in {str(r["id"]) for r in body["results"]}
    assert "Argentina" not in json.dumps(body) and B_ANSWER not in json.dumps(body)


def test_the_other_respondent_cannot_reach_a_s_response_either(api, own_response):
    client = api("respondent_b")
    url = f"{API}/responses/{own_response.pk}/"

    assert [r["id"] for r in client.get(f"{API}/responses/").json()["results"]] != []
    assert own_response.pk not in {
        r["id"] for r in client.get(f"{API}/responses/").json()["results"]
    }
    assert_error(client.get(url), 404)
    assert_error(client.patch(url, patch_call(own_response).data), 404)
    assert_error(client.post(f"{url}submit/"), 404)
    assert "Instituto Nacional de Migración" not in client.get(f"{API}/responses/").content.decode()


def test_the_secretariat_lists_every_participant_s_responses(api, world, own_response):
    body = api("staff").get(f"{API}/responses/").json()

    assert {r["id"] for r in body["results"]} == {own_response.pk, world.response_b.pk}


def test_a_viewer_sees_the_published_rounds_only(api, world):
    body = api("viewer").get(f"{API}/rounds/").json()

    assert [r["slug"] for r in body["results"]] == [world.published_round.slug]
    assert api("viewer").get(f"{API}/responses/").status_code == 403  # it reads no responses


def test_a_respondent_sees_the_rounds_its_participant_takes_part_in(api, world):
    outsider = StateFactory(country="AQ")  # in no mechanism, so in no round
    user = RespondentUserFactory(username="antarctica")
    StateFocalPointFactory(state=outsider, user=user)
    client = APIClient()
    client.force_login(user)

    assert api("respondent").get(f"{API}/rounds/").json()["count"] == 3
    assert client.get(f"{API}/rounds/").json()["count"] == 0
    assert_error(client.get(f"{API}/rounds/{world.open_round.slug}/"), 404)


def test_a_respondent_cannot_create_a_response_for_another_participant(api, world):
    answer = api("respondent").post(
        f"{API}/responses/", create_call(world, world.participant_b).data
    )

    assert_error(answer, 400, "participant")
    assert "Argentina" not in answer.content.decode()
    assert Response.objects.filter(participant=world.participant_b).count() == 1


def test_token_authentication_works_and_a_bad_token_gets_401(world, db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens['respondent']}")
    assert client.get(f"{API}/responses/").status_code == 200

    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    answer = client.get(f"{API}/responses/")

    assert_error(answer, 401)
    assert answer.headers["WWW-Authenticate"].startswith("Token")


def test_anonymous_callers_get_401_with_a_challenge(db, world):
    answer = APIClient().get(f"{API}/rounds/")

    assert_error(answer, 401)
    assert answer.headers["WWW-Authenticate"].startswith("Token")
