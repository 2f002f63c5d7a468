"""Exports of a round: wide and long CSV, XLSX, the JSON backup and its import, the commands."""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessments.questionnaires.models import Question, Questionnaire
from assessments.questionnaires.selectors import questionnaire_schema
from assessments.questionnaires.shipped import SHIPPED_DIR, load_shipped_questionnaires
from assessments.reporting import backup, backup_responses, exports
from assessments.reporting.backup import iter_round_json
from assessments.reporting.exports import (
    LONG_COLUMNS,
    META_COLUMNS,
    ExportOptions,
    iter_csv,
    iter_long_rows,
    iter_wide_rows,
    write_export,
)
from assessments.reporting.restore import RoundImportError, import_round
from assessments.responses.models import Answer, Response
from assessments.responses.services import (
    participant_responses,
    participant_submit,
    response_save_answers,
)
from assessments.rounds.models import FocalPoint, Invitation, RoundParticipant, SurveyRound
from assessments.rounds.services.rounds import round_add_participant, round_create, round_open
from mechanisms.models import Mechanism, Membership, Organization, State
from mechanisms.services import load_reference_data, membership_create

SLUG = "export-2019"
MECHANISM_ANSWERS = {
    "respondent_role": "CHAIR",  # single
    "thematic_areas_current": ["IRR", "GOV", "MD"],  # multiple, given out of questionnaire order
    "thematic_evolution": 'Focus on the EU, "LAC" and migration,\nnow also on returns.',
    "has_strategy": "YES",
    "strategy_title": 'Plan, "2019"',  # text with a comma and quotes
    "strategy_since": 2015,  # year
    "contribution_national": "yes",  # yes_no_dk
    "funding_sources": ["OTHER", "CHAIR_HOST"],  # multiple with OTHER ...
    "funding_sources_other": "in-kind, from members",  # ... and its text
    "partner_types": ["UN_AGENCY", "REC"],
    "partner_roles": {"UN_AGENCY": ["SPEAKER", "OBSERVER"], "REC": ["MEMBER"]},  # matrix
    "relevance": 4,  # scale5
    "overlap": "no",  # yes_no
}
SPAIN_ONCE = {"institution": "Ministerio de Inclusión; Dirección General"}
SPAIN_ABOUT_MECHANISM = {"participation_frequency": "ALL", "covers_own_travel": "yes"}
# 5 responses: the mechanism's (submitted), Spain's two drafts, Mexico's two empty drafts.
RESPONSES = 5


def build_round(slug: str = SLUG) -> SurveyRound:
    """A small round answered through the real services, covering every stored answer shape."""
    if not Mechanism.objects.exists():
        load_reference_data(settings.REFERENCE_DATA_DIR)
    load_shipped_questionnaires()
    mechanism = Mechanism.objects.get(acronym="EU-CELAC")
    Mechanism.objects.filter(pk=mechanism.pk).update(status=Mechanism.Status.ACTIVE)
    states = [State.objects.get(country=code) for code in ("ES", "MX")]
    for state in states:
        if not Membership.objects.filter(mechanism=mechanism, state=state).exists():
            membership_create(mechanism=mechanism, participant=state)
    today = datetime.date.today()
    survey_round = round_create(
        name="Export test 2019", slug=slug, year=2019,
        opens_on=today, closes_on=today + datetime.timedelta(days=30),
        questionnaires={q.audience: q for q in Questionnaire.objects.published()},
        with_default_participants=False,
    )  # fmt: skip
    secretariat = round_add_participant(survey_round=survey_round, party=mechanism)
    spain, mexico = (round_add_participant(survey_round=survey_round, party=s) for s in states)
    survey_round = round_open(survey_round=survey_round)
    for response in participant_responses(secretariat):
        response_save_answers(response=response, answers=MECHANISM_ANSWERS, expected_version=None)
    assert participant_submit(participant=secretariat) == {}
    for response in participant_responses(spain):
        answers = SPAIN_ABOUT_MECHANISM if response.mechanism_id else SPAIN_ONCE
        response_save_answers(response=response, answers=answers, expected_version=None)
    participant_responses(mexico)  # two drafts without a single answer
    return survey_round


@pytest.fixture(scope="module")
def export_world(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The registry, the questionnaires and the round, built once for the module inside a
    transaction that is rolled back after its last test (each test runs in a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_round()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def survey_round(export_world, db) -> SurveyRound:
    return SurveyRound.objects.get(slug=SLUG)


def wide(survey_round: SurveyRound, **options) -> list[dict[str, str]]:
    header, *rows = iter_wide_rows(survey_round, ExportOptions(**options))
    return [dict(zip(header, row, strict=True)) for row in rows]


def by_party(rows: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    return {(row["participant"], row["mechanism"]): row for row in rows}


def text_of(chunks: Iterator[str]) -> str:
    return "".join(chunks)


def parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def expected_question_columns(survey_round: SurveyRound) -> list[str]:
    """Question codes of the shipped files, mechanism, then State, then organization, each code
    once, notes left out, a matrix as one column per row and `_other` after an OTHER option."""
    seen: set[str] = set()
    columns: list[str] = []
    for audience in ("mechanism", "state", "organization"):
        schema = questionnaire_schema(survey_round.questionnaire_for(audience))
        document = json.loads((SHIPPED_DIR / f"{audience}.json").read_text(encoding="utf-8"))
        for section in document["sections"]:
            for question in section["questions"]:
                code = question["code"]
                if question["type"] == "note" or code in seen:
                    continue
                seen.add(code)
                if question["type"] == "matrix":
                    columns += [f"{code}/{row}" for row in schema.questions[code].option_codes]
                else:
                    columns.append(code)
                if question.get("other_option"):
                    columns.append(f"{code}_other")
    return columns


# --- wide CSV ------------------------------------------------------------------------------


def test_the_wide_header_is_the_meta_columns_then_the_questions_in_questionnaire_order(
    survey_round,
):
    header = next(iter_wide_rows(survey_round))
    assert header[: len(META_COLUMNS)] == META_COLUMNS
    assert header[len(META_COLUMNS) :] == expected_question_columns(survey_round)
    assert header.index("funding_sources") + 1 == header.index("funding_sources_other")
    assert "partner_roles/UN_AGENCY" in header and "partner_roles" not in header


def test_a_wide_row_holds_every_answer_shape_as_codes(survey_round):
    rows = by_party(wide(survey_round))
    row = rows[("EU-CELAC", "")]
    assert row["participant_kind"] == "mechanism" and row["status"] == "submitted"
    assert row["round"] == SLUG and row["questionnaire"] == "mechanism v1"
    assert row["respondent_role"] == "CHAIR"
    assert row["thematic_areas_current"] == "GOV; MD; IRR"  # questionnaire order
    assert row["funding_sources"] == "CHAIR_HOST; OTHER"
    assert row["funding_sources_other"] == "in-kind, from members"
    assert row["partner_types"] == "UN_AGENCY; REC"
    assert row["partner_roles/UN_AGENCY"] == "OBSERVER; SPEAKER"
    assert row["partner_roles/REC"] == "MEMBER"
    assert row["partner_roles/CSO"] == ""
    assert row["strategy_since"] == "2015" and row["relevance"] == "4"
    assert row["overlap"] == "no" and row["contribution_national"] == "yes"
    assert row["strategy_title"] == 'Plan, "2019"'
    assert row["thematic_evolution"] == MECHANISM_ANSWERS["thematic_evolution"]
    assert row["institution"] == ""
    assert rows[("ES", "")]["institution"] == SPAIN_ONCE["institution"]
    assert rows[("ES", "EU-CELAC")]["covers_own_travel"] == "yes"
    assert rows[("ES", "EU-CELAC")]["participation_frequency"] == "ALL"


def test_a_response_without_answers_still_has_its_row(survey_round):
    rows = wide(survey_round)
    assert len(rows) == RESPONSES == survey_round.responses.count()
    assert [row["response_id"] for row in rows] == sorted(
        (row["response_id"] for row in rows), key=int
    )
    empty = by_party(rows)[("MX", "EU-CELAC")]
    assert empty["status"] == "draft" and empty["participant_kind"] == "state"
    assert not any(empty[code] for code in expected_question_columns(survey_round))


def test_labels_replace_codes_in_the_language_asked(survey_round):
    row = by_party(wide(survey_round, labels=True))[("EU-CELAC", "")]
    assert row["respondent_role"] == "Chair"
    assert row["funding_sources"] == "Chair or meeting host covers meeting costs; Other"
    assert row["partner_roles/UN_AGENCY"] == "Observer; Speaker"
    assert row["overlap"] == "No" and row["contribution_national"] == "Yes"
    assert row["relevance"] == "4" and row["strategy_since"] == "2015"
    assert row["funding_sources_other"] == "in-kind, from members"  # free text unchanged
    french = by_party(wide(survey_round, labels=True, language="fr"))[("EU-CELAC", "")]
    assert french["respondent_role"] == "Présidence"
    assert french["overlap"] == "Non" and french["funding_sources"].endswith("; Autre")


def test_choice_columns_give_one_0_1_column_per_choice(survey_round):
    header = next(iter_wide_rows(survey_round, ExportOptions(choice_columns=True)))
    assert "funding_sources" not in header and "funding_sources/OTHER" in header
    assert header.index("funding_sources/OTHER") + 1 == header.index("funding_sources_other")
    assert "partner_roles/UN_AGENCY/SPEAKER" in header
    rows = by_party(wide(survey_round, choice_columns=True))
    row = rows[("EU-CELAC", "")]
    assert row["thematic_areas_current/GOV"] == "1" and row["thematic_areas_current/DATA"] == "0"
    assert row["funding_sources/OTHER"] == "1" and row["funding_sources/CHAIR_HOST"] == "1"
    assert row["funding_sources/EU"] == "0"
    assert row["funding_sources_other"] == "in-kind, from members"
    assert row["partner_roles/UN_AGENCY/SPEAKER"] == "1"
    assert row["partner_roles/UN_AGENCY/MEMBER"] == "0"
    assert row["partner_roles/CSO/MEMBER"] == ""  # a row without answers is blank, not 0
    assert row["respondent_role"] == "CHAIR"  # a single choice stays one column
    assert row["emerging_themes/GOV"] == ""  # an unanswered question is blank, not 0
    assert rows[("MX", "")]["thematic_areas_current/GOV"] == ""


def test_the_csv_follows_rfc_4180(survey_round):
    text = text_of(iter_csv(iter_wide_rows(survey_round)))
    assert parse_csv(text) == list(iter_wide_rows(survey_round))
    assert text.endswith("\r\n") and text.count("\r\n") == RESPONSES + 1
    assert "\n" not in text.replace("\r\n", "").replace("migration,\nnow", "")
    assert '"Plan, ""2019"""' in text  # quotes doubled, the field quoted
    assert '"Focus on the EU, ""LAC"" and migration,\nnow also on returns."' in text
    assert not text.startswith(exports.BOM)


def test_the_bom_option_starts_the_file_with_a_utf8_byte_order_mark(survey_round, tmp_path):
    with_bom, without = tmp_path / "bom.csv", tmp_path / "plain.csv"
    write_export(survey_round, "csv", with_bom, ExportOptions(bom=True))
    write_export(survey_round, "csv", without)
    assert with_bom.read_bytes() == b"\xef\xbb\xbf" + without.read_bytes()
    assert with_bom.read_text(encoding="utf-8-sig") == without.read_text(encoding="utf-8")
    assert "Inclusión" in without.read_text(encoding="utf-8")


# --- long CSV ------------------------------------------------------------------------------


def test_the_long_csv_has_one_row_per_stored_value(survey_round):
    header, *rows = parse_csv(text_of(iter_csv(iter_long_rows(survey_round))))
    assert header == LONG_COLUMNS
    stored = Answer.objects.filter(response__round=survey_round)
    assert len(rows) == stored.count()
    found = {(row[0], row[9], row[10], row[11]) for row in rows}
    assert found == {
        (str(a.response_id), a.question.code, a.row, a.choice or a.text or exports.plain(a.number))
        for a in stored.select_related("question")
    }
    labelled = {(row[9], row[10], row[11]): row[12] for row in rows}
    assert labelled[("partner_roles", "UN_AGENCY", "SPEAKER")] == "Speaker"
    assert labelled[("funding_sources", "", "OTHER")] == "Other"
    assert labelled[("funding_sources", "_other", "in-kind, from members")] == ""
    assert labelled[("overlap", "", "no")] == "No"
    assert labelled[("strategy_since", "", "2015")] == ""
    assert not any(row[3] == "MX" for row in rows)  # Mexico stored nothing


# --- XLSX ----------------------------------------------------------------------------------


def sheet_rows(path: Path, title: str) -> list[list[str]]:
    workbook = load_workbook(path, read_only=True)
    return [
        ["" if value is None else value for value in row]
        for row in workbook[title].iter_rows(values_only=True)
    ]


def test_the_xlsx_holds_the_wide_and_long_rows(survey_round, tmp_path):
    path = tmp_path / "round.xlsx"
    write_export(survey_round, "xlsx", path, ExportOptions(labels=True))
    assert load_workbook(path, read_only=True).sheetnames == ["responses", "answers"]
    options = ExportOptions(labels=True)
    assert sheet_rows(path, "responses") == list(iter_wide_rows(survey_round, options))
    assert sheet_rows(path, "answers") == list(iter_long_rows(survey_round, options))


def test_the_xlsx_goes_on_in_another_answers_sheet_past_a_spreadsheets_rows(
    survey_round, tmp_path, monkeypatch
):
    long = list(iter_long_rows(survey_round))
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", len(long) - 1)  # the last response moves
    path = tmp_path / "round.xlsx"
    write_export(survey_round, "xlsx", path)
    assert load_workbook(path, read_only=True).sheetnames == ["responses", "answers", "answers (2)"]
    first, second = sheet_rows(path, "answers"), sheet_rows(path, "answers (2)")
    assert first[0] == second[0] == LONG_COLUMNS
    assert len(first) <= len(long) - 1 and first + second[1:] == long
    assert {row[0] for row in first[1:]}.isdisjoint(row[0] for row in second[1:])


def test_the_xlsx_keeps_text_that_looks_like_a_formula_as_text(survey_round, tmp_path):
    Answer.objects.filter(response__round=survey_round, question__code="thematic_evolution").update(
        text="=HYPERLINK(1)\x07"
    )
    path = tmp_path / "round.xlsx"
    write_export(survey_round, "xlsx", path)
    cells = load_workbook(path)["answers"]
    values = [row[11] for row in cells.iter_rows(values_only=True)]
    assert "=HYPERLINK(1)" in values
    assert all(c.data_type != "f" for row in cells.iter_rows() for c in row)


# --- streaming -----------------------------------------------------------------------------


def add_state_responses(survey_round: SurveyRound, count: int) -> None:
    """`count` more responses, each of a State that is in no mechanism (one response each)."""
    members = Membership.objects.filter(state__isnull=False).values("state_id")
    taken = survey_round.participants.filter(state__isnull=False).values("state_id")
    for state in State.objects.exclude(pk__in=members).exclude(pk__in=taken)[:count]:
        participant = round_add_participant(survey_round=survey_round, party=state)
        for response in participant_responses(participant):
            response_save_answers(response=response, answers=SPAIN_ONCE, expected_version=None)


def test_the_wide_export_costs_the_same_queries_for_5_or_30_responses(
    survey_round, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(exports, "CHUNK", 4)  # several chunks per cursor, still one query each
    list(iter_wide_rows(survey_round))  # questionnaire schemas are cached by the first export
    # 3 questionnaires of the round (a fresh instance), the responses, the answer rows
    fresh = SurveyRound.objects.get(pk=survey_round.pk)
    with django_assert_num_queries(5):
        rows = list(iter_wide_rows(fresh))
    assert len(rows) == RESPONSES + 1
    add_state_responses(survey_round, 30 - RESPONSES)
    fresh = SurveyRound.objects.get(pk=survey_round.pk)
    with django_assert_num_queries(5):
        rows = list(iter_wide_rows(fresh))
    assert len(rows) == 30 + 1


def test_the_json_reads_its_responses_in_three_queries_per_batch(
    survey_round, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(backup_responses, "SNAPSHOT_BATCH", 4)  # 5 responses: 2 batches
    text_of(iter_round_json(survey_round))  # questionnaire schemas are cached by the first export
    with CaptureQueriesContext(connection) as five:
        text_of(iter_round_json(SurveyRound.objects.get(pk=survey_round.pk)))
    add_state_responses(survey_round, 30 - RESPONSES)  # 8 batches: 6 more, 3 queries each
    # (their answers, their history, their answers' history), whatever the number of answers
    with django_assert_num_queries(len(five) + 6 * 3):
        text_of(iter_round_json(SurveyRound.objects.get(pk=survey_round.pk)))
    assert len(five) <= 28  # the head (round, questionnaires, registry, participants) and 2 batches


def test_progress_is_called_once_per_response_in_every_format(survey_round, tmp_path):
    for fmt in exports.FORMATS:
        calls: list[int] = []
        write_export(survey_round, fmt, tmp_path / f"export.{fmt}", progress=calls.append)
        assert calls == list(range(1, RESPONSES + 1)), fmt


def test_an_unknown_format_is_refused(survey_round, tmp_path):
    with pytest.raises(ValueError, match="Unknown export format"):
        write_export(survey_round, "pdf", tmp_path / "x.pdf")


# --- JSON: round trip and import -----------------------------------------------------------


def round_json(slug: str = SLUG) -> str:
    return text_of(iter_round_json(SurveyRound.objects.get(slug=slug)))


def delete_round(slug: str = SLUG) -> None:
    SurveyRound.objects.filter(slug=slug).delete()


def counts() -> dict[str, int]:
    models = [
        SurveyRound, RoundParticipant, Invitation, Response, Answer, Response.history.model,
        Answer.history.model, Questionnaire, Question, Mechanism, Organization, State, Membership,
        FocalPoint,
    ]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def test_the_json_holds_the_whole_round(survey_round):
    document = json.loads(round_json())
    assert document["format"] == "iscm-round" and document["round"]["slug"] == SLUG
    assert [q["key"] for q in document["questionnaires"]] == ["mechanism", "organization", "state"]
    assert [m["acronym"] for m in document["registry"]["mechanisms"]] == ["EU-CELAC"]
    assert [p["party"] for p in document["participants"]] == [
        "mechanism:EU-CELAC", "state:ES", "state:MX",
    ]  # fmt: skip
    assert len(document["responses"]) == RESPONSES
    secretariat = document["responses"][0]
    assert secretariat["answers"]["funding_sources"] == ["CHAIR_HOST", "OTHER"]
    assert secretariat["answers"]["partner_roles"] == {
        "UN_AGENCY": ["OBSERVER", "SPEAKER"], "REC": ["MEMBER"],
    }  # fmt: skip
    assert secretariat["answers"]["strategy_since"] == 2015
    assert [h["status"] for h in secretariat["history"]][-1] == "submitted"
    assert secretariat["answer_history"]


def test_the_memberships_written_by_postgresql_are_what_json_dumps_writes(survey_round):
    eu_celac = Mechanism.objects.get(acronym="EU-CELAC")
    hostile = Organization.objects.create(acronym='Ω "q" \\ \n\x01 🙂', name="O", kind="other")
    Membership.objects.create(
        mechanism=eu_celac, organization=hostile, role="observer",
        start_date=datetime.date(2020, 2, 29), end_date=datetime.date(2024, 1, 1),
    )  # fmt: skip
    rows = (
        Membership.objects.filter(mechanism=eu_celac)
        .order_by("mechanism__acronym", "role", "state__country", "organization__acronym",
                  "start_date", "pk")
        .values_list("mechanism__acronym", "state__country", "organization__acronym", "role",
                     "start_date", "end_date")
    )  # fmt: skip
    expected = [
        {"mechanism": mechanism, "role": role,
         "participant": f"state:{state}" if state else f"organization:{organization}",
         "start_date": start and start.isoformat(), "end_date": end and end.isoformat()}
        for mechanism, state, organization, role, start, end in rows
    ]  # fmt: skip
    assert len(expected) > 2
    for level in (0, 2):
        inner = "\n" + " " * (level + 1)
        written = backup.round_memberships(survey_round, inner)
        streamed = "".join(backup.streamed_list(written, level, render=backup.written))
        assert streamed == "".join(backup.streamed_list(expected, level))
    document = json.loads(round_json())
    assert expected == document["registry"]["memberships"]


def test_export_then_import_then_export_gives_the_same_json(survey_round):
    before = round_json()
    registry = {k: v for k, v in counts().items() if k in {"Mechanism", "State", "Questionnaire"}}
    delete_round()
    assert not SurveyRound.objects.filter(slug=SLUG).exists()
    imported = import_round(json.loads(before))
    assert imported.responses.count() == RESPONSES
    assert round_json() == before
    assert {k: v for k, v in counts().items() if k in registry} == registry


def malformed_documents(document: dict) -> dict[str, tuple[dict | str, str]]:
    wrong_format = {**document, "format": "something-else"}
    invalid = json.loads(json.dumps(document))
    invalid["responses"][0]["answers"]["relevance"] = 9
    unknown = json.loads(json.dumps(document))
    unknown["participants"][1]["party"] = "state:ZZ"
    unknown_mechanism = json.loads(json.dumps(document))
    unknown_mechanism["participants"][0]["party"] = "mechanism:NOPE"
    return {
        "not an object": ("[1, 2]", "must hold a JSON object"),
        "wrong format": (wrong_format, 'format: expected "iscm-round"'),
        "invalid answer": (invalid, "responses[0] (mechanism:EU-CELAC): invalid answers"),
        "unknown State": (unknown, "Unknown participant “state:ZZ”"),
        "unknown mechanism": (unknown_mechanism, "Unknown participant “mechanism:NOPE”"),
        "missing parts": ({"format": "iscm-round", "format_version": 1}, "round: missing"),
    }


@pytest.mark.parametrize(
    "case",
    ["not an object", "wrong format", "invalid answer", "unknown State", "unknown mechanism",
     "missing parts"],
)  # fmt: skip
def test_import_refuses_a_malformed_file_and_writes_nothing(survey_round, case):
    document = json.loads(round_json())
    delete_round()
    data, message = malformed_documents(document)[case]
    before = counts()
    with pytest.raises(RoundImportError) as refused:
        import_round(json.loads(data) if isinstance(data, str) else data)
    assert message in str(refused.value)
    assert counts() == before


def test_import_refuses_a_round_that_already_exists(survey_round):
    before = counts()
    with pytest.raises(RoundImportError, match="already exists: importing would overwrite it"):
        import_round(json.loads(round_json()))
    assert counts() == before


# --- the commands --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("csv", ExportOptions()), ("csv-long", ExportOptions()), ("json", ExportOptions()),
     ("csv", ExportOptions(labels=True, choice_columns=True, language="fr", bom=True))],
)  # fmt: skip
def test_export_round_writes_each_text_format(survey_round, tmp_path, fmt, options):
    path = tmp_path / "out"
    flags = [
        *(["--labels"] if options.labels else []),
        *(["--choice-columns"] if options.choice_columns else []),
        *(["--bom"] if options.bom else []),
    ]
    out = io.StringIO()
    call_command(
        "export_round", SLUG, "--format", fmt, "-o", str(path), "--language", options.language,
        *flags, stdout=out,
    )  # fmt: skip
    assert f"Wrote {path}" in out.getvalue()
    if fmt == "json":
        expected = round_json()
    else:
        rows = iter_wide_rows if fmt == "csv" else iter_long_rows
        expected = text_of(iter_csv(rows(survey_round, options), bom=options.bom))
    assert path.read_bytes() == expected.encode("utf-8")


def test_export_round_writes_xlsx(survey_round, tmp_path):
    path = tmp_path / "round.xlsx"
    call_command("export_round", SLUG, "--format", "xlsx", "-o", str(path), stdout=io.StringIO())
    assert sheet_rows(path, "responses") == list(iter_wide_rows(survey_round))


def test_export_round_refuses_an_unknown_round(survey_round, tmp_path):
    with pytest.raises(CommandError, match="No round with slug 'nope'"):
        call_command("export_round", "nope", "-o", str(tmp_path / "x.csv"))


def test_import_round_imports_an_exported_file(survey_round, tmp_path):
    path = tmp_path / "round.json"
    call_command("export_round", SLUG, "--format", "json", "-o", str(path), stdout=io.StringIO())
    delete_round()
    out = io.StringIO()
    call_command("import_round", str(path), stdout=out)
    assert f"Imported round '{SLUG}' with {RESPONSES} responses." in out.getvalue()
    assert round_json() == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "not valid JSON"),
     ('{"format": "csv"}', "not imported, nothing was written")],
)  # fmt: skip
def test_import_round_refuses_a_malformed_file(survey_round, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError, match=message):
        call_command("import_round", str(path))
    assert counts() == before


def test_import_round_refuses_to_overwrite_a_round(survey_round, tmp_path):
    path = tmp_path / "round.json"
    path.write_text(round_json(), encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError, match="already exists"):
        call_command("import_round", str(path))
    assert counts() == before


def test_import_round_refuses_a_missing_file(tmp_path, db):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_round", str(tmp_path / "missing.json"))
