"""The round's exports page: every export format with its options, started as a job; the
earlier exports with their files; the job page leads back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments import access
from assessments.jobs.models import Job
from tests.assessments.reporting.test_exports import build_round
from tests.factories import SecretariatUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_round():
    return build_round()


@pytest.fixture
def analyst(client, survey_round):
    """An analyst on the round's team (analysts work on the rounds they are assigned to)."""
    user = SecretariatUserFactory(roles=[access.ANALYST])
    survey_round.team.add(user)
    client.force_login(user)
    return client


def exports_url(survey_round) -> str:
    return reverse("assessments:round_exports", args=[survey_round.slug])


def test_an_analyst_starts_an_export_and_finds_it_with_its_file(
    survey_round, analyst, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    page = analyst.get(exports_url(survey_round))
    assert page.status_code == 200
    assert "No export of this round yet." in page.text
    for fmt in ("csv", "csv-long", "xlsx", "json"):
        assert f'value="{fmt}"' in page.text

    with django_capture_on_commit_callbacks(execute=True):
        started = analyst.post(
            exports_url(survey_round),
            {"fmt": "xlsx", "labels": "on", "language": "fr", "choice_columns": "on"},
        )
    job = Job.objects.get(kind=Job.Kind.EXPORT, round=survey_round)
    assert started.status_code == 302 and started.url == reverse("assessments:job", args=[job.pk])
    assert job.parameters == {
        "format": "xlsx", "labels": True, "choice_columns": True, "language": "fr", "bom": False,
        "raw": False,
    }  # fmt: skip
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    (job_file,) = job.files.all()

    job_page = analyst.get(started.url)
    assert f'href="{exports_url(survey_round)}"' in job_page.text  # the way back

    listed = analyst.get(exports_url(survey_round))
    file_url = reverse("assessments:job_file", args=[job.pk, job_file.pk])
    assert f'href="{file_url}"' in listed.text and "labels (FR)" in listed.text
    assert analyst.get(file_url).status_code == 200


def test_a_bad_choice_is_a_form_error_and_starts_nothing(survey_round, analyst):
    refused = analyst.post(exports_url(survey_round), {"fmt": "pdf", "language": "xx"})
    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert set(errors) == {"fmt", "language"}
    assert not Job.objects.filter(kind=Job.Kind.EXPORT).exists()


def test_only_those_who_run_exports_reach_the_page(survey_round, client):
    outsider = SecretariatUserFactory(roles=[access.ANALYST])  # not on the round's team
    client.force_login(outsider)
    assert client.get(exports_url(survey_round)).status_code == 404
    client.force_login(SecretariatUserFactory(roles=[access.VIEWER]))
    assert client.get(exports_url(survey_round)).status_code == 403
    assert client.post(exports_url(survey_round), {"fmt": "csv"}).status_code == 403
    client.logout()
    assert client.get(exports_url(survey_round)).status_code == 302  # to the sign-in page
    assert not Job.objects.exists()


def test_the_page_reads_a_bounded_number_of_queries(
    survey_round, analyst, django_assert_max_num_queries
):
    from assessments.reporting.services.export import export_job_start

    for fmt in ("csv", "csv-long", "xlsx", "json", "csv", "csv"):
        export_job_start(survey_round=survey_round, fmt=fmt)
    with django_assert_max_num_queries(9):
        page = analyst.get(exports_url(survey_round))
    assert page.text.count("/jobs/") >= 6
