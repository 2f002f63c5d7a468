"""The secretariat's round pages in Chromium, checked by axe-core: the round page, its
participants, an invitation, and the focal point import (upload and preview)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.browser import TIMEOUT_MS, axe_violations, chromium
from tests.factories import StaffUserFactory, secretariat_round


@pytest.fixture
def admin_world(transactional_db, live_server, settings):
    from assessments.questionnaires.shipped import load_shipped_questionnaires
    from mechanisms.services import load_reference_data

    load_reference_data(settings.REFERENCE_DATA_DIR)
    load_shipped_questionnaires()
    world = secretariat_round()
    client = Client()
    client.force_login(StaffUserFactory())
    world.session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    world.url = live_server.url
    return world


@pytest.fixture
def admin_page(admin_world, monkeypatch):
    with chromium(monkeypatch) as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": admin_world.session,
              "url": admin_world.url}]
        )  # fmt: skip
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        yield page


def test_axe_finds_no_violation_on_the_round_pages(admin_world, admin_page, tmp_path):
    page, world = admin_page, admin_world
    invitation = world.participants["FR"].invitation
    import_page = reverse(
        "admin:assessments_surveyround_import_focal_points", args=[world.round.pk]
    )
    urls = [
        reverse("admin:assessments_surveyround_change", args=[world.round.pk]),
        reverse("admin:assessments_roundparticipant_changelist")
        + f"?round__id__exact={world.round.pk}",
        reverse("admin:assessments_invitation_change", args=[invitation.pk]),
        import_page,
    ]
    found = {}
    for url in urls:
        page.goto(world.url + url)
        found[url] = axe_violations(page)

    # The preview, with a new focal point, a change and an error.
    upload = tmp_path / "focal-points.csv"
    upload.write_text(
        "kind,code,name,email,language\nstate,IT,Gina,gina@example.org,it\n"
        "state,FR,Nouveau,fr@example.org,\nstate,ZZ,Zed,zed@example.org,\n"
    )
    page.goto(world.url + import_page)
    page.get_by_label("File (CSV or XLSX)").set_input_files(upload)
    page.get_by_role("button", name="Preview").click()
    page.locator("#import-errors").wait_for()
    found["preview"] = axe_violations(page)

    assert found == {url: [] for url in found}


def test_the_invitation_link_is_selected_on_focus_under_the_csp(admin_world, admin_page):
    page, world = admin_page, admin_world
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    invitation = world.participants["FR"].invitation
    page.goto(world.url + reverse("admin:assessments_invitation_change", args=[invitation.pk]))

    link = page.get_by_label("Invitation link")
    link.focus()

    selected = page.evaluate(
        "window.getSelection().toString() || document.activeElement.value.substring(document.activeElement.selectionStart, document.activeElement.selectionEnd)"
    )
    assert selected == link.input_value()
    assert "/respond/" in selected
    assert not [e for e in errors if "Content Security Policy" in e]
