"""Hostile JSON bodies answer 400, never 500: deep nesting, lone surrogates, control characters,
oversized bodies; a newline in a round's name is refused (it would break the invitations' mail
headers)."""

from __future__ import annotations

import pytest

from assessments.rounds.models import SurveyRound
from tests.assessments.api.helpers import API, assert_error, new_round_data


def raw_patch(client, url: str, body: str | bytes):
    return client.generic("PATCH", url, body, content_type="application/json")


def test_a_body_nested_50000_deep_is_400(api, own_response):
    deep = "[" * 50_000 + "]" * 50_000
    body = f'{{"version": {own_response.version}, "answers": {{"institution": {deep}}}}}'
    answer = raw_patch(api("respondent"), f"{API}/responses/{own_response.pk}/", body)
    assert "deeper than" in assert_error(answer, 400)["detail"]


def test_a_body_nested_past_the_limit_is_400_even_when_python_could_parse_it(api, own_response):
    deep = "[" * 40 + "]" * 40
    body = f'{{"version": {own_response.version}, "answers": {{"institution": {deep}}}}}'
    answer = raw_patch(api("respondent"), f"{API}/responses/{own_response.pk}/", body)
    assert "deeper than 32 levels" in assert_error(answer, 400)["detail"]


@pytest.mark.parametrize(
    "answers",
    ['{"institution": "a\\ud800b"}', '{"institution\\udfff": "x"}'],
    ids=["in a string", "in a key"],
)
def test_a_lone_surrogate_is_400_and_writes_nothing(api, own_response, answers):
    body = f'{{"version": {own_response.version}, "answers": {answers}}}'
    answer = raw_patch(api("respondent"), f"{API}/responses/{own_response.pk}/", body)
    assert "lone surrogate" in assert_error(answer, 400)["detail"]
    own_response.refresh_from_db()
    assert own_response.version == 1 + 1  # the fixture's one save, nothing since


def test_a_control_character_in_an_answer_is_refused_by_question_code(api, own_response):
    url = f"{API}/responses/{own_response.pk}/"
    answer = api("respondent").patch(
        url, {"version": own_response.version, "answers": {"institution": "Insti\x01tuto"}}
    )
    body = assert_error(answer, 400, "institution")
    assert "U+0001" in body["errors"]["institution"][0]


def test_a_body_past_the_size_limit_is_400(api, own_response, settings):
    settings.API_JSON_MAX_BYTES = 1000
    body = f'{{"version": {own_response.version}, "answers": {{"institution": "{"x" * 2000}"}}}}'
    answer = raw_patch(api("respondent"), f"{API}/responses/{own_response.pk}/", body)
    assert "the limit is 1,000 bytes" in assert_error(answer, 400)["detail"]


@pytest.mark.parametrize("name", ["Survey\n2027", "Survey\r\nBcc: x@example.org", "Sur\x00vey"])
def test_a_round_name_with_a_line_break_or_nul_is_refused(api, world, name):
    data = {**new_round_data(world), "name": name}
    assert_error(api("staff").post(f"{API}/rounds/", data), 400, "name")
    assert not SurveyRound.objects.filter(slug=data["slug"]).exists()


def test_a_nul_or_newline_in_an_api_path_is_404_in_the_api_format(api):
    for path in (f"{API}/mechanisms/%00/", f"{API}/rounds/round-2025%0A/"):
        assert_error(api("anonymous").get(path), 404)
