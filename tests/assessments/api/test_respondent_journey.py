"""The REST API under /api/v1/: the respondent's journey (drafts, answers, versions, submit
and reopen) and the patches refused."""

from __future__ import annotations

from assessments.responses.models import Answer, Response
from tests.assessments.api.helpers import (
    API,
    assert_error,
    create_call,
    reread,
)


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
