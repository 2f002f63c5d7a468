"""The full round as JSON (registry snapshot, questionnaires, participants, responses, answers,
history), and its import into a database that lacks the round.

Everything is keyed by natural keys (slugs, acronyms, ISO codes, question codes), never by
database ids, so export → import → export gives the same document.
"""

from __future__ import annotations

import datetime
import itertools
import json
import json.encoder
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Coalesce, Collate, Concat
from django.utils.dateparse import parse_date, parse_datetime
from django_countries import countries

from assessments.questionnaires.format import QuestionnaireFormatError
from assessments.questionnaires.models import Question, Questionnaire
from assessments.questionnaires.schema import OTHER_SUFFIX
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.services import questionnaire_import, questionnaire_to_dict
from assessments.questionnaires.validation import validate_answers
from assessments.responses.models import Answer, Response
from assessments.responses.services import answers_from_values
from assessments.rounds.models import FocalPoint, Invitation, RoundParticipant, SurveyRound
from mechanisms.models import Mechanism, Membership, Organization, State
from mechanisms.text import import_problem

FORMAT = "iscm-round"
FORMAT_VERSION = 1
ROUND_FIELDS = ["name", "slug", "year", "opens_on", "closes_on", "status", "organizer", "reminder_days",
                "link_grace_days", "created_at", "opened_at", "closed_at", "published_at"]  # fmt: skip
ROUND_FIELD_DEFAULTS = {"link_grace_days": 0}  # fields that files written before them lack
INVITATION_FIELDS = ["nonce", "status", "expires_at", "revoked_at", "sent_at", "opened_at",
                     "last_reminder_at", "reminder_count"]  # fmt: skip
RESPONSE_FIELDS = ["status", "version", "created_at", "updated_at", "submitted_at"]
SNAPSHOT_BATCH = 500  # responses whose answers and history are read together
STREAM_CHUNK = 2000  # rows a server-side cursor reads at a time
# json.dumps(text, ensure_ascii=False), in C
encode_text = json.encoder.encode_basestring
MEMBERSHIPS = "\x00memberships\x00"  # the mark of the streamed memberships in the document


class RoundImportError(ValueError):
    """The file cannot be imported; nothing was written. `errors` says why."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def to_json(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def party_key(kind: str, mechanism: Any, state: Any, organization: Any) -> str:
    if kind == "mechanism":
        return f"mechanism:{mechanism.acronym}"
    if kind == "state":
        return f"state:{state.country.code}"
    return f"organization:{organization.acronym}"


def username(user: Any) -> str | None:
    return user.get_username() if user else None


# --- export --------------------------------------------------------------------------------


def registry_snapshot(survey_round: SurveyRound) -> dict:
    """The round's registry; its memberships are `MEMBERSHIPS`, a mark `iter_round_json`
    replaces with `round_memberships`, streamed (~100,000 of them in a round where every
    organization is engaged with every mechanism)."""
    participants = survey_round.participants.all()
    mechanism_ids = set(
        participants.filter(kind="mechanism").values_list("mechanism_id", flat=True)
    )
    organization_ids = set(
        participants.filter(kind="organization").values_list("organization_id", flat=True)
    )
    organization_ids |= set(
        Membership.objects.filter(mechanism_id__in=mechanism_ids, organization__isnull=False)
        .order_by()
        .values_list("organization_id", flat=True)
        .distinct()
    )
    mechanisms = Mechanism.objects.filter(pk__in=mechanism_ids).order_by("acronym")
    return {
        "mechanisms": [
            {"acronym": m.acronym, "name": m.name, "name_fr": m.name_fr, "name_es": m.name_es,
             "kind": m.kind, "status": m.status, "established": m.established, "region": m.region}
            for m in mechanisms
        ],
        "organizations": [
            {"acronym": o.acronym, "name": o.name, "name_fr": o.name_fr, "name_es": o.name_es, "kind": o.kind}
            for o in Organization.objects.filter(pk__in=organization_ids).order_by("acronym")
        ],
        "memberships": MEMBERSHIPS,
    }  # fmt: skip


def round_memberships(survey_round: SurveyRound) -> Iterator[dict]:
    """The memberships of the round's mechanisms, read as tuples through a server-side cursor."""
    mechanism_ids = survey_round.participants.filter(kind="mechanism").values("mechanism_id")
    rows = (
        Membership.objects.filter(mechanism_id__in=mechanism_ids)
        .order_by(
            "mechanism__acronym", "role", "state__country", "organization__acronym", "start_date"
        )
        .values_list(
            "mechanism__acronym", "state__country", "organization__acronym", "role",
            "start_date", "end_date",
        )
        .iterator(chunk_size=STREAM_CHUNK)
    )  # fmt: skip
    for mechanism, state, organization, role, start, end in rows:
        yield {
            "mechanism": mechanism,
            "participant": f"state:{state}" if state else f"organization:{organization}",
            "role": role, "start_date": to_json(start), "end_date": to_json(end),
        }  # fmt: skip


def participants_snapshot(survey_round: SurveyRound) -> list[dict]:
    participants = survey_round.participants.select_related(
        "mechanism", "state", "organization", "invitation"
    )
    focal_points: dict[str, list[dict]] = {}
    for fp in FocalPoint.objects.select_related(
        "mechanism", "state", "organization", "user"
    ).order_by("email", "pk"):
        focal_points.setdefault(
            party_key(fp.kind, fp.mechanism, fp.state, fp.organization), []
        ).append(
            {"name": fp.name, "email": fp.email, "language": fp.language, "user": username(fp.user)}
        )
    rows = []
    for p in participants:
        key = party_key(p.kind, p.mechanism, p.state, p.organization)
        invitation = getattr(p, "invitation", None)
        rows.append({
            "party": key,
            "focal_points": focal_points.get(key, []),
            "invitation": {f: to_json(getattr(invitation, f)) for f in INVITATION_FIELDS} if invitation else None,
        })  # fmt: skip
    return sorted(rows, key=lambda row: row["party"])


def response_histories(
    response_ids: list[int], codes: dict[int, str]
) -> tuple[dict[int, list], dict[int, list]]:
    """The history of the responses and of their answers, read as tuples (one model instance
    per history row would cost more than the rest of the export)."""
    user = f"history_user__{get_user_model().USERNAME_FIELD}"
    responses: dict[int, list] = {}
    for pk, date, kind, who, status, version, reason in (
        Response.history.filter(id__in=response_ids)
        .order_by("history_date", "history_id")
        .values_list("id", "history_date", "history_type", user, "status", "version",
                     "history_change_reason")
    ):  # fmt: skip
        responses.setdefault(pk, []).append({
            "date": to_json(date), "type": kind, "user": who,
            "status": status, "version": version, "reason": reason,
        })  # fmt: skip
    answers: dict[int, list] = {}
    for response_id, date, kind, who, question_id, row, choice, text, number, value in (
        Answer.history.filter(response_id__in=response_ids)
        .order_by("history_date", "history_id")
        .values_list("response_id", "history_date", "history_type", user, "question_id", "row",
                     "choice", "text", "number", "date")
    ):  # fmt: skip
        answers.setdefault(response_id, []).append({
            "date": to_json(date), "type": kind, "user": who,
            "question": codes.get(question_id), "row": row, "choice": choice, "text": text,
            "number": to_json(number), "date_value": to_json(value),
        })  # fmt: skip
    return responses, answers


def response_order(survey_round: SurveyRound) -> Iterator[int]:
    """The round's response ids in the document's order: by participant, then by the mechanism
    answered about, both natural keys, so that an imported round lists them in the same order.
    PostgreSQL sorts them, under the "C" collation (code point order, as Python compares
    strings), and they are read through a server-side cursor: nothing grows with the round."""
    party = Case(
        When(participant__kind="mechanism", then=F("participant__mechanism__acronym")),
        When(participant__kind="state", then=F("participant__state__country")),
        default=F("participant__organization__acronym"),
        output_field=CharField(),
    )
    return (
        Response.objects.filter(round=survey_round)
        .order_by(
            Collate(Concat("participant__kind", Value(":"), party, output_field=CharField()), "C"),
            Collate(Coalesce("mechanism__acronym", Value("")), "C"),
        )
        .values_list("pk", flat=True)
        .iterator(chunk_size=STREAM_CHUNK)
    )


def batches(items: Iterator[int], size: int) -> Iterator[list[int]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def responses_snapshot(survey_round: SurveyRound) -> Iterator[dict]:
    """Each response with its answers and history, read SNAPSHOT_BATCH responses at a time so
    that memory stays flat as the round grows."""
    questionnaires = {
        a: survey_round.questionnaire_for(a) for a in ("mechanism", "state", "organization")
    }
    schemas = {a: questionnaire_schema(q) for a, q in questionnaires.items()}
    codes = dict(
        Question.objects.filter(questionnaire__in=list(questionnaires.values())).values_list(
            "pk", "code"
        )
    )
    for ids in batches(response_order(survey_round), SNAPSHOT_BATCH):
        yield from responses_batch(ids, schemas, codes)


RESPONSE_COLUMNS = (
    "pk", "participant__kind", "participant__mechanism__acronym", "participant__state__country",
    "participant__organization__acronym", "mechanism__acronym", "questionnaire__key",
    "questionnaire__version", *RESPONSE_FIELDS,
)  # fmt: skip


def responses_batch(ids: list[int], schemas: dict, codes: dict[int, str]) -> Iterator[dict]:
    """The responses `ids` as documents, read as tuples rather than model instances."""
    user = f"submitted_by__{get_user_model().USERNAME_FIELD}"
    responses = {
        row[0]: row
        for row in Response.objects.filter(pk__in=ids)
        .order_by()
        .values_list(*RESPONSE_COLUMNS, user)
    }
    response_history, answer_history = response_histories(ids, codes)
    rows_by_response: dict[int, list[tuple]] = {}
    for response_id, *values in (
        Answer.objects.filter(response_id__in=ids)
        .order_by("response_id", "pk")
        .values_list("response_id", "question__code", "row", "choice", "text", "number", "date")
    ):
        rows_by_response.setdefault(response_id, []).append(values)
    for pk in ids:
        (_pk, kind, mechanism, state, organization, about, key, version, *fields,
         submitted_by) = responses[pk]  # fmt: skip
        code = {"mechanism": mechanism, "state": state, "organization": organization}[kind]
        answers = answers_from_values(rows_by_response.get(pk, []), schemas[kind])
        yield {
            "participant": f"{kind}:{code}",
            "mechanism": about,
            "questionnaire": {"key": key, "version": version},
            **{f: to_json(value) for f, value in zip(RESPONSE_FIELDS, fields, strict=True)},
            "submitted_by": submitted_by,
            "answers": to_json(answers),
            "history": response_history.get(pk, []),
            "answer_history": answer_history.get(pk, []),
        }


def indent_of(text: str) -> int:
    """The indentation of the last line of `text`."""
    line = text.rsplit("\n", 1)[-1]
    return len(line) - len(line.lstrip(" "))


def flat_json(item: Any, inner: str) -> str | None:
    """What `json.dumps(item, ensure_ascii=False, indent=1, sort_keys=True)` writes of a
    non-empty dictionary of texts and nulls (a membership), indented after `inner`, without
    Python's own encoder (json.dumps runs it whenever it indents: most of a registry's time);
    None for anything else."""
    if not isinstance(item, dict) or not item:
        return None
    pad = inner + " "
    parts = []
    for key in sorted(item):
        value = item[key]
        if not isinstance(key, str) or not (value is None or isinstance(value, str)):
            return None
        parts.append(f"{pad}{encode_text(key)}: {'null' if value is None else encode_text(value)}")
    return "{" + ",".join(parts) + inner + "}"


def streamed_list(items: Iterable[Any], level: int) -> Iterator[str]:
    """A list as `json.dumps(..., indent=1, sort_keys=True, ensure_ascii=False)` writes it at
    nesting `level` (the indentation of the line it starts on), one item at a time."""
    inner = "\n" + " " * (level + 1)
    first = True
    for item in items:
        text = flat_json(item, inner)
        if text is None:
            text = json.dumps(item, ensure_ascii=False, indent=1, sort_keys=True)
            text = text.replace("\n", inner)
        yield ("[" if first else ",") + inner + text
        first = False
    yield "[]" if first else "\n" + " " * level + "]"


def iter_round_json(
    survey_round: SurveyRound, *, progress: Callable[[int], None] | None = None
) -> Iterator[str]:
    """The document in pieces (one response at a time), so it can be streamed to a file;
    `progress(n)` is called after the n-th response."""
    head = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "round": {
            **{f: to_json(getattr(survey_round, f)) for f in ROUND_FIELDS},
            "questionnaires": {
                a: {"key": q.key, "version": q.version}
                for a, q in (
                    ("mechanism", survey_round.questionnaire_mechanism),
                    ("state", survey_round.questionnaire_state),
                    ("organization", survey_round.questionnaire_organization),
                )
            },
        },
        "questionnaires": [
            questionnaire_to_dict(q)
            for q in sorted(
                {survey_round.questionnaire_for(a) for a in ("mechanism", "state", "organization")},
                key=lambda q: (q.key, q.version),
            )
        ],
        "registry": registry_snapshot(survey_round),
        "participants": participants_snapshot(survey_round),
    }
    text = json.dumps(head, ensure_ascii=False, indent=1, sort_keys=True)
    text = text[: text.rindex("}")].rstrip() + ',\n "responses": ['
    # The memberships in place of their mark, as json.dumps would have indented them.
    before, after = text.split(json.dumps(MEMBERSHIPS), 1)
    yield before
    yield from streamed_list(round_memberships(survey_round), level=indent_of(before))
    yield after
    for index, response in enumerate(responses_snapshot(survey_round)):
        yield (
            ("," if index else "")
            + "\n  "
            + json.dumps(response, ensure_ascii=False, sort_keys=True)
        )
        if progress is not None:
            progress(index + 1)
    yield "\n ]\n}\n"


# --- import --------------------------------------------------------------------------------


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
