from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.reporting.restore import RoundImportError, import_round
from mechanisms.text import JsonLimitError, load_import_json


class Command(BaseCommand):
    help = "Import a round exported with `export_round --format json` (refuses to overwrite)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, **options) -> None:
        path: Path = options["path"]
        try:
            data = load_import_json(path.read_bytes())
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file.") from exc
        except OSError as exc:
            raise CommandError(f"{path}: not a readable file ({exc}).") from exc
        except JsonLimitError as exc:
            raise CommandError(f"{path}: not imported, nothing was written: {exc}") from exc
        try:
            survey_round = import_round(data)
        except RoundImportError as exc:
            raise CommandError(
                f"{path}: not imported, nothing was written:\n" + "\n".join(exc.errors)
            ) from exc
        count = survey_round.responses.count()
        self.stdout.write(
            self.style.SUCCESS(f"Imported round '{survey_round.slug}' with {count} responses.")
        )
