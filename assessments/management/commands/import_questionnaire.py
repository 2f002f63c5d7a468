from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.questionnaires.format import QuestionnaireFormatError
from assessments.questionnaires.services import questionnaire_import
from assessments.questionnaires.shipped import read_questionnaire_file


class Command(BaseCommand):
    help = "Import a questionnaire version from our JSON format or an XLSForm (.xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="A .json or .xlsx file.")
        parser.add_argument("--key", help="XLSForm only: the questionnaire key (default: form_id).")

    def handle(self, *args, **options) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            data = self.read(path, options.get("key"))
            questionnaire = questionnaire_import(data)
        except (QuestionnaireFormatError, ValueError) as exc:
            errors = getattr(exc, "errors", None) or [str(exc)]
            raise CommandError(
                f"{path}: not imported, nothing was written:\n" + "\n".join(errors)
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported “{questionnaire.title}” ({questionnaire.key} v{questionnaire.version}, "
                f"{questionnaire.get_status_display().lower()}) as questionnaire {questionnaire.pk}."
            )
        )

    def read(self, path: Path, key: str | None) -> dict:
        suffix = path.suffix.lower()
        if suffix == ".json":
            return read_questionnaire_file(path)
        if suffix == ".xlsx":
            from assessments.questionnaires.xlsform import xlsform_to_questionnaire

            return xlsform_to_questionnaire(path.read_bytes(), key=key)
        raise CommandError(f"{path}: expected a .json or .xlsx file.")
