"""The outcome of an XLSForm import, in the admin's import page and the command alike:
imported with N warnings (listed), or refused with the rows, nothing written."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation
from lxml import html

from assessments.questionnaires.models import Question, Questionnaire
from tests.assessments.questionnaires.xlsform_helpers import workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The French page test leaves French active in the thread; the others read English."""
    with translation.override("en"):
        yield


CHOICES = [["list_name", "name", "label"], ["colors", "RED", "Red"], ["colors", "BLUE", "Blue"]]
WARNED = workbook_bytes(
    {
        "survey": [
            ["type", "name", "label", "$kuid"],
            ["start", "start", None, "k0"],
            ["select one colors", "color", "Colour", "k1"],
            ["calculate", "double", None, "k2"],
        ],
        "choices": CHOICES,
    }
)
REFUSED = workbook_bytes(
    {
        "survey": [
            ["type", "name", "label"],
            ["text", "name", "Name"],
            ["geopoint", "where", "Where?"],
            ["begin_repeat", "people", "People"],
            ["end_repeat"],
        ],
        "choices": CHOICES,
    }
)


def upload(client: Any, name: str, content: bytes) -> Any:
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(
        reverse("admin:assessments_questionnaire_import"), {"file": file}, follow=True
    )


def test_the_admin_says_imported_with_the_warnings_listed(admin_client) -> None:
    response = upload(admin_client, "Colour form.xlsx", WARNED)

    questionnaire = Questionnaire.objects.get()
    assert questionnaire.key == "Colour_form"
    messages = [str(m) for m in response.context["messages"]]
    assert messages[0] == f"Imported {questionnaire}, 4 warnings (what was left out):"
    assert messages[1:] == [
        "settings sheet, form_id: “Colour form” is imported as the key “Colour_form”",
        "survey sheet, row 2, start: device and form metadata are not imported (start)",
        "survey sheet, row 4, calculate: calculations are not imported (double)",
        "survey sheet, row 3, column “$kuid”: this column is not imported (1 row holds a value)",
    ]


def test_the_admin_lists_each_refusal_with_its_row_and_writes_nothing(admin_client) -> None:
    response = upload(admin_client, "refused.xlsx", REFUSED)

    assert response.status_code == 200
    errors = [
        e.text_content()
        for e in html.fromstring(response.content.decode()).xpath(
            "//ul[contains(@class, 'errorlist')]/li"
        )
    ]
    assert errors == [
        "survey sheet, row 3, geopoint: location answers cannot be imported",
        "survey sheet, row 4, begin_repeat: repeats cannot be imported: answers are not repeated",
    ]
    assert not Questionnaire.objects.exists() and not Question.objects.exists()


def test_the_admin_shows_the_outcome_in_french(admin_client) -> None:
    admin_client.cookies["django_language"] = "fr"
    response = upload(admin_client, "refused.xlsx", REFUSED)

    text = html.fromstring(response.content.decode()).text_content()
    assert "feuille survey, ligne 3, geopoint" in text


def test_the_command_says_imported_with_the_warnings_listed(tmp_path) -> None:
    path = tmp_path / "colours.xlsx"
    path.write_bytes(WARNED)
    out = StringIO()

    call_command("import_questionnaire", str(path), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Imported “colours” (colours v1, draft) as questionnaire ")
    assert lines[0].endswith(", 3 warnings:")
    assert lines[1:] == [
        "- survey sheet, row 2, start: device and form metadata are not imported (start)",
        "- survey sheet, row 4, calculate: calculations are not imported (double)",
        "- survey sheet, row 3, column “$kuid”: this column is not imported (1 row holds a value)",
    ]


def test_the_command_refuses_with_the_rows_and_writes_nothing(tmp_path) -> None:
    path = tmp_path / "refused.xls"
    path.write_bytes(REFUSED)  # the content decides, not the extension

    with pytest.raises(CommandError) as caught:
        call_command("import_questionnaire", str(path), stdout=StringIO())

    assert str(caught.value).splitlines() == [
        f"{path}: not imported, nothing was written:",
        "survey sheet, row 3, geopoint: location answers cannot be imported",
        "survey sheet, row 4, begin_repeat: repeats cannot be imported: answers are not repeated",
    ]
    assert not Questionnaire.objects.exists()


def test_a_check_of_our_format_is_placed_on_its_survey_row(tmp_path) -> None:
    survey = [
        ["type", "name", "label", "choice_source"],
        ["select_one x", "pick", "Pick", "vocabulary:nowhere"],
    ]
    path = tmp_path / "vocab.xlsx"
    path.write_bytes(workbook_bytes({"survey": survey}))

    with pytest.raises(CommandError) as caught:
        call_command("import_questionnaire", str(path), stdout=StringIO())

    (_first, refusal) = str(caught.value).splitlines()
    assert refusal == "survey sheet, row 2, choices name: unknown vocabulary “nowhere”."
