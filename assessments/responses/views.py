"""Pages of the respondent's journey (the journey itself, as pages, is built in journeys.py).

Every participant and response is looked up through `assessments.access`: anything outside it
answers 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from assessments.access import (
    accessible_responses,
    entered_by,
    own_participants,
    remember_invitation,
)
from assessments.questionnaires.schema import OTHER_SUFFIX, QuestionnaireSchema, SectionSpec
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.validation import validate_answers
from assessments.responses.forms import (
    answers_from_post,
    build_section_context,
)
from assessments.responses.journeys import (
    Journey,
    Page,
    build_journeys,
    participant_journey,
)
from assessments.responses.models import Response
from assessments.responses.services import (
    StaleVersion,
    completeness_errors,
    participant_submit,
    response_for_saving,
    response_save_answers,
    scope_of,
    stored_answers,
)
from assessments.rounds.models import SurveyRound
from assessments.rounds.services.invitations import (
    InvalidInvitation,
    invitation_from_token,
    invitation_mark_opened,
)
from mechanisms.translation import active_language


def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation link: remember it in the session, then go to the respondent's home."""
    try:
        invitation = invitation_from_token(token)
    except InvalidInvitation as exc:
        return render(request, "assessments/invalid_link.html", {"reason": str(exc)}, status=403)
    remember_invitation(request, invitation)
    invitation_mark_opened(invitation=invitation)
    return redirect("assessments:home")


class RespondentLoginView(auth_views.LoginView):
    """Sign-in for focal points with a user account; lands on their questionnaires."""

    template_name = "registration/login.html"
    next_page = reverse_lazy("assessments:home")


# --- home -----------------------------------------------------------------------------------


def home_view(request: HttpRequest) -> HttpResponse:
    """The respondent's questionnaires in open rounds, with progress and deadline. Someone who
    enters answers on participants' behalf opens them from the round's dashboard instead: this
    page would otherwise start a draft for every participant of their rounds."""
    participants = list(
        own_participants(request)
        .select_related("round", "mechanism", "state", "organization")
        .filter(round__status=SurveyRound.Status.OPEN)
        .select_related(
            "round__questionnaire_mechanism",
            "round__questionnaire_state",
            "round__questionnaire_organization",
        )
        .order_by("round__closes_on", "round__name", "pk")
    )
    return render(request, "assessments/home.html", {"journeys": build_journeys(participants)})


def participant_view(request: HttpRequest, participant_id: int) -> HttpResponse:
    """Resume: the page to continue on, or the answers once everything is submitted."""
    journey = participant_journey(request, participant_id)
    if not journey.is_editable:
        return redirect("assessments:answers", participant_id)
    return redirect("assessments:page", participant_id, journey.resume_page)


# --- answering a page -----------------------------------------------------------------------


def page_answers(schema: QuestionnaireSchema, section: SectionSpec, data: QueryDict) -> dict:
    """The answers posted for one section's questions; a field left empty clears its answer,
    while questions of other sections are left alone."""
    answers = answers_from_post(schema, section.question_codes, data)
    for code in section.question_codes:
        question = schema.questions[code]
        if question.type == "note":
            continue
        answers.setdefault(code, "")
        if question.other_option:
            answers.setdefault(code + OTHER_SUFFIX, "")
    return answers


def section_for(schema: QuestionnaireSchema, response: Response, code: str) -> SectionSpec | None:
    """The posted section, if it belongs to the response (once-answered or per-mechanism)."""
    per_mechanism = response.mechanism_id is not None
    for section in schema.sections:
        if section.code == code and section.per_mechanism == per_mechanism:
            return section
    return None


def posted_version(data: QueryDict) -> int | None:
    try:
        return int(data.get("version", ""))
    except ValueError:
        return None


def changes_nothing(
    schema: QuestionnaireSchema, response: Response, section: SectionSpec, answers: dict
) -> bool:
    """Whether saving `answers` would leave the section's stored answers as they are (an
    autosave of the same values got there first)."""
    stored = stored_answers(response, schema)
    result = validate_answers(
        schema, {**stored, **answers}, scope=scope_of(response), complete=False
    )
    codes = [c for code in section.question_codes for c in (code, code + OTHER_SUFFIX)]
    return not result.errors and all(result.cleaned.get(c) == stored.get(c) for c in codes)


@require_POST
@transaction.atomic
def autosave_view(request: HttpRequest, response_id: int) -> JsonResponse:
    """Save one page's fields (JSON for static/js/questionnaire.js). The response is read
    once, with its lock, in the access check (8 queries for a changed value: session,
    invitations, the locked response, its answers, delete, insert, history, version)."""
    try:
        response = response_for_saving(accessible_responses(request), response_id)
    except Response.DoesNotExist:
        raise Http404 from None
    schema = questionnaire_schema(response.questionnaire)
    section = section_for(schema, response, request.POST.get("section", ""))
    version = posted_version(request.POST)
    if section is None or version is None:
        return JsonResponse({"detail": _("The form is incomplete: reload the page.")}, status=400)
    try:
        saved, result = response_save_answers(
            response=response,
            answers=page_answers(schema, section, request.POST),
            expected_version=version,
            skip_invalid=True,
            schema=schema,
            entered_by=entered_by(request, response),
            locked=True,
        )
    except StaleVersion as exc:
        detail = _("These answers were changed elsewhere: reload the page to see them.")
        return JsonResponse({"detail": detail, "version": exc.current}, status=409)
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages)}, status=400)
    return JsonResponse({"saved": True, "version": saved.version, "errors": result.errors})


def page_view(request: HttpRequest, participant_id: int, number: int) -> HttpResponse:
    """One page of the questionnaire; a POST (without JavaScript) saves it and moves on."""
    journey = participant_journey(request, participant_id)
    page = journey.page(number)
    if not journey.is_editable:
        return redirect("assessments:answers", participant_id)
    if request.method == "POST" and page.response.is_editable:
        return save_page(request, journey, page)
    return render_page(request, journey, page)


def save_page(request: HttpRequest, journey: Journey, page: Page) -> HttpResponse:
    answers = page_answers(journey.schema, page.section, request.POST)
    # A missing version counts as stale: the save then happens only if it changes nothing.
    version = posted_version(request.POST)
    try:
        _saved, result = response_save_answers(
            response=page.response,
            answers=answers,
            expected_version=-1 if version is None else version,
            skip_invalid=True,
            schema=journey.schema,
            entered_by=entered_by(request, page.response),
        )
    except StaleVersion:
        if not changes_nothing(journey.schema, page.response, page.section, answers):
            messages.error(
                request, _("These answers were changed elsewhere: check them and save again.")
            )
            page.response.refresh_from_db(fields=["version"])
            return render_page(request, journey, page, answers=answers, status=409)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessments:answers", journey.participant.pk)
    else:
        if result.errors:
            page.response.refresh_from_db(fields=["version"])
            return render_page(request, journey, page, answers=answers, errors=result.errors)
        warn_of_required_left_blank(request, journey, page)
    return redirect_after_save(journey, request.POST.get("go", ""))


def warn_of_required_left_blank(request: HttpRequest, journey: Journey, page: Page) -> None:
    """Moving on is allowed with a required question blank, but it is said now, not first at
    submission (the review page lists it again)."""
    errors = completeness_errors(page.response, journey.schema)
    language = active_language()
    blank = [
        journey.schema.questions[code].text(language)
        for code in page.section.question_codes
        if code in errors
    ]
    if blank:
        message = ngettext(
            "Saved. A required question of “%(page)s” is still to be answered: %(questions)s.",
            "Saved. %(count)d required questions of “%(page)s” are still to be answered: "
            "%(questions)s.",
            len(blank),
        )
        messages.warning(
            request,
            message % {"page": page.title, "count": len(blank), "questions": "; ".join(blank)},
        )


def redirect_after_save(journey: Journey, go: str) -> HttpResponse:
    participant_id = journey.participant.pk
    if go.isdigit() and 1 <= int(go) <= len(journey.pages):
        return redirect("assessments:page", participant_id, int(go))
    return redirect("assessments:submit", participant_id)


def render_page(
    request: HttpRequest,
    journey: Journey,
    page: Page,
    *,
    answers: Mapping[str, Any] | None = None,
    errors: Mapping[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    stored = journey.answers.get(page.response.pk, {})
    section = build_section_context(
        journey.schema,
        page.section.code,
        language=active_language(),
        answers={**stored, **(answers or {})},
        errors=errors or {},
        mechanism_label=page.mechanism_label,
        readonly=not page.response.is_editable,
    )
    context = {
        "journey": journey,
        "page": page,
        "section": section,
        "previous_page": page.number - 1 if page.number > 1 else None,
        "next_page": page.number + 1 if page.number < len(journey.pages) else None,
        "has_errors": bool(errors),
    }
    return render(request, "assessments/page.html", context, status=status)


# --- review and submit ----------------------------------------------------------------------


@dataclass
class Missing:
    page: Page
    items: list[tuple[str, str, list[str]]]  # question code, text, messages


def missing_by_page(
    journey: Journey, errors: Mapping[int, Mapping[str, list[str]]]
) -> list[Missing]:
    language = active_language()
    result = []
    for page in journey.pages:
        response_errors = errors.get(page.response.pk) or {}
        items = [
            (code, journey.schema.questions[code].text(language), list(response_errors[code]))
            for code in page.section.question_codes
            if code in response_errors
        ]
        if items:
            result.append(Missing(page, items))
    return result


def empty_blocks(journey: Journey) -> list[Page]:
    """Pages about a mechanism with no answer at all: no question there is required, but an
    empty block is rarely meant, and the review must not call the answers complete."""
    return [
        page
        for page in journey.pages
        if page.section.per_mechanism and page.response.is_editable and not page.has_answers
    ]


def submit_view(request: HttpRequest, participant_id: int) -> HttpResponse:
    """What is still missing, then "submit" with a confirmation; errors are listed by page."""
    journey = participant_journey(request, participant_id)
    if not journey.is_editable:
        return redirect("assessments:answers", participant_id)
    confirm_error = ""
    status = 200
    if request.method == "POST":
        if not request.POST.get("confirm"):
            confirm_error = _("Please confirm that these answers are final.")
            status = 400
        else:
            try:
                errors = participant_submit(participant=journey.participant, user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("assessments:answers", participant_id)
            if not errors:
                messages.success(request, _("Thank you: your answers have been submitted."))
                return redirect("assessments:answers", participant_id)
            status = 400
    errors = {
        r.pk: completeness_errors(r, journey.schema) for r in journey.responses if r.is_editable
    }
    context = {
        "journey": journey,
        "missing": missing_by_page(journey, errors),
        "empty_blocks": empty_blocks(journey),
        "confirm_error": confirm_error,
        "tried": request.method == "POST",
    }
    return render(request, "assessments/submit.html", context, status=status)


# --- read-only answers and PDF --------------------------------------------------------------


def readonly_context(journey: Journey) -> dict[str, Any]:
    language = active_language()
    sections = [
        build_section_context(
            journey.schema,
            page.section.code,
            language=language,
            answers=journey.answers.get(page.response.pk, {}),
            errors={},
            mechanism_label=page.mechanism_label,
            readonly=True,
        )
        for page in journey.pages
    ]
    submitted = [r.submitted_at for r in journey.responses if r.submitted_at]
    return {
        "journey": journey,
        "sections": sections,
        "title": journey.schema.title(language),
        "submitted_at": max(submitted) if submitted else None,
    }


def answers_view(request: HttpRequest, participant_id: int) -> HttpResponse:
    journey = participant_journey(request, participant_id)
    return render(request, "assessments/answers.html", readonly_context(journey))


def answers_pdf_view(request: HttpRequest, participant_id: int) -> HttpResponse:
    import weasyprint

    journey = participant_journey(request, participant_id)
    html = render_to_string("assessments/answers_pdf.html", readonly_context(journey), request)
    pdf = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"answers-{journey.participant.round.slug}-{journey.participant.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
