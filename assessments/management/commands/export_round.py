from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.reporting.exports import FORMATS, ExportOptions, write_export
from assessments.rounds.models import SurveyRound


class Command(BaseCommand):
    help = (
        "Export a round's responses: csv (wide), csv-long, xlsx, or json (the full round, "
        "for backup and import_round). Rows are streamed to the file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("-o", "--output", type=Path, required=True)
        parser.add_argument("--labels", action="store_true", help="Choice labels instead of codes.")
        parser.add_argument(
            "--choice-columns", action="store_true", help="One 0/1 column per choice."
        )
        parser.add_argument("--language", default="en", choices=["en", "fr", "es"])
        parser.add_argument(
            "--bom", action="store_true", help="Start CSV with a UTF-8 BOM (Excel)."
        )
        parser.add_argument(
            "--raw",
            action="store_true",
            help="CSV: cells as answered, for programs (by default a cell starting with "
            "= + - @, a tab or a carriage return gets a leading ' against formula injection).",
        )

    def handle(self, *args, **options) -> None:
        survey_round = SurveyRound.objects.filter(slug=options["slug"]).first()
        if survey_round is None:
            raise CommandError(f"No round with slug '{options['slug']}'.")
        export = ExportOptions(
            labels=options["labels"],
            choice_columns=options["choice_columns"],
            language=options["language"],
            bom=options["bom"],
            raw=options["raw"],
        )
        output: Path = options["output"]
        try:
            write_export(survey_round, options["format"], output, export)
        except OSError as exc:
            raise CommandError(f"{output}: cannot write ({exc.strerror or exc}).") from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote {output}."))
