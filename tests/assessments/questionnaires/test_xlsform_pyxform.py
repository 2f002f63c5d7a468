"""The XLSForms we export convert with pyxform (so Kobo and ODK can deploy them) and import back
identical, for the three shipped questionnaires with the registry loaded."""

from __future__ import annotations

import json

import pytest
from pyxform.xls2xform import convert

from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.selectors import registry_choice_lists
from assessments.questionnaires.services import (
    questionnaire_import,
    questionnaire_to_dict,
    xlsform_import,
)
from assessments.questionnaires.shipped import SHIPPED_DIR
from assessments.questionnaires.xlsform import questionnaire_to_xlsform, xlsform_to_questionnaire

pytestmark = pytest.mark.django_db


def shipped(name: str) -> dict:
    return json.loads((SHIPPED_DIR / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["mechanism", "state", "organization"])
def test_shipped_questionnaire_exports_convert_with_pyxform_and_import_back_identical(
    name, reference_registry
):
    data = shipped(name)
    content = questionnaire_to_xlsform(data, registry_choice_lists())

    result = convert(xlsform=content, file_type=".xlsx", validate=False, pretty_print=False)

    assert "<h:html" in result.xform
    assert not [w for w in result.warnings if "not in choices" in w.lower()]
    imported = xlsform_to_questionnaire(content, filename=f"{name}.xlsx")
    assert imported.questionnaire == data


def test_an_exported_questionnaire_imports_back_identical_through_the_database(reference_registry):
    data = shipped("state")
    original = questionnaire_import(data)
    content = questionnaire_to_xlsform(questionnaire_to_dict(original), registry_choice_lists())
    Questionnaire.objects.filter(pk=original.pk).delete()

    questionnaire, warnings = xlsform_import(content, filename="state.xlsx")

    assert warnings == []
    assert questionnaire_to_dict(questionnaire) == data


def test_the_export_command_writes_an_xlsform_that_converts_with_pyxform(
    reference_registry, tmp_path
):
    from django.core.management import call_command

    questionnaire = questionnaire_import(shipped("mechanism"))
    path = tmp_path / "mechanism.xlsx"

    call_command("export_questionnaire", str(questionnaire.pk), "--format", "xlsx", "-o", str(path))

    result = convert(xlsform=str(path), validate=False, pretty_print=False)
    assert "<h:html" in result.xform
    assert xlsform_to_questionnaire(path).questionnaire == shipped("mechanism")
