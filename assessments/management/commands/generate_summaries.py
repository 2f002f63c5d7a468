from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.rounds.models import SurveyRound
from assessments.summaries.render import to_docx, to_html, to_markdown, to_pdf
from assessments.summaries.selectors import summarised_and_skipped
from assessments.summaries.services import summary_generate

WRITERS = {
    "md": lambda s: to_markdown(s).encode("utf-8"),
    "html": lambda s: to_html([s]).encode("utf-8"),
    "docx": lambda s: to_docx([s]),
    "pdf": lambda s: to_pdf([s]),
}


class Command(BaseCommand):
    help = "Generate the per-mechanism summaries of a round and write one file per mechanism."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round_slug")
        parser.add_argument("--mechanism", help="Only this mechanism (acronym).")
        parser.add_argument("--language", default="en", choices=[c for c, _n in settings.LANGUAGES])
        parser.add_argument("--format", default="md", choices=sorted(WRITERS))
        parser.add_argument("--out", type=Path, required=True, help="Folder to write into.")
        parser.add_argument(
            "--force", action="store_true", help="Drop sections edited in the admin."
        )

    def handle(self, *args, **options) -> None:
        survey_round = SurveyRound.objects.filter(slug=options["round_slug"]).first()
        if survey_round is None:
            raise CommandError(f"No round with slug '{options['round_slug']}'.")
        mechanisms, skipped = summarised_and_skipped(survey_round)
        if options["mechanism"]:
            wanted = options["mechanism"].upper()
            if wanted in {m.acronym for m in skipped}:
                raise CommandError(
                    f"Nobody submitted an answer about {wanted} in this round: no summary to write."
                )
            mechanisms = [m for m in mechanisms if m.acronym == wanted]
            if not mechanisms:
                raise CommandError(f"'{options['mechanism']}' is not a mechanism of this round.")
            skipped = []
        out: Path = options["out"]
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"{out}: cannot create the folder ({exc.strerror}).") from exc
        write = WRITERS[options["format"]]
        for mechanism in mechanisms:
            summary = summary_generate(
                survey_round=survey_round, mechanism=mechanism,
                language=options["language"], force=options["force"],
            )  # fmt: skip
            if summary is None:  # its answers were reopened since the list was made
                skipped.append(mechanism)
                continue
            path = (
                out
                / f"{survey_round.slug}-{mechanism.acronym}-{options['language']}.{options['format']}"
            )
            path.write_bytes(write(summary))
            self.stdout.write(f"  {path}")
        written = len(mechanisms) - len([m for m in skipped if m in mechanisms])
        self.stdout.write(self.style.SUCCESS(f"Wrote {written} summaries to {out}."))
        if skipped:
            self.stdout.write(
                f"Skipped {len(skipped)} mechanism{'s' if len(skipped) != 1 else ''} nobody "
                "submitted an answer about: " + ", ".join(m.acronym for m in skipped) + "."
            )
