"""The shipped registry, loaded by load_reference_data: members, names, region groups, chairs."""

from __future__ import annotations

import datetime

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from mechanisms.models import M49Region, Mechanism, Membership, RegionGroup, State

pytestmark = pytest.mark.django_db


def source() -> dict[str, dict]:
    path = settings.REFERENCE_DATA_DIR / "mechanisms.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["mechanisms"]
    return {entry["acronym"]: entry for entry in entries}


@pytest.fixture
def loaded():
    call_command("load_reference_data")


def test_every_active_mechanism_has_members_and_a_region_group(loaded):
    active = Mechanism.objects.active()
    assert active.count() == 35
    without_members = [
        m.acronym for m in active if not m.memberships.filter(role=Membership.Role.MEMBER).exists()
    ]
    assert without_members == []
    # R4V is an inter-agency platform: its members are organizations, every other active
    # mechanism lists member States.
    without_states = [
        m.acronym
        for m in active
        if not m.memberships.of_states().filter(role=Membership.Role.MEMBER).exists()
    ]
    assert without_states == ["R4V"]
    assert not Mechanism.objects.filter(region_group="").exists()
    assert set(Mechanism.objects.values_list("region_group", flat=True)) == set(RegionGroup.values)


def test_formerly_empty_mechanisms_have_their_members(loaded):
    members = {
        m.acronym: m.memberships.of_states().filter(role=Membership.Role.MEMBER).count()
        for m in Mechanism.objects.filter(
            acronym__in=["BUDAPEST", "PRAGUE", "KHARTOUM", "GFMD", "CAM", "PAFOM", "ASEM-DG"]
        )
    }
    assert members == {
        "BUDAPEST": 10, "PRAGUE": 48, "KHARTOUM": 41, "GFMD": 193, "CAM": 35, "PAFOM": 55,
        "ASEM-DG": 51,
    }  # fmt: skip
    # A global process is open to the UN Member States.
    gfmd = Mechanism.objects.get(acronym="GFMD")
    assert not gfmd.memberships.of_states().filter(state__un_member=False).exists()
    # Membership dates where a source gives them: the Rome Declaration's signatories.
    khartoum = Membership.objects.get(
        mechanism__acronym="KHARTOUM", state__country="IT", role=Membership.Role.MEMBER
    )
    assert khartoum.start_date == datetime.date(2014, 11, 28)
    assert (
        Membership.objects.get(
            mechanism__acronym="KHARTOUM", state__country="UG", role=Membership.Role.MEMBER
        ).start_date
        is None
    )


def test_french_and_spanish_names_are_those_of_the_source(loaded):
    for acronym, entry in source().items():
        mechanism = Mechanism.objects.get(acronym=acronym)
        assert mechanism.name_fr == (entry.get("name_fr") or ""), acronym
        assert mechanism.name_es == (entry.get("name_es") or ""), acronym
    assert Mechanism.objects.exclude(name_fr="").count() >= 33


def test_at_least_fifteen_mechanisms_have_dated_chairs_and_the_chair_on_a_date_is_known(loaded):
    chairs = Membership.objects.filter(role=Membership.Role.CHAIR).exclude(
        start_date=None, end_date=None
    )
    assert chairs.values("mechanism").distinct().count() >= 15
    on = datetime.date(2019, 6, 1)
    khartoum = Membership.objects.current(on).filter(
        mechanism__acronym="KHARTOUM", role=Membership.Role.CHAIR
    )
    assert [str(m.state.country.code) for m in khartoum] == ["ER"]
    rabat_2024 = Membership.objects.current(datetime.date(2024, 6, 1)).get(
        mechanism__acronym="RABAT", role=Membership.Role.CHAIR
    )
    assert rabat_2024.state.country.code == "PT"
    arcp = Membership.objects.get(mechanism__acronym="ARCP", role=Membership.Role.CHAIR)
    assert arcp.organization.acronym == "LAS"
    # Each sourced mechanism says where its facts came from.
    assert "khartoumprocess.net" in Mechanism.objects.get(acronym="KHARTOUM").sources


def test_states_carry_their_m49_region(loaded):
    assert State.objects.get(country="FR").m49_region == M49Region.EUROPE
    assert State.objects.get(country="BR").m49_subregion == "South America"
    assert State.objects.get(country="FJ").m49_region == M49Region.OCEANIA
    assert State.objects.filter(un_member=True).count() == 193
    assert not State.objects.get(country="TW").un_member


def test_a_second_load_changes_nothing(loaded, capsys):
    chairs = list(Membership.objects.filter(role="chair").values_list("pk", flat=True))
    call_command("load_reference_data")
    assert "no change" in capsys.readouterr().out
    assert list(Membership.objects.filter(role="chair").values_list("pk", flat=True)) == chairs
