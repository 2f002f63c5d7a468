from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from assessments.demo.services import DEMO_SLUG, load_demo
from assessments.questionnaires.format import QuestionnaireFormatError
from assessments.questionnaires.models import Audience
from mechanisms.services.reference_data import ReferenceDataError


class Command(BaseCommand):
    help = (
        f"Create the demo round '{DEMO_SLUG}' in the style of the 2019 assessment, with seeded "
        "answers (idempotent: does nothing when the round exists)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=2019, help="random seed (default 2019)")

    def handle(self, *args, **options) -> None:
        try:
            report = load_demo(seed=options["seed"])
        except QuestionnaireFormatError as exc:
            raise CommandError("Demo not loaded:\n" + "\n".join(exc.errors)) from exc
        except (ReferenceDataError, ValidationError, DatabaseError, RuntimeError) as exc:
            raise CommandError(f"Demo not loaded: {exc}") from exc
        if not report.created:
            self.stdout.write(self.style.SUCCESS("Demo round already loaded: no change."))
            return
        submitted = report.submitted
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo round '{report.slug}' created: {submitted[Audience.MECHANISM]} mechanisms, "
                f"{submitted[Audience.STATE]} States and {submitted[Audience.ORGANIZATION]} "
                f"organizations submitted; {report.drafts} drafts; "
                f"{report.not_started} not started."
            )
        )
        self.stdout.write(f"  {report.answers} answers in {report.seconds:.1f} s")
