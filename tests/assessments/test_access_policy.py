"""What an invitation link grants: its own participant's questionnaire, nothing more.

The session of a browser that opened a link is not signed in: the admin, the secretariat's
pages, summary drafts and jobs stay closed to it; another participant's pages, autosave, answers
and PDF answer 404, as if they did not exist. The link is re-checked on every request, so a
rotated, revoked or expired link ends access at once, and a link that is no longer valid shows
the invalid-link page (403) and grants nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.access import SESSION_KEY
from assessments.jobs import services as jobs
from assessments.jobs.models import Job
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses.models import Response
from assessments.responses.services import participant_responses, stored_answers
from assessments.rounds.models import RoundParticipant, SurveyRound
from assessments.rounds.services.invitations import (
    invitation_revoke,
    invitation_rotate,
    invitation_token,
)
from assessments.summaries.models import Summary
from tests.factories import (
    RespondentUserFactory,
    StaffUserFactory,
    StateFocalPointFactory,
    open_round_with_shipped_questionnaires,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def survey_round(reference_registry, django_db_blocker) -> Iterator[SurveyRound]:
    """An open round of the shipped questionnaires over the registry, every participant
    invited; built once for the module, rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield open_round_with_shipped_questionnaires()
        transaction.set_rollback(True)


@pytest.fixture
def mexico(survey_round) -> RoundParticipant:
    return RoundParticipant.objects.select_related("invitation").get(
        round=survey_round, state__country="MX"
    )


@pytest.fixture
def guatemala(survey_round) -> RoundParticipant:
    return RoundParticipant.objects.select_related("invitation").get(
        round=survey_round, state__country="GT"
    )


def url(name: str, *args: object) -> str:
    return reverse(f"assessments:{name}", args=args)


def link_of(participant: RoundParticipant) -> str:
    participant.invitation.refresh_from_db()
    return url("invitation", invitation_token(participant.invitation))


@pytest.fixture
def respondent(client: Client, mexico: RoundParticipant) -> Client:
    """A browser session that has opened Mexico's invitation link."""
    assert client.get(link_of(mexico))["Location"] == url("home")
    return client


def autosave(client: Client, response: Response, **fields: object):
    response.refresh_from_db()
    return client.post(
        url("autosave", response.pk),
        {"version": response.version, "section": "B0", **fields},
        headers={"x-requested-with": "XMLHttpRequest"},
    )


def once_response(participant: RoundParticipant) -> Response:
    return participant_responses(participant)[0]


def answers_of(response: Response) -> dict:
    return stored_answers(response, questionnaire_schema(response.questionnaire))


def participant_urls(participant: RoundParticipant) -> list[str]:
    return [
        url("participant", participant.pk),
        url("page", participant.pk, 1),
        url("submit", participant.pk),
        url("answers", participant.pk),
        url("answers_pdf", participant.pk),
    ]


def is_login_redirect(response) -> bool:
    """A redirect to the admin's sign-in page (settings.LOGIN_URL is admin:login)."""
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def can_answer(client: Client, participant: RoundParticipant) -> bool:
    return client.get(url("page", participant.pk, 1)).status_code == 200


# --- the session is not signed in ------------------------------------------------------------


def test_the_link_signs_nobody_in_and_the_admin_stays_closed(respondent, mexico):
    assert USER_SESSION_KEY not in respondent.session
    assert list(respondent.session[SESSION_KEY]) == [str(mexico.invitation.pk)]
    for path in (
        reverse("admin:index"),
        reverse("admin:assessments_response_changelist"),
        reverse("admin:assessments_surveyround_change", args=[mexico.round_id]),
        reverse("admin:auth_user_changelist"),
    ):
        assert is_login_redirect(respondent.get(path)), path
    assert is_login_redirect(respondent.post(reverse("admin:assessments_surveyround_changelist"),
                                             {"action": "delete_selected"}))  # fmt: skip
    assert can_answer(respondent, mexico)  # what the link is for


def test_the_link_opens_no_secretariat_page_and_changes_nothing(respondent, survey_round):
    slug = survey_round.slug
    for path in (
        url("round_dashboard", slug),
        url("round_summaries", slug),
        url("round_report", slug),
    ):
        assert is_login_redirect(respondent.get(path)), path
    for path in (
        url("round_action", slug, "close"),
        url("round_action", slug, "remind"),
        url("round_summaries_generate", slug),
        url("round_report", slug),
    ):
        assert is_login_redirect(respondent.post(path)), path
    survey_round.refresh_from_db()
    assert survey_round.status == SurveyRound.Status.OPEN
    assert not Job.objects.exists()


@pytest.fixture
def draft_summary(survey_round) -> Summary:
    """A generated (unpublished) summary of one of the round's mechanisms."""
    participant = survey_round.participants.filter(mechanism__isnull=False).first()
    return Summary.objects.create(
        round=survey_round,
        mechanism=participant.mechanism,
        language="en",
        generated_sections={"1": "Draft wording only the secretariat may read."},
    )


def test_summary_drafts_are_not_found(respondent, survey_round, draft_summary):
    slug, acronym = survey_round.slug, draft_summary.mechanism.acronym
    for path in (
        url("summary", slug, acronym) + "?lang=en",
        url("summary_download", slug, acronym, "en", "md"),
        url("summary_download", slug, acronym, "en", "html"),
        url("compendium", slug, "en", "docx"),
    ):
        assert respondent.get(path).status_code == 404, path


@pytest.fixture
def staff_job(survey_round) -> Job:
    """An export job a secretariat member started, with its result file."""
    staff = StaffUserFactory()
    job = jobs.job_create(kind=Job.Kind.EXPORT, survey_round=survey_round, user=staff)
    jobs.job_attach_file(
        job_id=job.pk, name="export.csv", content=b"a,b\n", content_type="text/csv"
    )
    jobs.job_succeed(job_id=job.pk)
    return job


def job_urls(job: Job) -> list[str]:
    return [
        url("job", job.pk),
        url("job_status", job.pk),
        url("job_file", job.pk, job.files.get().pk),
    ]


def test_jobs_stay_closed_to_a_link_and_to_other_users(respondent, staff_job, mexico):
    for path in job_urls(staff_job):
        assert is_login_redirect(respondent.get(path)), path
    # A focal point signed in with an account sees only the jobs it asked for: not this one.
    user = RespondentUserFactory()
    StateFocalPointFactory(state=mexico.state, user=user)
    respondent.force_login(user)
    for path in job_urls(staff_job):
        assert respondent.get(path).status_code == 404, path
    own = jobs.job_create(kind=Job.Kind.EXPORT, survey_round=mexico.round, user=user)
    assert respondent.get(url("job", own.pk)).status_code == 200


def test_the_api_gives_a_link_no_data(respondent, guatemala):
    other = once_response(guatemala)
    for path in (
        "/api/v1/responses/",
        f"/api/v1/responses/{other.pk}/",
        "/api/v1/jobs/",
        "/api/v1/summaries/",
    ):
        assert respondent.get(path).status_code in {401, 403}, path
    patched = respondent.patch(
        f"/api/v1/responses/{other.pk}/",
        {"version": 1, "answers": {"institution": "Hijack"}},
        content_type="application/json",
    )
    assert patched.status_code in {401, 403}
    assert answers_of(other) == {}


# --- another participant ---------------------------------------------------------------------


def test_another_participants_pages_autosave_and_pdf_are_not_found(respondent, mexico, guatemala):
    other = once_response(guatemala)
    for path in participant_urls(guatemala):
        assert respondent.get(path).status_code == 404, path
    assert autosave(respondent, other, institution="Hijack").status_code == 404
    assert respondent.post(url("page", guatemala.pk, 1), {"institution": "X"}).status_code == 404
    assert respondent.post(url("submit", guatemala.pk), {"confirm": "yes"}).status_code == 404
    other.refresh_from_db()
    assert (other.status, answers_of(other)) == (Response.Status.DRAFT, {})
    # ... while its own work is open to it
    assert autosave(respondent, once_response(mexico), institution="Mine").status_code == 200
    assert answers_of(once_response(mexico)) == {"institution": "Mine"}


def test_the_link_of_a_participant_in_another_round_grants_only_that_participant(
    respondent, mexico
):
    later = open_round_with_shipped_questionnaires(slug="round-2026", name="Survey 2026")
    mexico_later = RoundParticipant.objects.get(round=later, state=mexico.state)
    assert respondent.get(url("page", mexico_later.pk, 1)).status_code == 404


# --- the link is re-checked on every request -------------------------------------------------


def test_a_rotated_link_ends_access_on_the_next_request(respondent, mexico):
    old_link = link_of(mexico)
    assert can_answer(respondent, mexico)
    invitation_rotate(invitation=mexico.invitation)

    assert respondent.get(url("page", mexico.pk, 1)).status_code == 404
    assert autosave(respondent, once_response(mexico), institution="Late").status_code == 404
    assert "There is no questionnaire" in respondent.get(url("home")).content.decode()
    refused = respondent.get(old_link)
    assert refused.status_code == 403
    assert "replaced by a newer one" in refused.content.decode()
    assert not can_answer(respondent, mexico)
    # the new link works
    assert respondent.get(link_of(mexico)).status_code == 302
    assert can_answer(respondent, mexico)


def test_a_revoked_link_ends_access_on_the_next_request(respondent, mexico):
    assert can_answer(respondent, mexico)
    invitation_revoke(invitation=mexico.invitation)

    for path in participant_urls(mexico):
        assert respondent.get(path).status_code == 404, path
    assert autosave(respondent, once_response(mexico), institution="Late").status_code == 404
    assert answers_of(once_response(mexico)) == {}
    refused = respondent.get(link_of(mexico))
    assert refused.status_code == 403
    assert "revoked" in refused.content.decode()


def test_revoking_one_link_leaves_the_others_of_the_session(respondent, mexico, guatemala):
    assert respondent.get(link_of(guatemala)).status_code == 302
    invitation_revoke(invitation=mexico.invitation)
    assert not can_answer(respondent, mexico)
    assert can_answer(respondent, guatemala)


def expire(participant: RoundParticipant) -> None:
    participant.invitation.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    participant.invitation.save(update_fields=["expires_at"])


def test_an_expired_link_shows_the_invalid_link_page_and_grants_nothing(client, mexico):
    expire(mexico)
    refused = client.get(link_of(mexico))
    assert refused.status_code == 403
    assert refused.templates[0].name == "assessments/invalid_link.html"
    assert "expired" in refused.content.decode()
    assert SESSION_KEY not in client.session and USER_SESSION_KEY not in client.session
    for path in participant_urls(mexico):
        assert client.get(path).status_code == 404, path
    assert autosave(client, once_response(mexico), institution="Late").status_code == 404
    assert "There is no questionnaire" in client.get(url("home")).content.decode()


def test_a_link_that_expires_during_the_session_ends_access(respondent, mexico):
    assert can_answer(respondent, mexico)
    expire(mexico)
    assert not can_answer(respondent, mexico)
    assert autosave(respondent, once_response(mexico), institution="Late").status_code == 404


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: "x" + token,  # the payload
        lambda token: "not-a-token",
    ],
    ids=["signature", "payload", "garbage"],
)
def test_a_tampered_link_shows_the_invalid_link_page_and_grants_nothing(client, mexico, tamper):
    token = invitation_token(mexico.invitation)
    refused = client.get(url("invitation", tamper(token)))
    assert refused.status_code == 403
    assert "This link is not valid" in refused.content.decode()
    assert SESSION_KEY not in client.session
    assert not can_answer(client, mexico)
