"""Authoring questionnaires in the admin: drafts are editable, published and retired versions are
read-only; publishing, new versions, import, export and a respondent-like preview.

The parts: `checks` (the structure check of a question edited in a draft), `forms` (the question
and import forms), `inlines` (who may edit, and the inlines), `questions` and `questionnaires`
(the two registered admins) and `preview` (the questionnaire as a respondent sees it). Importing
this package registers the admins.
"""

from __future__ import annotations

from .checks import (
    ERROR_FIELDS,
    ERROR_LOCATION,
    draft_question_errors,
    error_field,
    position_in_section,
    readable,
    with_question,
)
from .forms import (
    CHOICE_FIELDS,
    CHOICES_PREFIX,
    MAX_UPLOAD_BYTES,
    ChoiceFormSet,
    CodeListField,
    QuestionAdminForm,
    QuestionnaireImportForm,
    vocabulary_choices,
)
from .inlines import ChoiceInline, QuestionListInline, SectionInline, editable
from .preview import check_section, example_mechanism_label, preview_context
from .questionnaires import QuestionnaireAdmin
from .questions import QuestionAdmin

__all__ = [
    "CHOICES_PREFIX",
    "CHOICE_FIELDS",
    "ERROR_FIELDS",
    "ERROR_LOCATION",
    "MAX_UPLOAD_BYTES",
    "ChoiceFormSet",
    "ChoiceInline",
    "CodeListField",
    "QuestionAdmin",
    "QuestionAdminForm",
    "QuestionListInline",
    "QuestionnaireAdmin",
    "QuestionnaireImportForm",
    "SectionInline",
    "check_section",
    "draft_question_errors",
    "editable",
    "error_field",
    "example_mechanism_label",
    "position_in_section",
    "preview_context",
    "readable",
    "vocabulary_choices",
    "with_question",
]
