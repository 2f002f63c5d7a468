"""Registry services (memberships, reference data) and the chair selector."""

from __future__ import annotations

import datetime
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.db import models

from mechanisms import selectors
from mechanisms.models import (
    GcmObjective,
    Mechanism,
    Membership,
    Organization,
    State,
    Term,
    ThematicArea,
    Vocabulary,
)
from mechanisms.services import load_reference_data, membership_create, membership_end
from mechanisms.services.reference_data import ReferenceDataError
from tests.factories import MechanismFactory, MembershipFactory, OrganizationFactory, StateFactory

pytestmark = pytest.mark.django_db

REFERENCE_FILES = ("mechanisms.yaml", "organizations.yaml", "states.yaml", "vocabularies.yaml")
CHAIR_OVERLAP = "This participant already chairs the mechanism in that period."


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


# --- membership_create / membership_end ---


def test_membership_create_saves_a_manual_state_membership():
    mechanism, state = MechanismFactory(), StateFactory(country="MX")
    membership = membership_create(
        mechanism=mechanism,
        participant=state,
        role=Membership.Role.OBSERVER,
        start_date=d("2020-01-01"),
    )
    membership.refresh_from_db()
    assert (membership.state, membership.organization) == (state, None)
    assert membership.role == Membership.Role.OBSERVER
    assert membership.source == Membership.Source.MANUAL


def test_membership_create_saves_an_organization_membership():
    organization = OrganizationFactory()
    membership = membership_create(mechanism=MechanismFactory(), participant=organization)
    assert Membership.objects.get() == membership
    assert (membership.state, membership.organization) == (None, organization)


def test_membership_create_rejects_an_end_before_the_start_and_writes_nothing():
    with pytest.raises(ValidationError) as caught:
        membership_create(
            mechanism=MechanismFactory(),
            participant=StateFactory(),
            start_date=d("2020-06-01"),
            end_date=d("2020-05-31"),
        )
    assert caught.value.messages == ["A membership cannot end before it begins."]
    assert not Membership.objects.exists()


def test_membership_create_rejects_a_second_open_membership_in_the_same_role():
    first = MembershipFactory()
    with pytest.raises(ValidationError) as caught:
        membership_create(mechanism=first.mechanism, participant=first.state)
    assert "This State already holds this role in this mechanism." in caught.value.messages
    assert Membership.objects.count() == 1


def test_membership_end_closes_an_open_membership():
    membership = MembershipFactory(start_date=d("2020-01-01"))
    membership_end(membership=membership, end_date=d("2021-01-01"))
    membership.refresh_from_db()
    assert membership.end_date == d("2021-01-01")


def test_membership_end_rejects_an_end_before_the_start_and_keeps_the_row_open():
    membership = MembershipFactory(start_date=d("2020-01-01"))
    with pytest.raises(ValidationError):
        membership_end(membership=membership, end_date=d("2019-12-31"))
    membership.refresh_from_db()
    assert membership.end_date is None


# --- chair periods ---


@pytest.mark.parametrize(
    ("existing", "new"),
    [
        (("2020-01-01", "2020-12-31"), ("2020-06-01", "2021-05-31")),  # overlaps the end
        (("2020-01-01", "2020-12-31"), ("2019-06-01", "2020-01-01")),  # shares the first day
        (("2020-01-01", "2020-12-31"), ("2020-03-01", "2020-04-01")),  # inside
        (("2020-01-01", None), ("2022-01-01", "2022-12-31")),  # the existing one is still open
        ((None, "2020-12-31"), ("2015-01-01", "2015-12-31")),  # open start
    ],
)
def test_the_same_participant_cannot_chair_twice_in_overlapping_periods(existing, new):
    first = MembershipFactory(
        role=Membership.Role.CHAIR,
        start_date=existing[0] and d(existing[0]),
        end_date=existing[1] and d(existing[1]),
    )
    with pytest.raises(ValidationError) as caught:
        membership_create(
            mechanism=first.mechanism,
            participant=first.state,
            role=Membership.Role.CHAIR,
            start_date=d(new[0]),
            end_date=new[1] and d(new[1]),
        )
    assert caught.value.message_dict == {"start_date": [CHAIR_OVERLAP]}
    assert Membership.objects.count() == 1


def test_an_organization_cannot_chair_twice_in_overlapping_periods():
    first = MembershipFactory(
        of_organization=True, role=Membership.Role.CHAIR, start_date=d("2020-01-01")
    )
    with pytest.raises(ValidationError):
        membership_create(
            mechanism=first.mechanism,
            participant=first.organization,
            role=Membership.Role.CHAIR,
            start_date=d("2021-01-01"),
            end_date=d("2021-06-30"),
        )
    assert Membership.objects.count() == 1


def test_the_same_participant_may_chair_again_in_a_later_period():
    first = MembershipFactory(
        role=Membership.Role.CHAIR, start_date=d("2018-01-01"), end_date=d("2018-12-31")
    )
    again = membership_create(
        mechanism=first.mechanism,
        participant=first.state,
        role=Membership.Role.CHAIR,
        start_date=d("2020-01-01"),
    )
    assert Membership.objects.filter(state=first.state, role=Membership.Role.CHAIR).count() == 2
    assert again.pk is not None


def test_two_different_participants_may_co_chair_in_the_same_period():
    mechanism = MechanismFactory()
    for participant in (StateFactory(country="MX"), StateFactory(country="CA")):
        membership_create(
            mechanism=mechanism,
            participant=participant,
            role=Membership.Role.CHAIR,
            start_date=d("2020-01-01"),
        )
    assert Membership.objects.filter(mechanism=mechanism, role=Membership.Role.CHAIR).count() == 2


def test_chairing_one_mechanism_does_not_block_chairing_another():
    first = MembershipFactory(role=Membership.Role.CHAIR, start_date=d("2020-01-01"))
    membership_create(
        mechanism=MechanismFactory(),
        participant=first.state,
        role=Membership.Role.CHAIR,
        start_date=d("2020-01-01"),
    )
    assert Membership.objects.filter(role=Membership.Role.CHAIR).count() == 2


# --- selectors.current_chairs ---


@pytest.fixture
def chair_history() -> Mechanism:
    """Belize chairs in 2018, Canada in 2019, Mexico and Costa Rica co-chair from 2020."""
    mechanism = MechanismFactory()
    periods = [
        ("BZ", "2018-01-01", "2018-12-31"),
        ("CA", "2019-01-01", "2019-12-31"),
        ("MX", "2020-01-01", None),
        ("CR", "2020-01-01", None),
    ]
    for code, start, end in periods:
        MembershipFactory(
            mechanism=mechanism,
            state=StateFactory(country=code),
            role=Membership.Role.CHAIR,
            start_date=d(start),
            end_date=end and d(end),
        )
    MembershipFactory(mechanism=mechanism, state=StateFactory(country="GT"))  # a plain member
    return mechanism


def chair_codes(mechanism: Mechanism, on: datetime.date | None) -> set[str]:
    return {chair.state.country.code for chair in selectors.current_chairs(mechanism, on=on)}


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        ("2017-12-31", set()),
        ("2018-01-01", {"BZ"}),
        ("2018-12-31", {"BZ"}),
        ("2019-07-14", {"CA"}),
        ("2020-01-01", {"MX", "CR"}),
    ],
)
def test_current_chairs_gives_the_chairs_in_force_on_any_date(chair_history, on, expected):
    assert chair_codes(chair_history, d(on)) == expected


def test_current_chairs_defaults_to_today(chair_history):
    assert chair_codes(chair_history, None) == {"MX", "CR"}


def test_current_chairs_ignores_other_mechanisms(chair_history):
    MembershipFactory(state=StateFactory(country="PA"), role=Membership.Role.CHAIR)
    assert chair_codes(chair_history, d("2021-01-01")) == {"MX", "CR"}


# --- load_reference_data: helpers ---


def read_reference(directory: Path, name: str) -> Any:
    return yaml.safe_load((directory / f"{name}.yaml").read_text(encoding="utf-8"))


def table_counts() -> dict[str, int]:
    tables: list[type[models.Model]] = [
        GcmObjective,
        Mechanism,
        Mechanism.history.model,
        Mechanism.thematic_areas.through,
        Membership,
        Membership.history.model,
        Organization,
        State,
        Term,
        ThematicArea,
        ThematicArea.gcm_objectives.through,
        Vocabulary,
    ]
    return {model._meta.label: model.objects.count() for model in tables}


@pytest.fixture
def reference_copy(settings, tmp_path) -> Callable[..., Path]:
    """Copies the reference files to tmp_path; `edit(name, change)` rewrites one of them."""
    for name in REFERENCE_FILES:
        shutil.copy(settings.REFERENCE_DATA_DIR / name, tmp_path / name)

    def edit(name: str, change: Callable[[Any], None]) -> Path:
        data = read_reference(tmp_path, name)
        change(data)
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        return tmp_path

    return edit


def mechanism_entry(data: dict, acronym: str) -> dict:
    return next(entry for entry in data["mechanisms"] if entry["acronym"] == acronym)


def expected_secretariat_rows(entry: dict) -> int:
    """Organizations providing the secretariat, by type (list B): REC -> formal association."""
    by_type = {"IOM": 1, "IOM_ADMIN": 1, "ICMPD": 1, "IOM_UNHCR": 2}
    if entry.get("secretariat_type") == "REC":
        return len([part for part in (entry.get("formal_association") or "").split(";") if part])
    return by_type.get(entry.get("secretariat_type") or "", 0)


# --- load_reference_data: first and second run ---


def test_first_load_creates_the_registry(settings):
    report = load_reference_data(settings.REFERENCE_DATA_DIR)

    source = read_reference(settings.REFERENCE_DATA_DIR, "mechanisms")["mechanisms"]
    # A global process open to the UN Member States lists the 193 of them.
    members = sum(
        len(entry.get("members") or []) + (193 if entry.get("members_open_to") else 0)
        for entry in source
    )
    observers = sum(len(entry.get("observers") or []) for entry in source)
    secretariats = sum(expected_secretariat_rows(entry) for entry in source)
    chairs = sum(len(entry.get("chairs") or []) for entry in source)
    assert (Mechanism.objects.count(), Organization.objects.count()) == (41, 46)
    assert (State.objects.count(), ThematicArea.objects.count()) == (249, 30)
    assert GcmObjective.objects.count() == 23
    assert Membership.objects.filter(role=Membership.Role.MEMBER).count() == members
    assert Membership.objects.filter(role=Membership.Role.OBSERVER).count() == observers
    assert Membership.objects.filter(role=Membership.Role.SECRETARIAT).count() == secretariats
    assert Membership.objects.filter(role=Membership.Role.CHAIR).count() == chairs
    assert Membership.objects.count() == members + observers + secretariats + chairs
    assert set(Membership.objects.values_list("source", flat=True)) == {"reference"}
    assert report.changed
    assert report.created["mechanisms"] == 41
    assert report.created["memberships"] == members + observers + secretariats + chairs


def test_first_load_links_rcm_to_its_members_observers_secretariat_and_themes(reference_data):
    rcm = Mechanism.objects.get(acronym="RCM")
    memberships = Membership.objects.filter(mechanism=rcm)
    member_codes = {m.state.country.code for m in memberships.filter(role="member")}
    assert member_codes == {"BZ", "CA", "CR", "DO", "GT", "HN", "MX", "NI", "PA", "SV", "US"}
    assert memberships.filter(role="observer", organization__acronym="UNHCR").exists()
    assert memberships.filter(role="observer", state__country="JM").exists()
    secretariat = memberships.filter(role="secretariat")
    assert list(secretariat.values_list("organization__acronym", flat=True)) == ["IOM"]
    assert rcm.secretariat_organization.acronym == "IOM"
    assert rcm.chair_model.code == "PPT"
    assert rcm.thematic_areas.filter(code="CHILD").exists()
    assert rcm.thematic_areas.count() == 18


def test_second_load_reports_no_change(reference_data, settings):
    before = table_counts()
    report = load_reference_data(settings.REFERENCE_DATA_DIR)
    assert not report.changed
    assert report.unchanged["mechanisms"] == 41
    assert table_counts() == before


# --- load_reference_data: updates from a changed source ---


def test_reload_applies_exactly_the_changes_and_keeps_manual_memberships(
    reference_data, reference_copy
):
    rcm = Mechanism.objects.get(acronym="RCM")
    manual_chair = MembershipFactory(
        mechanism=rcm, state=StateFactory(country="MX"), role=Membership.Role.CHAIR
    )
    # Belize's past membership, entered by hand, must outlive its reference row.
    manual_past = MembershipFactory(
        mechanism=rcm,
        state=StateFactory(country="BZ"),
        start_date=d("1996-01-01"),
        end_date=d("2000-12-31"),
    )
    before = Membership.objects.count()

    def change(data: dict) -> None:
        entry = mechanism_entry(data, "RCM")
        entry["name"] = "Regional Conference on Migration"
        entry["members"].remove("BZ")
        entry["observers"].append("CL")

    report = load_reference_data(reference_copy("mechanisms", change))

    assert report.updated == Counter({"mechanisms": 1})
    assert report.deleted == Counter({"memberships": 1})
    assert report.created == Counter({"memberships": 1})
    rcm.refresh_from_db()
    assert rcm.name == "Regional Conference on Migration"
    reference_rows = Membership.objects.filter(mechanism=rcm, source="reference")
    assert not reference_rows.filter(state__country="BZ").exists()
    assert reference_rows.filter(state__country="CL", role="observer").exists()
    assert set(Membership.objects.filter(source="manual")) == {manual_chair, manual_past}
    assert Membership.objects.count() == before
    assert Mechanism.objects.get(acronym="SACM").name.startswith("South American Conference")


def test_reload_removes_a_thematic_area_and_updates_an_organization(reference_data, reference_copy):
    reference_copy("organizations", lambda data: data["organizations"][0].update(kind="igo"))

    def change(data: dict) -> None:
        mechanism_entry(data, "RCM")["thematic_areas"].remove("CHILD")

    report = load_reference_data(reference_copy("mechanisms", change))

    assert report.updated == Counter({"organizations": 1, "mechanism thematic areas": 1})
    assert Organization.objects.get(acronym="IOM").kind == "igo"
    assert not Mechanism.objects.get(acronym="RCM").thematic_areas.filter(code="CHILD").exists()


# --- load_reference_data: errors leave the database as it was ---


def test_malformed_yaml_raises_and_writes_nothing(reference_data, reference_copy):
    # The organizations file is read and written before mechanisms.yaml: it must roll back.
    directory = reference_copy(
        "organizations", lambda data: data["organizations"][0].update(name="Renamed")
    )
    before = table_counts()
    broken_files = {
        "not YAML": "mechanisms:\n  - acronym: 'RCM'\n    name: [unclosed\n",
        "wrong top-level key": "institutions: []\n",
        "empty": "",
    }
    for case, broken in broken_files.items():
        (directory / "mechanisms.yaml").write_text(broken, encoding="utf-8")
        with pytest.raises(ReferenceDataError, match=r"mechanisms\.yaml"):
            load_reference_data(directory)
        assert table_counts() == before, case
        iom = Organization.objects.get(acronym="IOM")
        assert iom.name == "International Organization for Migration", case


def test_missing_reference_folder_raises_and_writes_nothing(tmp_path):
    with pytest.raises(ReferenceDataError, match="file not found"):
        load_reference_data(tmp_path / "nowhere")
    assert not Vocabulary.objects.exists()
    assert not GcmObjective.objects.exists()


# The next tests start from an empty database: the error surfaces in the last step, after the
# vocabularies, organizations and States were written, and all of that must be rolled back.


def assert_nothing_written() -> None:
    assert set(table_counts().values()) == {0}


def test_unknown_thematic_area_names_the_mechanism(reference_copy):
    directory = reference_copy(
        "mechanisms", lambda data: mechanism_entry(data, "SACM")["thematic_areas"].append("NOPE")
    )
    with pytest.raises(ReferenceDataError, match=r"mechanism SACM: unknown thematic area 'NOPE'"):
        load_reference_data(directory)
    assert_nothing_written()


def test_unknown_participant_names_the_mechanism(reference_copy):
    directory = reference_copy(
        "mechanisms", lambda data: mechanism_entry(data, "MIDSA")["observers"].append("XYZ")
    )
    with pytest.raises(ReferenceDataError, match=r"mechanism MIDSA: unknown participant 'XYZ'"):
        load_reference_data(directory)
    assert_nothing_written()


def test_invalid_field_value_names_the_mechanism_and_field(reference_copy):
    directory = reference_copy(
        "mechanisms", lambda data: mechanism_entry(data, "RCM").update(kind="bogus")
    )
    with pytest.raises(ReferenceDataError, match=r"^mechanism RCM: .*'kind'"):
        load_reference_data(directory)
    assert_nothing_written()


def test_missing_required_field_raises_reference_data_error(reference_copy):
    directory = reference_copy("mechanisms", lambda data: mechanism_entry(data, "RCM").pop("kind"))
    with pytest.raises(ReferenceDataError, match="RCM"):
        load_reference_data(directory)


def test_reference_listing_a_manually_entered_member_does_not_crash_the_load(
    reference_data, reference_copy
):
    rcm = Mechanism.objects.get(acronym="RCM")
    manual = MembershipFactory(mechanism=rcm, state=StateFactory(country="CL"))
    directory = reference_copy(
        "mechanisms", lambda data: mechanism_entry(data, "RCM")["members"].append("CL")
    )
    # Either outcome is acceptable: the load keeps the manual row, or it refuses clearly.
    try:
        load_reference_data(directory)
    except ReferenceDataError as exc:
        assert "RCM" in str(exc)
    assert Membership.objects.filter(pk=manual.pk).exists()
