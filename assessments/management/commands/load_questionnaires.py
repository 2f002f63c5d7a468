from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from assessments.questionnaires.format import QuestionnaireFormatError
from assessments.questionnaires.shipped import load_shipped_questionnaires


class Command(BaseCommand):
    help = "Load the three 2019-style questionnaires shipped with the project (idempotent)."

    def handle(self, *args, **options) -> None:
        try:
            report = load_shipped_questionnaires()
        except QuestionnaireFormatError as exc:
            raise CommandError("Questionnaires not loaded:\n" + "\n".join(exc.errors)) from exc
        for label in report.created:
            self.stdout.write(f"  created {label}")
        for label in report.differing:
            self.stderr.write(
                self.style.WARNING(
                    f"  {label} exists and differs from its file: not overwritten "
                    "(give the file a new version number)"
                )
            )
        if report.created:
            self.stdout.write(self.style.SUCCESS(f"Loaded {len(report.created)} questionnaire(s)."))
        else:
            self.stdout.write(self.style.SUCCESS("Questionnaires already loaded: no change."))
