"""Questionnaire authoring in the admin: read-only published versions, actions, import, export,
preview, and the structure checks of questions edited in a draft."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import html

from assessments.questionnaires.models import Choice, Question, Questionnaire
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.services import questionnaire_new_version, questionnaire_to_dict
from assessments.questionnaires.shipped import SHIPPED_DIR, load_shipped_questionnaires
from mechanisms.services import load_reference_data

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "fr", "es")


@pytest.fixture
def shipped(settings) -> dict[str, Questionnaire]:
    """The three shipped questionnaires (published), by key."""
    load_reference_data(settings.REFERENCE_DATA_DIR)
    load_shipped_questionnaires()
    return {q.key: q for q in Questionnaire.objects.all()}


@pytest.fixture
def draft(shipped) -> Questionnaire:
    """Version 2 of the mechanism questionnaire: a valid draft."""
    return questionnaire_new_version(questionnaire=shipped["mechanism"])


def url(name: str, *args: Any) -> str:
    return reverse(f"admin:assessments_{name}", args=args)


def page(response: Any) -> Any:
    return html.fromstring(response.content.decode())


def structure(questionnaire: Questionnaire) -> dict[str, Any]:
    data = questionnaire_to_dict(questionnaire)
    del data["version"], data["status"]
    return data


def run_action(client: Any, action: str, *questionnaires: Questionnaire) -> Any:
    data = {"action": action, "_selected_action": [q.pk for q in questionnaires]}
    return client.post(url("questionnaire_changelist"), data, follow=True)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- pages load -------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_questionnaire_pages_load_in_every_language(admin_client, shipped, language) -> None:
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    response = admin_client.get(url("questionnaire_changelist"), **headers)
    assert response.status_code == 200
    for questionnaire in shipped.values():
        assert questionnaire.key in response.content.decode()
        change = admin_client.get(url("questionnaire_change", questionnaire.pk), **headers)
        assert change.status_code == 200
        question = questionnaire.questions.first()
        assert admin_client.get(url("question_change", question.pk), **headers).status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_section_previews_in_every_language(admin_client, shipped, language) -> None:
    for questionnaire in shipped.values():
        schema = questionnaire_schema(questionnaire)
        for section in schema.sections:
            response = admin_client.get(
                url("questionnaire_preview", questionnaire.pk),
                {"lang": language, "section": section.code},
            )
            assert response.status_code == 200
            text = page(response).text_content()
            first = schema.questions[section.question_codes[0]]
            assert first.text(language) in text
            assert section.title(language) in text


def test_the_french_preview_shows_french_texts(admin_client, shipped) -> None:
    response = admin_client.get(
        url("questionnaire_preview", shipped["mechanism"].pk), {"lang": "fr", "section": "A1"}
    )
    doc = page(response)
    assert doc.get("lang") == "fr"
    assert "Le mécanisme dispose-t-il d'une stratégie" in doc.text_content()
    assert doc.xpath("//form[@data-questionnaire]//fieldset[@data-section='A1']")
    assert not doc.xpath("//form[@data-autosave-url]")  # a preview never saves
    nav = [a.text_content() for a in doc.xpath("//nav[contains(@class, 'q-nav')]//a")]
    assert len(nav) == 6 and nav[1].startswith("A1. Programmation")


def test_a_per_mechanism_section_is_previewed_for_the_first_active_mechanism(
    admin_client, shipped
) -> None:
    from mechanisms.models import Mechanism

    mechanism = Mechanism.objects.filter(status="active").order_by("acronym").first()
    response = admin_client.get(
        url("questionnaire_preview", shipped["state"].pk), {"section": "B1"}
    )
    legend = page(response).xpath("//fieldset[@data-section='B1']/legend")[0].text_content()
    assert f"— {mechanism.acronym}: {mechanism.name}" in legend


def test_checking_answers_in_the_preview_shows_errors_and_saves_nothing(
    admin_client, shipped
) -> None:
    target = url("questionnaire_preview", shipped["mechanism"].pk) + "?section=A1"
    response = admin_client.post(target, {"strategy_since": "1700", "has_strategy": "YES"})
    doc = page(response)
    assert (
        "This question is required." in doc.get_element_by_id("thematic_areas_current-error").text
    )
    assert "Enter a value of at least" in doc.get_element_by_id("strategy_since-error").text
    assert doc.get_element_by_id("id_strategy_since").get("value") == "1700"


def test_the_preview_is_for_staff_only(client, shipped) -> None:
    response = client.get(url("questionnaire_preview", shipped["state"].pk))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- published versions are read-only --------------------------------------------------------


def test_a_published_questionnaire_cannot_be_changed(admin_client, shipped) -> None:
    questionnaire = shipped["mechanism"]
    response = admin_client.get(url("questionnaire_change", questionnaire.pk))
    doc = page(response)
    assert not doc.xpath("//input[@name='_save']")
    assert not doc.xpath("//input[@name='sections-0-code']")
    post = admin_client.post(url("questionnaire_change", questionnaire.pk), {"title": "Changed"})
    assert post.status_code == 403
    assert admin_client.get(url("questionnaire_delete", questionnaire.pk)).status_code == 403
    questionnaire.refresh_from_db()
    assert questionnaire.title != "Changed"


def test_a_published_questionnaire_cannot_be_reverted_to_a_draft_state(admin_client, draft) -> None:
    draft_state = draft.history.latest()
    run_action(admin_client, "publish", draft)
    target = url("questionnaire_simple_history", draft.pk, draft_state.history_id)
    assert b'value="Revert"' not in admin_client.get(target).content
    assert admin_client.post(target, {"title": "Reverted"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Questionnaire.Status.PUBLISHED


def test_questions_of_a_published_questionnaire_cannot_be_changed(admin_client, shipped) -> None:
    question = shipped["state"].questions.first()
    doc = page(admin_client.get(url("question_change", question.pk)))
    assert not doc.xpath("//input[@name='_save']")
    assert not doc.xpath("//input[starts-with(@name, 'choices-0-')]")
    post = admin_client.post(url("question_change", question.pk), {"text": "Changed"})
    assert post.status_code == 403
    assert (
        admin_client.post(url("question_delete", question.pk), {"post": "yes"}).status_code == 403
    )
    assert Question.objects.get(pk=question.pk).text != "Changed"


def test_a_draft_and_its_questions_can_be_edited(admin_client, draft) -> None:
    doc = page(admin_client.get(url("questionnaire_change", draft.pk)))
    assert doc.xpath("//input[@name='_save']")
    assert doc.xpath("//input[@name='sections-0-code']")
    links = doc.xpath("//a[contains(@href, '/assessments/question/')]")
    assert len({a.get("href") for a in links if a.get("href").endswith("/change/")}) == (
        draft.questions.count()
    )
    question = draft.questions.get(code="has_strategy")
    response = edit_question(admin_client, question, text="Is there a strategy?")
    assert response.status_code == 302
    assert Question.objects.get(pk=question.pk).text == "Is there a strategy?"
    # Saving a question returns to its questionnaire, not to the list of all questions.
    assert response["Location"] == url("questionnaire_change", draft.pk)


def test_conditions_can_only_point_at_questions_of_the_same_version(admin_client, draft) -> None:
    question = draft.questions.get(code="strategy_since")
    doc = page(admin_client.get(url("question_change", question.pk)))
    options = doc.xpath("//select[@name='condition_question']/option[@value!='']")
    assert len(options) == draft.questions.count() - 1
    assert {int(o.get("value")) for o in options} <= set(
        draft.questions.values_list("pk", flat=True)
    )


def test_a_question_is_added_to_a_draft_with_its_choices(admin_client, draft) -> None:
    target = url("question_add") + f"?questionnaire={draft.pk}"
    doc = page(admin_client.get(target))
    sections = doc.xpath("//select[@name='section']/option[@value!='']")
    assert len(sections) == draft.sections.count()
    data = dict(doc.get_element_by_id("question_form").form_values())
    a1 = draft.sections.get(code="A1")
    data.update({
        "questionnaire": str(draft.pk), "section": str(a1.pk), "code": "has_board",
        "position": "99", "type": "single", "text": "Is there a board?",
        "choice_source": "local", "summary_section": "3", "choices-TOTAL_FORMS": "2",
        "choices-0-kind": "option", "choices-0-code": "YES", "choices-0-position": "0",
        "choices-0-label": "Yes", "choices-1-kind": "option", "choices-1-code": "NO",
        "choices-1-position": "1", "choices-1-label": "No", "_save": "Save",
    })  # fmt: skip
    response = admin_client.post(target, data)
    assert response.status_code == 302, form_errors(response)
    question = draft.questions.get(code="has_board")
    assert response["Location"] == url("questionnaire_change", draft.pk)
    assert list(question.choices.values_list("code", flat=True)) == ["YES", "NO"]
    assert questionnaire_to_dict(draft)["sections"][1]["questions"][-1]["code"] == "has_board"


def test_questions_cannot_be_added_to_a_published_questionnaire(admin_client, shipped) -> None:
    target = url("question_add") + f"?questionnaire={shipped['state'].pk}"
    assert admin_client.get(target).status_code == 403


# --- structure checks of a question edited in a draft -----------------------------------------


def edit_question(client: Any, question: Question, **changes: Any) -> Any:
    """Post the question's admin form as shown, with `changes` applied."""
    target = url("question_change", question.pk)
    form = page(client.get(target)).get_element_by_id("question_form")
    data: dict[str, Any] = {}
    for name, value in form.form_values():
        data.setdefault(name, value)
    data.update({k: v for k, v in changes.items()})
    data = {k: v for k, v in data.items() if v is not None}
    data["_save"] = "Save"
    return client.post(target, data)


def form_errors(response: Any) -> str:
    return " ".join(
        e.text_content() for e in page(response).xpath("//ul[contains(@class, 'errorlist')]")
    )


def test_a_condition_on_a_later_question_is_refused(admin_client, draft) -> None:
    question = draft.questions.get(code="has_strategy")
    later = draft.questions.get(code="strategy_since")
    response = edit_question(
        admin_client,
        question,
        condition_question=str(later.pk),
        condition_operator="equals",
        condition_values="YES",
    )
    assert response.status_code == 200
    assert "is not an earlier question" in form_errors(response)
    assert Question.objects.get(pk=question.pk).condition_question is None


def test_a_condition_on_itself_is_refused(admin_client, draft) -> None:
    question = draft.questions.get(code="strategy_since")
    response = edit_question(admin_client, question, condition_question=str(question.pk))
    assert response.status_code == 200
    assert Question.objects.get(pk=question.pk).condition_question.code == "has_strategy"


def test_an_operator_that_does_not_fit_the_target_is_refused(admin_client, draft) -> None:
    question = draft.questions.get(code="contribution_national_example")
    target = draft.questions.get(code="contribution_national_types")  # multiple choice
    response = edit_question(
        admin_client,
        question,
        condition_question=str(target.pk),
        condition_operator="equals",
        condition_values="POLICY",
    )
    assert response.status_code == 200
    assert "use “includes” or “excludes” for a multiple choice question" in form_errors(response)


def test_a_choice_question_without_choices_is_refused(admin_client, draft) -> None:
    question = draft.questions.get(code="has_strategy")
    response = edit_question(admin_client, question, choice_source="")
    assert response.status_code == 200
    assert "a choice source is needed" in form_errors(response)


def test_changing_the_type_of_a_condition_target_is_refused(admin_client, draft) -> None:
    question = draft.questions.get(code="has_strategy")
    response = edit_question(admin_client, question, type="text", choice_source="")
    assert response.status_code == 200
    errors = form_errors(response)
    assert "strategy_since" in errors and "must be a choice, yes/no or number question" in errors


def test_local_choices_are_checked_with_the_question(admin_client, draft) -> None:
    question = draft.questions.get(code="has_strategy")
    deletions = {
        f"choices-{i}-DELETE": "on" for i in range(question.choices.count())
    }  # every choice removed
    response = edit_question(admin_client, question, **deletions)
    assert response.status_code == 200
    assert "at least one choice" in form_errors(response)
    assert question.choices.count() > 0


# --- actions ----------------------------------------------------------------------------------


def test_publishing_a_valid_draft_publishes_it(admin_client, draft) -> None:
    response = run_action(admin_client, "publish", draft)
    draft.refresh_from_db()
    assert draft.status == Questionnaire.Status.PUBLISHED and draft.published_at
    assert any("Published" in m for m in messages_of(response))


def test_publishing_an_invalid_draft_lists_the_errors_and_keeps_it_a_draft(
    admin_client, draft
) -> None:
    later = draft.questions.get(code="strategy_since")
    Question.objects.filter(pk=draft.questions.get(code="has_strategy").pk).update(
        condition_question=later, condition_operator="equals", condition_values=["YES"]
    )
    response = run_action(admin_client, "publish", draft)
    draft.refresh_from_db()
    assert draft.status == Questionnaire.Status.DRAFT and draft.published_at is None
    errors = [m for m in messages_of(response) if "not an earlier question" in m]
    assert errors and all(m.startswith(str(draft)) for m in errors)


def test_a_new_version_is_a_draft_with_the_same_structure(admin_client, shipped) -> None:
    original = shipped["organization"]
    response = run_action(admin_client, "new_version", original)
    created = Questionnaire.objects.get(key="organization", version=2)
    assert created.status == Questionnaire.Status.DRAFT
    assert structure(created) == structure(original)
    message = page(response).xpath("//ul[@class='messagelist']/li/a")[0]
    assert message.get("href") == url("questionnaire_change", created.pk)


def test_retiring_works_for_published_versions_only(admin_client, shipped, draft) -> None:
    response = run_action(admin_client, "retire", shipped["state"], draft)
    shipped["state"].refresh_from_db()
    draft.refresh_from_db()
    assert shipped["state"].status == Questionnaire.Status.RETIRED
    assert draft.status == Questionnaire.Status.DRAFT
    assert any("Only a published questionnaire" in m for m in messages_of(response))


# --- import and export ------------------------------------------------------------------------


def upload(client: Any, name: str, content: bytes) -> Any:
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(url("questionnaire_import"), {"file": file})


def shipped_file(name: str = "state") -> dict[str, Any]:
    return json.loads((SHIPPED_DIR / f"{name}.json").read_text(encoding="utf-8"))


def test_the_changelist_links_to_the_import(admin_client, shipped) -> None:
    doc = page(admin_client.get(url("questionnaire_changelist")))
    assert doc.xpath(f"//a[@href='{url('questionnaire_import')}']")
    assert admin_client.get(url("questionnaire_import")).status_code == 200


def test_a_valid_json_file_is_imported(admin_client, shipped) -> None:
    data = shipped_file()
    data.update(version=3, status="draft")
    response = upload(admin_client, "state.json", json.dumps(data).encode())
    created = Questionnaire.objects.get(key="state", version=3)
    assert response.status_code == 302
    assert response["Location"] == url("questionnaire_change", created.pk)
    assert created.status == Questionnaire.Status.DRAFT
    assert created.questions.count() == shipped["state"].questions.count()


def test_an_invalid_json_file_lists_every_error_and_writes_nothing(admin_client, shipped) -> None:
    data = shipped_file()
    data["version"] = 3
    data["sections"][0]["questions"][0]["type"] = "colour"
    data["sections"][1]["questions"][1]["condition"] = {
        "question": "nowhere",
        "operator": "equals",
        "values": ["yes"],
    }
    counts = (Questionnaire.objects.count(), Question.objects.count(), Choice.objects.count())
    response = upload(admin_client, "state.json", json.dumps(data).encode())
    assert response.status_code == 200
    errors = page(response).xpath("//ul[contains(@class, 'errorlist')]/li")
    messages = [e.text_content() for e in errors]
    assert any(".type: one of" in m for m in messages)
    assert any("“nowhere” is not an earlier question" in m for m in messages)
    assert counts == (
        Questionnaire.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
    )


def test_a_file_that_is_not_json_is_refused(admin_client, shipped) -> None:
    response = upload(admin_client, "state.json", b"{not json")
    assert response.status_code == 200
    assert "not valid JSON" in page(response).text_content()
    assert Questionnaire.objects.count() == 3


def test_a_text_file_is_refused(admin_client, shipped) -> None:
    response = upload(admin_client, "questionnaire.txt", json.dumps(shipped_file()).encode())
    assert response.status_code == 200
    assert "Upload a .json, an .xlsx or an .xls file." in page(response).text_content()
    assert Questionnaire.objects.count() == 3


def test_an_xlsx_that_is_not_a_workbook_is_refused(admin_client, shipped) -> None:
    response = upload(admin_client, "form.xlsx", b"hello")
    assert response.status_code == 200
    assert "not an Excel workbook" in page(response).text_content()


def test_the_json_export_downloads_the_questionnaire(admin_client, shipped) -> None:
    questionnaire = shipped["mechanism"]
    response = admin_client.get(url("questionnaire_export", questionnaire.pk, "json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert 'filename="mechanism-v1.json"' in response["Content-Disposition"]
    assert json.loads(response.content) == questionnaire_to_dict(questionnaire)


def test_the_xlsx_export_downloads_a_workbook(admin_client, shipped) -> None:
    pytest.importorskip("assessments.questionnaires.xlsform")
    response = admin_client.get(url("questionnaire_export", shipped["state"].pk, "xlsx"))
    assert response.status_code == 200
    assert response.content.startswith(b"PK")
    assert 'filename="state-v1.xlsx"' in response["Content-Disposition"]


def test_an_xlsform_exported_here_imports_under_another_key(admin_client, shipped) -> None:
    pytest.importorskip("assessments.questionnaires.xlsform")
    original = shipped["state"]
    content = admin_client.get(url("questionnaire_export", original.pk, "xlsx")).content
    file = SimpleUploadedFile("state.xlsx", content, content_type="application/octet-stream")
    response = admin_client.post(url("questionnaire_import"), {"file": file, "key": "state-copy"})
    assert response.status_code == 302
    copy = Questionnaire.objects.get(key="state-copy")
    assert structure(copy) | {"key": "state"} == structure(original)


def test_an_xlsform_of_an_existing_version_is_refused(admin_client, shipped) -> None:
    pytest.importorskip("assessments.questionnaires.xlsform")
    content = admin_client.get(url("questionnaire_export", shipped["state"].pk, "xlsx")).content
    response = upload(admin_client, "state.xlsx", content)
    assert response.status_code == 200
    assert "already exists" in page(response).text_content()
    assert Questionnaire.objects.count() == 3


def combined(*tests: dict) -> str:
    return json.dumps({"all": list(tests)})


NATIONAL_YES = {"question": "contribution_national", "operator": "equals", "values": ["yes"]}
SOME_TYPES = {"question": "contribution_national_types", "operator": "answered", "values": []}


def test_a_combined_condition_is_saved_and_exported(admin_client, draft) -> None:
    question = draft.questions.get(code="contribution_national_example")
    response = edit_question(
        admin_client,
        question,
        condition_question="",
        condition_group=combined(NATIONAL_YES, SOME_TYPES),
    )
    assert response.status_code == 302, form_errors(response)
    saved = Question.objects.get(pk=question.pk)
    assert (saved.condition_question, saved.condition_group) == (
        None,
        {"all": [NATIONAL_YES, SOME_TYPES]},
    )
    exported = questionnaire_to_dict(draft)
    by_code = {q["code"]: q for s in exported["sections"] for q in s["questions"]}
    assert by_code["contribution_national_example"]["condition"] == {
        "all": [NATIONAL_YES, SOME_TYPES]
    }


def test_a_combined_condition_with_a_bad_test_is_refused_on_its_field(admin_client, draft) -> None:
    question = draft.questions.get(code="contribution_national_example")
    ghost = {"question": "ghost", "operator": "equals", "values": ["yes"]}
    response = edit_question(
        admin_client, question, condition_question="", condition_group=combined(NATIONAL_YES, ghost)
    )
    assert response.status_code == 200
    field = page(response).xpath("//div[contains(@class, 'field-condition_group')]")[0]
    assert "“ghost” is not an earlier question" in field.text_content()
    assert Question.objects.get(pk=question.pk).condition_group is None


def test_a_single_and_a_combined_condition_together_are_refused(admin_client, draft) -> None:
    question = draft.questions.get(code="contribution_national_example")
    response = edit_question(
        admin_client, question, condition_group=combined(NATIONAL_YES, SOME_TYPES)
    )
    assert response.status_code == 200
    assert "either a single condition or a combined one" in form_errors(response)


def test_a_question_named_in_a_combined_condition_cannot_be_deleted_alone(
    admin_client, draft
) -> None:
    dependent = draft.questions.get(code="contribution_national_example")
    dependent.condition_question, dependent.condition_operator = None, ""
    dependent.condition_values, dependent.condition_group = [], {"all": [NATIONAL_YES, SOME_TYPES]}
    dependent.save()
    target = draft.questions.get(code="contribution_national_types")

    response = admin_client.post(url("question_delete", target.pk), {"post": "yes"})

    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in response.text
    assert "contribution_national_example" in response.text
    assert Question.objects.filter(pk=target.pk).exists()
