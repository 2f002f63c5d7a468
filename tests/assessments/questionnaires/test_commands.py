"""Management commands: import_questionnaire, export_questionnaire, load_questionnaires."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments.questionnaires.models import Choice, Question, Questionnaire, Section
from assessments.questionnaires.services import questionnaire_import, questionnaire_to_dict
from mechanisms.services import load_reference_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(settings):
    return load_reference_data(settings.REFERENCE_DATA_DIR)


def counts() -> tuple[int, int, int, int]:
    return tuple(model.objects.count() for model in (Questionnaire, Section, Question, Choice))


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def questionnaire(key: str = "household", version: int = 1) -> dict[str, Any]:
    return {
        "format": "iscm-questionnaire",
        "format_version": 1,
        "key": key,
        "version": version,
        "audience": "state",
        "status": "draft",
        "title": {"en": "Household", "fr": "Ménage"},
        "sections": [
            {
                "code": "B0",
                "title": {"en": "Respondent"},
                "per_mechanism": False,
                "questions": [
                    {"code": "has_plan", "type": "yes_no", "text": {"en": "A plan?"}, "required": True},
                    {"code": "plan_year", "type": "year", "text": {"en": "Since?"},
                     "min_value": 1990, "max_value": 2030,
                     "condition": {"question": "has_plan", "operator": "equals", "values": ["yes"]}},
                    {"code": "themes", "type": "multiple", "text": {"en": "Themes?"},
                     "choices": {"source": "vocabulary", "name": "thematic_areas"}, "max_choices": 3},
                ],
            }
        ],
    }  # fmt: skip


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


# --- import_questionnaire -------------------------------------------------------------------


def test_import_questionnaire_imports_a_valid_json_file(registry, tmp_path):
    path = write_json(tmp_path / "household.json", questionnaire())
    output = run("import_questionnaire", str(path))
    imported = Questionnaire.objects.get(key="household")
    assert output.strip() == (
        f"Imported “Household” (household v1, draft) as questionnaire {imported.pk}."
    )
    assert list(imported.questions.values_list("code", flat=True)) == [
        "has_plan",
        "plan_year",
        "themes",
    ]
    assert imported.title_fr == "Ménage"


def test_import_questionnaire_refuses_an_invalid_file_listing_the_problems(registry, tmp_path):
    data = questionnaire()
    questions = data["sections"][0]["questions"]
    questions[1]["condition"]["question"] = "themes"  # a later question
    questions[2]["choices"]["name"] = "no_such_list"
    path = write_json(tmp_path / "broken.json", data)
    with pytest.raises(CommandError) as caught:
        run("import_questionnaire", str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: not imported, nothing was written:\n")
    assert "sections[0].questions[1] (plan_year).condition.question: “themes”" in message
    assert "sections[0].questions[2] (themes).choices.name: unknown vocabulary" in message
    assert counts() == (0, 0, 0, 0)


def test_import_questionnaire_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", "utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        run("import_questionnaire", str(path))
    assert counts() == (0, 0, 0, 0)


def test_import_questionnaire_refuses_a_version_already_imported(registry, tmp_path):
    path = write_json(tmp_path / "household.json", questionnaire())
    run("import_questionnaire", str(path))
    before = counts()
    with pytest.raises(CommandError, match="version 1 already exists"):
        run("import_questionnaire", str(path))
    assert counts() == before


def test_import_questionnaire_reports_a_missing_file(tmp_path):
    missing = tmp_path / "nowhere.json"
    with pytest.raises(CommandError) as caught:
        run("import_questionnaire", str(missing))
    assert str(caught.value) == f"{missing}: no such file."


def test_import_questionnaire_refuses_an_unsupported_extension(tmp_path):
    path = write_json(tmp_path / "household.csv", questionnaire())
    with pytest.raises(CommandError) as caught:
        run("import_questionnaire", str(path))
    assert str(caught.value) == f"{path}: expected a .json, .xlsx or .xls file."
    assert counts() == (0, 0, 0, 0)


def test_import_questionnaire_reads_an_xlsform(tmp_path):
    pytest.importorskip("assessments.questionnaires.xlsform")
    from openpyxl import Workbook

    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "relevant"])
    survey.append(["select_one abc", "a", "Pick one", None])
    survey.append(["text", "b", "Why?", "${a} = 'x'"])
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["abc", "x", "Ex"])
    choices.append(["abc", "y", "Why"])
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["Tiny form", "tiny", "1"])
    path = tmp_path / "tiny.xlsx"
    workbook.save(path)

    output = run("import_questionnaire", str(path))

    imported = Questionnaire.objects.get(key="tiny", version=1)
    assert f"as questionnaire {imported.pk}." in output
    assert imported.title == "Tiny form"
    a, b = imported.questions.order_by("section__position", "position")
    assert (a.code, a.type, b.code, b.type) == ("a", "single", "b", "text")
    assert list(a.choices.values_list("code", "label")) == [("x", "Ex"), ("y", "Why")]
    assert (b.condition_question, b.condition_operator, b.condition_values) == (a, "equals", ["x"])


# --- export_questionnaire -------------------------------------------------------------------


def test_export_questionnaire_writes_the_json_of_questionnaire_to_dict(registry, tmp_path):
    imported = questionnaire_import(questionnaire())
    path = tmp_path / "out.json"
    output = run("export_questionnaire", str(imported.pk), "--format", "json", "-o", str(path))
    assert output.strip() == f"Wrote {path}."
    written = json.loads(path.read_text("utf-8"))
    assert written == questionnaire_to_dict(imported)
    assert written["sections"][0]["questions"][1]["condition"]["values"] == ["yes"]


def test_an_exported_file_imports_back_under_a_new_version(registry, tmp_path):
    imported = questionnaire_import(questionnaire())
    path = tmp_path / "out.json"
    run("export_questionnaire", str(imported.pk), "-o", str(path))
    write_json(path, json.loads(path.read_text("utf-8")) | {"version": 2})
    run("import_questionnaire", str(path))
    second = Questionnaire.objects.get(key="household", version=2)
    assert questionnaire_to_dict(second) == questionnaire_to_dict(imported) | {"version": 2}


def test_export_questionnaire_writes_json_to_stdout_without_output(registry, capsys):
    imported = questionnaire_import(questionnaire())
    call_command("export_questionnaire", str(imported.pk))
    assert json.loads(capsys.readouterr().out) == questionnaire_to_dict(imported)


def test_export_questionnaire_refuses_an_unknown_id(tmp_path):
    path = tmp_path / "out.json"
    with pytest.raises(CommandError) as caught:
        run("export_questionnaire", "999999", "--format", "json", "-o", str(path))
    assert str(caught.value) == "No questionnaire with id 999999."
    assert not path.exists()


# --- load_questionnaires --------------------------------------------------------------------


def test_load_questionnaires_loads_the_shipped_ones_once(registry):
    first = run("load_questionnaires")
    assert first.splitlines() == [
        "  created mechanism v1",
        "  created state v1",
        "  created organization v1",
        "Loaded 3 questionnaire(s).",
    ]
    loaded = counts()
    second = run("load_questionnaires")
    assert second.strip() == "Questionnaires already loaded: no change."
    assert counts() == loaded
    assert sorted(Questionnaire.objects.values_list("key", "version", "status")) == [
        ("mechanism", 1, "published"),
        ("organization", 1, "published"),
        ("state", 1, "published"),
    ]


def test_load_questionnaires_refuses_without_the_registry():
    # The shipped questionnaires name registry lists: without them nothing is written.
    with pytest.raises(CommandError, match="unknown vocabulary “chair_models”"):
        run("load_questionnaires")
    assert counts() == (0, 0, 0, 0)
