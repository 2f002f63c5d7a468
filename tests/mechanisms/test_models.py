"""Database constraints and model validation of the registry."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mechanisms.models import GcmObjective, Mechanism, Membership
from tests.factories import (
    GcmObjectiveFactory,
    MechanismFactory,
    MembershipFactory,
    OrganizationFactory,
    StateFactory,
)

pytestmark = pytest.mark.django_db

JAN_1 = datetime.date(2020, 1, 1)
DEC_31 = datetime.date(2020, 12, 31)


# --- Mechanism ---


def test_duplicate_mechanism_acronym_is_rejected_by_the_database():
    MechanismFactory(acronym="RCM")
    with pytest.raises(IntegrityError), transaction.atomic():
        MechanismFactory(acronym="RCM")
    assert Mechanism.objects.filter(acronym="RCM").count() == 1


def test_duplicate_mechanism_acronym_fails_full_clean_on_acronym():
    MechanismFactory(acronym="RCM")
    duplicate = MechanismFactory.build(acronym="RCM")
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert list(caught.value.message_dict) == ["acronym"]


@pytest.mark.parametrize("acronym", ["RCM", "MIDSA", "EU-CELAC", "5PLUS5", "IGAD-RCP"])
def test_acronym_validator_accepts_capitals_digits_and_hyphens(acronym):
    MechanismFactory.build(acronym=acronym).full_clean()


@pytest.mark.parametrize("acronym", ["rcm", "Rcm", "-RCM", "R CM", "RCM_2", "RCMé", ""])
def test_acronym_validator_rejects_other_spellings(acronym):
    with pytest.raises(ValidationError) as caught:
        MechanismFactory.build(acronym=acronym).full_clean()
    assert "acronym" in caught.value.message_dict


@pytest.mark.parametrize("year", [1899, 2101])
def test_implausible_established_year_is_rejected_by_the_database(year):
    with pytest.raises(IntegrityError), transaction.atomic():
        MechanismFactory(established=year)
    assert not Mechanism.objects.exists()


@pytest.mark.parametrize("year", [1899, 2101])
def test_implausible_established_year_fails_full_clean(year):
    with pytest.raises(ValidationError) as caught:
        MechanismFactory.build(established=year).full_clean()
    assert "established" in caught.value.message_dict


@pytest.mark.parametrize("year", [None, 1900, 1996, 2100])
def test_plausible_or_unknown_established_year_is_accepted(year):
    mechanism = MechanismFactory(established=year)
    mechanism.full_clean()
    mechanism.refresh_from_db()
    assert mechanism.established == year


# --- GcmObjective ---


@pytest.mark.parametrize("number", [0, 24])
def test_gcm_objective_number_outside_1_to_23_is_rejected_by_the_database(number):
    with pytest.raises(IntegrityError), transaction.atomic():
        GcmObjective.objects.create(number=number, code=f"O{number}", label="x", title="x")
    assert not GcmObjective.objects.exists()


@pytest.mark.parametrize("number", [0, 24])
def test_gcm_objective_number_outside_1_to_23_fails_full_clean(number):
    with pytest.raises(ValidationError) as caught:
        GcmObjectiveFactory.build(number=number).full_clean()
    assert "number" in caught.value.message_dict


@pytest.mark.parametrize("number", [1, 23])
def test_gcm_objective_numbers_1_and_23_are_accepted(number):
    objective = GcmObjectiveFactory(number=number)
    objective.full_clean()


# --- Membership: participant and dates ---


def test_membership_of_both_a_state_and_an_organization_is_rejected_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(state=StateFactory(), organization=OrganizationFactory())
    assert not Membership.objects.exists()


def test_membership_of_neither_a_state_nor_an_organization_is_rejected_by_the_database():
    mechanism = MechanismFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(mechanism=mechanism, role=Membership.Role.MEMBER)
    assert not Membership.objects.exists()


def test_membership_participant_rule_fails_full_clean_with_its_message():
    membership = MembershipFactory.build(
        mechanism=MechanismFactory(), state=StateFactory(), organization=OrganizationFactory()
    )
    with pytest.raises(ValidationError) as caught:
        membership.full_clean()
    assert "A membership is either a State's or an organization's." in caught.value.messages


def test_state_and_organization_memberships_are_each_accepted():
    state_membership = MembershipFactory()
    organization_membership = MembershipFactory(of_organization=True)
    assert state_membership.participant == state_membership.state
    assert organization_membership.participant == organization_membership.organization


def test_membership_ending_before_it_begins_is_rejected_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(start_date=DEC_31, end_date=JAN_1)
    assert not Membership.objects.exists()


def test_membership_ending_before_it_begins_fails_full_clean_with_its_message():
    membership = MembershipFactory.build(
        mechanism=MechanismFactory(), state=StateFactory(), start_date=DEC_31, end_date=JAN_1
    )
    with pytest.raises(ValidationError) as caught:
        membership.full_clean()
    assert "A membership cannot end before it begins." in caught.value.messages


@pytest.mark.parametrize(
    ("start", "end"), [(JAN_1, JAN_1), (JAN_1, DEC_31), (None, JAN_1), (JAN_1, None)]
)
def test_membership_ending_on_or_after_its_start_or_open_ended_is_accepted(start, end):
    membership = MembershipFactory(start_date=start, end_date=end)
    membership.full_clean()


# --- Membership: one open membership per participant and role ---


def test_second_open_membership_of_a_state_in_the_same_role_is_rejected():
    first = MembershipFactory(role=Membership.Role.CHAIR)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(mechanism=first.mechanism, state=first.state, role=first.role)
    assert Membership.objects.count() == 1


def test_second_open_membership_of_an_organization_in_the_same_role_is_rejected():
    first = MembershipFactory(of_organization=True, role=Membership.Role.OBSERVER)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(
            mechanism=first.mechanism, state=None, organization=first.organization, role=first.role
        )
    assert Membership.objects.count() == 1


def test_second_open_membership_fails_full_clean_with_its_message():
    first = MembershipFactory()
    second = MembershipFactory.build(mechanism=first.mechanism, state=first.state)
    with pytest.raises(ValidationError) as caught:
        second.full_clean()
    assert "This State already holds this role in this mechanism." in caught.value.messages


def test_a_new_open_membership_is_allowed_once_the_first_has_ended():
    first = MembershipFactory(start_date=JAN_1, end_date=DEC_31)
    second = MembershipFactory(
        mechanism=first.mechanism, state=first.state, start_date=datetime.date(2022, 1, 1)
    )
    second.full_clean()
    assert Membership.objects.filter(mechanism=first.mechanism, state=first.state).count() == 2


def test_the_same_state_may_hold_two_roles_in_one_mechanism():
    member = MembershipFactory(role=Membership.Role.MEMBER)
    MembershipFactory(mechanism=member.mechanism, state=member.state, role=Membership.Role.CHAIR)
    assert Membership.objects.filter(state=member.state).count() == 2


def test_the_same_state_may_be_an_open_member_of_two_mechanisms():
    first = MembershipFactory()
    MembershipFactory(state=first.state)
    assert Membership.objects.filter(state=first.state).count() == 2


# --- MembershipQuerySet.current ---


@pytest.fixture
def dated_memberships() -> dict[str, Membership]:
    mechanism = MechanismFactory()
    periods = {
        "open": (None, None),
        "started_2020": (JAN_1, None),
        "during_2020": (JAN_1, DEC_31),
        "until_2020": (None, DEC_31),
        "in_2019": (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31)),
        "from_2021": (datetime.date(2021, 1, 1), None),
    }
    return {
        name: MembershipFactory(mechanism=mechanism, start_date=start, end_date=end)
        for name, (start, end) in periods.items()
    }


def names_current_on(memberships: dict[str, Membership], on: datetime.date | None) -> set[str]:
    current = set(Membership.objects.current(on).values_list("pk", flat=True))
    return {name for name, membership in memberships.items() if membership.pk in current}


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (JAN_1, {"open", "started_2020", "during_2020", "until_2020"}),  # start day counts
        (DEC_31, {"open", "started_2020", "during_2020", "until_2020"}),  # end day counts
        (datetime.date(2019, 12, 31), {"open", "until_2020", "in_2019"}),
        (datetime.date(2021, 1, 1), {"open", "started_2020", "from_2021"}),
        (datetime.date(1990, 1, 1), {"open", "until_2020"}),
    ],
)
def test_current_returns_memberships_in_force_on_the_date(dated_memberships, on, expected):
    assert names_current_on(dated_memberships, on) == expected


def test_current_defaults_to_today(dated_memberships):
    today = datetime.date.today()
    assert names_current_on(dated_memberships, None) == names_current_on(dated_memberships, today)
    assert names_current_on(dated_memberships, None) == {"open", "started_2020", "from_2021"}
