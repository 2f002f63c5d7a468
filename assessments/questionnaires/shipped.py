"""The three 2019-style questionnaires that ship with the project."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from assessments.questionnaires.format import QuestionnaireFormatError
from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.services import questionnaire_import, questionnaire_to_dict
from mechanisms.text import JsonLimitError, load_import_json

SHIPPED_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_FILES = ("mechanism.json", "state.json", "organization.json")


@dataclass
class ShippedReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    differing: list[str] = field(default_factory=list)


def read_questionnaire_file(path: Path) -> dict:
    try:
        return load_import_json(path.read_bytes())
    except OSError as exc:
        raise QuestionnaireFormatError([f"{path}: cannot be read ({exc})."]) from exc
    except JsonLimitError as exc:
        raise QuestionnaireFormatError([f"{path}: {exc}".replace("\n", " ")]) from exc


@transaction.atomic
def load_shipped_questionnaires(directory: Path = SHIPPED_DIR) -> ShippedReport:
    """Import each shipped questionnaire whose version is not in the database yet.

    A version already present is never overwritten (published versions are immutable); one
    that differs from its file is reported, so that the file gets a new version number.
    """
    report = ShippedReport()
    for name in SHIPPED_FILES:
        data = read_questionnaire_file(directory / name)
        label = f"{data.get('key')} v{data.get('version')}"
        existing = Questionnaire.objects.filter(
            key=data.get("key"), version=data.get("version")
        ).first()
        if existing is None:
            questionnaire_import(data)
            report.created.append(label)
        elif questionnaire_to_dict(existing) == data:
            report.unchanged.append(label)
        else:
            report.differing.append(label)
    return report
