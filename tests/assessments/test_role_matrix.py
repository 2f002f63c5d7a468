"""Every role against every API operation (read from the OpenAPI schema, so a new endpoint
without a row here fails) and every secretariat page and download.

Each operation is aimed at an object only some roles may reach: a round nobody answers in, a
draft questionnaire, another participant's response, a draft summary, an export job (it holds
focal points' names and e-mails). A role reaches it when the answer is neither a refusal
(401/403/404, a redirect to sign in) nor, for a list, a list without the object.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from assessments import access
from assessments.jobs.models import Job, JobFile
from assessments.questionnaires.services import questionnaire_new_version
from assessments.rounds.services.rounds import round_create
from assessments.summaries.models import Summary
from mechanisms.models import Mechanism, Membership, Organization, State
from tests.factories import SecretariatUserFactory, api_world

pytestmark = pytest.mark.django_db

ADMIN, MANAGER, EDITOR, ANALYST = "administrator", "round_manager", "summary_editor", "analyst"
VIEWER, STAFF, RESPONDENT, ANONYMOUS = "viewer", "staff_no_role", "respondent", "anonymous"
ROLES = [ADMIN, MANAGER, EDITOR, ANALYST, VIEWER, STAFF, RESPONDENT, ANONYMOUS]
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {ANONYMOUS}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    """api_world's rounds and users, plus the objects aimed at, built once for the module."""
    from django.conf import settings

    from mechanisms.services import load_reference_data

    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data(settings.REFERENCE_DATA_DIR)
        w = api_world()
        w.users[ADMIN] = SecretariatUserFactory(username="admin", roles=[access.ADMINISTRATOR])
        w.secret_round = round_create(
            name="Survey 2027", slug="round-2027", year=2027, opens_on=datetime.date(2027, 3, 1),
            closes_on=datetime.date(2027, 6, 30), questionnaires=w.questionnaires,
            with_default_participants=False,
        )  # fmt: skip
        for role in (MANAGER, EDITOR, ANALYST):
            w.secret_round.team.add(w.users[role])
        w.draft_questionnaire = questionnaire_new_version(questionnaire=w.questionnaires["state"])
        w.draft_summary = Summary.objects.create(
            round=w.open_round, mechanism=Mechanism.objects.get(acronym="MIRPS"), language="en",
            status=Summary.Status.GENERATED, header={"title": "MIRPS"},
            generated_sections={"1": "Draft text."},
        )  # fmt: skip
        w.export = Job.objects.create(
            kind=Job.Kind.EXPORT, round=w.open_round, status=Job.Status.SUCCEEDED,
            requested_by=w.users[ADMIN],
        )  # fmt: skip
        w.export_file = JobFile.objects.create(
            job=w.export, name="export.csv", content_type="text/csv", size=4,
            file=ContentFile(b"a,b\n", name="export.csv"),
        )  # fmt: skip
        yield w
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def export_file_stored(world, isolated_media) -> None:
    """The export's file, in this test's media folder."""
    from django.core.files.storage import default_storage

    default_storage.save(world.export_file.file.name, ContentFile(b"a,b\n"))


# --- the API ------------------------------------------------------------------------------


def api_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]


def round_body(w: SimpleNamespace) -> dict:
    return {
        "name": "Survey 2028", "slug": "round-2028", "year": 2028, "opens_on": "2028-03-01",
        "closes_on": "2028-06-30", "reminder_days": [7],
        **{f"questionnaire_{a}": q.pk for a, q in w.questionnaires.items()},
    }  # fmt: skip


Path = Callable[[SimpleNamespace], str]
# Each operation: the path (its parameters filled), the body, who reaches it, and for a list
# the id (or slug) that only those who reach it may see in it.
API_MATRIX: dict[tuple[str, str], tuple[Path, Callable[[SimpleNamespace], Any], set[str], Any]] = {
    ("GET", "/api/v1/rounds/"): (lambda w: "/api/v1/rounds/", None, {ADMIN, MANAGER, EDITOR, ANALYST}, lambda w: w.secret_round.slug),
    ("POST", "/api/v1/rounds/"): (lambda w: "/api/v1/rounds/", round_body, {ADMIN, MANAGER}, None),
    ("GET", "/api/v1/rounds/{slug}/"): (lambda w: f"/api/v1/rounds/{w.secret_round.slug}/", None, {ADMIN, MANAGER, EDITOR, ANALYST}, None),
    ("PUT", "/api/v1/rounds/{slug}/"): (lambda w: f"/api/v1/rounds/{w.secret_round.slug}/", lambda w: {**round_body(w), "slug": w.secret_round.slug}, {ADMIN, MANAGER}, None),
    ("PATCH", "/api/v1/rounds/{slug}/"): (lambda w: f"/api/v1/rounds/{w.open_round.slug}/", lambda w: {"name": "Renamed"}, {ADMIN, MANAGER}, None),
    ("POST", "/api/v1/rounds/{slug}/open/"): (lambda w: f"/api/v1/rounds/{w.secret_round.slug}/open/", None, {ADMIN, MANAGER}, None),
    ("POST", "/api/v1/rounds/{slug}/close/"): (lambda w: f"/api/v1/rounds/{w.open_round.slug}/close/", None, {ADMIN, MANAGER}, None),
    ("POST", "/api/v1/rounds/{slug}/publish/"): (lambda w: f"/api/v1/rounds/{w.secret_round.slug}/publish/", None, {ADMIN, MANAGER}, None),
    ("POST", "/api/v1/rounds/{slug}/send-reminders/"): (lambda w: f"/api/v1/rounds/{w.open_round.slug}/send-reminders/", None, {ADMIN, MANAGER}, None),
    ("GET", "/api/v1/questionnaires/"): (lambda w: "/api/v1/questionnaires/", None, {ADMIN, MANAGER, ANALYST}, lambda w: w.draft_questionnaire.pk),
    ("GET", "/api/v1/questionnaires/{id}/"): (lambda w: f"/api/v1/questionnaires/{w.draft_questionnaire.pk}/", None, {ADMIN, MANAGER, ANALYST}, None),
    ("GET", "/api/v1/responses/"): (lambda w: "/api/v1/responses/", None, {ADMIN, ANALYST}, lambda w: w.response_b.pk),
    ("POST", "/api/v1/responses/"): (lambda w: "/api/v1/responses/", lambda w: {"round": w.open_round.slug, "participant": w.participant_b.pk}, {ADMIN}, None),
    ("GET", "/api/v1/responses/{id}/"): (lambda w: f"/api/v1/responses/{w.response_b.pk}/", None, {ADMIN, ANALYST}, None),
    ("PATCH", "/api/v1/responses/{id}/"): (lambda w: f"/api/v1/responses/{w.response_b.pk}/", lambda w: {"version": w.response_b.version, "answers": {"recommendations": "Entered for them."}}, {ADMIN}, None),
    ("POST", "/api/v1/responses/{id}/submit/"): (lambda w: f"/api/v1/responses/{w.response_b.pk}/submit/", None, {ADMIN}, None),
    ("POST", "/api/v1/responses/{id}/reopen/"): (lambda w: f"/api/v1/responses/{w.response_b.pk}/reopen/", None, {ADMIN, MANAGER}, None),
    ("GET", "/api/v1/summaries/"): (lambda w: "/api/v1/summaries/", None, {ADMIN, EDITOR}, lambda w: w.draft_summary.pk),
    ("GET", "/api/v1/summaries/{id}/"): (lambda w: f"/api/v1/summaries/{w.draft_summary.pk}/", None, {ADMIN, EDITOR}, None),
    ("GET", "/api/v1/summaries/{id}/download/"): (lambda w: f"/api/v1/summaries/{w.draft_summary.pk}/download/?output=md", None, {ADMIN, EDITOR}, None),
    ("GET", "/api/v1/jobs/"): (lambda w: "/api/v1/jobs/", None, {ADMIN, ANALYST}, lambda w: w.export.pk),
    ("POST", "/api/v1/jobs/"): (lambda w: "/api/v1/jobs/", lambda w: {"kind": "export", "format": "json", "round": w.open_round.slug}, {ADMIN, ANALYST}, None),
    ("GET", "/api/v1/jobs/{id}/"): (lambda w: f"/api/v1/jobs/{w.export.pk}/", None, {ADMIN, ANALYST}, None),
    ("GET", "/api/v1/jobs/{id}/files/{file_id}/"): (lambda w: f"/api/v1/jobs/{w.export.pk}/files/{w.export_file.pk}/", None, {ADMIN, ANALYST}, None),
    # The registry is public.
    ("GET", "/api/v1/mechanisms/"): (lambda w: "/api/v1/mechanisms/", None, EVERYONE, None),
    ("GET", "/api/v1/mechanisms/{acronym}/"): (lambda w: "/api/v1/mechanisms/mirps/", None, EVERYONE, None),
    ("GET", "/api/v1/states/"): (lambda w: "/api/v1/states/", None, EVERYONE, None),
    ("GET", "/api/v1/states/{id}/"): (lambda w: f"/api/v1/states/{State.objects.first().pk}/", None, EVERYONE, None),
    ("GET", "/api/v1/organizations/"): (lambda w: "/api/v1/organizations/", None, EVERYONE, None),
    ("GET", "/api/v1/organizations/{id}/"): (lambda w: f"/api/v1/organizations/{Organization.objects.first().pk}/", None, EVERYONE, None),
    ("GET", "/api/v1/memberships/"): (lambda w: "/api/v1/memberships/", None, EVERYONE, None),
    ("GET", "/api/v1/memberships/{id}/"): (lambda w: f"/api/v1/memberships/{Membership.objects.first().pk}/", None, EVERYONE, None),
}  # fmt: skip


def test_the_matrix_covers_every_operation_of_the_schema():
    assert sorted(api_operations()) == sorted(API_MATRIX)


def api_client(world: SimpleNamespace, role: str) -> APIClient:
    client = APIClient()
    if role != ANONYMOUS:
        client.force_login(world.users["respondent" if role == RESPONDENT else role])
    return client


def listed(body: Any) -> set:
    rows = body["results"] if isinstance(body, dict) else body
    return {row.get("id", row.get("slug")) for row in rows} | {row.get("slug") for row in rows}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(API_MATRIX), ids=" ".join)
def test_each_role_reaches_only_the_operations_its_permissions_grant(world, role, operation):
    path, body, allowed, probe = API_MATRIX[operation]
    client = api_client(world, role)
    data = body(world) if body else None

    answer = getattr(client, operation[0].lower())(path(world), data, format="json")

    refused = answer.status_code in (401, 403, 404) or (
        operation == ("POST", "/api/v1/responses/") and answer.status_code == 400
    )
    assert answer.status_code < 500, answer.content
    if probe is not None and not refused:
        refused = probe(world) not in listed(answer.json())
    assert refused is (role not in allowed), (role, operation, answer.status_code)
    if role == ANONYMOUS and role not in allowed:
        assert answer.status_code == 401


# --- pages and downloads ---------------------------------------------------------------------


def page(method: str, path: Callable[[SimpleNamespace], str], allowed: set[str], data=None):
    return (method, path, allowed, data)


PAGES = {
    "dashboard": page("get", lambda w: f"/rounds/{w.secret_round.slug}/dashboard/", {ADMIN, MANAGER, EDITOR, ANALYST}),
    "dashboard open": page("post", lambda w: f"/rounds/{w.secret_round.slug}/dashboard/open/", {ADMIN, MANAGER}),
    "dashboard close": page("post", lambda w: f"/rounds/{w.open_round.slug}/dashboard/close/", {ADMIN, MANAGER}),
    "dashboard reopen": page("post", lambda w: f"/rounds/{w.open_round.slug}/dashboard/reopen/", {ADMIN, MANAGER}),
    "dashboard publish": page("post", lambda w: f"/rounds/{w.open_round.slug}/dashboard/publish/", {ADMIN, MANAGER}),
    "dashboard remind": page("post", lambda w: f"/rounds/{w.open_round.slug}/dashboard/remind/", {ADMIN, MANAGER}, {"confirm": "yes"}),
    "dashboard remind confirm": page("get", lambda w: f"/rounds/{w.open_round.slug}/dashboard/remind/confirm/", {ADMIN, MANAGER}),
    "summaries page": page("get", lambda w: f"/rounds/{w.open_round.slug}/summaries/", {ADMIN, EDITOR}),
    "summaries generate": page("post", lambda w: f"/rounds/{w.open_round.slug}/summaries/generate/", {ADMIN, EDITOR}),
    "draft summary": page("get", lambda w: f"/rounds/{w.open_round.slug}/summaries/MIRPS/?lang=en", {ADMIN, EDITOR}),
    "draft summary download": page("get", lambda w: f"/rounds/{w.open_round.slug}/summaries/MIRPS/en.md", {ADMIN, EDITOR}),
    "draft compendium": page("get", lambda w: f"/rounds/{w.open_round.slug}/summaries/compendium-en.docx", {ADMIN, EDITOR}),
    "report page": page("get", lambda w: f"/rounds/{w.open_round.slug}/report/", {ADMIN, ANALYST}),
    "report start": page("post", lambda w: f"/rounds/{w.open_round.slug}/report/", {ADMIN, ANALYST}, {"language": "en"}),
    "exports page": page("get", lambda w: f"/rounds/{w.open_round.slug}/exports/", {ADMIN, ANALYST}),
    "export start": page("post", lambda w: f"/rounds/{w.open_round.slug}/exports/", {ADMIN, ANALYST}, {"fmt": "csv", "language": "en"}),
    "export job": page("get", lambda w: f"/jobs/{w.export.pk}/", {ADMIN, ANALYST}),
    "export job status": page("get", lambda w: f"/jobs/{w.export.pk}/status.json", {ADMIN, ANALYST}),
    "export job file": page("get", lambda w: f"/jobs/{w.export.pk}/files/{w.export_file.pk}/", {ADMIN, ANALYST}),
    "admin responses": page("get", lambda w: "/admin/assessments/response/", {ADMIN, ANALYST}),
    "admin response": page("get", lambda w: f"/admin/assessments/response/{w.response_b.pk}/change/", {ADMIN, ANALYST}),
    "admin rounds": page("get", lambda w: "/admin/assessments/surveyround/", {ADMIN, MANAGER, EDITOR, ANALYST}),
    "admin add round": page("get", lambda w: "/admin/assessments/surveyround/add/", {ADMIN, MANAGER}),
    "admin invitations": page("get", lambda w: "/admin/assessments/invitation/", {ADMIN, MANAGER}),
    "admin summaries": page("get", lambda w: "/admin/assessments/summary/", {ADMIN, EDITOR}),
    "admin jobs": page("get", lambda w: "/admin/assessments/job/", {ADMIN, ANALYST}),
    "admin users": page("get", lambda w: "/admin/auth/user/", {ADMIN}),
    "admin roles": page("get", lambda w: "/admin/auth/group/", {ADMIN}),
}  # fmt: skip


def refused_page(answer: Any) -> bool:
    if answer.status_code in (403, 404):
        return True
    return answer.status_code == 302 and "login" in answer["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_each_role_reaches_only_the_pages_its_permissions_grant(world, role, name):
    method, path, allowed, data = PAGES[name]
    client = Client()
    if role != ANONYMOUS:
        client.force_login(world.users["respondent" if role == RESPONDENT else role])

    answer = getattr(client, method)(path(world), data or {})

    assert answer.status_code < 500
    assert refused_page(answer) is (role not in allowed), (role, name, answer.status_code)


# --- what the adversarial test found (each passed on a staff account before the roles) -------


@pytest.fixture
def staff_token_client(world) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[STAFF]}")
    return client


def test_a_staff_account_without_a_role_cannot_read_every_response(staff_token_client):
    assert staff_token_client.get("/api/v1/responses/").status_code == 403


def test_a_staff_account_without_a_role_cannot_export_focal_points(staff_token_client, world):
    body = {"kind": "export", "format": "json", "round": world.open_round.slug}
    answer = staff_token_client.post("/api/v1/jobs/", body, format="json")
    assert answer.status_code == 403
    assert not Job.objects.filter(kind=Job.Kind.EXPORT).exclude(pk=world.export.pk).exists()


def test_a_staff_account_without_a_role_cannot_change_a_round(staff_token_client, world):
    path = f"/api/v1/rounds/{world.open_round.slug}/"
    assert staff_token_client.patch(path, {"name": "Hijacked"}, format="json").status_code == 403
    world.open_round.refresh_from_db()
    assert world.open_round.name == "Survey 2025"


def test_a_staff_account_without_a_role_cannot_reopen_a_response(staff_token_client, world):
    from assessments.responses.services import response_submit

    response = response_submit(response=world.response_b)
    answer = staff_token_client.post(f"/api/v1/responses/{response.pk}/reopen/")
    assert answer.status_code == 403


def test_a_staff_account_without_a_role_cannot_write_a_response(staff_token_client, world):
    path = f"/api/v1/responses/{world.response_b.pk}/"
    body = {"version": world.response_b.version, "answers": {"recommendations": "Forged."}}
    assert staff_token_client.patch(path, body, format="json").status_code in (403, 404)
    assert staff_token_client.post(f"{path}submit/").status_code in (403, 404)


def test_an_analyst_reads_a_response_but_cannot_write_it(world):
    client = api_client(world, ANALYST)
    path = f"/api/v1/responses/{world.response_b.pk}/"
    body = {"version": world.response_b.version, "answers": {"recommendations": "Forged."}}
    assert client.get(path).status_code == 200
    assert client.patch(path, body, format="json").status_code == 403


def test_a_round_manager_off_the_team_does_not_see_the_round(world):
    outsider = SecretariatUserFactory(username="other-manager", roles=[access.ROUND_MANAGER])
    client = APIClient()
    client.force_login(outsider)
    assert client.get(f"/api/v1/rounds/{world.secret_round.slug}/").status_code == 404
    assert world.secret_round.slug not in listed(client.get("/api/v1/rounds/").json())
    page_client = Client()
    page_client.force_login(outsider)
    assert page_client.get(f"/rounds/{world.secret_round.slug}/dashboard/").status_code == 404


def test_a_round_manager_off_the_team_sees_none_of_its_participants_in_the_admin(world):
    """The admin's lists of participants, invitations and notifications are cut to the user's
    rounds, as the rounds list is."""
    from assessments.rounds.models import Invitation, Notification
    from assessments.rounds.services.rounds import round_add_participant

    participant = round_add_participant(
        survey_round=world.secret_round, party=Mechanism.objects.get(acronym="RCM")
    )
    invitation = Invitation.objects.create(
        participant=participant, expires_at=world.secret_round.opened_at or timezone.now()
    )
    notification = Notification.objects.create(invitation=invitation, kind="invitation", key="x")
    outsider = SecretariatUserFactory(username="manager-elsewhere", roles=[access.ROUND_MANAGER])
    insider = world.users[MANAGER]
    pages = {
        "roundparticipant": participant.pk,
        "invitation": invitation.pk,
        "notification": notification.pk,
    }
    for user, sees in ((outsider, False), (insider, True)):
        client = Client()
        client.force_login(user)
        for model, pk in pages.items():
            listing = client.get(f"/admin/assessments/{model}/")
            if listing.status_code == 200:
                shown = [obj.pk for obj in listing.context["cl"].result_list]
                assert (pk in shown) is sees, (user.username, model)
            change = client.get(f"/admin/assessments/{model}/{pk}/change/")
            assert (change.status_code == 200) is sees or change.status_code == 403, (
                user.username, model, change.status_code,
            )  # fmt: skip


def test_the_roles_exist_with_their_permissions():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert set(access.ROLES) | {access.ADMINISTRATOR} <= names
    analyst = SecretariatUserFactory(username="a2", roles=[access.ANALYST])
    assert analyst.has_perm("assessments.run_export")
    assert not analyst.has_perm("assessments.change_response")
    administrator = SecretariatUserFactory(username="a3", roles=[access.ADMINISTRATOR])
    assert administrator.has_perm("assessments.access_all_rounds")
    assert administrator.has_perm("auth.change_group")


# --- private answers are never stored ----------------------------------------------------------


def no_store(answer: Any) -> bool:
    return "no-store" in answer.get("Cache-Control", "") and "private" in answer["Cache-Control"]


@pytest.mark.parametrize("name", [n for n, (m, _p, allowed, _d) in PAGES.items() if m == "get"])
def test_every_private_page_and_download_says_no_store(world, name):
    _method, path, _allowed, _data = PAGES[name]
    client = Client()
    client.force_login(world.users[ADMIN])
    answer = client.get(path(world))
    assert answer.status_code == 200, answer.status_code
    assert no_store(answer), answer.get("Cache-Control")


@pytest.mark.parametrize("page_name", ["home", "participant", "answers", "answers_pdf"])
def test_the_respondents_pages_say_no_store(world, page_name):
    from django.urls import reverse

    client = Client()
    client.force_login(world.users[RESPONDENT])
    args = [] if page_name == "home" else [world.participant_a.pk]
    answer = client.get(reverse(f"assessments:{page_name}", args=args))
    assert answer.status_code in (200, 302)
    assert no_store(answer), answer.get("Cache-Control")


def test_a_refusal_and_the_api_say_no_store_too(world):
    answer = Client().get(f"/jobs/{world.export.pk}/files/{world.export_file.pk}/")
    assert answer.status_code == 302 and no_store(answer)
    assert no_store(api_client(world, ANALYST).get(f"/api/v1/jobs/{world.export.pk}/"))


def test_a_public_page_stays_cacheable_for_anonymous_visitors(world):
    answer = Client().get("/mechanisms/")
    assert answer.status_code == 200
    assert "no-store" not in answer.get("Cache-Control", "")
