"""What reading and writing XLSForm share: the names, codes and lists of our format, the texts of
the common refusals, and `XLSFormError`."""

from __future__ import annotations

import re
from collections.abc import Iterable

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

QUESTION_CODE = re.compile(r"[a-z][a-z0-9_]*")
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

# XLSForm type -> our type, for the types that need no choice list.
PLAIN_TYPES = {
    "text": "text",
    "integer": "integer",
    "decimal": "decimal",
    "date": "date",
    "note": "note",
}
SELECT_TYPES = {"select_one": "single", "select_multiple": "multiple"}
# Our types that only the custom `our_type` column can express, by the type read from XLSForm.
OUR_TYPE_REFINEMENTS = {
    "text": {"long_text"},
    "integer": {"year"},
    "single": {"matrix"},
    "multiple": {"matrix"},
}
# Kobo adds `start` and `end` to every new form; these rows record device metadata and ask
# nothing, so they are skipped rather than refused.
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "start-geopoint",
    }
)
NUMBER_TYPES = ("integer", "year", "decimal")
WHOLE_NUMBER_TYPES = ("integer", "year")
CHOICE_TYPES = ("single", "multiple", "matrix")
YES_WORDS = frozenset({"yes", "true", "1", "true()"})
NO_WORDS = frozenset({"", "no", "false", "0", "false()"})

NOT_XLSX = (
    "The file is not an .xlsx workbook; save the XLSForm in the Excel Workbook (.xlsx) format "
    "and upload it again."
)
OLD_XLS = (
    "The file is an old-style Excel .xls workbook; save it in the Excel Workbook (.xlsx) format "
    "and upload it again."
)
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

RELEVANT_FORMS = "(${q} = 'x', ${q} != 'x', selected(${q}, 'x'))"
CONSTRAINT_FORMS = '(. >= n, . <= n, . > n, . < n, or two of them joined with "and")'


class XLSFormError(ValueError):
    """The workbook cannot be converted; `errors` lists every problem found, one per message."""

    def __init__(self, errors: Iterable[str]) -> None:
        self.errors = list(errors)
        super().__init__(*self.errors)

    def __str__(self) -> str:
        return "\n".join(self.errors)
