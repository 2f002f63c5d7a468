from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.rounds.services.personal_data import focal_point_erase, focal_point_personal_data


class Command(BaseCommand):
    help = "Export (as JSON) or erase the personal data held about a focal point, by email."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--export", action="store_true")
        action.add_argument("--erase", action="store_true")

    def handle(self, *args, **options) -> None:
        email = options["email"].strip()
        if "@" not in email:
            raise CommandError(f"'{email}' is not an email address.")
        data = focal_point_personal_data(email=email)
        if not data["focal_points"] and not data["emails_sent"]:
            raise CommandError(f"No personal data is held for {email}.")
        if options["export"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        count = focal_point_erase(email=email)
        self.stdout.write(
            self.style.SUCCESS(f"Erased {email} from {count} focal point(s) and the emails sent.")
        )
