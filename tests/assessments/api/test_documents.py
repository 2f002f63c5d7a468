"""API: summaries (list, retrieve, download) and jobs (start, follow, download files)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from assessments.jobs.models import Job
from assessments.summaries.models import Summary
from assessments.summaries.services import summary_generate, summary_publish
from mechanisms.models import Mechanism
from tests.factories import api_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reference_data):
    world = api_world(answered=("RCM", "SACM", "MIDSA", "RABAT", "BALI"))
    rcm, sacm = Mechanism.objects.get(acronym="RCM"), Mechanism.objects.get(acronym="SACM")
    world.draft_summary = summary_generate(
        survey_round=world.published_round, mechanism=rcm, language="en"
    )
    world.published_summary = summary_publish(
        summary=summary_generate(survey_round=world.published_round, mechanism=sacm, language="fr")
    )
    return world


def client_for(world, role: str | None) -> APIClient:
    client = APIClient()
    if role:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
    return client


@pytest.mark.parametrize(
    ("role", "expected"),
    [("staff", {"draft", "published"}), ("viewer", {"published"}), ("respondent", {"published"})],
)
def test_summaries_list_shows_drafts_to_the_secretariat_only(world, role, expected):
    body = client_for(world, role).get("/api/v1/summaries/").json()
    ids = {row["id"] for row in body["results"]}
    names = {world.draft_summary.pk: "draft", world.published_summary.pk: "published"}
    assert {names[i] for i in ids} == expected


def test_anonymous_callers_get_401_on_summaries_and_jobs(world):
    assert client_for(world, None).get("/api/v1/summaries/").status_code == 401
    assert client_for(world, None).get("/api/v1/jobs/").status_code == 401


def test_a_draft_summary_answers_404_to_a_viewer(world):
    response = client_for(world, "viewer").get(f"/api/v1/summaries/{world.draft_summary.pk}/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}


def test_a_summary_carries_its_sections_and_the_responses_it_used(world):
    body = (
        client_for(world, "viewer").get(f"/api/v1/summaries/{world.published_summary.pk}/").json()
    )
    assert body["mechanism"] == "SACM" and body["language"] == "fr"
    assert [s["number"] for s in body["sections"]] == ["1", "2", "3", "4", "5"]
    assert body["name_line"].endswith(
        "Conférence sud-américaine sur les migrations (Processus de Lima)"
    )
    assert body["responses_used"] == sorted(body["responses_used"])


@pytest.mark.parametrize(
    ("fmt", "content_type", "starts"),
    [
        ("md", "text/markdown", b"# "),
        ("pdf", "application/pdf", b"%PDF"),
        ("docx", "application/vnd", b"PK"),
    ],
)
def test_summaries_download_in_each_format(world, fmt, content_type, starts):
    response = client_for(world, "viewer").get(
        f"/api/v1/summaries/{world.published_summary.pk}/download/", {"output": fmt}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response.content.startswith(starts)


def test_an_unknown_download_format_is_a_400_with_the_field(world):
    response = client_for(world, "viewer").get(
        f"/api/v1/summaries/{world.published_summary.pk}/download/", {"output": "rtf"}
    )
    assert response.status_code == 400
    assert "output" in response.json()["errors"]


def test_the_secretariat_starts_an_export_job_and_follows_it_to_its_file(
    world, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client = client_for(world, "staff")
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            "/api/v1/jobs/",
            {"kind": "export", "round": "round-2025", "format": "csv"},
            format="json",
        )
    assert started.status_code == 202
    job = client.get(f"/api/v1/jobs/{started.json()['id']}/").json()
    assert job["status"] == "succeeded" and job["percent"] == 100
    [file] = job["files"]
    download = client.get(file["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"response_id,round,")


def test_starting_a_job_checks_its_input(world):
    client = client_for(world, "staff")
    response = client.post(
        "/api/v1/jobs/", {"kind": "export", "round": "no-such-round"}, format="json"
    )
    assert response.status_code == 400 and "round" in response.json()["errors"]
    response = client.post("/api/v1/jobs/", {"kind": "bogus", "round": "round-2025"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    assert not Job.objects.exists()


def test_only_the_secretariat_starts_jobs_and_others_cannot_see_them(world):
    refused = client_for(world, "respondent").post(
        "/api/v1/jobs/", {"kind": "export", "round": "round-2025"}, format="json"
    )
    assert refused.status_code == 403
    job = Job.objects.create(
        kind=Job.Kind.EXPORT, round=world.open_round, requested_by=world.users["staff"]
    )
    assert client_for(world, "respondent").get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert client_for(world, "viewer").get(f"/api/v1/jobs/{job.pk}/").status_code == 404


def test_a_viewer_sees_the_finished_report_of_a_published_round(world):
    report = Job.objects.create(
        kind=Job.Kind.ROUND_REPORT, round=world.published_round, status=Job.Status.SUCCEEDED
    )
    Job.objects.create(
        kind=Job.Kind.ROUND_REPORT, round=world.open_round, status=Job.Status.SUCCEEDED
    )
    ids = [row["id"] for row in client_for(world, "viewer").get("/api/v1/jobs/").json()["results"]]
    assert ids == [report.pk]


def test_the_summaries_list_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for mechanism in Mechanism.objects.filter(acronym__in=["MIDSA", "RABAT", "BALI"]):
        summary_publish(
            summary=summary_generate(
                survey_round=world.published_round, mechanism=mechanism, language="en"
            )
        )
    client = client_for(world, "viewer")
    # token, user's groups, count, page of summaries with round and mechanism
    with django_assert_max_num_queries(5):
        body = client.get("/api/v1/summaries/").json()
    assert body["count"] == Summary.objects.filter(status="published").count() == 4
