"""Pages of the respondent's journey.

Every participant and response is looked up through `assessments.access`: anything outside it
answers 404. A participant's questionnaire is shown as pages: one per once-answered section (the
once response), and one per per-mechanism section and mechanism (that mechanism's response).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.access import (
    accessible_participants,
    accessible_responses,
    entered_by,
    own_participants,
    remember_invitation,
)
from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.schema import OTHER_SUFFIX, QuestionnaireSchema, SectionSpec
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.validation import is_empty, is_visible, validate_answers
from assessments.responses.forms import (
    answers_from_post,
    answers_of_visible_questions,
    build_section_context,
)
from assessments.responses.models import Answer, Response
from assessments.responses.services import (
    StaleVersion,
    answers_from_values,
    completeness_errors,
    participant_responses,
    participant_submit,
    response_for_saving,
    response_save_answers,
    scope_of,
    stored_answers,
)
from assessments.rounds.models import QUESTIONNAIRE_FIELDS, RoundParticipant, SurveyRound
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


# --- a participant's questionnaire as pages ---------------------------------------------------


@dataclass
class Page:
    number: int
    section: SectionSpec
    response: Response
    title: str
    answered: int  # required questions shown and answered
    required: int  # required questions shown
    has_answers: bool

    @property
    def missing(self) -> int:
        return self.required - self.answered

    @property
    def mechanism_label(self) -> str | None:
        mechanism = self.response.mechanism
        return f"{mechanism.acronym}: {mechanism.display_name}" if mechanism else None


@dataclass
class NavGroup:
    """A section in the page list: a once-answered one is one page, a per-mechanism one has a
    page per mechanism."""

    title: str
    pages: list[Page]
    per_mechanism: bool


@dataclass
class Journey:
    participant: RoundParticipant
    schema: QuestionnaireSchema
    responses: list[Response]
    answers: dict[int, dict[str, Any]]  # by response id
    pages: list[Page] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.schema.title(active_language())

    @property
    def answered(self) -> int:
        return sum(page.answered for page in self.pages)

    @property
    def required(self) -> int:
        return sum(page.required for page in self.pages)

    @property
    def is_open(self) -> bool:
        return self.participant.round.status == SurveyRound.Status.OPEN

    @property
    def is_editable(self) -> bool:
        return self.is_open and any(response.is_editable for response in self.responses)

    @property
    def is_submitted(self) -> bool:
        return all(r.status == Response.Status.SUBMITTED for r in self.responses)

    @property
    def status(self) -> str:
        if self.is_submitted:
            return _("Submitted")
        if any(r.status == Response.Status.REOPENED for r in self.responses):
            return _("Reopened")
        if self.is_started:
            return _("In progress")
        return _("Not started")

    @property
    def is_started(self) -> bool:
        return any(page.has_answers for page in self.pages)

    @property
    def resume_page(self) -> int:
        """Where "continue" leads: the first page missing a required answer, else the first
        page not answered at all, else the first."""
        for page in self.pages:
            if page.missing and page.response.is_editable:
                return page.number
        unanswered = [p.number for p in self.pages if not p.has_answers and p.response.is_editable]
        return unanswered[0] if unanswered else 1

    @property
    def nav(self) -> list[NavGroup]:
        groups: list[NavGroup] = []
        for page in self.pages:
            if groups and groups[-1].pages[-1].section.code == page.section.code:
                groups[-1].pages.append(page)
            else:
                title = page.section.title(active_language())
                groups.append(NavGroup(title, [page], page.section.per_mechanism))
        return groups

    def page(self, number: int) -> Page:
        if not 1 <= number <= len(self.pages):
            raise Http404
        return self.pages[number - 1]


def participant_queryset(request: HttpRequest) -> QuerySet[RoundParticipant]:
    return accessible_participants(request).select_related(
        "round", "mechanism", "state", "organization"
    )


RESPONSE_FIELDS = ("id", "round_id", "participant_id", "questionnaire_id", "mechanism_id",
                   "status", "version", "submitted_at")  # fmt: skip
# What a page shows of the mechanism a response is about (its label in the navigation).
MECHANISM_LABEL_FIELDS = ("mechanism__acronym", "mechanism__name", "mechanism__name_fr",
                          "mechanism__name_es")  # fmt: skip


def responses_with_mechanism(responses: QuerySet[Response]) -> QuerySet[Response]:
    return responses.select_related("mechanism").only(*RESPONSE_FIELDS, *MECHANISM_LABEL_FIELDS)


def responses_by_participant(participants: list[RoundParticipant]) -> dict[int, list[Response]]:
    """The participants' responses, once-answered first then by mechanism acronym (one query).
    Drafts are created only for a participant who has none yet (its first visit)."""
    found: dict[int, list[Response]] = defaultdict(list)
    rows = responses_with_mechanism(Response.objects.filter(participant__in=participants))
    for response in rows.order_by():
        found[response.participant_id].append(response)
    for participant in participants:
        if not found[participant.pk]:
            created = participant_responses(participant)
            found[participant.pk] = list(
                responses_with_mechanism(Response.objects.filter(pk__in=[r.pk for r in created]))
            )
        found[participant.pk].sort(key=lambda r: r.mechanism.acronym if r.mechanism else "")
    return found


def answers_by_response(
    responses: Iterable[Response], schemas: Mapping[int, QuestionnaireSchema]
) -> dict[int, dict[str, Any]]:
    """Stored answers of many responses in one query, as code -> value per response id."""
    responses = list(responses)
    rows: dict[int, list[tuple]] = defaultdict(list)
    # Tuples, not model instances: a page reads every answer of the participant (hundreds of
    # rows for a State in ten mechanisms), and building models was a third of its time.
    values = (
        Answer.objects.filter(response__in=responses)
        .order_by("pk")
        .values_list("response_id", "question__code", "row", "choice", "text", "number", "date")
    )
    for response_id, *value in values:
        rows[response_id].append(value)
    return {r.pk: answers_from_values(rows[r.pk], schemas[r.questionnaire_id]) for r in responses}


def build_pages(journey: Journey, language: str) -> list[Page]:
    once = [r for r in journey.responses if r.mechanism_id is None]
    per_mechanism = [r for r in journey.responses if r.mechanism_id is not None]
    pages: list[Page] = []
    for section in journey.schema.sections:
        for response in per_mechanism if section.per_mechanism else once[:1]:
            pages.append(section_page(journey, section, response, len(pages) + 1, language))
    return pages


def section_page(
    journey: Journey, section: SectionSpec, response: Response, number: int, language: str
) -> Page:
    answers = journey.answers.get(response.pk, {})
    shown = answers_of_visible_questions(journey.schema, answers)
    questions = [journey.schema.questions[code] for code in section.question_codes]
    required = [q for q in questions if q.required and q.type != "note" and is_visible(q, shown)]
    title = section.title(language)
    if response.mechanism:
        title = f"{title} — {response.mechanism.acronym}: {response.mechanism.display_name}"
    return Page(
        number=number,
        section=section,
        response=response,
        title=title,
        answered=sum(1 for q in required if not is_empty(shown.get(q.code))),
        required=len(required),
        has_answers=any(q.code in shown for q in questions),
    )


def build_journeys(participants: list[RoundParticipant]) -> list[Journey]:
    """Pages and progress of each participant, in a number of queries that does not grow with
    the answers: responses (1), answers (1) and one schema per questionnaire."""
    language = active_language()
    responses = responses_by_participant(participants)
    schemas: dict[int, QuestionnaireSchema] = {}
    for participant in participants:
        questionnaire = participant.round.questionnaire_for(participant.kind)
        if questionnaire.pk not in schemas:
            schemas[questionnaire.pk] = questionnaire_schema(questionnaire)
    answers = answers_by_response([r for rs in responses.values() for r in rs], schemas)
    journeys = []
    for participant in participants:
        schema = schemas[participant.round.questionnaire_id_for(participant.kind)]
        journey = Journey(participant, schema, responses[participant.pk], answers)
        journey.pages = build_pages(journey, language)
        journeys.append(journey)
    return journeys


def participant_journey(request: HttpRequest, participant_id: int) -> Journey:
    """The participant's journey; 404 when outside the access policy or its round has not
    opened (a focal point's account reaches draft rounds too, and must not create drafts)."""
    queryset = participant_queryset(request).exclude(round__status=SurveyRound.Status.DRAFT)
    participant = get_object_or_404(queryset, pk=participant_id)
    # Only the participant's own questionnaire: joining the round's three in the query above
    # made PostgreSQL spend longer planning it than this second query takes.
    questionnaire = Questionnaire.objects.get(
        pk=participant.round.questionnaire_id_for(participant.kind)
    )
    setattr(participant.round, QUESTIONNAIRE_FIELDS[participant.kind], questionnaire)
    return build_journeys([participant])[0]


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
    return redirect_after_save(journey, request.POST.get("go", ""))


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
