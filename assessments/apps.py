from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from assessments.access import roles_ensure

        # After auth's own handler has created this app's permissions (it is connected first).
        post_migrate.connect(roles_ensure, sender=self, dispatch_uid="assessments_roles_ensure")

        from mechanisms.text import harden_text_fields

        harden_text_fields(self.get_models())
