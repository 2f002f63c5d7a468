from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MechanismsConfig(AppConfig):
    name = "mechanisms"
    verbose_name = _("Registry of mechanisms")

    def ready(self) -> None:
        from mechanisms.text import harden_text_fields

        harden_text_fields(self.get_models())
