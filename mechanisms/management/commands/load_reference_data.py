from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mechanisms.services import load_reference_data
from mechanisms.services.reference_data import ReferenceDataError


class Command(BaseCommand):
    help = "Load or update the registry (mechanisms, members, organizations, vocabularies)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir",
            type=Path,
            default=settings.REFERENCE_DATA_DIR,
            help="Folder holding mechanisms.yaml, organizations.yaml and vocabularies.yaml.",
        )

    def handle(self, *args, **options) -> None:
        try:
            report = load_reference_data(options["dir"])
        except ReferenceDataError as exc:
            raise CommandError(f"Reference data not loaded, nothing was changed: {exc}") from exc
        for line in report.lines():
            self.stdout.write(f"  {line}")
        if report.changed:
            self.stdout.write(self.style.SUCCESS("Reference data loaded."))
        else:
            self.stdout.write(self.style.SUCCESS("Reference data already up to date: no change."))
