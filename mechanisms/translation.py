"""Multilingual fields kept as `<field>`, `<field>_fr`, `<field>_es` columns (English first)."""

from __future__ import annotations

from typing import Any

from django.utils import translation

LANGUAGE_CODES = ("en", "fr", "es")


def active_language() -> str:
    code = (translation.get_language() or "en")[:2]
    return code if code in LANGUAGE_CODES else "en"


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """The value of `field` in `language` (default: the active one), falling back to English."""
    language = language or active_language()
    if language != "en":
        value = getattr(obj, f"{field}_{language}", "")
        if value:
            return value
    return getattr(obj, field)


class LocalizedNameMixin:
    """Adds `.display_name` for models with `name`, `name_fr`, `name_es`."""

    @property
    def display_name(self) -> str:
        return localized(self, "name")


class LocalizedLabelMixin:
    @property
    def display_label(self) -> str:
        return localized(self, "label")
