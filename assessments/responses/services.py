"""Responses: create drafts, save answers (optimistic concurrency), submit, reopen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import get_change_reason_from_object

from assessments.questionnaires.models import Question, Section
from assessments.questionnaires.schema import OTHER_SUFFIX, QuestionnaireSchema
from assessments.questionnaires.selectors import question_ids, questionnaire_schema
from assessments.questionnaires.validation import ValidationResult, validate_answers
from assessments.responses.models import Answer, Response
from assessments.rounds.models import Invitation, RoundParticipant, SurveyRound
from mechanisms.models import Mechanism

ROUND_NOT_OPEN = "The round is not open for answers."
NOT_EDITABLE = "This response has been submitted and can no longer be changed."


class StaleVersion(Exception):
    """The response changed since the caller read it; `current` is its version now."""

    def __init__(self, current: int) -> None:
        super().__init__(f"The response is at version {current}.")
        self.current = current


class AnswersInvalid(ValidationError):
    """Validation errors keyed by question code (`.errors`)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def scope_of(response: Response) -> str:
    return "per_mechanism" if response.mechanism_id else "once"


# --- reading answers back into the validation format ----------------------------------------


def stored_answers(response: Response, schema: QuestionnaireSchema) -> dict[str, Any]:
    """The response's answers as question code -> value, the same shape the API and forms use."""
    rows = Answer.objects.filter(response=response).select_related("question").order_by("pk")
    return answers_from_rows(rows, schema)


def answers_from_rows(rows: Any, schema: QuestionnaireSchema) -> dict[str, Any]:
    return answers_from_values(
        ((row.question.code, row.row, row.choice, row.text, row.number, row.date) for row in rows),
        schema,
    )


def answers_from_values(rows: Iterable[tuple], schema: QuestionnaireSchema) -> dict[str, Any]:
    """`answers_from_rows` from (question code, row, choice, text, number, date) tuples, which
    a `values_list` query gives without building a model instance per answer."""
    answers: dict[str, Any] = {}
    for code, matrix_row, choice, text, number, date in rows:
        question = schema.questions.get(code)
        if question is None:
            continue
        if matrix_row == OTHER_SUFFIX:
            answers[code + OTHER_SUFFIX] = text
        elif matrix_row and question.type == "matrix":
            answers.setdefault(code, {}).setdefault(matrix_row, []).append(choice)
        elif question.type == "multiple":
            answers.setdefault(code, []).append(choice)
        else:
            answers[code] = typed_value(question.type, choice, text, number, date)
    return normalise_order(answers, schema)


def value_of(row: Answer, question_type: str) -> Any:
    return typed_value(question_type, row.choice, row.text, row.number, row.date)


def typed_value(question_type: str, choice: str, text: str, number: Any, date: Any) -> Any:
    if question_type in {"integer", "year", "scale5"}:
        return int(number)
    if question_type == "decimal":
        return number
    if question_type == "date":
        return date
    if question_type in {"text", "long_text"}:
        return text
    return choice


def normalise_order(answers: dict[str, Any], schema: QuestionnaireSchema) -> dict[str, Any]:
    for code, value in answers.items():
        question = schema.questions.get(code)
        if question and question.type == "multiple":
            order = {c: i for i, c in enumerate((*question.option_codes, "OTHER"))}
            value.sort(key=lambda c: order.get(c, len(order)))
        elif question and question.type == "matrix":
            columns = question.column_codes
            for cells in value.values():
                cells.sort(key=lambda c: columns.index(c) if c in columns else len(columns))
    return answers


# --- writing -----------------------------------------------------------------------------


def rows_for(question_id: int, question_type: str, value: Any) -> list[Answer]:
    """The typed answer rows for one cleaned value."""
    if question_type == "multiple":
        return [Answer(question_id=question_id, choice=code) for code in value]
    if question_type == "matrix":
        return [
            Answer(question_id=question_id, row=row, choice=column)
            for row, columns in value.items()
            for column in columns
        ]
    if question_type in {"integer", "year", "scale5", "decimal"}:
        return [Answer(question_id=question_id, number=Decimal(value))]
    if question_type == "date":
        return [Answer(question_id=question_id, date=value)]
    if question_type in {"text", "long_text"}:
        return [Answer(question_id=question_id, text=value)]
    return [Answer(question_id=question_id, choice=value)]


def row_key(row: Answer) -> tuple:
    number = None if row.number is None else Decimal(row.number).normalize()
    return (row.question_id, row.row, row.choice, row.text, number, row.date)


def write_answers(
    response: Response,
    schema: QuestionnaireSchema,
    cleaned: Mapping[str, Any],
    *,
    existing: list[Answer] | None = None,
) -> int:
    """Make the stored rows equal `cleaned`, touching only rows that change (kept in history).

    `existing` are the response's rows when the caller has just read them. The changes take a
    fixed number of queries however many rows change: removed rows get their "-" history rows
    and are deleted in bulk, new rows are inserted with their "+" history rows in bulk.
    """
    question_ids = questionnaire_question_ids(response)
    wanted: list[Answer] = []
    for code, value in cleaned.items():
        if code.endswith(OTHER_SUFFIX) and code not in schema.questions:
            base = code[: -len(OTHER_SUFFIX)]
            wanted.append(Answer(question_id=question_ids[base], row=OTHER_SUFFIX, text=value))
        else:
            wanted += rows_for(question_ids[code], schema.questions[code].type, value)
    rows = list(response.answers.all()) if existing is None else existing
    stored = {row_key(row): row for row in rows}
    wanted_keys = {row_key(row) for row in wanted}
    stale = [row for key, row in stored.items() if key not in wanted_keys]
    new = [row for row in wanted if row_key(row) not in stored]
    for row in new:
        row.response = response
    replace_with_history(stale, new)
    return len(stale) + len(new)


def questionnaire_question_ids(response: Response) -> dict[str, int]:
    """Question code -> id of the response's questionnaire; cached per process for a published
    version when the caller loaded the questionnaire with the response."""
    if Response.questionnaire.is_cached(response):
        return question_ids(response.questionnaire)
    questions = Question.objects.filter(questionnaire_id=response.questionnaire_id)
    return dict(questions.values_list("code", "pk"))


def history_rows(rows: list[Answer], history_type: str) -> list[Any]:
    """The history rows simple_history writes for each row's `save()` ("+") or `delete()`
    ("-"): same user, change reason and tracked fields."""
    history = Answer.history.model
    return [
        history(
            history_date=timezone.now(),
            history_type=history_type,
            history_user=history.get_default_history_user(row),
            history_change_reason=get_change_reason_from_object(row),
            **{field.attname: getattr(row, field.attname) for field in history.tracked_fields},
        )
        for row in rows
    ]


def replace_with_history(stale: list[Answer], new: list[Answer]) -> None:
    """Delete `stale` and insert `new` with the history rows their `delete()` and `save()`
    would write, in three queries however many rows change: the delete, the insert (the
    database returns the new ids), then every history row at once ("-" rows first). Nothing
    else listens to answer deletions, and nothing refers to an answer."""
    if stale:
        Answer.objects.filter(pk__in=[row.pk for row in stale])._raw_delete(Answer.objects.db)
    enabled = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    history = history_rows(stale, "-") if enabled else []
    if not connections[Answer.objects.db].features.can_return_rows_from_bulk_insert:
        for row in new:
            row.save()  # and its history row
    elif new:
        Answer.objects.bulk_create(new)
        history += history_rows(new, "+") if enabled else []
    if history:
        Answer.history.model.objects.bulk_create(history)


def ensure_round_open(survey_round: SurveyRound) -> None:
    if survey_round.status != SurveyRound.Status.OPEN:
        raise ValidationError(_(ROUND_NOT_OPEN))


def bump_version(response: Response, expected_version: int | None) -> Response:
    """Claim the next version atomically: a stale `expected_version` raises StaleVersion."""
    updated = Response.objects.filter(pk=response.pk)
    if expected_version is not None:
        updated = updated.filter(version=expected_version)
    if not updated.update(version=F("version") + 1, updated_at=timezone.now()):
        raise StaleVersion(Response.objects.values_list("version", flat=True).get(pk=response.pk))
    return Response.objects.select_related("round", "participant").get(pk=response.pk)


def response_for_saving(responses: QuerySet[Response], pk: int) -> Response:
    """Response `pk` among `responses`, locked for `response_save_answers(locked=True)` in the
    caller's transaction: one query where a caller checking access would read it, then the
    service lock it, in two. Lock the response row only (of=self): the joined round is shared by
    every respondent. Raises Response.DoesNotExist."""
    return (
        responses.select_for_update(of=("self",))
        .select_related("round", "questionnaire")
        .get(pk=pk)
    )


def response_save_answers(
    *,
    response: Response,
    answers: Mapping[str, Any],
    expected_version: int | None,
    skip_invalid: bool = False,
    schema: QuestionnaireSchema | None = None,
    entered_by: Any = None,
    locked: bool = False,
) -> tuple[Response, ValidationResult]:
    """Merge `answers` (code -> value; empty clears) into a draft response.

    `entered_by` is someone entering the answers on the participant's behalf (a reply sent by
    e-mail or in Word): the response keeps their name and its history says for whom.

    Invalid answers refuse the whole change (AnswersInvalid), unless `skip_invalid`, where the
    valid ones are saved and the errors returned (autosave must not lose the rest of a page).
    A stale `expected_version` raises StaleVersion and writes nothing. `locked`: the caller
    read `response` with `response_for_saving` in its current transaction, and an error then
    marks that whole transaction for rollback (no savepoint of its own: 2 queries fewer).
    """
    with transaction.atomic(savepoint=not locked):
        return save_answers(
            response, answers, expected_version, skip_invalid, schema, locked, entered_by
        )


def save_answers(
    response: Response,
    answers: Mapping[str, Any],
    expected_version: int | None,
    skip_invalid: bool,
    schema: QuestionnaireSchema | None,
    locked: bool,
    entered_by: Any = None,
) -> tuple[Response, ValidationResult]:
    if not locked:
        response = response_for_saving(Response.objects.all(), response.pk)
    ensure_round_open(response.round)
    if not response.is_editable:
        raise ValidationError(_(NOT_EDITABLE))
    if expected_version is not None and response.version != expected_version:
        raise StaleVersion(response.version)
    schema = schema or questionnaire_schema(response.questionnaire)
    rows = list(Answer.objects.filter(response=response).select_related("question").order_by("pk"))
    previous = answers_from_rows(rows, schema)
    result = validate_answers(
        schema, {**previous, **answers}, scope=scope_of(response), complete=False
    )
    if result.errors and not skip_invalid:
        raise AnswersInvalid(result.errors)
    for code in result.errors:
        if code in previous:  # an answer that is invalid now keeps its stored value
            result.cleaned[code] = previous[code]
    write_answers(response, schema, result.cleaned, existing=rows)
    if entered_by is not None:
        return record_entered_by(response, entered_by), result
    first_save = not rows
    # The version was checked under the row lock: bump it without reading the row again.
    now = timezone.now()
    Response.objects.filter(pk=response.pk).update(version=F("version") + 1, updated_at=now)
    response.version, response.updated_at = response.version + 1, now
    if first_save:
        # The invitation is in progress from the first answers saved into a response on; it
        # leaves that status only by being submitted, after which the response is no longer
        # editable (reopening puts it back in progress), so later saves need not write it.
        mark_invitation_in_progress(response.participant_id)
    return response, result


ENTERED_FOR = "Answers entered by {user} on behalf of {party}"


def record_entered_by(locked: Response, user: Any) -> Response:
    """Bump the version through save(), so that the response's history gets a row by `user`
    that names the participant answered for."""
    party = RoundParticipant.objects.select_related("mechanism", "state", "organization").get(
        pk=locked.participant_id
    )
    locked.entered_by = user
    locked.version += 1
    locked._change_reason = ENTERED_FOR.format(user=user.get_username(), party=party.party_name)
    locked.save(update_fields=["entered_by", "version", "updated_at"])
    mark_invitation_in_progress(locked.participant_id)
    return locked


def mark_invitation_in_progress(participant_id: int) -> None:
    Invitation.objects.filter(
        participant_id=participant_id,
        status__in=[Invitation.Status.NOT_SENT, Invitation.Status.SENT, Invitation.Status.OPENED],
    ).update(status=Invitation.Status.IN_PROGRESS)


def invitation_refresh_status(*, invitation_id: int) -> None:
    """Derive the invitation status from its participant's responses: submitted once every
    response it owes is submitted, including those not created yet (a State that submitted its
    block about one mechanism has not submitted the rest)."""
    invitation = Invitation.objects.select_related("participant__round").get(pk=invitation_id)
    submitted = dict(
        Response.objects.filter(participant=invitation.participant).values_list(
            "mechanism_id", "status"
        )
    )
    if not submitted:
        return
    owed = owed_response_keys(invitation.participant)
    all_submitted = all(submitted.get(key) == Response.Status.SUBMITTED for key in owed)
    status = Invitation.Status.SUBMITTED if all_submitted else Invitation.Status.IN_PROGRESS
    Invitation.objects.filter(pk=invitation.pk).exclude(status=status).update(status=status)


def owed_response_keys(participant: RoundParticipant) -> set[int | None]:
    """The responses a participant owes, by the mechanism they are about (None: the
    once-answered sections), from its questionnaire's sections and its current memberships."""
    questionnaire_id = participant.round.questionnaire_id_for(participant.kind)
    kinds = set(
        Section.objects.filter(questionnaire_id=questionnaire_id).values_list(
            "per_mechanism", flat=True
        )
    )
    owed: set[int | None] = {None} if False in kinds else set()
    if True in kinds:
        owed |= {mechanism.pk for mechanism in mechanisms_answered_about(participant)}
    return owed


def completeness_errors(response: Response, schema: QuestionnaireSchema) -> dict[str, list[str]]:
    return validate_answers(
        schema, stored_answers(response, schema), scope=scope_of(response), complete=True
    ).errors


@transaction.atomic
def response_submit(
    *, response: Response, user: Any = None, expected_version: int | None = None
) -> Response:
    """Validate everything and submit; submitting a submitted response again changes nothing."""
    locked = (
        Response.objects.select_for_update(of=("self",)).select_related("round").get(pk=response.pk)
    )
    if locked.status == Response.Status.SUBMITTED:
        return locked
    ensure_round_open(locked.round)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(locked.version)
    errors = completeness_errors(locked, questionnaire_schema(locked.questionnaire))
    if errors:
        raise AnswersInvalid(errors)
    locked.status = Response.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = user if getattr(user, "is_authenticated", False) else None
    locked.version += 1
    locked.save(update_fields=["status", "submitted_at", "submitted_by", "version", "updated_at"])
    invitation = Invitation.objects.filter(participant_id=locked.participant_id).first()
    if invitation:
        invitation_refresh_status(invitation_id=invitation.pk)
    return locked


@transaction.atomic
def participant_submit(
    *, participant: RoundParticipant, user: Any = None
) -> dict[int, dict[str, list[str]]]:
    """Submit all of a participant's responses together, or none: returns errors by response id
    (empty when everything was submitted)."""
    responses = list(participant_responses(participant))
    errors = {}
    schema = questionnaire_schema(participant.round.questionnaire_for(participant.kind))
    for response in responses:
        if response.status != Response.Status.SUBMITTED:
            response_errors = completeness_errors(response, schema)
            if response_errors:
                errors[response.pk] = response_errors
    if errors:
        return errors
    for response in responses:
        response_submit(response=response, user=user)
    return {}


@transaction.atomic
def response_reopen(*, response: Response) -> Response:
    locked = Response.objects.select_for_update().get(pk=response.pk)
    if locked.status != Response.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted response can be reopened."))
    locked.status = Response.Status.REOPENED
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    Invitation.objects.filter(participant_id=locked.participant_id).update(
        status=Invitation.Status.IN_PROGRESS
    )
    return locked


# --- creating drafts ---------------------------------------------------------------------


def mechanisms_answered_about(participant: RoundParticipant) -> list[Mechanism]:
    """The round's mechanisms this participant answers per-mechanism sections about: a State's
    mechanisms where it is a current member, an organization's where it has any current role."""
    from mechanisms.models import Membership

    round_mechanisms = participant.round.participants.filter(kind="mechanism").values(
        "mechanism_id"
    )
    memberships = Membership.objects.current().filter(mechanism_id__in=round_mechanisms)
    if participant.kind == "state":
        memberships = memberships.filter(state_id=participant.state_id, role=Membership.Role.MEMBER)
    elif participant.kind == "organization":
        memberships = memberships.filter(organization_id=participant.organization_id)
    else:
        return []
    ids = memberships.values("mechanism_id")
    return list(Mechanism.objects.filter(pk__in=ids).order_by("acronym"))


@transaction.atomic
def response_get_or_create(
    *, participant: RoundParticipant, mechanism: Mechanism | None = None
) -> Response:
    """The draft (or existing) response of a participant, once or about one mechanism."""
    questionnaire = participant.round.questionnaire_for(participant.kind)
    schema = questionnaire_schema(questionnaire)
    if mechanism is not None:
        if not schema.has_per_mechanism_sections:
            raise ValidationError(
                {"mechanism": _("This questionnaire has no per-mechanism sections.")}
            )
        if mechanism.pk not in {m.pk for m in mechanisms_answered_about(participant)}:
            raise ValidationError(
                {"mechanism": _("This participant does not answer about that mechanism.")}
            )
    try:
        with transaction.atomic():
            response, _created = Response.objects.get_or_create(
                participant=participant,
                mechanism=mechanism,
                defaults={"round": participant.round, "questionnaire": questionnaire},
            )
    except IntegrityError:  # created concurrently by another request
        response = Response.objects.get(participant=participant, mechanism=mechanism)
    return response


def participant_responses(participant: RoundParticipant) -> list[Response]:
    """Every response the participant owes (created as drafts when missing), once-sections first."""
    schema = questionnaire_schema(participant.round.questionnaire_for(participant.kind))
    responses = []
    if any(not section.per_mechanism for section in schema.sections):
        responses.append(response_get_or_create(participant=participant))
    if schema.has_per_mechanism_sections:
        for mechanism in mechanisms_answered_about(participant):
            responses.append(response_get_or_create(participant=participant, mechanism=mechanism))
    return responses
