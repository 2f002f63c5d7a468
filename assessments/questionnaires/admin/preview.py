"""The preview of a questionnaire as a respondent sees it, and the check of a section's answers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext

from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.schema import QuestionnaireSchema, SectionSpec
from assessments.questionnaires.validation import validate_answers
from mechanisms.models import Mechanism
from mechanisms.translation import LANGUAGE_CODES


def preview_context(
    request: HttpRequest, questionnaire: Questionnaire, schema: QuestionnaireSchema, language: str
) -> dict[str, Any]:
    from assessments.responses.forms import build_section_context  # see check_section

    sections = list(schema.sections)
    codes = [s.code for s in sections]
    current = request.GET.get("section")
    index = codes.index(current) if current in codes else 0
    section = sections[index] if sections else None
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if section is not None and request.method == "POST":
        answers, errors = check_section(schema, section, request)

    def link(**params: str) -> str:
        query = {"lang": language, "section": section.code if section else "", **params}
        return "?" + urlencode(query)

    return {
        "questionnaire": questionnaire,
        "title": schema.title(language),
        "language": language,
        "language_links": [
            (code, translation.get_language_info(code)["name_local"], link(lang=code))
            for code in LANGUAGE_CODES
        ],
        "nav": [(s.code, s.title(language), link(section=s.code), s == section) for s in sections],
        "previous": link(section=codes[index - 1]) if section and index > 0 else None,
        "next": link(section=codes[index + 1]) if section and index + 1 < len(codes) else None,
        "section": build_section_context(
            schema,
            section.code,
            language=language,
            answers=answers,
            errors=errors,
            mechanism_label=example_mechanism_label(),
        )
        if section
        else None,
        "checked": request.method == "POST",
        "problems": bool(errors),
        "admin_url": reverse("admin:assessments_questionnaire_change", args=[questionnaire.pk]),
    }


def check_section(
    schema: QuestionnaireSchema, section: SectionSpec, request: HttpRequest
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate the posted answers of one section as a final submission would."""
    # The preview shows the respondent's own form; responses depend on questionnaires, so the
    # form is imported where the preview uses it.
    from assessments.responses.forms import answers_from_post

    answers = answers_from_post(schema, section.question_codes, request.POST)
    scope = "per_mechanism" if section.per_mechanism else "once"
    result = validate_answers(schema, answers, scope=scope)
    errors = {c: m for c, m in result.errors.items() if c in section.question_codes}
    return answers, errors


def example_mechanism_label() -> str:
    """Per-mechanism sections are previewed for the first active mechanism."""
    mechanism = Mechanism.objects.filter(status=Mechanism.Status.ACTIVE).order_by("acronym").first()
    if mechanism is None:
        return gettext("Example mechanism")
    return f"{mechanism.acronym}: {mechanism.display_name}"
