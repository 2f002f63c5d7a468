from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.questionnaires.models import Questionnaire
from assessments.questionnaires.services import questionnaire_to_dict, xlsform_export


class Command(BaseCommand):
    help = "Export a questionnaire version as our JSON format or as an XLSForm (.xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id", type=int, help="The questionnaire's id (see the admin).")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument(
            "-o", "--output", type=Path, help="File to write (default: stdout for JSON)."
        )

    def handle(self, *args, **options) -> None:
        questionnaire = Questionnaire.objects.filter(pk=options["id"]).first()
        if questionnaire is None:
            raise CommandError(f"No questionnaire with id {options['id']}.")
        output: Path | None = options["output"]
        if options["format"] == "xlsx":
            if output is None:
                raise CommandError("An XLSX export needs -o PATH.")
            content = xlsform_export(questionnaire)
        else:
            data = questionnaire_to_dict(questionnaire)
            content = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        if output is None:
            self.stdout.write(content.decode("utf-8"), ending="")
            return
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"{output}: cannot write ({exc.strerror}).") from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}."))
