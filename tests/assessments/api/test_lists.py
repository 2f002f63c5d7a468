"""The REST API under /api/v1/: pagination, ordering, filters and languages."""

from __future__ import annotations

import json

from assessments.questionnaires.shipped import SHIPPED_DIR
from assessments.responses import services as response_services
from mechanisms.models import Mechanism, State
from tests.assessments.api.helpers import (
    API,
    assert_error,
    draft_questionnaire,
)


def test_lists_are_paginated_by_50_up_to_500(api):
    client = api("anonymous")
    states = State.objects.count()

    default = client.get(f"{API}/states/").json()
    assert (default["count"], len(default["results"])) == (states, 50)
    two = client.get(f"{API}/states/?page_size=2").json()
    assert (two["count"], len(two["results"]), two["previous"]) == (states, 2, None)
    assert "page=2" in two["next"] and "page_size=2" in two["next"]
    assert len(client.get(f"{API}/states/?page_size=1000").json()["results"]) == states
    memberships = client.get(f"{API}/memberships/?page_size=1000").json()
    assert memberships["count"] > 500 and len(memberships["results"]) == 500
    assert_error(client.get(f"{API}/states/?page=999"), 404)


def test_mechanisms_are_filtered_searched_and_ordered(api):
    client = api("anonymous")

    def acronyms(query: str) -> list[str]:
        answer = client.get(f"{API}/mechanisms/?page_size=500&{query}")
        assert answer.status_code == 200, answer.content
        return [m["acronym"] for m in answer.json()["results"]]

    assert acronyms("kind=rcp") == list(
        Mechanism.objects.filter(kind="rcp").order_by("acronym").values_list("acronym", flat=True)
    )
    assert set(acronyms("status=dormant")) == set(
        Mechanism.objects.filter(status="dormant").values_list("acronym", flat=True)
    )
    assert acronyms("region=Central America and Mexico") == ["MIRPS"]
    assert "MIRPS" in acronyms("thematic_area=RET") and "MIRPS" not in acronyms("thematic_area=LAB")
    assert acronyms("search=mirps") == ["MIRPS"]
    assert acronyms("search=Protection and Solutions") == ["MIRPS"]
    assert acronyms("q=MIRPS") == ["MIRPS"]
    everything = acronyms("")
    assert acronyms("ordering=-acronym") == everything[::-1]
    counts = [m["member_count"] for m in client.get(f"{API}/mechanisms/?ordering=-member_count&page_size=500").json()["results"]]  # fmt: skip
    assert counts == sorted(counts, reverse=True)
    assert_error(client.get(f"{API}/mechanisms/?kind=nope"), 400, "kind")
    assert_error(client.get(f"{API}/mechanisms/?thematic_area=NOPE"), 400, "thematic_area")


def test_a_mechanism_comes_with_its_members(api):
    body = api("anonymous").get(f"{API}/mechanisms/MIRPS/").json()

    members = [m for m in body["memberships"] if m["role"] == "member"]
    assert body["member_count"] == len(members) > 0
    assert {"participant": "MX", "participant_kind": "state"}.items() <= next(
        m for m in members if m["participant"] == "MX"
    ).items()


def test_memberships_states_and_organizations_are_filtered(api):
    client = api("anonymous")

    mexico = client.get(f"{API}/memberships/?state=mx&role=member&page_size=500").json()
    assert {m["mechanism"] for m in mexico["results"]} >= {"MIRPS", "RCM"}
    assert {m["participant"] for m in mexico["results"]} == {"MX"}
    assert client.get(f"{API}/states/?country=MX").json()["results"][0]["name"] == "Mexico"
    igos = client.get(f"{API}/organizations/?kind=igo&page_size=500").json()["results"]
    assert igos and {o["kind"] for o in igos} == {"igo"}
    assert_error(client.get(f"{API}/memberships/?role=nope"), 400, "role")


def test_responses_are_filtered_by_round_and_status_and_ordered(api, world, own_response):
    client = api("staff")
    response_services.response_submit(response=own_response)

    def ids(query: str) -> list[int]:
        return [r["id"] for r in client.get(f"{API}/responses/?{query}").json()["results"]]

    assert ids("status=submitted") == [own_response.pk]
    assert ids("status=draft") == [world.response_b.pk]
    assert ids(f"round={world.open_round.slug}&ordering=-id") == sorted(
        [own_response.pk, world.response_b.pk], reverse=True
    )
    assert ids(f"round={world.published_round.slug}") == []
    assert_error(client.get(f"{API}/responses/?status=nope"), 400, "status")


def test_rounds_and_questionnaires_are_filtered(api, world):
    client = api("staff")
    draft = draft_questionnaire(world)

    assert [r["slug"] for r in client.get(f"{API}/rounds/?status=open").json()["results"]] == [
        world.open_round.slug
    ]
    assert [r["slug"] for r in client.get(f"{API}/rounds/?year=2024").json()["results"]] == [
        world.published_round.slug
    ]
    drafts = client.get(f"{API}/questionnaires/?status=draft").json()["results"]
    assert [q["id"] for q in drafts] == [draft.pk]
    assert api("respondent").get(f"{API}/questionnaires/?status=draft").json()["count"] == 0
    public = api("respondent").get(f"{API}/questionnaires/").json()["results"]
    assert {q["status"] for q in public} == {"published"} and len(public) == 3


# --- languages ------------------------------------------------------------------------------


def test_a_questionnaire_comes_whole_in_the_language_asked_for(api, world):
    client = api("respondent")
    url = f"{API}/questionnaires/{world.questionnaires['state'].pk}/"
    source = json.loads((SHIPPED_DIR / "state.json").read_text(encoding="utf-8"))

    english = client.get(url).json()
    french = client.get(f"{url}?lang=fr").json()
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").json()

    assert (english["language"], french["language"], spanish["language"]) == ("en", "fr", "es")
    assert french["title"] == source["title"]["fr"] and spanish["title"] == source["title"]["es"]
    assert [s["code"] for s in english["sections"]] == [s["code"] for s in source["sections"]]
    first = french["sections"][0]["questions"][0]
    assert first["code"] == "institution" and first["required"] is True
    assert first["text"] == source["sections"][0]["questions"][0]["text"]["fr"]
    frequency = next(
        q for s in spanish["sections"] for q in s["questions"] if q["code"] == "participation_frequency"
    )  # fmt: skip
    assert frequency["choices"][0] == {"code": "ALL", "label": "En todas las reuniones"}
    assert client.get(f"{url}?lang=fr", HTTP_ACCEPT_LANGUAGE="es").json()["language"] == "fr"
    assert_error(client.get(f"{url}?lang=de"), 400, "lang")
