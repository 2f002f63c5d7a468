"""One text check at every boundary (mechanisms.text): the validator itself, the pages and
imports that apply it, the paths refused before any view, and the Word writers' second line of
defence. Each input here was a 500 before."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses.services import participant_responses, stored_answers
from assessments.rounds.models import RoundParticipant, SurveyRound
from assessments.rounds.services.invitations import invitation_token
from mechanisms.text import (
    JsonLimitError,
    load_json,
    printable,
    validate_single_line,
    validate_text,
)
from tests.factories import open_round_with_shipped_questionnaires

# --- the validator ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a\x00b", "nul_character"),
        ("a\ud800b", "lone_surrogate"),
        ("a\x01b", "control_character"),
        ("a\x1bb", "control_character"),
        ("a\x7fb", "control_character"),
        ("a\ufffeb", "control_character"),
    ],
)
def test_the_validator_refuses_what_cannot_be_stored_or_printed(text, code):
    with pytest.raises(ValidationError) as refused:
        validate_text(text)
    assert refused.value.code == code
    assert "position 2" in refused.value.messages[0]


def test_tabs_and_line_breaks_pass_where_text_spans_lines_only():
    validate_text("one\ttwo\nthree\r\nfour é ñ « » 中文 🙂")
    validate_single_line("one\ttwo é")
    for text in ("one\ntwo", "one\rtwo", "one\u2028two"):
        with pytest.raises(ValidationError) as refused:
            validate_single_line(text)
        assert refused.value.code == "line_break"


def test_printable_keeps_what_word_can_hold():
    assert printable("a\x01b\x00c\ud800d\te\nf é") == "abcd\te\nf é"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("[" * 50_000 + "]" * 50_000, "deeper than 32 levels"),
        ("[" * 33 + "]" * 33, "deeper than 32 levels"),
        (json.dumps(list(range(200))), "more than 100 values"),
        ('{"a": "' + "x" * 2000 + '"}', "the limit is 1,000 bytes"),
        ('{"a": NaN}', "not valid JSON"),
        ('{"a\\ud800": 1}', "lone surrogate"),
    ],
)
def test_json_documents_are_held_to_their_limits(raw, message):
    with pytest.raises(JsonLimitError) as refused:
        load_json(raw, max_bytes=1000 if "x" * 2000 in raw else 10**6, max_depth=32, max_items=100)
    assert message in str(refused.value)


def test_text_checks_of_an_import_cover_keys_and_values():
    with pytest.raises(JsonLimitError, match="U\\+0001"):
        load_json(
            '{"a": ["ok", "b\\u0001"]}', max_bytes=1000, max_depth=5, max_items=10, check_text=True
        )
    assert load_json(
        '{"a": ["ok\\n", 1]}', max_bytes=1000, max_depth=5, max_items=10, check_text=True
    )


# --- paths ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/mechanisms/%00/",
        "/mechanisms/RCM%0A/",
        "/rounds/round%00/summaries/",
        "/rounds/round-2025/summaries/RCM%00/",
        "/rounds/round-2025/summaries/compendium-en%00.pdf",
        "/rounds/round-2025/summaries/RCM/en.docx%0D",
    ],
)
def test_a_nul_or_line_break_in_the_path_is_404_for_anyone(client, path):
    assert client.get(path).status_code == 404


# --- the respondent's pages -------------------------------------------------------------------


@pytest.fixture
def secretariat(reference_data, client):
    """The RCM secretariat's participant of an open round, its invitation link opened."""
    survey_round = open_round_with_shipped_questionnaires()
    participant = RoundParticipant.objects.select_related("invitation").get(
        round=survey_round, mechanism__acronym="RCM"
    )
    link = reverse("assessments:invitation", args=[invitation_token(participant.invitation)])
    assert client.get(link).status_code == 302
    return participant


def page_number_of(response, code: str) -> int:
    schema = questionnaire_schema(response.questionnaire)
    return next(i for i, s in enumerate(schema.sections, start=1) if s.code == code)


@pytest.mark.django_db
@pytest.mark.parametrize("other", ["Wiki\x00", "Wiki\x01"])
def test_a_bad_other_text_through_autosave_is_reported_not_stored(client, secretariat, other):
    response = participant_responses(secretariat)[0]
    reply = client.post(
        reverse("assessments:autosave", args=[response.pk]),
        {
            "version": response.version, "section": "A3",
            "knowledge_management": ["WEBSITE", "OTHER"], "knowledge_management_other": other,
        },
        headers={"x-requested-with": "XMLHttpRequest"},
    )  # fmt: skip
    assert reply.status_code == 200, reply.content
    assert "knowledge_management" in reply.json()["errors"]
    assert "knowledge_management_other" not in stored_answers(
        response, questionnaire_schema(response.questionnaire)
    )


@pytest.mark.django_db
def test_a_nul_other_text_through_the_page_post_is_reported_not_stored(client, secretariat):
    response = participant_responses(secretariat)[0]
    number = page_number_of(response, "A3")
    page = client.post(
        reverse("assessments:page", args=[secretariat.pk, number]),
        {
            "version": response.version,
            "knowledge_management": ["WEBSITE", "OTHER"], "knowledge_management_other": "W\x00",
        },
        follow=True,
    )  # fmt: skip
    assert page.status_code == 200
    answers = stored_answers(response, questionnaire_schema(response.questionnaire))
    assert "knowledge_management_other" not in answers


# --- imports ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 50_000 + "]" * 50_000, "deeper than 32 levels"),
        ('{"format": "iscm-round", "round": {"name": "a\\ud800b"}}', "lone surrogate"),
        ('{"format": "iscm-round", "round": {"name": "a\\u0000b"}}', "NUL character"),
    ],
    ids=["deep", "surrogate", "nul"],
)
def test_import_round_refuses_a_hostile_file_with_a_message(tmp_path, content, message):
    path = tmp_path / "round.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("import_round", str(path))
    assert not SurveyRound.objects.exists()


@pytest.mark.django_db
def test_import_round_says_which_size_limit_a_file_passed(tmp_path, settings):
    settings.IMPORT_JSON_MAX_BYTES = 100
    path = tmp_path / "round.json"
    path.write_text(json.dumps({"format": "iscm-round", "pad": "x" * 200}), encoding="utf-8")
    with pytest.raises(CommandError, match="the limit is 100 bytes"):
        call_command("import_round", str(path))


@pytest.mark.django_db
def test_the_admin_questionnaire_import_refuses_a_deep_file(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "deep.json", ("[" * 50_000 + "]" * 50_000).encode(), content_type="application/json"
    )
    page = admin_client.post(reverse("admin:assessments_questionnaire_import"), {"file": upload})
    assert page.status_code == 200
    assert "deeper than 32 levels" in page.text


@pytest.mark.django_db
def test_admin_fields_refuse_control_characters(admin_client, reference_data):
    from mechanisms.models import Organization

    organization = Organization.objects.first()
    page = admin_client.post(
        reverse("admin:mechanisms_organization_change", args=[organization.pk]),
        {"acronym": organization.acronym, "name": "Bad\x01name", "kind": organization.kind},
    )
    assert page.status_code == 200
    assert "U+0001" in page.text
    organization.refresh_from_db()
    assert "\x01" not in organization.name
