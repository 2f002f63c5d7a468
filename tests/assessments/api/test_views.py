"""The REST API under /api/v1/: who may do what (every role x every endpoint, own and another
participant's objects), the respondent's journey, the secretariat's actions, the error format,
pagination, ordering, filters, languages and query counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.services import questionnaire_new_version
from assessments.questionnaires.shipped import SHIPPED_DIR
from assessments.responses import services as response_services
from assessments.responses.models import Answer, Response
from assessments.rounds.models import Invitation, RoundParticipant, SurveyRound
from mechanisms.models import Mechanism, Membership, Organization, State
from mechanisms.services import load_reference_data
from tests.factories import (
    RespondentUserFactory,
    StateFactory,
    StateFocalPointFactory,
    api_world,
)

API = "/api/v1"
B_ANSWER = "Dirección Nacional de Migraciones"  # the other participant's answer: must never leak
ROLES = ["anonymous", "viewer", "respondent", "respondent_token", "staff"]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> SimpleNamespace:
    """The registry, rounds and users, built once for the module (about a second and a half)
    inside a transaction rolled back at its end. Each test still runs in its own savepoint (the
    `db` fixture), so what one test writes is gone before the next."""
    from django.conf import settings

    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data(settings.REFERENCE_DATA_DIR)
        yield api_world()
        transaction.set_rollback(True)


@pytest.fixture
def api(db, world) -> Callable[[str], APIClient]:
    """A client per role: session authentication for people, a token for `respondent_token`."""

    def client_for(role: str) -> APIClient:
        client = APIClient()
        if role == "respondent_token":
            client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens['respondent']}")
        elif role != "anonymous":
            client.force_login(world.users[role])
        return client

    return client_for


@pytest.fixture
def token_client(world) -> Callable[[str], APIClient]:
    """Token clients (one query to authenticate) for the query-count tests."""

    def client_for(role: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
        return client

    return client_for


@pytest.fixture
def own_response(db, world) -> Response:
    """Respondent A's (Mexico's) response to the once-answered sections, with the one required
    answer given, so that it can be submitted."""
    response = response_services.response_get_or_create(participant=world.participant_a)
    response, _ = response_services.response_save_answers(
        response=response, answers={"institution": "Instituto Nacional de Migración"},
        expected_version=1,
    )  # fmt: skip
    return response


def assert_error(answer: Any, status: int, *fields: str) -> dict:
    """`answer` has `status` and the one error format, with errors on `fields`."""
    assert answer.status_code == status, answer.content
    body = answer.json()
    assert {"detail", "errors"} <= set(body), body
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    for field in fields:
        assert body["errors"].get(field), body
    return body


def reread(response: Response) -> Response:
    return Response.objects.get(pk=response.pk)


# --- the permission matrix ------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    data: dict | None = None


def submitted(response: Response) -> Response:
    return response_services.response_submit(response=response)


def draft_questionnaire(world: SimpleNamespace) -> Questionnaire:
    return questionnaire_new_version(questionnaire=world.questionnaires["state"])


def patch_call(response: Response) -> Call:
    answers = {"recommendations": "More joint meetings."}
    return Call("patch", f"{API}/responses/{response.pk}/", {"version": response.version, "answers": answers})  # fmt: skip


def create_call(world: SimpleNamespace, participant: RoundParticipant) -> Call:
    data = {"round": world.open_round.slug, "participant": participant.pk}
    return Call("post", f"{API}/responses/", data)


def new_round_data(world: SimpleNamespace, slug: str = "round-2027") -> dict:
    return {
        "name": "Survey 2027", "slug": slug, "year": 2027, "opens_on": "2027-03-01",
        "closes_on": "2027-06-30", "reminder_days": [7],
        **{f"questionnaire_{a}": q.pk for a, q in world.questionnaires.items()},
    }  # fmt: skip


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
    "responses list": (lambda w, own: Call("get", f"{API}/responses/"), (U, 200, 200, 200, 200)),
    "response retrieve own": (lambda w, own: Call("get", f"{API}/responses/{own.pk}/"), (U, 404, 200, 200, 200)),
    "response retrieve other": (lambda w, own: Call("get", f"{API}/responses/{w.response_b.pk}/"), (U, 404, 404, 404, 200)),
    "response create own": (lambda w, own: create_call(w, w.participant_a), (U, 400, 200, 200, 200)),
    "response create other": (lambda w, own: create_call(w, w.participant_b), (U, 400, 400, 400, 200)),
    "response patch own": (lambda w, own: patch_call(own), (U, 404, 200, 200, 200)),
    "response patch other": (lambda w, own: patch_call(w.response_b), (U, 404, 404, 404, 200)),
    "response submit own": (lambda w, own: Call("post", f"{API}/responses/{own.pk}/submit/"), (U, 404, 200, 200, 200)),
    "response submit other": (lambda w, own: Call("post", f"{API}/responses/{w.response_b.pk}/submit/"), (U, 404, 404, 404, 200)),
    "response reopen own": (lambda w, own: Call("post", f"{API}/responses/{submitted(own).pk}/reopen/"), (U, 404, 403, 403, 200)),
    "response reopen other": (lambda w, own: Call("post", f"{API}/responses/{submitted(w.response_b).pk}/reopen/"), (U, 404, 404, 404, 200)),
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
    assert api("viewer").get(f"{API}/responses/").json()["count"] == 0


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


# --- the respondent's journey ---------------------------------------------------------------


def test_the_respondent_journey(api, world):
    client = api("respondent")
    create = create_call(world, world.participant_a).data

    # a draft, created once
    created = client.post(f"{API}/responses/", create)
    assert created.status_code == 201, created.content
    draft = created.json()
    assert (draft["status"], draft["version"], draft["answers"]) == ("draft", 1, {})
    assert draft["participant"]["name"] == "Mexico" and draft["mechanism"] is None
    again = client.post(f"{API}/responses/", create)
    assert again.status_code == 200 and again.json()["id"] == draft["id"]
    url = f"{API}/responses/{draft['id']}/"

    # some answers, with the version read
    answers = {
        "institution": "  Instituto Nacional de Migración ",
        "national_coordination": "yes",
        "synergy_preferences": ["INFORMATION_SHARING", "JOINT_MEETINGS"],
        "overlap_rating": "3",
        "gcm_priorities": [],
    }
    patched = client.patch(url, {"version": 1, "answers": answers})
    assert patched.status_code == 200, patched.content
    assert patched.json()["version"] == 2
    assert patched.json()["answers"] == {
        "institution": "Instituto Nacional de Migración",
        "national_coordination": "yes",
        "synergy_preferences": ["JOINT_MEETINGS", "INFORMATION_SHARING"],  # questionnaire order
        "overlap_rating": 3,
    }

    # a stale version: 409 with the current one, nothing written
    stale = client.patch(url, {"version": 1, "answers": {"institution": "Someone else"}})
    assert assert_error(stale, 409)["version"] == 2
    assert client.get(url).json()["answers"]["institution"] == "Instituto Nacional de Migración"

    # invalid values: 400 keyed by question code, nothing written
    invalid = client.patch(
        url, {"version": 2, "answers": {"overlap_rating": 9, "synergy_preferences": ["NOPE"], "nope": "x"}}
    )  # fmt: skip
    assert_error(invalid, 400, "overlap_rating", "synergy_preferences", "nope")
    after = client.get(url).json()
    assert after["version"] == 2 and after["answers"] == patched.json()["answers"]

    # clearing the required answer, then submitting: 400 keyed by code
    cleared = client.patch(url, {"version": 2, "answers": {"institution": ""}})
    assert cleared.status_code == 200 and "institution" not in cleared.json()["answers"]
    incomplete = client.post(f"{url}submit/", {"version": 3})
    assert_error(incomplete, 400, "institution")
    assert reread(Response(pk=draft["id"])).status == "draft"

    # stale submit, then the real one
    client.patch(url, {"version": 3, "answers": {"institution": "INM"}})
    assert assert_error(client.post(f"{url}submit/", {"version": 3}), 409)["version"] == 4
    done = client.post(f"{url}submit/", {"version": 4})
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["version"]) == ("submitted", 5)
    assert done.json()["submitted_at"] and done.json()["answers"]["institution"] == "INM"

    # a submitted response is closed to changes and to the respondent's reopening
    assert_error(client.patch(url, {"version": 5, "answers": {"institution": "X"}}), 400)
    assert_error(client.post(f"{url}reopen/"), 403)
    reopened = api("staff").post(f"{url}reopen/")
    assert reopened.status_code == 200 and reopened.json()["status"] == "reopened"
    assert client.patch(url, {"version": 6, "answers": {"institution": "X"}}).status_code == 200


def test_a_per_mechanism_draft_is_about_a_mechanism_the_state_belongs_to(api, world):
    client = api("respondent")
    data = create_call(world, world.participant_a).data

    created = client.post(f"{API}/responses/", {**data, "mechanism": "mirps"})
    assert created.status_code == 201, created.content
    assert created.json()["mechanism"] == "MIRPS"
    assert client.post(f"{API}/responses/", {**data, "mechanism": "MIRPS"}).status_code == 200

    assert_error(client.post(f"{API}/responses/", {**data, "mechanism": "FEM"}), 400, "mechanism")
    assert_error(client.post(f"{API}/responses/", {**data, "mechanism": "NOPE"}), 400, "mechanism")
    assert not Response.objects.filter(participant=world.participant_a, mechanism__acronym="FEM")


def test_per_mechanism_answers_come_back_typed(api, world):
    client = api("respondent")
    data = {**create_call(world, world.participant_a).data, "mechanism": "MIRPS"}
    response = client.post(f"{API}/responses/", data).json()
    answers = {
        "participation_frequency": "MOST",
        "contribution_national": "yes",
        "contribution_national_example": "A national plan.",
        "relevance": 5,
        "thematic_relevance": ["RET", "ASY"],
    }

    patched = client.patch(f"{API}/responses/{response['id']}/", {"version": 1, "answers": answers})

    assert patched.status_code == 200, patched.content
    body = patched.json()["answers"]
    assert body["participation_frequency"] == "MOST" and body["relevance"] == 5
    assert isinstance(body["thematic_relevance"], list)
    assert set(body["thematic_relevance"]) == {"RET", "ASY"}
    # a once-answered question is not asked about a mechanism
    once = {"version": 2, "answers": {"institution": "x"}}
    assert_error(client.patch(f"{API}/responses/{response['id']}/", once), 400, "institution")


def test_a_patch_must_carry_a_version_and_an_answers_object(api, own_response):
    url = f"{API}/responses/{own_response.pk}/"
    client = api("respondent")

    assert_error(client.patch(url, {"answers": {}}), 400, "version")
    assert_error(
        client.patch(url, {"version": own_response.version, "answers": ["x"]}), 400, "answers"
    )
    assert_error(client.patch(url, "not json", content_type="application/json"), 400)
    assert_error(client.patch(url, "a=1", content_type="application/x-www-form-urlencoded"), 415)
    assert reread(own_response).version == own_response.version


def test_nothing_is_written_when_a_patch_is_refused(api, own_response):
    before = list(Answer.objects.filter(response=own_response).values_list("text", flat=True))
    client = api("respondent")
    url = f"{API}/responses/{own_response.pk}/"

    client.patch(url, {"version": own_response.version - 1, "answers": {"institution": "New"}})
    client.patch(url, {"version": own_response.version, "answers": {"institution": "New", "overlap_rating": 0}})  # fmt: skip

    assert (
        list(Answer.objects.filter(response=own_response).values_list("text", flat=True)) == before
    )
    assert reread(own_response).version == own_response.version


def test_a_null_character_is_refused_before_it_reaches_the_database(api, own_response):
    url = f"{API}/responses/{own_response.pk}/"
    answers = {"institution": "Instituto\x00", "synergy_preferences": ["NONE\x00"]}

    answer = api("respondent").patch(url, {"version": own_response.version, "answers": answers})

    assert_error(answer, 400, "institution", "synergy_preferences")
    assert_error(api("staff").get(f"{API}/rounds/round%002025/"), 404)
    assert_error(api("staff").get(f"{API}/mechanisms/?search=a%00b"), 400)


def test_answers_are_refused_when_the_round_is_not_open(api, world, own_response):
    from assessments.rounds.services.rounds import round_close

    round_close(survey_round=world.open_round)
    url = f"{API}/responses/{own_response.pk}/"

    assert_error(
        api("respondent").patch(url, {"version": own_response.version, "answers": {}}), 400
    )
    assert_error(api("respondent").post(f"{url}submit/"), 400)


def test_reopening_a_draft_is_refused(api, own_response):
    assert_error(api("staff").post(f"{API}/responses/{own_response.pk}/reopen/"), 400)


# --- the secretariat's actions --------------------------------------------------------------


def test_the_secretariat_creates_a_round_with_the_default_participants(api, world):
    answer = api("staff").post(f"{API}/rounds/", new_round_data(world))

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["slug"], body["status"], body["reminder_days"]) == ("round-2027", "draft", [7])
    assert RoundParticipant.objects.filter(round__slug="round-2027").count() == (
        world.open_round.participants.count()
    )
    assert_error(api("staff").post(f"{API}/rounds/", new_round_data(world)), 400, "slug")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"closes_on": "2027-01-01"}, "closes_on"),
        ({"year": 1999}, "year"),
        ({"slug": "not a slug"}, "slug"),
        ({"reminder_days": [7, -1]}, "reminder_days"),
        ({"reminder_days": "soon"}, "reminder_days"),
        ({"questionnaire_state": 0}, "questionnaire_state"),
        ({"opens_on": "1 March"}, "opens_on"),
        ({"name": ""}, "name"),
    ],
)
def test_a_round_with_bad_fields_is_refused(api, world, change, field):
    answer = api("staff").post(f"{API}/rounds/", {**new_round_data(world), **change})

    assert_error(answer, 400, field)
    assert not SurveyRound.objects.filter(slug="round-2027").exists()


def test_a_round_s_questionnaires_must_be_for_their_audience(api, world):
    data = {**new_round_data(world), "questionnaire_state": world.questionnaires["mechanism"].pk}

    assert_error(api("staff").post(f"{API}/rounds/", data), 400, "questionnaire_state")


def test_a_round_goes_through_its_lifecycle_and_refuses_illegal_steps(api, world):
    client = api("staff")
    slug = world.draft_round.slug

    for action in ("close", "publish"):
        assert_error(client.post(f"{API}/rounds/{slug}/{action}/"), 400, "non_field_errors")
    opened = client.post(f"{API}/rounds/{slug}/open/")
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert opened.json()["opened_at"]
    assert Invitation.objects.filter(participant__round__slug=slug).exists()
    assert_error(client.post(f"{API}/rounds/{slug}/open/"), 400)
    assert_error(client.post(f"{API}/rounds/{slug}/publish/"), 400)
    assert client.post(f"{API}/rounds/{slug}/close/").json()["status"] == "closed"
    assert_error(client.post(f"{API}/rounds/{slug}/close/"), 400)
    published = client.post(f"{API}/rounds/{slug}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert_error(client.post(f"{API}/rounds/{slug}/publish/"), 400)


def test_the_questionnaires_of_an_open_round_cannot_change(api, world):
    other = questionnaire_new_version(questionnaire=world.questionnaires["state"])
    url = f"{API}/rounds/{world.open_round.slug}/"

    assert_error(api("staff").patch(url, {"questionnaire_state": other.pk}), 400)
    # the status is read-only: it changes through the actions only
    assert api("staff").patch(url, {"status": "published"}).json()["status"] == "open"
    assert SurveyRound.objects.get(slug=world.open_round.slug).status == "open"


def test_send_reminders_queues_one_per_participant_yet_to_submit(
    api, world, own_response, django_capture_on_commit_callbacks
):
    assert response_services.participant_submit(participant=world.participant_a) == {}
    url = f"{API}/rounds/{world.open_round.slug}/send-reminders/"

    with (
        mock.patch("assessments.rounds.tasks.send_pending_notifications_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = api("staff").post(url)

    assert answer.status_code == 202, answer.content
    assert answer.json() == {"queued": world.open_round.participants.count() - 1}  # not Mexico
    delay.assert_called_once_with(world.open_round.pk)
    assert_error(api("staff").post(f"{API}/rounds/{world.draft_round.slug}/send-reminders/"), 400)


def test_unknown_objects_answer_404_in_the_error_format(api):
    client = api("staff")
    for path in ("rounds/nope", "responses/0", "responses/abc", "questionnaires/0", "mechanisms/NOPE", "states/0"):  # fmt: skip
        assert_error(client.get(f"{API}/{path}/"), 404)
    assert_error(client.post(f"{API}/rounds/nope/open/"), 404)
    assert_error(client.delete(f"{API}/rounds/round-2025/"), 405)


# --- pagination, ordering, filters ----------------------------------------------------------


def test_lists_are_paginated_by_50_up_to_500(api):
    client = api("anonymous")
    states = State.objects.count()

    default = client.get(f"{API}/states/").json()
    assert (default["count"], len(default["results"])) == (states, 50)
    two = client.get(f"{API}/states/?page_size=2").json()
    assert (two["count"], len(two["results"]), two["previous"]) == (states, 2, None)
    assert "page=2" in two["next"] and "page_size=2" in two["next"]
    assert len(client.get(f"{API}/states/?page_size=1000").json()["results"]) == states
    memberships = client.get(f"{API}/memberships/?page_size=1000").json()
    assert memberships["count"] > 500 and len(memberships["results"]) == 500
    assert_error(client.get(f"{API}/states/?page=999"), 404)


def test_mechanisms_are_filtered_searched_and_ordered(api):
    client = api("anonymous")

    def acronyms(query: str) -> list[str]:
        answer = client.get(f"{API}/mechanisms/?page_size=500&{query}")
        assert answer.status_code == 200, answer.content
        return [m["acronym"] for m in answer.json()["results"]]

    assert acronyms("kind=rcp") == list(
        Mechanism.objects.filter(kind="rcp").order_by("acronym").values_list("acronym", flat=True)
    )
    assert set(acronyms("status=dormant")) == set(
        Mechanism.objects.filter(status="dormant").values_list("acronym", flat=True)
    )
    assert acronyms("region=Central America and Mexico") == ["MIRPS"]
    assert "MIRPS" in acronyms("thematic_area=RET") and "MIRPS" not in acronyms("thematic_area=LAB")
    assert acronyms("search=mirps") == ["MIRPS"]
    assert acronyms("search=Protection and Solutions") == ["MIRPS"]
    assert acronyms("q=MIRPS") == ["MIRPS"]
    everything = acronyms("")
    assert acronyms("ordering=-acronym") == everything[::-1]
    counts = [m["member_count"] for m in client.get(f"{API}/mechanisms/?ordering=-member_count&page_size=500").json()["results"]]  # fmt: skip
    assert counts == sorted(counts, reverse=True)
    assert_error(client.get(f"{API}/mechanisms/?kind=nope"), 400, "kind")
    assert_error(client.get(f"{API}/mechanisms/?thematic_area=NOPE"), 400, "thematic_area")


def test_a_mechanism_comes_with_its_members(api):
    body = api("anonymous").get(f"{API}/mechanisms/MIRPS/").json()

    members = [m for m in body["memberships"] if m["role"] == "member"]
    assert body["member_count"] == len(members) > 0
    assert {"participant": "MX", "participant_kind": "state"}.items() <= next(
        m for m in members if m["participant"] == "MX"
    ).items()


def test_memberships_states_and_organizations_are_filtered(api):
    client = api("anonymous")

    mexico = client.get(f"{API}/memberships/?state=mx&role=member&page_size=500").json()
    assert {m["mechanism"] for m in mexico["results"]} >= {"MIRPS", "RCM"}
    assert {m["participant"] for m in mexico["results"]} == {"MX"}
    assert client.get(f"{API}/states/?country=MX").json()["results"][0]["name"] == "Mexico"
    igos = client.get(f"{API}/organizations/?kind=igo&page_size=500").json()["results"]
    assert igos and {o["kind"] for o in igos} == {"igo"}
    assert_error(client.get(f"{API}/memberships/?role=nope"), 400, "role")


def test_responses_are_filtered_by_round_and_status_and_ordered(api, world, own_response):
    client = api("staff")
    response_services.response_submit(response=own_response)

    def ids(query: str) -> list[int]:
        return [r["id"] for r in client.get(f"{API}/responses/?{query}").json()["results"]]

    assert ids("status=submitted") == [own_response.pk]
    assert ids("status=draft") == [world.response_b.pk]
    assert ids(f"round={world.open_round.slug}&ordering=-id") == sorted(
        [own_response.pk, world.response_b.pk], reverse=True
    )
    assert ids(f"round={world.published_round.slug}") == []
    assert_error(client.get(f"{API}/responses/?status=nope"), 400, "status")


def test_rounds_and_questionnaires_are_filtered(api, world):
    client = api("staff")
    draft = draft_questionnaire(world)

    assert [r["slug"] for r in client.get(f"{API}/rounds/?status=open").json()["results"]] == [
        world.open_round.slug
    ]
    assert [r["slug"] for r in client.get(f"{API}/rounds/?year=2024").json()["results"]] == [
        world.published_round.slug
    ]
    drafts = client.get(f"{API}/questionnaires/?status=draft").json()["results"]
    assert [q["id"] for q in drafts] == [draft.pk]
    assert api("respondent").get(f"{API}/questionnaires/?status=draft").json()["count"] == 0
    public = api("respondent").get(f"{API}/questionnaires/").json()["results"]
    assert {q["status"] for q in public} == {"published"} and len(public) == 3


# --- languages ------------------------------------------------------------------------------


def test_a_questionnaire_comes_whole_in_the_language_asked_for(api, world):
    client = api("respondent")
    url = f"{API}/questionnaires/{world.questionnaires['state'].pk}/"
    source = json.loads((SHIPPED_DIR / "state.json").read_text(encoding="utf-8"))

    english = client.get(url).json()
    french = client.get(f"{url}?lang=fr").json()
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").json()

    assert (english["language"], french["language"], spanish["language"]) == ("en", "fr", "es")
    assert french["title"] == source["title"]["fr"] and spanish["title"] == source["title"]["es"]
    assert [s["code"] for s in english["sections"]] == [s["code"] for s in source["sections"]]
    first = french["sections"][0]["questions"][0]
    assert first["code"] == "institution" and first["required"] is True
    assert first["text"] == source["sections"][0]["questions"][0]["text"]["fr"]
    frequency = next(
        q for s in spanish["sections"] for q in s["questions"] if q["code"] == "participation_frequency"
    )  # fmt: skip
    assert frequency["choices"][0] == {"code": "ALL", "label": "En todas las reuniones"}
    assert client.get(f"{url}?lang=fr", HTTP_ACCEPT_LANGUAGE="es").json()["language"] == "fr"
    assert_error(client.get(f"{url}?lang=de"), 400, "lang")


# --- query counts ---------------------------------------------------------------------------

# Pinned budgets, authenticated by token (query 1: the token with its user).
#   mechanisms: 2. COUNT 3. the page with member/observer counts, chair model and secretariat
#               type joined 4. their thematic areas (prefetch)
#   states, organizations, questionnaires, rounds and responses (staff), memberships:
#               2. COUNT 3. the page (memberships: State, organization and mechanism joined;
#               responses: round, mechanism, questionnaire, participant and its party joined)
LIST_BUDGETS = {
    "mechanisms": 4,
    "states": 3,
    "organizations": 3,
    "memberships": 3,
    "rounds": 3,
    "questionnaires": 3,
    "responses": 3,
}
# A respondent (or viewer) first has its focal points read (2.: which participants it answers
# for); rounds then check the viewers group (3.), then COUNT and the page.
RESPONDENT_BUDGETS = {"responses": 4, "rounds": 5, "questionnaires": 3}


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
    # 1. token 2. focal points 3. the response with its joins 4. its answers; the snapshot of
    # a published questionnaire is cached per process (warmed here)
    questionnaire_schema(own_response.questionnaire)
    with django_assert_max_num_queries(4):
        url = f"{API}/responses/{own_response.pk}/"
        assert token_client("respondent").get(url).status_code == 200
