"""The secretariat's pages: the round admin (rounds, participants, focal points, invitations,
notifications, responses, answers) and the round dashboard."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import assessments.questionnaires.admin  # noqa: F401  (registers the round admin through admin_rounds)
from assessments.responses.models import Answer, Response
from assessments.responses.services import (
    participant_submit,
    response_get_or_create,
    response_save_answers,
    response_submit,
)
from assessments.rounds.models import Notification, RoundParticipant, SurveyRound
from assessments.rounds.services.invitations import invitation_from_token, round_send_reminders_now
from assessments.rounds.services.rounds import round_add_participant, round_close, round_create
from assessments.rounds.tasks import send_pending_notifications_task, send_round_invitations_task
from mechanisms.models import Mechanism, ThematicArea
from tests.factories import (
    FocalPointFactory,
    MembershipFactory,
    RespondentUserFactory,
    StaffUserFactory,
    StateFactory,
    secretariat_round,
)

pytestmark = pytest.mark.django_db

# The dashboard, pinned, whatever the number of participants:
#   1. the session                 2. the user
#   3. the round, by slug
#   4. participants by audience: counts by invitation status, last reminder (one GROUP BY)
#   5. the round's mechanisms, with their region group, own invitation status, and two
#      correlated counts: member States owing a block, blocks submitted
#   6. the same rows summed by region group (GROUP BY, the report's query too)
#   7. participants that have not submitted, with party, invitation and focal point count
#   8. the round's States by UN M49 region, with how many submitted (one GROUP BY)
#   9. notifications that could not be sent, with their party
DASHBOARD_QUERIES = 9


@pytest.fixture
def staff_client(client: Client) -> Client:
    client.force_login(StaffUserFactory())
    return client


@pytest.fixture
def small(questionnaires):
    return secretariat_round()


def save(participant: RoundParticipant, answers: dict, mechanism: Mechanism | None = None):
    response = response_get_or_create(participant=participant, mechanism=mechanism)
    return response_save_answers(response=response, answers=answers, expected_version=None)[0]


@pytest.fixture
def progressed(small):
    """The small round after some work, figures worked out by hand in the dashboard test:
    invitations sent; XALPHA submitted; FR submitted everything (its blocks about XALPHA and
    XBETA); DE saved an answer; IT submitted its block about XGAMMA only; a reminder sent."""
    send_round_invitations_task(small.round.pk)
    theme = ThematicArea.objects.order_by("position").first().code
    save(small.participants["XALPHA"], {"thematic_areas_current": [theme]})
    assert participant_submit(participant=small.participants["XALPHA"]) == {}
    save(small.participants["FR"], {"institution": "Ministère"})
    assert participant_submit(participant=small.participants["FR"]) == {}
    save(small.participants["DE"], {"institution": "Ministerium"})
    block = response_get_or_create(
        participant=small.participants["IT"], mechanism=small.mechanisms["XGAMMA"]
    )
    response_submit(response=block)
    save(small.participants["IT"], {"institution": "Ministero"})
    round_send_reminders_now(survey_round=small.round)
    send_pending_notifications_task(small.round.pk)
    mail.outbox.clear()
    # That reminder went an hour ago: "Send reminder now" is not held back by it.
    Notification.objects.filter(key__startswith="manual-").update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    return small


def changelist(model: str) -> str:
    return reverse(f"admin:assessments_{model}_changelist")


def change(model: str, pk: int) -> str:
    return reverse(f"admin:assessments_{model}_change", args=[pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def run_action(client: Client, model: str, action: str, objects: list) -> Any:
    return client.post(
        changelist(model),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
        follow=True,
    )


def form_data(response) -> dict[str, Any]:
    """What the browser would post back from an admin change page, unchanged."""
    data: dict[str, Any] = {}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


# --- admin pages load ---


@pytest.mark.parametrize(
    ("model", "pages"),
    [
        ("surveyround", ["changelist", "add", "change", "history"]),
        ("focalpoint", ["changelist", "add", "change", "history"]),
        ("roundparticipant", ["changelist", "add", "change"]),
        ("invitation", ["changelist", "change", "history"]),
        ("notification", ["changelist", "change"]),
        ("response", ["changelist", "change", "history"]),
        ("answer", ["changelist", "change", "history"]),
    ],
)
def test_the_round_admin_pages_load(staff_client, progressed, model, pages):
    obj = {
        "surveyround": progressed.round,
        "focalpoint": progressed.focal_points[0],
        "roundparticipant": progressed.participants["FR"],
        "invitation": progressed.participants["FR"].invitation,
        "notification": Notification.objects.first(),
        "response": Response.objects.filter(participant=progressed.participants["FR"]).first(),
        "answer": Answer.objects.first(),
    }[model]
    for page in pages:
        args = [] if page in ("changelist", "add") else [obj.pk]
        url = reverse(f"admin:assessments_{model}_{page}", args=args)
        assert staff_client.get(url).status_code == 200, url


def test_invitations_and_responses_cannot_be_added_by_hand(staff_client, small):
    assert staff_client.get(reverse("admin:assessments_invitation_add")).status_code == 403
    assert staff_client.get(reverse("admin:assessments_response_add")).status_code == 403
    assert staff_client.get(reverse("admin:assessments_notification_add")).status_code == 403


def test_the_round_list_counts_participants(staff_client, small):
    page = staff_client.get(changelist("surveyround"))

    (row,) = page.context["cl"].result_list
    assert row._participants == 7
    assert reverse("assessments:round_dashboard", args=[small.round.slug]) in page.content.decode()


def test_the_invitation_page_shows_the_current_link(staff_client, small):
    invitation = small.participants["FR"].invitation

    page = staff_client.get(change("invitation", invitation.pk))

    # Tokens carry a timestamp: compare what the shown link grants, not its text.
    (token,) = re.findall(r'value="[^"]*/respond/([^/"]+)/"', page.content.decode())
    assert invitation_from_token(token, now=invitation.expires_at) == invitation


def test_a_response_page_shows_its_answers_and_their_history(staff_client, progressed):
    response = Response.objects.get(participant=progressed.participants["DE"])

    page = staff_client.get(change("response", response.pk)).content.decode()

    assert "Ministerium" in page
    assert "institution" in page
    assert reverse("admin:assessments_answer_history", args=[response.answers.get().pk]) in page


def query_counts(client: Client, urls: list[str]) -> list[int]:
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return counts


def grow(world, codes: tuple[str, ...]) -> None:
    """More member States of XALPHA in the round, each with a focal point, an invitation sent,
    a draft with one answer."""
    for code in codes:
        state = StateFactory(country=code)
        MembershipFactory(mechanism=world.mechanisms["XALPHA"], state=state)
        participant = round_add_participant(survey_round=world.round, party=state)
        FocalPointFactory(kind="state", mechanism=None, state=state)
        save(participant, {"institution": f"Ministry of {code}"})
    send_round_invitations_task(world.round.pk)


def test_the_admin_pages_of_a_round_do_not_grow_with_its_participants(staff_client, progressed):
    urls = [change("surveyround", progressed.round.pk)] + [
        changelist(model)
        for model in ("surveyround", "invitation", "notification", "response", "answer")
    ]
    query_counts(staff_client, urls)  # warm the content-type cache
    before = query_counts(staff_client, urls)

    grow(progressed, ("BE", "NL", "LU", "AT", "PT", "GR", "PL", "CZ"))

    assert query_counts(staff_client, urls) == before


# --- creating and editing rounds ---


def test_a_round_added_in_the_admin_gets_the_default_participants(staff_client, questionnaires):
    page = staff_client.post(
        reverse("admin:assessments_surveyround_add"),
        {
            "name": "Survey 2027",
            "slug": "survey-2027",
            "year": "2027",
            "opens_on": "2027-03-01",
            "closes_on": "2027-06-30",
            "reminder_days": "[7, 2]",
            "questionnaire_mechanism": questionnaires["mechanism"].pk,
            "questionnaire_state": questionnaires["state"].pk,
            "questionnaire_organization": questionnaires["organization"].pk,
            "add_default_participants": "on",
        },
    )

    assert page.status_code == 302, page.context["adminform"].form.errors
    survey_round = SurveyRound.objects.get(slug="survey-2027")
    assert survey_round.status == SurveyRound.Status.DRAFT
    assert survey_round.reminder_days == [7, 2]
    assert survey_round.participants.filter(kind="mechanism").count() == (
        Mechanism.objects.active().count()
    )


def test_the_add_form_refuses_a_bad_reminder_schedule(staff_client, questionnaires):
    page = staff_client.post(
        reverse("admin:assessments_surveyround_add"),
        {
            "name": "Survey 2027",
            "slug": "survey-2027",
            "year": "2027",
            "opens_on": "2027-03-01",
            "closes_on": "2027-06-30",
            "reminder_days": '["soon"]',
            "questionnaire_mechanism": questionnaires["mechanism"].pk,
            "questionnaire_state": questionnaires["state"].pk,
            "questionnaire_organization": questionnaires["organization"].pk,
        },
    )

    assert page.status_code == 200
    assert "reminder_days" in page.context["adminform"].form.errors
    assert not SurveyRound.objects.filter(slug="survey-2027").exists()


def test_questionnaires_are_read_only_once_the_round_is_open(staff_client, small):
    page = staff_client.get(change("surveyround", small.round.pk))
    form = page.context["adminform"].form

    assert "questionnaire_state" not in form.fields
    assert "name" in form.fields
    data = form_data(page)
    data["name"] = "Renamed round"
    saved = staff_client.post(change("surveyround", small.round.pk), data)

    assert saved.status_code == 302
    survey_round = SurveyRound.objects.get(pk=small.round.pk)
    assert survey_round.name == "Renamed round"
    assert survey_round.history.order_by("-history_id").first().name == "Renamed round"


def test_questionnaires_can_be_changed_on_a_draft(staff_client, questionnaires):
    draft = secretariat_round(slug="draft-2025", open_it=False).round

    form = staff_client.get(change("surveyround", draft.pk)).context["adminform"].form

    assert "questionnaire_state" in form.fields


# --- round actions ---


def test_opening_a_round_with_no_participants_shows_the_reason(staff_client, questionnaires):
    empty = round_create(
        name="Empty",
        slug="empty",
        year=2025,
        opens_on=datetime.date(2025, 3, 1),
        closes_on=datetime.date(2025, 6, 30),
        questionnaires=questionnaires,
        with_default_participants=False,
    )

    result = run_action(staff_client, "surveyround", "open_rounds", [empty])

    assert result.status_code == 200
    assert messages_of(result) == ["Empty: The round has no participants."]
    empty.refresh_from_db()
    assert empty.status == SurveyRound.Status.DRAFT


def test_the_round_actions_move_a_round_through_its_life(staff_client, questionnaires):
    survey_round = secretariat_round(open_it=False).round

    for action, status in [
        ("open_rounds", "open"),
        ("close_rounds", "closed"),
        ("reopen_rounds", "open"),
        ("close_rounds", "closed"),
        ("publish_rounds", "published"),
    ]:
        result = run_action(staff_client, "surveyround", action, [survey_round])
        assert result.status_code == 200
        survey_round.refresh_from_db()
        assert survey_round.status == status, (action, messages_of(result))

    refused = run_action(staff_client, "surveyround", "reopen_rounds", [survey_round])
    assert messages_of(refused) == [
        f"{survey_round.name}: Cannot reopen a round that is published."
    ]


def test_send_reminder_now_from_the_round_list(staff_client, progressed):
    result = run_action(staff_client, "surveyround", "send_reminders_now", [progressed.round])

    assert messages_of(result) == [f"{progressed.round.name}: 5 reminders queued."]
    closed = round_close(survey_round=progressed.round)
    refused = run_action(staff_client, "surveyround", "send_reminders_now", [closed])
    assert messages_of(refused) == [
        f"{closed.name}: Reminders can only be sent while the round is open."
    ]


def test_add_default_participants_from_the_round_list(staff_client, small):
    result = run_action(staff_client, "surveyround", "add_default_participants", [small.round])

    added = small.round.participants.count() - 7
    assert added > 0
    assert messages_of(result) == [f"{small.round.name}: {added} participants added."]


def test_the_invitation_actions(staff_client, small):
    invitation = small.participants["FR"].invitation
    nonce = invitation.nonce

    run_action(staff_client, "invitation", "revoke", [invitation])
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    refused = run_action(staff_client, "invitation", "resend", [invitation])
    assert "revoked" in messages_of(refused)[0]

    run_action(staff_client, "invitation", "rotate", [invitation])
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert invitation.nonce != nonce

    sent = run_action(staff_client, "invitation", "resend", [invitation])
    assert messages_of(sent) == ["1 invitation(s) queued."]
    assert Notification.objects.filter(
        invitation=invitation, key__startswith="invitation-"
    ).exists()


def test_reopening_responses_from_the_admin(staff_client, progressed):
    submitted = Response.objects.get(participant=progressed.participants["XALPHA"])
    draft = Response.objects.get(participant=progressed.participants["DE"])

    result = run_action(staff_client, "response", "reopen", [submitted, draft])

    assert result.status_code == 200
    submitted.refresh_from_db()
    assert submitted.status == Response.Status.REOPENED
    assert f"{draft}: Only a submitted response can be reopened." in messages_of(result)
    assert "1 response(s) reopened." in messages_of(result)


# --- the dashboard ---


def dashboard_url(survey_round: SurveyRound) -> str:
    return reverse("assessments:round_dashboard", args=[survey_round.slug])


def test_the_dashboard_shows_the_figures_of_the_round(
    staff_client, progressed, django_assert_num_queries
):
    with django_assert_num_queries(DASHBOARD_QUERIES):
        page = staff_client.get(dashboard_url(progressed.round))

    assert page.status_code == 200
    dashboard = page.context["dashboard"]
    assert [
        (row.audience, row.participants, row.submitted, row.in_progress, row.not_started, row.rate)
        for row in dashboard.audiences
    ] == [
        ("mechanism", 3, 1, 0, 2, 33),
        ("state", 3, 1, 2, 0, 33),
        ("organization", 1, 0, 0, 1, 0),
    ]
    total = dashboard.total
    assert (total.participants, total.submitted, total.in_progress, total.rate) == (7, 2, 2, 29)
    assert [
        (row.mechanism.acronym, row.invitation_status, row.states_submitted, row.states_expected)
        for row in dashboard.mechanisms
    ] == [
        ("XALPHA", "submitted", 1, 2),  # FR submitted its block, DE has not
        ("XBETA", "not_sent", 1, 2),  # FR yes, IT no; XBETA has no focal point
        ("XGAMMA", "not_sent", 1, 2),  # IT yes, DE no; ES is not in the round
    ]
    assert [
        (
            r.label,
            r.mechanisms_submitted,
            r.mechanisms,
            r.states_submitted,
            r.states_expected,
            r.rate,
        )
        for r in dashboard.regions
    ] == [
        ("Europe and Central Asia", 1, 2, 2, 4, 50),  # (1 + 2) of (2 + 4)
        ("Middle East and North Africa", 0, 1, 1, 2, 33),  # (0 + 1) of (1 + 2)
    ]
    assert [r.acronyms for r in dashboard.regions] == [["XALPHA", "XBETA"], ["XGAMMA"]]
    html = page.content.decode()
    assert "Rates by region group count" in html
    # FR, DE and IT are all in Europe (M49); FR submitted everything, DE and IT have not.
    assert [(r.label, r.submitted, r.participants, r.rate) for r in dashboard.state_regions] == [
        ("Europe", 1, 3, 33)
    ]
    pending = {p.party_name: p for p in dashboard.non_submitters}
    assert set(pending) == {"XBETA", "XGAMMA", "Germany", "Italy", "XORG"}
    assert pending["Germany"].focal_point_count == 2
    assert pending["Germany"].reminder_count == 1
    assert pending["Germany"].last_reminder_at is not None
    assert pending["XORG"].focal_point_count == 0
    html = page.content.decode()
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "Send reminder now" in html and "Close round" in html


def test_the_dashboard_query_count_does_not_grow_with_the_round(
    staff_client, progressed, django_assert_num_queries
):
    grow(progressed, ("BE", "NL", "LU", "AT", "PT", "GR", "PL", "CZ"))

    with django_assert_num_queries(DASHBOARD_QUERIES):
        page = staff_client.get(dashboard_url(progressed.round))

    assert page.context["dashboard"].total.participants == 15
    assert page.context["dashboard"].mechanisms[0].states_expected == 10


def test_the_dashboard_needs_the_permission_to_view_rounds(client, small):
    url = dashboard_url(small.round)

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("admin:login"))
    client.force_login(RespondentUserFactory())
    assert client.get(url).status_code == 403
    client.force_login(RespondentUserFactory(username="staff-no-role", is_staff=True))
    assert client.get(url).status_code == 403


def test_an_unknown_round_is_not_found(staff_client, small):
    assert staff_client.get("/rounds/no-such-round/dashboard/").status_code == 404
    url = reverse("assessments:round_action", args=[small.round.slug, "explode"])
    assert staff_client.post(url).status_code == 404


def test_send_reminder_now_from_the_dashboard(staff_client, progressed, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    url = reverse("assessments:round_action", args=[progressed.round.slug, "remind"])

    assert staff_client.get(url).status_code == 405
    result = staff_client.post(url, {"confirm": "yes"}, follow=True)

    assert result.redirect_chain[-1][0] == dashboard_url(progressed.round)
    assert messages_of(result) == ["5 reminders queued: they are being sent to the focal points."]


def test_close_from_the_dashboard_and_a_refusal_shown_as_a_message(staff_client, progressed):
    url = reverse("assessments:round_action", args=[progressed.round.slug, "close"])

    closed = staff_client.post(url, follow=True)
    again = staff_client.post(url, follow=True)

    assert progressed.round.__class__.objects.get(pk=progressed.round.pk).status == "closed"
    assert messages_of(closed) == [
        f"“{progressed.round.name}” is closed. Drafts are kept as drafts."
    ]
    assert again.status_code == 200
    assert messages_of(again) == ["Cannot close a round that is closed."]
    html = again.content.decode()
    assert "Publish round" in html and "Reopen round" in html


def test_round_actions_need_the_change_permission(client, small):
    user = RespondentUserFactory(username="viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_surveyround"))
    client.force_login(user)

    assert client.get(dashboard_url(small.round)).status_code == 404  # not on its team
    small.round.team.add(user)
    assert client.get(dashboard_url(small.round)).status_code == 200
    url = reverse("assessments:round_action", args=[small.round.slug, "close"])
    assert client.post(url).status_code == 403
