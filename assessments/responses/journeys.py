"""A participant's questionnaire as pages (the reads behind the respondent's pages): one page
per once-answered section (the once response), and one per per-mechanism section and mechanism
(that mechanism's response), with each page's progress and the journey's navigation.

Every participant is looked up through `assessments.access`: anything outside it is a 404.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from assessments.access import (
    accessible_participants,
)
from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.schema import QuestionnaireSchema, SectionSpec
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.validation import is_empty, is_visible
from assessments.responses.forms import (
    answers_of_visible_questions,
)
from assessments.responses.models import Answer, Response
from assessments.responses.services import (
    answers_from_values,
    participant_responses,
)
from assessments.rounds.models import QUESTIONNAIRE_FIELDS, RoundParticipant, SurveyRound
from mechanisms.translation import active_language


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
