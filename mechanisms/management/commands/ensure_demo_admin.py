from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Create the local demo secretariat admin (DEBUG only) and print its credentials."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo admin is for local use: set DEBUG=true to create it.")
        credentials = settings.VAR_DIR / "demo-admin.txt"
        username = options["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not credentials.exists():
            password = secrets.token_urlsafe(12)
            user = user or get_user_model()(username=username, email="admin@example.org")
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
            credentials.parent.mkdir(parents=True, exist_ok=True)
            credentials.write_text(f"{username}\n{password}\n", encoding="utf-8")
            credentials.chmod(0o600)
        username, password = credentials.read_text(encoding="utf-8").split()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo secretariat admin: username '{username}', password '{password}' "
                f"(sign in at {settings.SITE_URL}/admin/)"
            )
        )
