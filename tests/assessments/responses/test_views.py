"""The respondent's pages: home, questionnaire pages, autosave, submit, read-only answers, PDF."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses.models import Response
from assessments.responses.services import participant_responses, response_reopen, stored_answers
from assessments.rounds.models import RoundParticipant
from assessments.rounds.services.invitations import invitation_token
from assessments.rounds.services.rounds import round_close, round_create
from tests.factories import (
    RespondentUserFactory,
    StateFocalPointFactory,
    open_round_with_shipped_questionnaires,
)

pytestmark = pytest.mark.django_db

INSTITUTION = "Which ministry or agency is answering?"
INSTITUTION_FR = "Quel ministère ou organisme répond"
FIRST_MECHANISM_PAGE = 2  # B0 is page 1, then a B1 page per mechanism, then B2

# Query budgets, pinned: a State answering about several mechanisms, drafts already created.
# Home page, a visitor with an invitation link:
#   1. the session
#   2. the invitations remembered in the session that are still valid (access policy)
#   3. participants in open rounds, with round, party and the round's questionnaires joined
#   4. their responses, with the mechanism joined
#   5-7. the questionnaire schema: sections, questions (with conditions), choices
#   8-10. the registry lists it draws on: terms, thematic areas, GCM objectives
#   11. the answers of every response, in one query
HOME_QUERIES = 11
# A questionnaire page: the same queries, the participant looked up by id in (3).
PAGE_QUERIES = 11
# An autosave that changes a value: 1. the session, 2. the invitations (access policy), 3. the
# response, locked, with its round and questionnaire, 4. its answers, 5. the delete of the
# changed rows, 6. the insert of the new ones, 7. their history rows, 8. the version.
AUTOSAVE_QUERIES = 8
# In a test, the view's transaction is a savepoint of the test's: SAVEPOINT and RELEASE.
TEST_SAVEPOINT = 2


@pytest.fixture
def survey_round(reference_data):
    return open_round_with_shipped_questionnaires()


@pytest.fixture
def mexico(survey_round) -> RoundParticipant:
    return RoundParticipant.objects.select_related("invitation").get(
        round=survey_round, state__country="MX"
    )


@pytest.fixture
def guatemala(survey_round) -> RoundParticipant:
    return RoundParticipant.objects.get(round=survey_round, state__country="GT")


def link_of(participant: RoundParticipant) -> str:
    return reverse("assessments:invitation", args=[invitation_token(participant.invitation)])


@pytest.fixture
def respondent(client: Client, mexico: RoundParticipant) -> Client:
    """A browser session that has opened Mexico's invitation link."""
    response = client.get(link_of(mexico))
    assert response.status_code == 302
    return client


def url(name: str, *args: object) -> str:
    return reverse(f"assessments:{name}", args=args)


def once_response(participant: RoundParticipant) -> Response:
    return participant_responses(participant)[0]


def per_mechanism_responses(participant: RoundParticipant) -> list[Response]:
    return [r for r in participant_responses(participant) if r.mechanism_id]


def autosave(client: Client, response: Response, section: str, **fields: object):
    response.refresh_from_db()
    data = {"version": response.version, "section": section, **fields}
    return client.post(
        url("autosave", response.pk), data, headers={"x-requested-with": "XMLHttpRequest"}
    )


def answers_of(response: Response) -> dict:
    return stored_answers(response, questionnaire_schema(response.questionnaire))


def question_block(html: str, code: str) -> str:
    """The opening tag of a question's wrapper."""
    match = re.search(rf'<div class="question[^"]*" id="q-{code}"[^>]*>', html)
    assert match, f"question {code} not on the page"
    return match.group(0)


# --- access -----------------------------------------------------------------------------------


def test_the_invitation_link_leads_home_with_the_questionnaire_and_progress(client, mexico):
    response = client.get(link_of(mexico), follow=True)
    assert response.redirect_chain[-1][0] == url("home")
    html = response.content.decode()
    assert "Mexico" in html
    assert "Survey 2025" in html
    assert mexico.round.closes_on.isoformat() in html
    assert "Required questions answered: 0 of 1" in html
    assert url("participant", mexico.pk) in html


def test_home_without_access_offers_to_sign_in(client, survey_round):
    html = client.get(url("home")).content.decode()
    assert "There is no questionnaire for you to answer" in html
    assert url("login") in html


def test_another_participants_work_answers_404(respondent, mexico, guatemala):
    other = once_response(guatemala)
    for target in (
        url("participant", guatemala.pk),
        url("page", guatemala.pk, 1),
        url("submit", guatemala.pk),
        url("answers", guatemala.pk),
        url("answers_pdf", guatemala.pk),
    ):
        assert respondent.get(target).status_code == 404, target
    assert autosave(respondent, other, "B0", institution="Hijack").status_code == 404
    assert respondent.post(url("submit", guatemala.pk), {"confirm": "yes"}).status_code == 404
    assert answers_of(other) == {}


def test_a_page_beyond_the_last_is_404(respondent, mexico):
    assert respondent.get(url("page", mexico.pk, 99)).status_code == 404
    assert respondent.get(url("page", mexico.pk, 0)).status_code == 404


def test_revoking_the_invitation_ends_access_at_once(respondent, mexico):
    assert respondent.get(url("page", mexico.pk, 1)).status_code == 200
    mexico.invitation.revoked_at = timezone.now()
    mexico.invitation.save()
    assert respondent.get(url("page", mexico.pk, 1)).status_code == 404
    assert autosave(respondent, once_response(mexico), "B0", institution="X").status_code == 404
    assert "There is no questionnaire" in respondent.get(url("home")).content.decode()


def test_a_focal_point_with_an_account_signs_in_and_sees_only_its_participant(
    client, mexico, guatemala
):
    user = RespondentUserFactory()
    StateFocalPointFactory(state=mexico.state, user=user)
    response = client.post(
        url("login"), {"username": user.username, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("home")
    html = client.get(url("home")).content.decode()
    assert "Mexico" in html
    assert "Guatemala" not in html
    assert client.get(url("page", mexico.pk, 1)).status_code == 200
    assert client.get(url("page", guatemala.pk, 1)).status_code == 404


def test_a_round_not_yet_open_is_out_of_reach(client, mexico):
    """A focal point's account reaches every round of its State: a draft one answers 404."""
    draft = round_create(
        name="Survey 2026",
        slug="round-2026",
        year=2026,
        opens_on=mexico.round.opens_on,
        closes_on=mexico.round.closes_on,
        questionnaires={q.audience: q for q in Questionnaire.objects.published()},
    )
    participant = RoundParticipant.objects.get(round=draft, state=mexico.state)
    user = RespondentUserFactory()
    StateFocalPointFactory(state=mexico.state, user=user)
    client.force_login(user)
    for name in ("participant", "answers", "submit"):
        assert client.get(url(name, participant.pk)).status_code == 404
    assert "Survey 2026" not in client.get(url("home")).content.decode()
    assert not Response.objects.filter(participant=participant).exists()


def test_after_the_round_closes_the_answers_stay_readable(respondent, mexico):
    autosave(respondent, once_response(mexico), "B0", institution="Ministry")
    round_close(survey_round=mexico.round)
    assert respondent.get(url("page", mexico.pk, 1))["Location"] == url("answers", mexico.pk)
    assert "Ministry" in respondent.get(url("answers", mexico.pk)).content.decode()
    assert autosave(respondent, once_response(mexico), "B0", institution="Late").status_code == 400


def test_the_sign_in_page_renders(client, db):
    response = client.get(url("login"))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


# --- pages ------------------------------------------------------------------------------------


def test_a_state_gets_one_page_per_once_section_and_one_per_mechanism(respondent, mexico):
    mechanisms = [r.mechanism for r in per_mechanism_responses(mexico)]
    assert len(mechanisms) >= 2
    html = respondent.get(url("page", mexico.pk, 1)).content.decode()
    pages = len(mechanisms) + 2  # B0, B1 once per mechanism, B2
    assert f"Page 1 of {pages}" in html
    assert html.count("<h1") == 1
    first = mechanisms[0]
    html = respondent.get(url("page", mexico.pk, 2)).content.decode()
    assert f"{first.acronym}: {first.name}" in html
    assert f'action="{url("page", mexico.pk, 2)}"' in html
    response = per_mechanism_responses(mexico)[0]
    assert f'data-autosave-url="{url("autosave", response.pk)}"' in html
    assert f'name="version" value="{response.version}"' in html
    assert '<progress max="' in html


def test_resume_goes_to_the_first_page_missing_a_required_answer(respondent, mexico):
    assert respondent.get(url("participant", mexico.pk))["Location"] == url("page", mexico.pk, 1)


# --- autosave ---------------------------------------------------------------------------------


def test_autosave_saves_and_returns_the_new_version(respondent, mexico):
    response = once_response(mexico)
    before = response.version
    reply = autosave(
        respondent,
        response,
        "B0",
        institution="Ministry of Foreign Affairs",
        national_coordination="yes",
    )
    assert reply.status_code == 200
    assert reply.json() == {"saved": True, "version": before + 1, "errors": {}}
    assert answers_of(response) == {
        "institution": "Ministry of Foreign Affairs",
        "national_coordination": "yes",
    }


def test_a_reload_shows_the_saved_answers(respondent, mexico):
    autosave(respondent, once_response(mexico), "B0", institution="Ministry of the Interior")
    html = respondent.get(url("page", mexico.pk, 1)).content.decode()
    assert 'value="Ministry of the Interior"' in html


def test_a_stale_version_is_refused_and_writes_nothing(respondent, mexico):
    response = once_response(mexico)
    autosave(respondent, response, "B0", institution="First")
    response.refresh_from_db()
    reply = respondent.post(
        url("autosave", response.pk),
        {"version": response.version - 1, "section": "B0", "institution": "Second"},
    )
    assert reply.status_code == 409
    assert reply.json()["version"] == response.version
    assert answers_of(response) == {"institution": "First"}


@pytest.mark.parametrize("data", [{"version": "x", "section": "B0"}, {"section": "B0"}])
def test_a_missing_or_bad_version_is_400(respondent, mexico, data):
    response = once_response(mexico)
    assert respondent.post(url("autosave", response.pk), data).status_code == 400


def test_a_section_of_another_scope_is_400(respondent, mexico):
    # B1 is per mechanism: the once-answered response cannot take it.
    assert autosave(respondent, once_response(mexico), "B1", relevance="3").status_code == 400


def test_autosave_is_post_only(respondent, mexico):
    assert respondent.get(url("autosave", once_response(mexico).pk)).status_code == 405


def test_an_invalid_answer_is_reported_by_code_and_the_rest_is_saved(respondent, mexico):
    response = once_response(mexico)
    reply = autosave(
        respondent, response, "B0", institution="Ministry", national_coordination="maybe"
    )
    assert reply.status_code == 200
    body = reply.json()
    assert list(body["errors"]) == ["national_coordination"]
    assert answers_of(response) == {"institution": "Ministry"}


def test_autosave_leaves_other_sections_alone_and_clears_emptied_fields(respondent, mexico):
    response = once_response(mexico)
    autosave(respondent, response, "B2", recommendations="Meet more often")
    autosave(respondent, response, "B0", institution="Ministry", national_coordination="yes")
    assert answers_of(response)["recommendations"] == "Meet more often"
    autosave(respondent, response, "B0", institution="Ministry", national_coordination="")
    assert answers_of(response) == {"institution": "Ministry", "recommendations": "Meet more often"}


def test_a_conditional_question_shows_once_its_condition_holds(respondent, mexico):
    page = url("page", mexico.pk, FIRST_MECHANISM_PAGE)
    assert " hidden" in question_block(
        respondent.get(page).content.decode(), "contribution_national_types"
    )
    response = per_mechanism_responses(mexico)[0]
    reply = autosave(respondent, response, "B1", contribution_national="yes")
    assert reply.json()["errors"] == {}
    html = respondent.get(page).content.decode()
    assert " hidden" not in question_block(html, "contribution_national_types")


def test_the_server_drops_answers_to_hidden_questions(respondent, mexico):
    response = per_mechanism_responses(mexico)[0]
    autosave(
        respondent, response, "B1", contribution_national="no", contribution_national_example="x"
    )
    assert answers_of(response) == {"contribution_national": "no"}


# --- without JavaScript -------------------------------------------------------------------------


def test_the_page_form_saves_and_moves_on_without_javascript(respondent, mexico):
    response = once_response(mexico)
    reply = respondent.post(
        url("page", mexico.pk, 1),
        {"version": response.version, "section": "B0", "institution": "Ministry", "go": "2"},
    )
    assert reply.status_code == 302
    assert reply["Location"] == url("page", mexico.pk, 2)
    assert answers_of(response) == {"institution": "Ministry"}


def test_moving_on_with_a_required_question_blank_says_so_at_once(respondent, mexico):
    response = once_response(mexico)
    data = {"version": response.version, "section": "B0", "national_coordination": "yes", "go": "2"}
    moved = respondent.post(url("page", mexico.pk, 1), data, follow=True)
    assert moved.redirect_chain[-1][0] == url("page", mexico.pk, 2)  # moving on is allowed
    assert "A required question of" in moved.text and INSTITUTION in moved.text

    response.refresh_from_db()
    data = {"version": response.version, "section": "B0", "institution": "Ministry", "go": "2"}
    answered = respondent.post(url("page", mexico.pk, 1), data, follow=True)
    assert "A required question of" not in answered.text


def test_the_last_page_form_leads_to_review(respondent, mexico):
    pages = len(per_mechanism_responses(mexico)) + 2
    response = once_response(mexico)
    reply = respondent.post(
        url("page", mexico.pk, pages),
        {"version": response.version, "section": "B2", "go": "review"},
    )
    assert reply["Location"] == url("submit", mexico.pk)


def test_the_page_form_shows_errors_next_to_the_question(respondent, mexico):
    response = once_response(mexico)
    reply = respondent.post(
        url("page", mexico.pk, 1),
        {"version": response.version, "section": "B0", "national_coordination": "maybe", "go": "2"},
    )
    assert reply.status_code == 200
    html = reply.content.decode()
    assert 'id="national_coordination-error">Answer yes or no.</p>' in html
    assert 'href="#q-national_coordination"' in html


def test_a_stale_page_form_with_the_same_answers_moves_on(respondent, mexico):
    """An autosave of the same values got there first: nothing to save, go on."""
    response = once_response(mexico)
    stale = response.version
    autosave(respondent, response, "B0", institution="Ministry")
    data = {"version": stale, "section": "B0", "institution": "Ministry", "go": "2"}
    assert respondent.post(url("page", mexico.pk, 1), data).status_code == 302
    data["institution"] = "Another ministry"
    reply = respondent.post(url("page", mexico.pk, 1), data)
    assert reply.status_code == 409
    assert answers_of(response) == {"institution": "Ministry"}


# --- submit -------------------------------------------------------------------------------------


def test_review_lists_what_is_missing_by_section(respondent, mexico):
    html = respondent.get(url("submit", mexico.pk)).content.decode()
    assert "Respondent" in html
    assert f'href="{url("page", mexico.pk, 1)}#q-institution"' in html
    assert INSTITUTION in html


def test_review_lists_the_blocks_about_mechanisms_that_have_no_answer(respondent, mexico):
    autosave(respondent, once_response(mexico), "B0", institution="Ministry")
    blocks = per_mechanism_responses(mexico)
    assert len(blocks) >= 2
    autosave(respondent, blocks[0], "B1", contribution_national="yes")

    html = respondent.get(url("submit", mexico.pk)).content.decode()

    assert "Every required question is answered." not in html
    assert "Parts with no answer yet" in html
    listed = re.findall(
        r'<section class="missing" aria-labelledby="empty-title">.*?</section>', html, re.S
    )
    (empty,) = listed
    assert blocks[0].mechanism.acronym not in empty
    for block in blocks[1:]:
        assert block.mechanism.acronym in empty
    for block in blocks[1:]:
        autosave(respondent, block, "B1", contribution_national="dk")
    html = respondent.get(url("submit", mexico.pk)).content.decode()
    assert "Every required question is answered." in html and "Parts with no answer" not in html


def test_submit_with_a_missing_answer_shows_it_and_submits_nothing(respondent, mexico):
    reply = respondent.post(url("submit", mexico.pk), {"confirm": "yes"})
    assert reply.status_code == 400
    html = reply.content.decode()
    assert "Your answers have not been submitted" in html
    assert INSTITUTION in html
    assert not Response.objects.filter(participant=mexico).submitted().exists()


def test_submit_needs_the_confirmation(respondent, mexico):
    autosave(respondent, once_response(mexico), "B0", institution="Ministry")
    reply = respondent.post(url("submit", mexico.pk), {})
    assert reply.status_code == 400
    assert "Please confirm that these answers are final." in reply.content.decode()
    assert not Response.objects.filter(participant=mexico).submitted().exists()


def test_submit_then_the_answers_are_read_only(respondent, mexico):
    response = once_response(mexico)
    autosave(respondent, response, "B0", institution="Ministry of Foreign Affairs")
    reply = respondent.post(url("submit", mexico.pk), {"confirm": "yes"}, follow=True)
    assert reply.redirect_chain == [(url("answers", mexico.pk), 302)]
    statuses = set(Response.objects.filter(participant=mexico).values_list("status", flat=True))
    assert statuses == {Response.Status.SUBMITTED}
    html = reply.content.decode()
    assert "your answers have been submitted" in html
    assert "Ministry of Foreign Affairs" in html
    assert "<input" not in html.split("<main", 1)[1].split("</main>")[0]
    assert autosave(respondent, response, "B0", institution="Changed").status_code == 400
    assert respondent.get(url("page", mexico.pk, 1))["Location"] == url("answers", mexico.pk)
    assert respondent.get(url("submit", mexico.pk))["Location"] == url("answers", mexico.pk)
    assert "View your answers" in respondent.get(url("home")).content.decode()


def test_a_reopened_response_can_be_changed_again(respondent, mexico):
    autosave(respondent, once_response(mexico), "B0", institution="Ministry")
    respondent.post(url("submit", mexico.pk), {"confirm": "yes"})
    response_reopen(response=once_response(mexico))
    html = respondent.get(url("page", mexico.pk, 1)).content.decode()
    assert "data-autosave-url" in html
    html = respondent.get(url("page", mexico.pk, 2)).content.decode()
    assert "can no longer be changed" in html
    assert "data-autosave-url" not in html
    assert autosave(respondent, once_response(mexico), "B0", institution="New").status_code == 200


def test_the_answers_download_as_pdf(respondent, mexico):
    autosave(respondent, once_response(mexico), "B0", institution="Ministry of Foreign Affairs")
    reply = respondent.get(url("answers_pdf", mexico.pk))
    assert reply.status_code == 200
    assert reply["Content-Type"] == "application/pdf"
    assert reply["Content-Disposition"].startswith("attachment;")
    assert reply.content.startswith(b"%PDF")


# --- language -----------------------------------------------------------------------------------


def test_in_french_the_questions_are_in_french(respondent, mexico):
    respondent.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = respondent.get(url("page", mexico.pk, 1)).content.decode()
    assert '<html lang="fr">' in html
    assert INSTITUTION_FR in html
    assert INSTITUTION not in html


# --- queries ------------------------------------------------------------------------------------


def answer_everything_on_the_first_mechanism_page(client: Client, mexico: RoundParticipant):
    response = per_mechanism_responses(mexico)[0]
    levels = ["national", "bilateral", "regional", "interregional", "global"]
    fields = {f"contribution_{level}": "yes" for level in levels}
    fields |= {f"contribution_{level}_example": f"Example {level}" for level in levels}
    fields |= {"relevance": "4", "structure_satisfaction": "3", "covers_own_travel": "yes"}
    assert autosave(client, response, "B1", **fields).json()["errors"] == {}


def test_home_query_count_is_pinned_and_does_not_grow_with_answers(
    respondent, mexico, django_assert_max_num_queries
):
    respondent.get(url("home"))  # first visit: creates the draft responses
    with django_assert_max_num_queries(HOME_QUERIES):
        respondent.get(url("home"))
    autosave(
        respondent, once_response(mexico), "B0", institution="Ministry", national_coordination="no"
    )
    answer_everything_on_the_first_mechanism_page(respondent, mexico)
    with django_assert_max_num_queries(HOME_QUERIES):
        html = respondent.get(url("home")).content.decode()
    assert "Required questions answered: 1 of 1" in html


def test_page_query_count_is_pinned_and_does_not_grow_with_answers(
    respondent, mexico, django_assert_max_num_queries
):
    page = url("page", mexico.pk, FIRST_MECHANISM_PAGE)
    respondent.get(page)
    with django_assert_max_num_queries(PAGE_QUERIES):
        respondent.get(page)
    answer_everything_on_the_first_mechanism_page(respondent, mexico)
    with django_assert_max_num_queries(PAGE_QUERIES):
        html = respondent.get(page).content.decode()
    assert 'value="Example global"' not in html  # a long text: in a textarea
    assert "Example global</textarea>" in html


def test_the_read_only_view_has_no_duplicate_element_ids(respondent, mexico):
    """A State answers the per-mechanism section once per mechanism; the read-only view shows
    them all, and ids must stay unique for assistive technology."""
    import re
    from collections import Counter

    assert len(per_mechanism_responses(mexico)) > 1
    html = respondent.get(url("answers", mexico.pk)).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [name for name, count in ids.items() if count > 1] == []


def test_an_autosave_takes_at_most_its_query_budget_and_writes_the_invitation_once(
    respondent, mexico, django_assert_max_num_queries
):
    response = once_response(mexico)
    autosave(respondent, response, "B0", institution="First")
    mexico.invitation.refresh_from_db()
    assert mexico.invitation.status == "in_progress"
    for value in ("Second", "Third"):  # a changed value: delete, insert and history
        response.refresh_from_db()
        data = {"version": response.version, "section": "B0", "institution": value}
        with django_assert_max_num_queries(AUTOSAVE_QUERIES + TEST_SAVEPOINT) as captured:
            assert respondent.post(url("autosave", response.pk), data).status_code == 200
        sql = [q["sql"] for q in captured.captured_queries]
        assert len([q for q in sql if "SAVEPOINT" not in q]) <= AUTOSAVE_QUERIES
        assert not [q for q in sql if "assessments_invitation" in q and "UPDATE" in q]
    assert answers_of(response) == {"institution": "Third"}
