"""The full round as JSON (registry snapshot, questionnaires, participants, responses, answers,
history); its import into a database that lacks the round is in `restore.py`.

Everything is keyed by natural keys (slugs, acronyms, ISO codes, question codes), never by
database ids, so export → import → export gives the same document.
"""

from __future__ import annotations

import datetime
import itertools
import json
import json.encoder
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Coalesce, Collate, Concat

from assessments.questionnaires.models import Question
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.services import questionnaire_to_dict
from assessments.responses.models import Answer, Response
from assessments.responses.services import answers_from_values
from assessments.rounds.models import FocalPoint, SurveyRound
from mechanisms.models import Mechanism, Membership, Organization

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
