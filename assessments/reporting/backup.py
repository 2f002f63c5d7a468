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

from assessments.questionnaires.services import questionnaire_to_dict
from assessments.reporting.backup_responses import (
    STREAM_CHUNK,
    responses_snapshot,
    to_json,
)
from assessments.rounds.models import FocalPoint, SurveyRound
from mechanisms.models import Mechanism, Membership, Organization

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


def round_memberships(survey_round: SurveyRound) -> Iterator[tuple]:
    """The memberships of the round's mechanisms as (mechanism, participant, role, start date,
    end date) tuples, read through a server-side cursor (`membership_json` writes them)."""
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
        participant = f"state:{state}" if state else f"organization:{organization}"
        yield mechanism, participant, role, to_json(start), to_json(end)


def membership_dict(row: tuple) -> dict[str, Any]:
    """A membership of `round_memberships` as the document holds it."""
    mechanism, participant, role, start, end = row
    return {"mechanism": mechanism, "participant": participant, "role": role,
            "start_date": start, "end_date": end}  # fmt: skip


def membership_json(row: tuple, inner: str) -> str:
    """`flat_json(membership_dict(row), inner)`, from a template of the keys in their sorted
    order: up to 100,000 memberships in a round's registry."""
    mechanism, participant, role, start, end = row
    pad = inner + " "
    return (
        f'{{{pad}"end_date": {json_text(end)},{pad}"mechanism": {json_text(mechanism)},'
        f'{pad}"participant": {json_text(participant)},{pad}"role": {json_text(role)},'
        f'{pad}"start_date": {json_text(start)}{inner}}}'
    )


def json_text(value: str | None) -> str:
    return "null" if value is None else encode_text(value)


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
    memberships = round_memberships(survey_round)
    yield from streamed_list(memberships, level=indent_of(before), render=membership_json)
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
