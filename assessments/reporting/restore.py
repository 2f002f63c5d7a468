"""Importing a round written by `backup.iter_round_json` into a database that lacks the round:
checked first, then written in one transaction (nothing half-written on a refusal)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils.dateparse import parse_date, parse_datetime
from django_countries import countries

from assessments.questionnaires.format import QuestionnaireFormatError
from assessments.questionnaires.models import Question, Questionnaire
from assessments.questionnaires.schema import OTHER_SUFFIX
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.services import questionnaire_import, questionnaire_to_dict
from assessments.questionnaires.validation import validate_answers
from assessments.reporting.backup import (
    FORMAT,
    FORMAT_VERSION,
    INVITATION_FIELDS,
    ROUND_FIELD_DEFAULTS,
    ROUND_FIELDS,
)
from assessments.reporting.backup_responses import RESPONSE_FIELDS
from assessments.responses.models import Answer, Response
from assessments.rounds.models import FocalPoint, Invitation, RoundParticipant, SurveyRound
from mechanisms.models import Mechanism, Membership, Organization, State
from mechanisms.text import import_problem


class RoundImportError(ValueError):
    """The file cannot be imported; nothing was written. `errors` says why."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def require(condition: bool, message: str, errors: list[str]) -> None:
    if not condition:
        errors.append(message)


def check_document(data: Any) -> list[str]:
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["The file must hold a JSON object."]
    problem = import_problem(data)
    if problem:
        return [problem]
    require(data.get("format") == FORMAT, f'format: expected "{FORMAT}".', errors)
    require(
        data.get("format_version") == FORMAT_VERSION,
        f"format_version: expected {FORMAT_VERSION}.",
        errors,
    )
    for key, kind in (
        ("round", dict),
        ("questionnaires", list),
        ("registry", dict),
        ("participants", list),
        ("responses", list),
    ):
        require(isinstance(data.get(key), kind), f"{key}: missing or of the wrong type.", errors)
    if errors:
        return errors
    slug = data["round"].get("slug")
    require(isinstance(slug, str) and bool(slug), "round.slug: missing.", errors)
    if slug and SurveyRound.objects.filter(slug=slug).exists():
        errors.append(f"A round with slug “{slug}” already exists: importing would overwrite it.")
    return errors


def resolve_party(key: str, errors: list[str]) -> tuple[str, Any] | None:
    kind, _, code = str(key).partition(":")
    if kind == "mechanism":
        found = Mechanism.objects.filter(acronym=code).first()
    elif kind == "state":
        # A State is created on the fly, but only for an ISO 3166 code.
        found = State.objects.get_or_create(country=code)[0] if code in countries else None
    elif kind == "organization":
        found = Organization.objects.filter(acronym=code).first()
    else:
        found = None
    if found is None:
        errors.append(f"Unknown participant “{key}”.")
        return None
    return kind, found


def import_questionnaires(data: dict) -> dict[tuple[str, int], Questionnaire]:
    found = {}
    for document in data["questionnaires"]:
        existing = Questionnaire.objects.filter(
            key=document.get("key"), version=document.get("version")
        ).first()
        if existing is None:
            existing = questionnaire_import(document)
        elif questionnaire_to_dict(existing) != document:
            raise RoundImportError(
                [
                    f"Questionnaire {document.get('key')} v{document.get('version')} exists here with different content."
                ]
            )
        found[(existing.key, existing.version)] = existing
    return found


def import_registry(snapshot: dict) -> None:
    for m in snapshot.get("mechanisms", []):
        if not Mechanism.objects.filter(acronym=m["acronym"]).exists():
            mechanism = Mechanism(**{k: m.get(k) or ("" if k not in {"established"} else None) for k in
                                     ("acronym", "name", "name_fr", "name_es", "kind", "status", "established", "region")})  # fmt: skip
            mechanism.full_clean()
            mechanism.save()
    for o in snapshot.get("organizations", []):
        if not Organization.objects.filter(acronym=o["acronym"]).exists():
            organization = Organization(
                **{k: o.get(k) or "" for k in ("acronym", "name", "name_fr", "name_es", "kind")}
            )
            organization.full_clean()
            organization.save()
    errors: list[str] = []
    for m in snapshot.get("memberships", []):
        party = resolve_party(m["participant"], errors)
        mechanism = Mechanism.objects.filter(acronym=m["mechanism"]).first()
        if mechanism is None:
            errors.append(f"Unknown mechanism “{m['mechanism']}” in the memberships.")
        if party is None or mechanism is None:
            continue
        kind, obj = party
        lookup = {"mechanism": mechanism, "role": m["role"], "start_date": parse_date(m["start_date"] or "") if m["start_date"] else None,
                  "state": obj if kind == "state" else None, "organization": obj if kind == "organization" else None}  # fmt: skip
        if not Membership.objects.filter(**lookup).exists():
            Membership.objects.create(
                **lookup, end_date=parse_date(m["end_date"]) if m["end_date"] else None
            )
    if errors:
        raise RoundImportError(errors)


ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def when(value: Any) -> Any:
    """ISO date-times back to datetimes; anything else unchanged."""
    if isinstance(value, str) and ISO_DATETIME.match(value):
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"not a valid date-time: {value!r}")
        return parsed
    return value


# What a document of the wrong shape raises on its way in: a missing key or list item, a value of
# another type, an unknown natural key, a number out of range, a value the database refuses.
MALFORMED = (
    LookupError, TypeError, ValueError, AttributeError, ArithmeticError, ObjectDoesNotExist,
    IntegrityError, DataError,
)  # fmt: skip


@transaction.atomic
def import_round(data: Any) -> SurveyRound:
    """Create the round of an exported document; all or nothing."""
    errors = check_document(data)
    if errors:
        raise RoundImportError(errors)
    try:
        return import_round_body(data)
    except RoundImportError:
        raise
    except QuestionnaireFormatError as exc:
        raise RoundImportError(exc.errors) from exc
    except DjangoValidationError as exc:
        raise RoundImportError(
            [f"The file holds invalid values: {'; '.join(exc.messages)}"]
        ) from exc
    except MALFORMED as exc:
        raise RoundImportError([f"The file is malformed: {exc!r}"]) from exc


def import_round_body(data: dict) -> SurveyRound:
    questionnaires = import_questionnaires(data)
    import_registry(data["registry"])
    info = data["round"]
    picked = {
        a: questionnaires[(q["key"], q["version"])] for a, q in info["questionnaires"].items()
    }
    survey_round = SurveyRound(
        **{f: when(info.get(f, ROUND_FIELD_DEFAULTS.get(f))) for f in ROUND_FIELDS if f != "created_at"},
        questionnaire_mechanism=picked["mechanism"], questionnaire_state=picked["state"],
        questionnaire_organization=picked["organization"],
    )  # fmt: skip
    survey_round.full_clean()
    survey_round.save()
    SurveyRound.objects.filter(pk=survey_round.pk).update(created_at=when(info["created_at"]))
    participants = import_participants(survey_round, data["participants"])
    import_responses(survey_round, data["responses"], participants, questionnaires)
    return survey_round


def import_participants(survey_round: SurveyRound, rows: list[dict]) -> dict[str, RoundParticipant]:
    errors: list[str] = []
    users = {u.get_username(): u for u in get_user_model().objects.all()}
    participants = {}
    for row in rows:
        party = resolve_party(row["party"], errors)
        if party is None:
            continue
        kind, obj = party
        participant = RoundParticipant.objects.create(round=survey_round, kind=kind, **{kind: obj})
        participants[row["party"]] = participant
        for fp in row.get("focal_points") or []:
            FocalPoint.objects.get_or_create(
                kind=kind, **{kind: obj}, email=fp["email"],
                defaults={"name": fp["name"], "language": fp.get("language") or "en", "user": users.get(fp.get("user"))},
            )  # fmt: skip
        if row.get("invitation"):
            Invitation.objects.create(
                participant=participant,
                **{f: when(row["invitation"].get(f)) for f in INVITATION_FIELDS},
            )
    if errors:
        raise RoundImportError(errors)
    return participants


def import_responses(
    survey_round: SurveyRound, rows: list[dict], participants: dict, questionnaires: dict
) -> None:
    users = {u.get_username(): u for u in get_user_model().objects.all()}
    errors: list[str] = []
    for index, row in enumerate(rows):
        participant = participants.get(row["participant"])
        questionnaire = questionnaires.get(
            (row["questionnaire"]["key"], row["questionnaire"]["version"])
        )
        mechanism = (
            Mechanism.objects.filter(acronym=row["mechanism"]).first()
            if row.get("mechanism")
            else None
        )
        if (
            participant is None
            or questionnaire is None
            or (row.get("mechanism") and mechanism is None)
        ):
            errors.append(f"responses[{index}]: unknown participant, questionnaire or mechanism.")
            continue
        schema = questionnaire_schema(questionnaire)
        result = validate_answers(
            schema, row["answers"], scope="per_mechanism" if mechanism else "once", complete=False
        )
        if result.errors:
            errors.append(
                f"responses[{index}] ({row['participant']}): invalid answers {result.errors}"
            )
            continue
        response = Response.objects.create(
            round=survey_round, participant=participant, questionnaire=questionnaire, mechanism=mechanism,
            submitted_by=users.get(row.get("submitted_by")), **{f: when(row.get(f)) for f in RESPONSE_FIELDS},
        )  # fmt: skip
        Response.objects.filter(pk=response.pk).update(
            created_at=when(row["created_at"]), updated_at=when(row["updated_at"])
        )
        Response.history.filter(id=response.pk).delete()  # replaced by the exported history below
        codes = dict(Question.objects.filter(questionnaire=questionnaire).values_list("code", "pk"))
        Answer.objects.bulk_create(answer_rows(response, schema, result.cleaned, codes))
        import_history(response, row, codes, users)
    if errors:
        raise RoundImportError(errors)


def answer_rows(
    response: Response, schema: Any, cleaned: dict, codes: dict[str, int]
) -> list[Answer]:
    from assessments.responses.services import rows_for

    rows = []
    for code, value in cleaned.items():
        if code.endswith(OTHER_SUFFIX) and code not in schema.questions:
            rows.append(
                Answer(question_id=codes[code[: -len(OTHER_SUFFIX)]], row=OTHER_SUFFIX, text=value)
            )
        else:
            rows += rows_for(codes[code], schema.questions[code].type, value)
    for row in rows:
        row.response = response
    return rows


def import_history(response: Response, row: dict, codes: dict[str, int], users: dict) -> None:
    HistoricalResponse = Response.history.model
    HistoricalAnswer = Answer.history.model
    HistoricalResponse.objects.bulk_create([
        HistoricalResponse(
            id=response.pk, round_id=response.round_id, participant_id=response.participant_id,
            questionnaire_id=response.questionnaire_id, mechanism_id=response.mechanism_id,
            status=h["status"], version=h["version"], created_at=response.created_at, updated_at=response.updated_at,
            submitted_at=response.submitted_at, submitted_by_id=response.submitted_by_id,
            history_date=when(h["date"]), history_type=h["type"], history_user=users.get(h["user"]),
            history_change_reason=h.get("reason"),
        )
        for h in row.get("history") or []
    ])  # fmt: skip
    current = {(a.question_id, a.row, a.choice): a.pk for a in response.answers.all()}
    HistoricalAnswer.objects.bulk_create([
        HistoricalAnswer(
            id=current.get((codes.get(h["question"]), h["row"], h["choice"]), 0),
            response_id=response.pk, question_id=codes.get(h["question"]), row=h["row"], choice=h["choice"],
            text=h["text"], number=h["number"], date=parse_date(h["date_value"]) if h["date_value"] else None,
            history_date=when(h["date"]), history_type=h["type"], history_user=users.get(h["user"]),
        )
        for h in row.get("answer_history") or []
        if codes.get(h["question"])
    ])  # fmt: skip
