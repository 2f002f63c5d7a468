"""Public registry pages: the mechanism list (with filters) and a mechanism's page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
import yaml
from django.conf import settings

from mechanisms.models import Membership
from tests.factories import MechanismFactory, MembershipFactory, ThematicAreaFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/mechanisms/"
ONE_DAY = datetime.timedelta(days=1)
ROW = re.compile(r'<th scope="row"><a href="/mechanisms/([^/]+)/">[^<]*</a></th>(.*?)</tr>', re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)

# Query budgets, pinned. Unfiltered list page (anonymous, no session):
#   1. DISTINCT regions for the region filter's choices
#   2. thematic areas for the thematic area filter's choices
#   3. mechanisms with member/observer counts annotated (COUNT ... GROUP BY)
#   4. thematic areas of the listed mechanisms (prefetch)
LIST_QUERIES = 4
# Mechanism page:
#   1. the mechanism with chair model, secretariat type and secretariat organization joined
#   2. its memberships with State and organization joined (prefetch)
#   3. its thematic areas (prefetch)
DETAIL_QUERIES = 3


def source_mechanisms() -> list[dict]:
    path = settings.REFERENCE_DATA_DIR / "mechanisms.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["mechanisms"]


def expected(predicate: Callable[[dict], bool]) -> set[str]:
    """Acronyms of the reference mechanisms matching `predicate`, straight from the YAML."""
    return {entry["acronym"] for entry in source_mechanisms() if predicate(entry)}


def listed_rows(response) -> dict[str, list[str]]:
    """Acronym -> the row's cells (name, kind, status, region, members, observers)."""
    html = response.content.decode()
    return {acronym: CELL.findall(cells) for acronym, cells in ROW.findall(html)}


def listed(client, **params: str) -> set[str]:
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return set(listed_rows(response))


# --- list ---


def test_list_shows_every_reference_mechanism(reference_registry, client):
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert set(listed_rows(response)) == expected(lambda entry: True)
    assert len(listed_rows(response)) == 41
    assert "41 mechanisms" in response.content.decode()


def test_list_shows_current_member_and_observer_counts(reference_registry, client):
    rows = listed_rows(client.get(LIST_URL))
    assert rows["RCM"][4:6] == ["11", "10"]
    assert rows["SACM"][4:6] == ["12", "1"]
    assert rows["GFMD"][4:6] == ["193", "0"]  # open to the UN Member States


def test_list_counts_only_memberships_in_force_today(reference_registry, client):
    rcm = Membership.objects.filter(mechanism__acronym="RCM", role="member")
    rcm.filter(state__country="BZ").update(end_date=datetime.date(2001, 1, 1))
    rcm.filter(state__country="MX").update(start_date=datetime.date.today() + ONE_DAY)
    rows = listed_rows(client.get(LIST_URL))
    assert rows["RCM"][4] == "9"


@pytest.mark.parametrize(
    ("params", "predicate"),
    [
        ({"kind": "global_process"}, lambda e: e["kind"] == "global_process"),
        ({"status": "dormant"}, lambda e: e["status"] == "dormant"),
        ({"region": "South America"}, lambda e: e["region"] == "South America"),
        ({"thematic_area": "CHILD"}, lambda e: "CHILD" in (e["thematic_areas"] or [])),
        (
            {"kind": "rcp", "status": "active", "thematic_area": "TIP"},
            lambda e: (e["kind"], e["status"]) == ("rcp", "active")
            and "TIP" in (e["thematic_areas"] or []),
        ),
    ],
    ids=["kind", "status", "region", "thematic_area", "combined"],
)
def test_list_filters_narrow_the_list(reference_registry, client, params, predicate):
    wanted = expected(predicate)
    assert 0 < len(wanted) < 41  # the filter really narrows
    assert listed(client, **params) == wanted


def test_search_matches_acronyms_and_names_in_any_language(reference_registry, client):
    searches = {
        "puebla": lambda e: "Puebla" in e["name"],
        "mid": lambda e: "MID" in e["acronym"] or "mid" in e["name"].lower(),
        "Processus de Lima": lambda e: e["acronym"] == "SACM",  # French name only
        "Proceso de Quito": lambda e: e["acronym"] == "QUITO",  # Spanish name only
    }
    for term, predicate in searches.items():
        wanted = expected(predicate)
        assert 0 < len(wanted) < 41, term
        assert listed(client, q=term) == wanted, term


def test_search_with_no_match_says_so(reference_registry, client):
    response = client.get(LIST_URL, {"q": "zzzz"})
    assert listed_rows(response) == {}
    assert "No mechanism matches these filters." in response.content.decode()


def test_thematic_area_filter_keeps_member_counts_right(reference_registry, client):
    rows = listed_rows(client.get(LIST_URL, {"thematic_area": "CHILD"}))
    assert rows["RCM"][4:6] == ["11", "10"]


def test_invalid_filter_value_shows_an_error_not_a_500(reference_registry, client):
    for params in [{"kind": "bogus"}, {"status": "bogus"}, {"thematic_area": "bogus"}]:
        response = client.get(LIST_URL, params)
        assert response.status_code == 200, params
        html = response.content.decode()
        assert '<p class="error"' in html, params
        assert "Select a valid choice" in html, params


def test_list_query_count_is_pinned(reference_registry, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(LIST_URL)
    assert response.status_code == 200


def test_list_query_count_does_not_grow_with_mechanisms(
    reference_registry, client, django_assert_max_num_queries
):
    area = ThematicAreaFactory()
    for _ in range(20):
        mechanism = MechanismFactory(region="Test region")
        mechanism.thematic_areas.add(area)
        MembershipFactory.create_batch(5, mechanism=mechanism)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(LIST_URL)
    rows = listed_rows(response)
    assert len(rows) == 61
    assert rows[mechanism.acronym][4] == "5"


# --- detail ---


def test_detail_shows_the_mechanism_and_its_participants(reference_registry, client):
    response = client.get("/mechanisms/RCM/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Regional Conference on Migration (Puebla Process)" in html
    assert "Members (11)" in html
    assert "<li>Belize</li>" in html
    assert "<li>Mexico</li>" in html
    assert "Observers (10)" in html
    assert ">UNHCR</abbr>" in html
    assert "<li>Jamaica</li>" in html
    assert "(IOM)</dd>" in html  # the secretariat organization
    assert "<li>Unaccompanied and separated migrant children</li>" in html
    assert "<li>Migration and health</li>" in html


def test_detail_lists_only_memberships_in_force_today(reference_registry, client):
    rcm = Membership.objects.filter(mechanism__acronym="RCM")
    rcm.filter(state__country="BZ").update(end_date=datetime.date(2001, 1, 1))
    html = client.get("/mechanisms/RCM/").content.decode()
    assert "<li>Belize</li>" not in html
    assert "Members (10)" in html


def test_detail_accepts_a_lower_case_acronym(reference_registry, client):
    response = client.get("/mechanisms/rcm/")
    assert response.status_code == 200
    assert "Regional Conference on Migration (Puebla Process)" in response.content.decode()


def test_detail_of_an_unknown_acronym_is_404(reference_registry, client):
    assert client.get("/mechanisms/NOPE/").status_code == 404


def test_detail_in_french_shows_the_french_name(reference_registry, client):
    response = client.get("/mechanisms/RCM/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Conférence régionale sur les migrations" in html
    assert "Regional Conference on Migration" not in html


def test_detail_query_count_is_pinned(reference_registry, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get("/mechanisms/RCM/")
    assert response.status_code == 200


def test_detail_query_count_does_not_grow_with_members(client, django_assert_max_num_queries):
    mechanism = MechanismFactory(acronym="BIG")
    mechanism.thematic_areas.add(*ThematicAreaFactory.create_batch(3))
    MembershipFactory.create_batch(50, mechanism=mechanism)  # 50 distinct States
    MembershipFactory(mechanism=mechanism, of_organization=True, role="observer")
    with django_assert_max_num_queries(DETAIL_QUERIES):
        response = client.get("/mechanisms/BIG/")
    assert "Members (50)" in response.content.decode()
