"""The secretariat's participant pages (a round's participants listed apart from the round, with a
fixed number of queries) and the invitation page's HTML (no inline handler, every field
labelled)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.rounds.models import Invitation, RoundParticipant
from assessments.rounds.services.rounds import round_close
from tests.assessments.rounds import test_admin as admin_tests
from tests.assessments.rounds.test_admin import change, changelist, grow, messages_of, run_action
from tests.factories import StateFactory

pytestmark = pytest.mark.django_db

# The admin tests' fixtures, shared rather than copied.
staff_client = admin_tests.staff_client
small = admin_tests.small
progressed = admin_tests.progressed

# The participant list, pinned, whatever the number of participants:
#   1. the session  2. the user  3. the rounds, for the filter
#   4. COUNT of the round's participants
#   5. the page of participants, with party, round, invitation and a count of responses
PARTICIPANT_LIST_QUERIES = 5


# --- participants, on their own pages ---


def participants_of(world) -> str:
    return changelist("roundparticipant") + f"?round__id__exact={world.round.pk}"


def test_the_round_page_links_to_its_participants_instead_of_listing_them(staff_client, progressed):
    page = staff_client.get(change("surveyround", progressed.round.pk))

    html = page.content.decode()
    assert page.context["inline_admin_formsets"] == []
    assert "7 participants" in html
    assert f"?round__id__exact={progressed.round.pk}" in html
    listed = staff_client.get(participants_of(progressed))
    assert listed.status_code == 200
    names = {row.party_name for row in listed.context["cl"].result_list}
    assert names == {"XALPHA", "XBETA", "XGAMMA", "France", "Germany", "Italy", "XORG"}


def test_the_participant_list_is_paginated_with_a_fixed_number_of_queries(
    staff_client, progressed, django_assert_max_num_queries
):
    grow(progressed, ("BE", "NL", "LU", "AT", "PT", "GR", "PL", "CZ"))
    staff_client.get(participants_of(progressed))  # warm the content-type cache
    with django_assert_max_num_queries(PARTICIPANT_LIST_QUERIES):
        page = staff_client.get(participants_of(progressed))
    assert len(page.context["cl"].result_list) == 15
    grow(progressed, tuple(c for c in ("SE", "FI", "DK", "IE", "HU", "SK", "SI", "HR", "RO",
                                       "BG", "EE", "LV", "LT", "MT", "CY", "IS", "NO", "CH",
                                       "LI", "MC", "SM", "AD", "AL", "RS", "ME", "MK", "BA",
                                       "MD", "UA", "GE", "AM", "AZ", "TR", "GB", "US", "CA",
                                       "MX", "BR")))  # fmt: skip
    with django_assert_max_num_queries(PARTICIPANT_LIST_QUERIES):
        page = staff_client.get(participants_of(progressed))
    assert len(page.context["cl"].result_list) == 50
    assert page.context["cl"].paginator.num_pages == 2


def test_a_participant_that_answered_is_not_removed_and_the_admin_says_why(
    staff_client, progressed
):
    result = run_action(
        staff_client,
        "roundparticipant",
        "remove_participants",
        [progressed.participants["DE"], progressed.participants["XORG"]],
    )

    assert result.status_code == 200
    assert "Germany: This participant has already answered: it cannot be removed." in messages_of(
        result
    )
    assert "1 participant removed." in messages_of(result)
    assert RoundParticipant.objects.filter(pk=progressed.participants["DE"].pk).exists()
    assert not RoundParticipant.objects.filter(pk=progressed.participants["XORG"].pk).exists()


def test_a_participant_added_in_the_admin_is_invited(staff_client, small):
    add_page = staff_client.get(
        reverse("admin:assessments_roundparticipant_add") + f"?round={small.round.pk}"
    )
    assert add_page.context["adminform"].form.initial["round"] == str(small.round.pk)

    result = staff_client.post(
        reverse("admin:assessments_roundparticipant_add"),
        {"round": small.round.pk, "state": StateFactory(country="ES").pk},
    )

    assert result.status_code == 302
    spain = RoundParticipant.objects.get(round=small.round, state__country="ES")
    assert spain.kind == "state"
    assert Invitation.objects.filter(participant=spain).exists()


def test_adding_a_participant_needs_one_party_and_a_round_that_takes_participants(
    staff_client, small
):
    url = reverse("admin:assessments_roundparticipant_add")
    two = staff_client.post(
        url,
        {"round": small.round.pk, "state": StateFactory(country="ES").pk,
         "mechanism": small.mechanisms["XALPHA"].pk},
    )  # fmt: skip
    round_close(survey_round=small.round)
    closed = staff_client.post(
        url, {"round": small.round.pk, "state": StateFactory(country="ES").pk}
    )

    assert two.status_code == 200
    assert "Choose exactly one" in str(two.context["adminform"].form.non_field_errors())
    assert closed.status_code == 200
    assert "no longer accepts participants" in str(
        closed.context["adminform"].form.non_field_errors()
    )
    assert not RoundParticipant.objects.filter(state__country="ES").exists()


# --- accessibility and the CSP on the invitation page ---


def unlabelled_fields(html: str) -> list[str]:
    """The form fields of a page that have no label a screen reader would read."""
    from lxml import html as lxml_html

    doc = lxml_html.fromstring(html)
    labelled = {label.get("for") for label in doc.iter("label")}
    missing = []
    for element in doc.xpath("//input | //select | //textarea"):
        if element.get("type") in ("hidden", "submit", "button", "reset"):
            continue
        if element.get("aria-label") or element.get("aria-labelledby"):
            continue
        if element.get("id") in labelled or element.xpath("ancestor::label"):
            continue
        missing.append(element.get("name") or element.get("id") or element.tag)
    return missing


def inline_handlers(html: str) -> list[str]:
    from lxml import html as lxml_html

    doc = lxml_html.fromstring(html)
    return [
        f"{element.tag}[{name}]"
        for element in doc.iter()
        if isinstance(element.tag, str)
        for name in element.attrib
        if name.lower().startswith("on")
    ]


def test_the_invitation_page_has_no_inline_handler_and_labels_every_field(staff_client, small):
    invitation = small.participants["FR"].invitation

    page = staff_client.get(change("invitation", invitation.pk))

    html = page.content.decode()
    assert inline_handlers(html) == []
    assert unlabelled_fields(html) == []
    assert 'aria-label="Link expires: time"' in html
    assert "data-select-on-focus" in html
    assert "/static/js/admin.js" in html
