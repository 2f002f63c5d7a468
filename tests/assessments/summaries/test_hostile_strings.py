"""Hostile strings through every write path, then every output format from what was stored.

NUL, lone surrogates, control characters, formula starts, line breaks, 10,000-deep nesting and
a 10 MB body go through autosave, the page POST, the API PATCH and the imports: each answers a
refusal (400, a form error, an import error) or stores clean text, never a 500. Then a summary
holding such text (as older data may) renders as HTML, Markdown, Word and PDF, and the round
exports as CSV (both), XLSX and JSON. Few examples: each one renders a PDF.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assessments.questionnaires.format import QuestionnaireFormatError
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.services import questionnaire_import
from assessments.questionnaires.shipped import SHIPPED_DIR
from assessments.reporting.exports import ExportOptions, export_chunks, write_xlsx
from assessments.responses.models import Answer
from assessments.responses.services import participant_responses
from assessments.rounds.models import RoundParticipant
from assessments.summaries.models import Summary
from assessments.summaries.render import to_docx, to_html, to_markdown, to_pdf
from mechanisms.text import UNSAFE, JsonLimitError, load_import_json
from tests.assessments.summaries.world import generate
from tests.factories import FocalPointFactory, RespondentUserFactory

pytestmark = pytest.mark.django_db

PIECES = ["\x00", "\ud800", "\udfff", "\x01", "\x0b", "\x1b", "\x7f", "\x85", "\ufffe", "=",
          "+", "-", "@", "\t", "\r", "\n", "a", "é", "«", "🙂", " "]  # fmt: skip
HOSTILE = st.text(alphabet=st.sampled_from(PIECES), min_size=1, max_size=12)
FEW = settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def storable(text: str) -> str:
    """What PostgreSQL can hold of `text` (no NUL, no lone surrogate): older data might."""
    return "".join(c for c in text if c != "\x00" and not "\ud800" <= c <= "\udfff")


def form_safe(text: str) -> str:
    """A form post is UTF-8 bytes: a lone surrogate cannot be sent."""
    return "".join(c for c in text if not "\ud800" <= c <= "\udfff")


@pytest.fixture
def mtm(world, client: Client) -> tuple[Client, RoundParticipant]:
    """MTM's secretariat (nobody answered yet), signed in as its focal point (pages and API)."""
    participant = RoundParticipant.objects.select_related("mechanism").get(
        round_id=world.round_id, mechanism__acronym="MTM"
    )
    user = RespondentUserFactory()
    FocalPointFactory(mechanism=participant.mechanism, user=user)
    client.force_login(user)
    return client, participant


def assert_nothing_unsafe_stored(world) -> None:
    texts = Answer.objects.filter(response__round_id=world.round_id).values_list("text", flat=True)
    assert not [t for t in texts if UNSAFE.search(t)]


@FEW
@given(text=HOSTILE)
def test_hostile_text_through_the_respondents_write_paths(world, mtm, text):
    client, participant = mtm
    response = participant_responses(participant)[0]
    response.refresh_from_db()
    schema = questionnaire_schema(response.questionnaire)
    page = next(i for i, s in enumerate(schema.sections, 1) if s.code == "A3")
    fields = {
        "knowledge_management": ["WEBSITE", "OTHER"],
        "knowledge_management_other": form_safe(text),
        "sustainability_challenges_other": form_safe(text),
    }
    autosave = client.post(
        reverse("assessments:autosave", args=[response.pk]),
        {"version": response.version, "section": "A3", **fields},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert autosave.status_code in (200, 400, 409), autosave.content
    response.refresh_from_db()
    posted = client.post(
        reverse("assessments:page", args=[participant.pk, page]),
        {"version": response.version, **fields},
    )
    assert posted.status_code < 500
    response.refresh_from_db()
    body = json.dumps(
        {"version": response.version, "answers": {"thematic_evolution": text, text: "x"}}
    )
    patched = client.generic(
        "PATCH", f"/api/v1/responses/{response.pk}/", body, content_type="application/json"
    )
    assert patched.status_code in (200, 400, 409), patched.content
    assert_nothing_unsafe_stored(world)


@FEW
@given(text=HOSTILE)
def test_hostile_text_through_the_imports(world, text):
    document = json.loads((SHIPPED_DIR / "state.json").read_text(encoding="utf-8"))
    document["key"], document["version"] = "hostile", 1
    document["title"]["en"] = text
    document["sections"][0]["questions"][0]["text"]["fr"] = text
    with contextlib.suppress(QuestionnaireFormatError):
        questionnaire_import(document)
    raw = json.dumps({"format": "iscm-round", "round": {"name": text}, text: [text]})
    with contextlib.suppress(JsonLimitError):
        load_import_json(raw)


def test_a_10k_deep_or_10_mb_body_is_400(world, mtm):
    client, participant = mtm
    response = participant_responses(participant)[0]
    url = f"/api/v1/responses/{response.pk}/"
    deep = '{"version": 1, "answers": {"x": ' + "[" * 10_000 + "]" * 10_000 + "}}"
    big = json.dumps({"version": 1, "answers": {"thematic_evolution": "x" * 10_000_000}})
    for body in (deep, big):
        answer = client.generic("PATCH", url, body, content_type="application/json")
        assert answer.status_code == 400, answer.content[:200]


@example(text="a\ufffe\x01\x0b=b")  # U+FFFE broke the XLSX export (lxml refuses it)
@settings(FEW, max_examples=2)
@given(text=HOSTILE)
def test_every_output_renders_from_hostile_stored_text(world, text):
    summary = generate(world, "RCM")
    stored = storable(text)
    Summary.objects.filter(pk=summary.pk).update(
        edited_sections={"1": stored, "2": f"**{stored}** {stored}"},
        header={**summary.header, "title": stored or "t"},
    )
    summary.refresh_from_db()
    assert isinstance(to_markdown(summary), str)
    assert isinstance(to_html([summary]), str)
    assert to_docx([summary], compendium_title=stored, note=stored).startswith(b"PK")
    assert to_pdf([summary]).startswith(b"%PDF")
    Answer.objects.filter(
        response__round_id=world.round_id, question__code="thematic_evolution"
    ).update(text=stored)
    survey_round = summary.round
    for fmt in ("csv", "csv-long", "json"):
        assert "".join(export_chunks(survey_round, fmt, ExportOptions(), None))
    write_xlsx(survey_round, io.BytesIO())
