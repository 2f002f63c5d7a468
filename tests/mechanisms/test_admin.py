"""The secretariat's admin for the registry."""

from __future__ import annotations

import pytest
import yaml
from django.conf import settings
from django.contrib import admin
from django.db.models import Model

from mechanisms.models import (
    GcmObjective,
    Mechanism,
    Membership,
    Organization,
    State,
    ThematicArea,
    Vocabulary,
)

pytestmark = pytest.mark.django_db

# Mechanism change page for RCM (11 members, 10 observers, 1 secretariat row), pinned:
#   1. session                     2. user
#   3. the mechanism, with the changelist's member-count annotation
#   4. its selected thematic areas
#   5. its memberships for the inline (State, organization, mechanism joined)
#   6. content type (history link)
#   7-8. chair model and secretariat type choices (Terms of one vocabulary each)
#   9. the selected secretariat organization (autocomplete widget)
#   10. all thematic areas (filter_horizontal choices)
#   11-34. one query per inline row: Django's autocomplete widget looks up each row's selected
#          State (16 rows, 3 of them dated chairs) or organization (6 rows) on its own (a State
#          seen twice is looked up once), so this page grows by one
#          query per membership. Pinned so that any further growth fails.
RCM_CHANGE_QUERIES = 34


def source_mechanisms() -> list[dict]:
    path = settings.REFERENCE_DATA_DIR / "mechanisms.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["mechanisms"]


def changelist_acronyms(response) -> set[str]:
    assert response.status_code == 200
    return {mechanism.acronym for mechanism in response.context["cl"].result_list}


# --- every registered model: changelist, add and change pages ---


ADMIN_OBJECTS: list[tuple[type[Model], dict]] = [
    (Mechanism, {"acronym": "RCM"}),
    (Membership, {"mechanism__acronym": "RCM", "state__country": "MX", "role": "member"}),
    (State, {"country": "MX"}),
    (Organization, {"acronym": "IOM"}),
    (ThematicArea, {"code": "CHILD"}),
    (GcmObjective, {"number": 23}),
    (Vocabulary, {"name": "chair_models"}),
]


def test_every_registered_mechanisms_model_is_covered_below():
    registered = {model for model in admin.site._registry if model._meta.app_label == "mechanisms"}
    assert registered == {model for model, _ in ADMIN_OBJECTS}


@pytest.mark.parametrize(
    ("model", "lookup"), ADMIN_OBJECTS, ids=[m._meta.model_name for m, _ in ADMIN_OBJECTS]
)
def test_admin_changelist_add_and_change_pages_load(
    reference_registry, admin_client, model, lookup
):
    obj = model.objects.get(**lookup)
    base = f"/admin/mechanisms/{model._meta.model_name}/"

    changelist = admin_client.get(base)
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == model.objects.count()
    assert admin_client.get(f"{base}add/").status_code == 200
    change = admin_client.get(f"{base}{obj.pk}/change/")
    assert change.status_code == 200
    assert change.context["original"] == obj


# --- mechanism changelist ---


def test_mechanism_changelist_shows_current_member_counts(reference_registry, admin_client):
    response = admin_client.get("/admin/mechanisms/mechanism/")
    counts = {m.acronym: m._member_count for m in response.context["cl"].result_list}
    assert counts["RCM"] == 11
    assert counts["GFMD"] == 193  # open to the UN Member States


@pytest.mark.parametrize(
    ("params", "predicate"),
    [
        ({"kind__exact": "global_process"}, lambda e: e["kind"] == "global_process"),
        ({"status__exact": "dormant"}, lambda e: e["status"] == "dormant"),
        ({"region__exact": "South America"}, lambda e: e["region"] == "South America"),
        ({"q": "puebla"}, lambda e: "Puebla" in e["name"]),
    ],
    ids=["kind", "status", "region", "search"],
)
def test_mechanism_changelist_filters_and_search_narrow_the_list(
    reference_registry, admin_client, params, predicate
):
    wanted = {entry["acronym"] for entry in source_mechanisms() if predicate(entry)}
    assert 0 < len(wanted) < 41
    response = admin_client.get("/admin/mechanisms/mechanism/", params)
    assert changelist_acronyms(response) == wanted


def test_mechanism_changelist_filters_by_thematic_area(reference_registry, admin_client):
    area = ThematicArea.objects.get(code="CHILD")
    wanted = {e["acronym"] for e in source_mechanisms() if "CHILD" in (e["thematic_areas"] or [])}
    response = admin_client.get(
        "/admin/mechanisms/mechanism/", {"thematic_areas__id__exact": area.pk}
    )
    assert changelist_acronyms(response) == wanted == {"RCM", "SACM", "MIDSA"}


def test_mechanism_change_page_with_inlines_has_a_pinned_query_count(
    reference_registry, admin_client, django_assert_max_num_queries
):
    rcm = Mechanism.objects.get(acronym="RCM")
    url = f"/admin/mechanisms/mechanism/{rcm.pk}/change/"
    # Warm: a running server has its content types cached (one query more on a cold process,
    # which made this pin depend on the tests that ran before it).
    admin_client.get(url)
    with django_assert_max_num_queries(RCM_CHANGE_QUERIES):
        response = admin_client.get(url)
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0]
    assert len(inline.formset.forms) == Membership.objects.filter(mechanism=rcm).count() == 25


# --- autocomplete and the membership form ---


def test_state_autocomplete_finds_mexico_by_country_name(reference_registry, admin_client):
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "mechanisms",
            "model_name": "membership",
            "field_name": "state",
            "term": "Mexi",
        },
    )
    assert response.status_code == 200
    mexico = State.objects.get(country="MX")
    assert response.json()["results"] == [{"id": str(mexico.pk), "text": "Mexico"}]


def membership_post(**overrides: object) -> dict:
    data = {
        "mechanism": Mechanism.objects.get(acronym="RCM").pk,
        "state": State.objects.get(country="CL").pk,
        "organization": "",
        "role": "member",
        "start_date": "2020-06-01",
        "end_date": "",
    }
    return {**data, **overrides}


def test_admin_saves_a_valid_membership_as_manual(reference_registry, admin_client):
    response = admin_client.post("/admin/mechanisms/membership/add/", membership_post())
    assert response.status_code == 302
    membership = Membership.objects.get(mechanism__acronym="RCM", state__country="CL")
    assert membership.source == Membership.Source.MANUAL


def test_admin_rejects_a_membership_ending_before_it_begins(reference_registry, admin_client):
    before = Membership.objects.count()
    response = admin_client.post(
        "/admin/mechanisms/membership/add/", membership_post(end_date="2020-05-31")
    )
    assert response.status_code == 200
    assert "A membership cannot end before it begins." in response.content.decode()
    assert Membership.objects.count() == before


def test_admin_rejects_an_overlapping_second_chair_period(reference_registry, admin_client):
    first = membership_post(role="chair", start_date="2020-01-01", end_date="2020-12-31")
    assert admin_client.post("/admin/mechanisms/membership/add/", first).status_code == 302
    before = Membership.objects.count()
    response = admin_client.post(
        "/admin/mechanisms/membership/add/",
        membership_post(role="chair", start_date="2020-06-01", end_date="2021-05-31"),
    )
    assert response.status_code == 200
    assert (
        "This participant already chairs the mechanism in that period." in response.content.decode()
    )
    assert Membership.objects.count() == before
