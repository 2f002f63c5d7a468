"""Round lifecycle: every transition and its preconditions, and the round's participants."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments.questionnaires.models import Audience
from assessments.questionnaires.services import questionnaire_new_version
from assessments.responses.models import Response
from assessments.responses.services import response_get_or_create, response_save_answers
from assessments.rounds.models import Invitation, RoundParticipant, SurveyRound
from assessments.rounds.services.rounds import (
    default_participant_ids,
    round_add_default_participants,
    round_add_participant,
    round_close,
    round_create,
    round_open,
    round_publish,
    round_remove_participant,
    round_reopen,
    round_update,
)
from mechanisms.models import Mechanism, Membership
from tests.factories import (
    MechanismFactory,
    MembershipFactory,
    OrganizationFactory,
    StateFactory,
    secretariat_round,
)

pytestmark = pytest.mark.django_db

OPENS, CLOSES = datetime.date(2025, 3, 1), datetime.date(2025, 6, 30)


def new_round(questionnaires, *, slug: str = "round-2025", **kwargs) -> SurveyRound:
    defaults = {"with_default_participants": False}
    return round_create(
        name=f"Round {slug}",
        slug=slug,
        year=2025,
        opens_on=OPENS,
        closes_on=CLOSES,
        questionnaires=questionnaires,
        **{**defaults, **kwargs},
    )


@pytest.fixture
def small(questionnaires):
    return secretariat_round(open_it=False)


def round_status(survey_round: SurveyRound) -> str:
    return SurveyRound.objects.values_list("status", flat=True).get(pk=survey_round.pk)


# --- creating, default participants ---


def test_a_new_round_is_a_draft_with_every_default_participant(questionnaires):
    survey_round = new_round(questionnaires, with_default_participants=True)

    assert survey_round.status == SurveyRound.Status.DRAFT
    assert survey_round.reminder_days == [14, 7, 2]
    by_kind = {
        kind: set(survey_round.participants.filter(kind=kind).values_list(f"{kind}_id", flat=True))
        for kind in Audience.values
    }
    assert by_kind[Audience.MECHANISM] == set(
        Mechanism.objects.active().values_list("pk", flat=True)
    )
    assert len(by_kind[Audience.MECHANISM]) == 35
    assert by_kind == default_participant_ids()
    assert not Invitation.objects.filter(participant__round=survey_round).exists()


def test_default_participants_are_active_mechanisms_their_members_and_engaged_organizations(
    questionnaires,
):
    active = MechanismFactory(acronym="ZACTIVE")
    dormant = MechanismFactory(acronym="ZDORMANT", status=Mechanism.Status.DORMANT)
    member = MembershipFactory(mechanism=active, state=StateFactory(country="AQ")).state
    only_of_dormant = MembershipFactory(mechanism=dormant, state=StateFactory(country="BV")).state
    former = MembershipFactory(
        mechanism=active,
        state=StateFactory(country="HM"),
        start_date=datetime.date(2000, 1, 1),
        end_date=datetime.date(2001, 1, 1),
    ).state
    observer_state = MembershipFactory(
        mechanism=active, state=StateFactory(country="TF"), role=Membership.Role.OBSERVER
    ).state
    engaged = OrganizationFactory(acronym="ZORG")
    MembershipFactory(
        mechanism=active, state=None, organization=engaged, role=Membership.Role.OBSERVER
    )
    not_engaged = OrganizationFactory(acronym="ZORG-DORMANT")
    MembershipFactory(mechanism=dormant, state=None, organization=not_engaged)

    survey_round = new_round(questionnaires, with_default_participants=True)

    participants = survey_round.participants
    assert participants.filter(mechanism=active).exists()
    assert not participants.filter(mechanism=dormant).exists()
    assert participants.filter(state=member).exists()
    assert not participants.filter(state__in=[only_of_dormant, former, observer_state]).exists()
    assert participants.filter(organization=engaged).exists()
    assert not participants.filter(organization=not_engaged).exists()


def test_adding_the_default_participants_again_adds_only_the_missing(questionnaires):
    survey_round = new_round(questionnaires, with_default_participants=True)
    count = survey_round.participants.count()
    MechanismFactory(acronym="ZLATE")

    assert round_add_default_participants(survey_round=survey_round) == 1
    assert round_add_default_participants(survey_round=survey_round) == 0
    assert survey_round.participants.count() == count + 1


def test_it_refuses_a_reminder_schedule_that_is_not_a_list_of_days(questionnaires):
    with pytest.raises(ValidationError) as caught:
        new_round(questionnaires, reminder_days=["soon"])
    assert "reminder_days" in caught.value.message_dict
    survey_round = new_round(questionnaires, reminder_days=[2, 14, 7, 7])
    assert survey_round.reminder_days == [14, 7, 2]


# --- opening ---


def test_opening_creates_the_invitations_and_sends_them_after_commit(
    small, django_capture_on_commit_callbacks
):
    with (
        mock.patch("assessments.rounds.tasks.send_round_invitations_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        survey_round = round_open(survey_round=small.round)

    assert survey_round.status == SurveyRound.Status.OPEN
    assert survey_round.opened_at is not None
    delay.assert_called_once_with(survey_round.pk)
    invitations = Invitation.objects.filter(participant__round=survey_round)
    assert invitations.count() == 7
    assert {i.status for i in invitations} == {Invitation.Status.NOT_SENT}
    # Links stop working when the round closes itself, at the end of the closing day.
    end_of_closing_day = timezone.make_aware(datetime.datetime.combine(CLOSES, datetime.time.max))
    assert {i.expires_at for i in invitations} == {end_of_closing_day}


def test_it_refuses_to_open_without_a_published_questionnaire_for_each_audience(questionnaires):
    draft = questionnaire_new_version(questionnaire=questionnaires[Audience.STATE])
    survey_round = new_round({**questionnaires, Audience.STATE: draft})
    round_add_participant(survey_round=survey_round, party=MechanismFactory())

    with pytest.raises(ValidationError) as caught:
        round_open(survey_round=survey_round)

    assert caught.value.messages == ["The questionnaire for Member State is not published."]
    assert round_status(survey_round) == SurveyRound.Status.DRAFT
    assert not Invitation.objects.filter(participant__round=survey_round).exists()


def test_it_refuses_to_open_a_round_with_no_participants(questionnaires):
    survey_round = new_round(questionnaires)

    with pytest.raises(ValidationError) as caught:
        round_open(survey_round=survey_round)

    assert caught.value.messages == ["The round has no participants."]
    assert round_status(survey_round) == SurveyRound.Status.DRAFT


# --- changing a round ---


def test_questionnaires_can_change_while_the_round_is_a_draft(questionnaires):
    survey_round = new_round(questionnaires)
    draft = questionnaire_new_version(questionnaire=questionnaires[Audience.STATE])

    updated = round_update(survey_round=survey_round, questionnaire_state=draft, name="Renamed")

    assert updated.questionnaire_state == draft
    assert updated.name == "Renamed"


def test_questionnaires_cannot_change_once_the_round_is_open(small):
    survey_round = round_open(survey_round=small.round)
    other = questionnaire_new_version(questionnaire=survey_round.questionnaire_state)

    with pytest.raises(ValidationError) as caught:
        round_update(survey_round=survey_round, questionnaire_state=other)

    assert caught.value.messages == [
        "The questionnaires of a round cannot change once it has opened."
    ]
    survey_round.refresh_from_db()
    assert survey_round.questionnaire_state != other
    # Other fields still change, and the same questionnaire again is no change.
    updated = round_update(
        survey_round=survey_round,
        name="Renamed",
        questionnaire_state=survey_round.questionnaire_state,
    )
    assert updated.name == "Renamed"


def test_the_status_changes_only_through_the_transitions(small):
    with pytest.raises(ValidationError) as caught:
        round_update(survey_round=small.round, status=SurveyRound.Status.OPEN)

    assert "only by opening, closing, reopening or publishing" in caught.value.messages[0]
    assert round_status(small.round) == SurveyRound.Status.DRAFT


def test_a_later_closing_date_extends_the_links(small):
    survey_round = round_open(survey_round=small.round)

    round_update(survey_round=survey_round, closes_on=datetime.date(2025, 9, 30))

    expiries = Invitation.objects.filter(participant__round=survey_round).values_list(
        "expires_at", flat=True
    )
    assert {e.date() for e in expiries} == {datetime.date(2025, 9, 30)}


# --- closing, reopening, publishing ---


def test_closing_keeps_drafts_as_drafts(small):
    survey_round = round_open(survey_round=small.round)
    response = response_get_or_create(participant=small.participants["DE"])
    response_save_answers(
        response=response, answers={"institution": "Ministry"}, expected_version=1
    )

    closed = round_close(survey_round=survey_round)

    assert closed.status == SurveyRound.Status.CLOSED
    assert closed.closed_at is not None
    response.refresh_from_db()
    assert response.status == Response.Status.DRAFT
    assert response.answers.get().text == "Ministry"


def test_a_closed_round_can_be_reopened_and_the_reopening_is_recorded(small):
    survey_round = round_close(survey_round=round_open(survey_round=small.round))

    reopened = round_reopen(survey_round=survey_round, closes_on=datetime.date(2025, 7, 31))

    assert reopened.status == SurveyRound.Status.OPEN
    assert reopened.closes_on == datetime.date(2025, 7, 31)
    latest = reopened.history.order_by("-history_id").first()
    assert latest.status == SurveyRound.Status.OPEN
    assert latest.history_change_reason == "reopened"
    statuses = list(reopened.history.order_by("history_id").values_list("status", flat=True))
    assert statuses[-3:] == ["open", "closed", "open"]
    expiry = Invitation.objects.filter(participant__round=survey_round).first().expires_at
    assert expiry.date() == datetime.date(2025, 7, 31)


def test_a_round_is_published_only_once_closed(small):
    survey_round = round_open(survey_round=small.round)
    with pytest.raises(ValidationError, match="Cannot publish a round that is open"):
        round_publish(survey_round=survey_round)

    published = round_publish(survey_round=round_close(survey_round=survey_round))

    assert published.status == SurveyRound.Status.PUBLISHED
    assert published.published_at is not None


@pytest.mark.parametrize(
    ("status", "transition", "message"),
    [
        ("draft", round_close, "Cannot close a round that is draft."),
        ("draft", round_reopen, "Cannot reopen a round that is draft."),
        ("draft", round_publish, "Cannot publish a round that is draft."),
        ("open", round_open, "Cannot open a round that is open."),
        ("open", round_reopen, "Cannot reopen a round that is open."),
        ("closed", round_open, "Cannot open a round that is closed."),
        ("closed", round_close, "Cannot close a round that is closed."),
        ("published", round_open, "Cannot open a round that is published."),
        ("published", round_close, "Cannot close a round that is published."),
        ("published", round_reopen, "Cannot reopen a round that is published."),
        ("published", round_publish, "Cannot publish a round that is published."),
    ],
)
def test_it_refuses_an_illegal_transition(small, status, transition, message):
    path = {"draft": [], "open": [round_open], "closed": [round_open, round_close]}
    path["published"] = [*path["closed"], round_publish]
    survey_round = small.round
    for step in path[status]:
        survey_round = step(survey_round=survey_round)

    with pytest.raises(ValidationError) as caught:
        transition(survey_round=survey_round)

    assert caught.value.messages == [message]
    assert round_status(survey_round) == status


# --- adding and removing participants ---


def test_a_participant_added_to_an_open_round_is_invited(small, django_capture_on_commit_callbacks):
    survey_round = round_open(survey_round=small.round)
    late = StateFactory(country="ES")

    with (
        mock.patch("assessments.rounds.tasks.send_round_invitations_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        participant = round_add_participant(survey_round=survey_round, party=late)

    assert participant.kind == Audience.STATE
    assert Invitation.objects.filter(participant=participant).exists()
    delay.assert_called_once_with(survey_round.pk)


def test_a_participant_cannot_be_added_twice(small):
    with pytest.raises(ValidationError):
        round_add_participant(survey_round=small.round, party=small.mechanisms["XALPHA"])
    assert small.round.participants.filter(mechanism=small.mechanisms["XALPHA"]).count() == 1


def test_participants_cannot_be_added_to_a_closed_round(small):
    survey_round = round_close(survey_round=round_open(survey_round=small.round))

    with pytest.raises(ValidationError, match="Cannot add participants to a round that is closed"):
        round_add_participant(survey_round=survey_round, party=StateFactory(country="ES"))
    with pytest.raises(ValidationError):
        round_add_default_participants(survey_round=survey_round)


def test_a_participant_that_has_not_answered_can_be_removed(small):
    round_remove_participant(participant=small.participants["XORG"])

    assert not RoundParticipant.objects.filter(pk=small.participants["XORG"].pk).exists()


def test_a_participant_that_has_answered_cannot_be_removed(small):
    round_open(survey_round=small.round)
    participant = small.participants["DE"]
    response_get_or_create(participant=participant)

    with pytest.raises(ValidationError) as caught:
        round_remove_participant(participant=participant)

    assert caught.value.messages == ["This participant has already answered: it cannot be removed."]
    assert RoundParticipant.objects.filter(pk=participant.pk).exists()
