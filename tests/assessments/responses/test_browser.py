"""The respondent's journey in a real browser: Playwright driving Debian's Chromium
(tests/browser.py) against pytest-django's live server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assessments.responses.models import Response
from assessments.rounds.models import RoundParticipant
from assessments.rounds.services.invitations import invitation_token
from tests.browser import TIMEOUT_MS, chromium
from tests.factories import open_round_with_shipped_questionnaires

SCREENSHOT = Path("/tmp/browser-final.png")


@pytest.fixture
def browser_page(monkeypatch):
    with chromium(monkeypatch) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        yield page


@pytest.fixture
def invitation_link(transactional_db, live_server, settings) -> str:
    from mechanisms.services import load_reference_data

    load_reference_data(settings.REFERENCE_DATA_DIR)
    survey_round = open_round_with_shipped_questionnaires()
    mexico = RoundParticipant.objects.get(round=survey_round, state__country="MX")
    path = f"/respond/{invitation_token(mexico.invitation)}/"
    return live_server.url + path


def autosaved(page, action) -> None:
    """Do `action` and wait until the autosave it triggers has answered "Saved"."""
    from playwright.sync_api import expect

    with page.expect_response(lambda r: "/autosave/" in r.url and r.request.method == "POST"):
        action()
    expect(page.locator("[data-autosave-status]")).to_have_text("Saved")


def test_a_respondent_answers_resumes_and_submits(browser_page, invitation_link):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(invitation_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("My questionnaires")
    expect(page.locator(".journey-card")).to_contain_text("Mexico")
    page.get_by_role("link", name=re.compile("^Start")).click()

    # Page 1 (B0): a yes/no answer, saved as it changes.
    expect(page).to_have_url(re.compile(r"/page/1/$"))
    coordination = page.locator("#q-national_coordination")
    autosaved(page, lambda: coordination.get_by_label("Yes").check())
    page.get_by_role("button", name="Save and continue").click()

    # Page 2: the first mechanism's B1 section; a conditional question appears.
    expect(page).to_have_url(re.compile(r"/page/2/$"))
    expect(page.locator("legend h2")).to_contain_text(":")  # titled "… — ACRONYM: name"
    types = page.locator("#q-contribution_national_types")
    expect(types).to_be_hidden()
    autosaved(page, lambda: page.locator("#q-contribution_national").get_by_label("Yes").check())
    expect(types).to_be_visible()
    autosaved(page, lambda: types.locator("input[type=checkbox]").first.check())

    # A reload finds the answers where they were.
    page.reload()
    expect(page.locator("#q-contribution_national").get_by_label("Yes")).to_be_checked()
    expect(types).to_be_visible()
    expect(types.locator("input[type=checkbox]").first).to_be_checked()

    # Submitting with the institution missing fails and lists it by section.
    page.get_by_role("link", name="Review and submit").click()
    page.get_by_label("I confirm these answers are final").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".error-summary")).to_contain_text("Your answers have not been submitted")
    missing = page.get_by_role("link", name="Which ministry or agency is answering?")
    expect(missing).to_be_visible()
    assert not Response.objects.submitted().exists()

    # Answer it, then submit with the confirmation.
    missing.click()
    expect(page).to_have_url(re.compile(r"/page/1/#q-institution$"))
    expect(coordination.get_by_label("Yes")).to_be_checked()
    institution = page.get_by_label("Which ministry or agency is answering?")

    def answer_institution() -> None:
        # Typing saves after a pause; leaving the field saves at once. Both here, and waiting for
        # that save, keep the next click from racing an autosave.
        institution.fill("Ministry of Foreign Affairs")
        institution.blur()

    autosaved(page, answer_institution)
    page.get_by_role("link", name="Review and submit").click()
    # Nothing required is missing; the blocks about Mexico's other mechanisms are still empty,
    # and the review says so (submitting is still allowed).
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.get_by_role("heading", name="Parts with no answer yet")).to_be_visible()
    page.get_by_label("I confirm these answers are final").check()
    page.get_by_role("button", name="Submit answers").click()

    # The read-only view.
    expect(page).to_have_url(re.compile(r"/answers/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your answers")
    expect(page.locator("main")).to_contain_text("Ministry of Foreign Affairs")
    expect(page.locator("main input")).to_have_count(0)
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    assert set(Response.objects.values_list("status", flat=True)) == {Response.Status.SUBMITTED}
    page.screenshot(path=str(SCREENSHOT), full_page=False)


def test_save_and_continue_waits_for_the_autosave_in_flight(browser_page, invitation_link):
    """Typing, then clicking "Save and continue" while the autosave is still on its way back:
    the page save must carry the version that autosave returns. The autosave's response is held
    in the browser after the server has stored it, which is the moment the race is lost."""
    from playwright.sync_api import expect

    page = browser_page
    held = []

    def hold_response(route) -> None:
        if held:  # only the first autosave is held
            route.continue_()
        else:
            held.append((route, route.fetch()))  # the server has saved; the page does not know

    page.goto(invitation_link)
    page.get_by_role("link", name=re.compile("^Start")).click()
    expect(page).to_have_url(re.compile(r"/page/1/$"))
    page.route(re.compile(r"/autosave/"), hold_response)

    institution = page.get_by_label("Which ministry or agency is answering?")
    institution.fill("Ministry of the Interior")
    institution.blur()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the autosave did not start"

    page_posts = []

    def record_page_post(request) -> None:
        if request.method == "POST" and request.url.endswith("/page/1/"):
            page_posts.append(request)

    page.on("request", record_page_post)
    institution.fill("Ministry of Foreign Affairs")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_timeout(500)
    assert page_posts == [], "the page was saved before the autosave in flight answered"

    route, response = held[0]
    route.fulfill(response=response)
    expect(page).to_have_url(re.compile(r"/page/2/$"))
    assert len(page_posts) == 1
    page.go_back()
    page.reload()
    expect(institution).to_have_value("Ministry of Foreign Affairs")


def test_an_autosave_that_refuses_a_value_says_not_saved(
    browser_page, transactional_db, live_server, settings
):
    """The server keeps the page's valid answers and refuses "20x5" for a year: the status
    must say so, not "Saved"."""
    from playwright.sync_api import expect

    from mechanisms.services import load_reference_data

    load_reference_data(settings.REFERENCE_DATA_DIR)
    survey_round = open_round_with_shipped_questionnaires()
    rcm = RoundParticipant.objects.get(round=survey_round, mechanism__acronym="RCM")
    page = browser_page
    page.goto(f"{live_server.url}/respond/{invitation_token(rcm.invitation)}/")
    page.goto(f"{live_server.url}/my/participants/{rcm.pk}/page/2/")
    autosaved(page, lambda: page.locator("#q-has_strategy").get_by_label("Yes").check())
    since = page.locator("#q-strategy_since input")
    expect(since).to_be_visible()

    with page.expect_response(lambda r: "/autosave/" in r.url and r.request.method == "POST"):
        since.fill("20x5")
        since.blur()
    status = page.locator("[data-autosave-status]")
    expect(status).to_contain_text("Not saved")
    expect(page.locator("#q-strategy_since")).to_contain_text("Enter a whole number")

    autosaved(page, lambda: (since.fill("2015"), since.blur()))
    expect(status).to_have_text("Saved")


def test_a_combined_condition_shows_and_hides_the_question_as_answers_change(
    browser_page, invitation_link
):
    from playwright.sync_api import expect

    from assessments.questionnaires.models import Question
    from assessments.questionnaires.selectors import _published_schemas

    # National examples only when national contribution is "yes" and either bilateral
    # contribution is "yes" or a representation level is given.
    Question.objects.filter(
        questionnaire__audience="state", code="contribution_national_example"
    ).update(
        condition_question=None,
        condition_operator="",
        condition_values=[],
        condition_group={
            "all": [
                {"question": "contribution_national", "operator": "equals", "values": ["yes"]},
                {
                    "any": [
                        {
                            "question": "contribution_bilateral",
                            "operator": "equals",
                            "values": ["yes"],
                        },
                        {"question": "representation_level", "operator": "answered", "values": []},
                    ]
                },
            ]
        },
    )
    _published_schemas.clear()
    page = browser_page
    page.goto(invitation_link)
    page.get_by_role("link", name=re.compile("^Start")).click()
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/page/2/$"))

    example = page.locator("#q-contribution_national_example")
    expect(example).to_be_hidden()
    autosaved(page, lambda: page.locator("#q-contribution_national").get_by_label("Yes").check())
    expect(example).to_be_hidden()  # neither of the "any" holds yet
    bilateral = page.locator("#q-contribution_bilateral")
    autosaved(page, lambda: bilateral.get_by_label("Yes").check())
    expect(example).to_be_visible()
    autosaved(page, lambda: bilateral.get_by_label("No", exact=True).check())
    expect(example).to_be_hidden()
    levels = page.locator("#q-representation_level input[type=checkbox]")
    autosaved(page, lambda: levels.first.check())
    expect(example).to_be_visible()

    # The server decides the same on a reload.
    page.reload()
    expect(example).to_be_visible()
    autosaved(
        page,
        lambda: page.locator("#q-contribution_national").get_by_label("No", exact=True).check(),
    )
    expect(example).to_be_hidden()
