"""What reading and writing XLSForm share: the names, codes and lists of our format, and the
findings of a reading (`Finding`, `XLSFormError`, `Imported`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

FORMAT_MARKER = "iscm-questionnaire"
FORMAT_VERSION = 1
LANGUAGES = ("en", "fr", "es")
LANGUAGE_COLUMN_NAMES = {"en": "English (en)", "fr": "French (fr)", "es": "Spanish (es)"}
LANGUAGE_ALIASES = {
    "en": "en",
    "english": "en",
    "fr": "fr",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "es": "es",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
}

AUDIENCES = ("mechanism", "state", "organization")
STATUSES = ("draft", "published", "retired")
DEFAULT_AUDIENCE = "mechanism"
DEFAULT_STATUS = "draft"
SUMMARY_SECTIONS = ("1", "2", "3", "4", "5", "meta")
DEFAULT_SUMMARY_SECTION = "meta"
MAIN_SECTION_CODE = "main"
PER_MECHANISM_PREFIX = "per_mechanism"
TITLE_TRANSLATION = "form_title_translation"
# The optional summary wording of a choice (`phrase`, `sentence`: translated texts). pyxform
# (hence Kobo) fails on any `BASE::language` column of the choices sheet other than `label` and
# the media columns (XLSForm/pyxform#815), so they are written as `phrase_en`, `phrase_fr`...;
# the reader takes both spellings.
CHOICE_WORDING = ("phrase", "sentence")
MECHANISMS_SOURCE = "mechanisms"

SOURCE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
WHOLE_NUMBER = re.compile(r"-?\d+")

BUILT_IN_LISTS: dict[str, tuple[str, ...]] = {
    "yes_no": ("yes", "no"),
    "yes_no_dk": ("yes", "no", "dk"),
    "scale5": ("1", "2", "3", "4", "5"),
}
BUILT_IN_LABELS: dict[str, dict[str, str]] = {
    "yes": {"en": "Yes", "fr": "Oui", "es": "Sí"},
    "no": {"en": "No", "fr": "Non", "es": "No"},
    "dk": {"en": "Don't know", "fr": "Ne sait pas", "es": "No sabe"},
}

# Our types that only the custom `our_type` column can express, by the type read from XLSForm.
OUR_TYPE_REFINEMENTS = {
    "text": {"long_text"},
    "integer": {"year"},
    "single": {"matrix"},
    "multiple": {"matrix"},
}
NUMBER_TYPES = ("integer", "year", "decimal")
WHOLE_NUMBER_TYPES = ("integer", "year")
CHOICE_TYPES = ("single", "multiple", "matrix")
YES_WORDS = frozenset({"yes", "true", "1", "true()"})
NO_WORDS = frozenset({"", "no", "false", "0", "false()"})


@dataclass(frozen=True)
class Finding:
    """One thing said about the workbook: where (sheet and Excel row, 0 for the whole sheet or
    file), which construct (a type, a column, an expression...) and what, in the active
    language."""

    sheet: str
    row: int
    construct: str
    message: str

    def __str__(self) -> str:
        if self.sheet and self.row:
            return _("%(sheet)s sheet, row %(row)d, %(construct)s: %(message)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "construct": self.construct,
                "message": self.message,
            }
        if self.sheet:
            return _("%(sheet)s sheet, %(construct)s: %(message)s") % {
                "sheet": self.sheet,
                "construct": self.construct,
                "message": self.message,
            }
        return _("%(construct)s: %(message)s") % {
            "construct": self.construct,
            "message": self.message,
        }


class XLSFormError(ValueError):
    """The workbook is refused; `refusals` lists every reason, `errors` the same as texts."""

    def __init__(self, refusals: Iterable[Finding]) -> None:
        self.refusals = list(refusals)
        self.errors = [str(refusal) for refusal in self.refusals]
        super().__init__(*self.errors)

    def __str__(self) -> str:
        return "\n".join(self.errors)


@dataclass
class Imported:
    """A workbook read: the questionnaire in our format and what was left out of it."""

    questionnaire: dict[str, Any]
    warnings: list[Finding] = field(default_factory=list)
    # The survey row of each question code, to place checks made after reading.
    rows: dict[str, int] = field(default_factory=dict)
