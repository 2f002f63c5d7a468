"""The round report's page: the latest report inline, starting one, for those who run reports
(analysts, administrators) only."""

from __future__ import annotations

import pytest

from assessments import access
from assessments.jobs.models import Job
from tests.factories import SecretariatUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = SecretariatUserFactory(username="secretariat", roles=[access.ADMINISTRATOR])
    client.force_login(user)
    return client


def test_the_staff_page_shows_the_latest_report_inline_with_its_files(rounds, staff_client):
    from assessments.jobs import services as jobs

    current, _previous = rounds
    job = jobs.job_create(kind=Job.Kind.ROUND_REPORT, survey_round=current)
    jobs.job_attach_file(
        job_id=job.pk, name="report.html", content=b"<h1>Report & figures</h1>",
        content_type="text/html",
    )  # fmt: skip
    jobs.job_succeed(job_id=job.pk)
    jobs.job_create(kind=Job.Kind.ROUND_REPORT, survey_round=current)  # queued, not shown inline
    page = staff_client.get(f"/rounds/{current.slug}/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'srcdoc="&lt;h1&gt;Report &amp; figures&lt;/h1&gt;"' in html
    assert f"/jobs/{job.pk}/files/" in html
    assert '<option value="' in html and "Assessment 2019" in html


def test_starting_a_report_from_the_page_enqueues_it_and_opens_the_job(
    rounds, staff_client, django_capture_on_commit_callbacks, monkeypatch
):
    from assessments.reporting.tasks import round_report_task

    sent = []
    monkeypatch.setattr(round_report_task, "delay", sent.append)
    current, previous = rounds
    with django_capture_on_commit_callbacks(execute=True):
        answer_page = staff_client.post(
            f"/rounds/{current.slug}/report/",
            {"language": "fr", "previous_round": previous.pk},
        )
    job = Job.objects.get(kind=Job.Kind.ROUND_REPORT, round=current)
    assert answer_page.status_code == 302
    assert answer_page["Location"] == f"/jobs/{job.pk}/"
    assert sent == [job.pk]
    assert job.parameters == {"previous_round_id": previous.pk, "language": "fr"}


def test_the_report_page_is_for_the_secretariat_only(rounds, client, django_user_model):
    current, _previous = rounds
    page = client.get(f"/rounds/{current.slug}/report/")
    assert page.status_code == 302 and "login" in page["Location"]
    client.force_login(django_user_model.objects.create_user(username="focal-point"))
    assert client.get(f"/rounds/{current.slug}/report/").status_code == 403
    client.force_login(SecretariatUserFactory(username="no-role"))
    assert client.get(f"/rounds/{current.slug}/report/").status_code == 403
    analyst = SecretariatUserFactory(username="analyst", roles=[access.ANALYST])
    client.force_login(analyst)
    assert client.get(f"/rounds/{current.slug}/report/").status_code == 404  # not on its team
    current.team.add(analyst)
    assert client.get(f"/rounds/{current.slug}/report/").status_code == 200
