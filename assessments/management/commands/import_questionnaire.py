from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import ngettext

from assessments.questionnaires.format import QuestionnaireFormatError
from assessments.questionnaires.services import questionnaire_import, xlsform_import
from assessments.questionnaires.shipped import read_questionnaire_file
from assessments.questionnaires.xlsform import XLSFormError

XLSFORM_SUFFIXES = (".xlsx", ".xls")


class Command(BaseCommand):
    help = "Import a questionnaire version from our JSON format or an XLSForm (.xlsx or .xls)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="A .json, .xlsx or .xls file.")
        parser.add_argument("--key", help="XLSForm only: the questionnaire key (default: form_id).")

    def handle(self, *args, **options) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        suffix = path.suffix.lower()
        if suffix not in (".json", *XLSFORM_SUFFIXES):
            raise CommandError(f"{path}: expected a .json, .xlsx or .xls file.")
        warnings: list = []
        try:
            if suffix == ".json":
                questionnaire = questionnaire_import(read_questionnaire_file(path))
            else:
                questionnaire, warnings = xlsform_import(
                    path.read_bytes(), filename=path.name, key=options.get("key")
                )
        except (QuestionnaireFormatError, XLSFormError, ValueError) as exc:
            errors = getattr(exc, "errors", None) or [str(exc)]
            raise CommandError(
                f"{path}: not imported, nothing was written:\n" + "\n".join(errors)
            ) from exc
        summary = (
            f"Imported “{questionnaire.title}” ({questionnaire.key} v{questionnaire.version}, "
            f"{questionnaire.get_status_display().lower()}) as questionnaire {questionnaire.pk}"
        )
        if not warnings:
            self.stdout.write(self.style.SUCCESS(summary + "."))
            return
        count = ngettext("%(n)d warning", "%(n)d warnings", len(warnings)) % {"n": len(warnings)}
        self.stdout.write(self.style.SUCCESS(f"{summary}, {count}:"))
        for warning in warnings:
            self.stdout.write(self.style.WARNING(f"- {warning}"))
