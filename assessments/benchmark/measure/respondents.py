"""A respondent of the web measurements: a State's participant, its page and the fields its
form posts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from assessments.questionnaires.schema import OTHER_SUFFIX, QuestionnaireSchema, SectionSpec
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.responses.models import Response
from assessments.responses.services import stored_answers
from assessments.rounds.models import RoundParticipant
from assessments.rounds.services.invitations import invitation_token

TEXT_TYPES = ("long_text", "text")


@dataclass
class Respondent:
    """A State participant whose responses are editable, and the page the benchmark uses: the
    first per-mechanism section about its first mechanism."""

    participant: RoundParticipant
    token: str
    page: int
    response: Response
    schema: QuestionnaireSchema
    section: SectionSpec
    answers: dict[str, Any]
    edits: int = 0

    @property
    def page_path(self) -> str:
        return reverse("assessments:page", args=[self.participant.pk, self.page])

    @property
    def autosave_path(self) -> str:
        return reverse("assessments:autosave", args=[self.response.pk])

    @property
    def invitation_path(self) -> str:
        return reverse("assessments:invitation", args=[self.token])

    def autosave_fields(self, version: int) -> list[tuple[str, str]]:
        """The page's fields as the form posts them, one text changed each time."""
        self.edits += 1
        answers = dict(self.answers)
        edited = next(
            (c for c in self.section.question_codes if self.schema.questions[c].type in TEXT_TYPES
             and answers.get(c)),
            None,
        )  # fmt: skip
        if edited:
            answers[edited] = f"{answers[edited]} (edit {self.edits})"
        fields = [("section", self.section.code), ("version", str(version))]
        return fields + form_fields(self.schema, self.section, answers)


def form_fields(
    schema: QuestionnaireSchema, section: SectionSpec, answers: dict[str, Any]
) -> list[tuple[str, str]]:
    """Answers as form fields (see assessments.responses.forms): a multiple choice repeats its name, a
    matrix cell is `<code>__<ROW>`, an "other" text `<code>_other`."""
    fields: list[tuple[str, str]] = []
    for code in section.question_codes:
        question, value = schema.questions[code], answers.get(code)
        if value is None:
            continue
        if question.type == "multiple":
            fields += [(code, choice) for choice in value]
        elif question.type == "matrix":
            fields += [(f"{code}__{row}", c) for row, cells in value.items() for c in cells]
        else:
            fields.append((code, value.isoformat() if hasattr(value, "isoformat") else str(value)))
        if answers.get(code + OTHER_SUFFIX):
            fields.append((code + OTHER_SUFFIX, answers[code + OTHER_SUFFIX]))
    return fields


def respondent_for(participant: RoundParticipant) -> Respondent:
    schema = questionnaire_schema(participant.round.questionnaire_for(participant.kind))
    responses = sorted(
        Response.objects.filter(participant=participant).select_related("mechanism"),
        key=lambda r: r.mechanism.acronym if r.mechanism else "",
    )
    first_per_mechanism = next(s for s in schema.sections if s.per_mechanism)
    # One page per once-answered section before it, then its page about the first mechanism.
    page = schema.sections.index(first_per_mechanism) + 1
    response = next(r for r in responses if r.mechanism_id)
    return Respondent(
        participant=participant,
        token=invitation_token(participant.invitation),
        page=page,
        response=response,
        schema=schema,
        section=first_per_mechanism,
        answers=stored_answers(response, schema),
    )
