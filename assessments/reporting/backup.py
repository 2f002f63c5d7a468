"""The full round as JSON (registry snapshot, questionnaires, participants, responses, answers,
history); its import into a database that lacks the round is in `restore.py`.

Everything is keyed by natural keys (slugs, acronyms, ISO codes, question codes), never by
database ids, so export → import → export gives the same document.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection

from assessments.questionnaires.services import questionnaire_to_dict
from assessments.reporting.backup_responses import (
    STREAM_CHUNK,
    responses_snapshot,
    to_json,
)
from assessments.rounds.models import FocalPoint, RoundParticipant, SurveyRound
from mechanisms.models import Mechanism, Membership, Organization, State

FORMAT = "iscm-round"
FORMAT_VERSION = 1
ROUND_FIELDS = ["name", "slug", "year", "opens_on", "closes_on", "status", "organizer", "reminder_days",
                "link_grace_days", "created_at", "opened_at", "closed_at", "published_at"]  # fmt: skip
ROUND_FIELD_DEFAULTS = {"link_grace_days": 0}  # fields that files written before them lack
INVITATION_FIELDS = ["nonce", "status", "expires_at", "revoked_at", "sent_at", "opened_at",
                     "last_reminder_at", "reminder_count"]  # fmt: skip
# json.dumps(text, ensure_ascii=False), in C
encode_text = json.encoder.encode_basestring
MEMBERSHIPS = "\x00memberships\x00"  # the mark of the streamed memberships in the document


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


# A membership as `flat_json` writes its dictionary (keys in sorted order, texts through
# PostgreSQL's to_json, which escapes exactly what json.encoder.encode_basestring escapes),
# written by PostgreSQL: up to 100,000 of them in a round's registry, and no Python work each.
# Parameters of the template: the pad (the line break and indent before a key), the five
# values, the indent before the closing brace.
MEMBERSHIP_TEMPLATE = (
    '{%1$s"end_date": %2$s,%1$s"mechanism": %3$s,%1$s"participant": %4$s,%1$s"role": %5$s,'
    '%1$s"start_date": %6$s%7$s}'
)
MEMBERSHIPS_SQL = """
SELECT format(%s, %s, COALESCE(to_json(ms.end_date)::text, 'null'), to_json(m.acronym)::text,
              to_json(CASE WHEN ms.state_id IS NULL THEN 'organization:' || o.acronym
                           ELSE 'state:' || s.country END)::text,
              to_json(ms.role)::text, COALESCE(to_json(ms.start_date)::text, 'null'), %s)
FROM {membership} ms
JOIN {mechanism} m ON m.id = ms.mechanism_id
LEFT JOIN {state} s ON s.id = ms.state_id
LEFT JOIN {organization} o ON o.id = ms.organization_id
WHERE ms.mechanism_id IN (
    SELECT p.mechanism_id FROM {participant} p WHERE p.round_id = %s AND p.kind = 'mechanism'
)
ORDER BY m.acronym, ms.role, s.country, o.acronym, ms.start_date, ms.id
"""


def round_memberships(survey_round: SurveyRound, inner: str) -> Iterator[str]:
    """The memberships of the round's mechanisms, each as JSON indented after `inner`, read
    through a server-side cursor (`streamed_list(..., render=written)` lists them)."""
    sql = MEMBERSHIPS_SQL.format(
        membership=Membership._meta.db_table, mechanism=Mechanism._meta.db_table,
        state=State._meta.db_table, organization=Organization._meta.db_table,
        participant=RoundParticipant._meta.db_table,
    )  # fmt: skip
    params = [MEMBERSHIP_TEMPLATE, inner + " ", inner, survey_round.pk]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(STREAM_CHUNK):
            for (text,) in rows:
                yield text


def written(item: str, inner: str) -> str:
    """For `streamed_list`: an item already written as JSON."""
    return item


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


def streamed_list(
    items: Iterable[Any],
    level: int,
    render: Callable[[Any, str], str | None] = flat_json,
    *,
    chunk: int = STREAM_CHUNK,
) -> Iterator[str]:
    """A list as `json.dumps(..., indent=1, sort_keys=True, ensure_ascii=False)` writes it at
    nesting `level` (the indentation of the line it starts on), `chunk` items at a time;
    `render(item, inner)` writes an item, or gives None to leave it to json.dumps."""
    inner = "\n" + " " * (level + 1)
    first = True
    pieces: list[str] = []
    for item in items:
        text = render(item, inner)
        if text is None:
            text = json.dumps(item, ensure_ascii=False, indent=1, sort_keys=True)
            text = text.replace("\n", inner)
        pieces.append(("[" if first else ",") + inner + text)
        first = False
        if len(pieces) >= chunk:
            yield "".join(pieces)
            pieces = []
    yield "".join(pieces) + ("[]" if first else "\n" + " " * level + "]")


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
    level = indent_of(before)
    memberships = round_memberships(survey_round, "\n" + " " * (level + 1))
    yield from streamed_list(memberships, level=level, render=written)
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
