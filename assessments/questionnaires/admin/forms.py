"""The forms of the questionnaire admin: a question (checked against its draft) and an import."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessments.questionnaires.models import Choice, Question, Questionnaire
from assessments.questionnaires.services import (
    NOT_EDITABLE,
)
from mechanisms.models import Vocabulary
from mechanisms.text import JsonLimitError, load_import_json

from .checks import draft_question_errors

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
CHOICE_FIELDS = ["kind", "code", "position", "label", "label_fr", "label_es"]
CHOICES_PREFIX = "choices"  # the default prefix of the Choice inline formset


class CodeListField(forms.CharField):
    """Choice codes typed as "YES, NO" and stored as a list."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [code.strip() for code in text.split(",") if code.strip()]


ChoiceFormSet = forms.inlineformset_factory(Question, Choice, fields=CHOICE_FIELDS, extra=0)


def vocabulary_choices(current: str) -> list[tuple[str, str]]:
    names = set(Vocabulary.objects.values_list("name", flat=True))
    names |= {"thematic_areas", "gcm_objectives"} | ({current} if current else set())
    return [("", "---------"), *((name, name) for name in sorted(names))]


class QuestionAdminForm(forms.ModelForm):
    condition_values = CodeListField(
        label=_("Condition values"),
        required=False,
        help_text=_(
            "Choice codes of the condition question, separated by commas (e.g. YES, NO); numbers "
            "for a number question (e.g. 18); none for “is answered”."
        ),
    )

    class Meta:
        model = Question
        fields = [
            "questionnaire", "section", "code", "position", "text", "text_fr", "text_es", "help",
            "help_fr", "help_es", "type", "required", "min_value", "max_value", "max_choices",
            "choice_source", "choice_vocabulary", "other_option", "column_source",
            "column_vocabulary", "rows_from", "condition_question", "condition_operator",
            "condition_values", "condition_group", "summary_section",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("choice_vocabulary", "column_vocabulary"):
            if name in self.fields:
                current = getattr(self.instance, name, "")
                self.fields[name].widget = forms.Select(choices=vocabulary_choices(current))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("condition_question"):
            cleaned["condition_operator"], cleaned["condition_values"] = "", []
        questionnaire = cleaned.get("questionnaire") or (
            self.instance.questionnaire if self.instance.questionnaire_id else None
        )
        if self.errors or questionnaire is None:
            return cleaned
        if not questionnaire.is_editable:
            raise ValidationError(gettext(NOT_EDITABLE))
        if self.belongs_to(questionnaire, cleaned):
            choices = self.edited_choices()
            if choices is not None:  # otherwise the choices show their own errors
                for field, message in draft_question_errors(self.candidate(cleaned), choices):
                    self.add_error(field if field in self.fields else None, message)
        return cleaned

    def belongs_to(self, questionnaire: Questionnaire, cleaned: dict[str, Any]) -> bool:
        for name in ("section", "condition_question"):
            value = cleaned.get(name)
            if value is not None and value.questionnaire_id != questionnaire.pk:
                self.add_error(name, gettext("Choose one of this questionnaire."))
        return not self.errors

    def candidate(self, cleaned: dict[str, Any]) -> Question:
        question = copy.copy(self.instance)
        for name, value in cleaned.items():
            setattr(question, name, value)
        return question

    def edited_choices(self) -> list[Choice] | None:
        """The choices posted by the inline next to this form (or those saved without one)."""
        if f"{CHOICES_PREFIX}-TOTAL_FORMS" not in self.data:
            return list(self.instance.choices.all()) if self.instance.pk else []
        formset = ChoiceFormSet(self.data, instance=self.instance, prefix=CHOICES_PREFIX)
        if not formset.is_valid():
            return None
        return [
            form.instance
            for form in formset.forms
            if (form.instance.pk or form.has_changed()) and not form.cleaned_data.get("DELETE")
        ]


class QuestionnaireImportForm(forms.Form):
    file = forms.FileField(
        label=_("Questionnaire file"),
        help_text=_("Our JSON format (.json) or an XLSForm (.xlsx or .xls), at most 5 MB."),
    )
    key = forms.SlugField(
        label=_("Key"),
        required=False,
        help_text=_("XLSForm only: the questionnaire key (default: the form's form_id)."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".json", ".xlsx", ".xls")):
            raise ValidationError(_("Upload a .json, an .xlsx or an .xls file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload

    def clean(self) -> dict[str, Any]:
        """JSON is parsed here; an XLSForm is kept as bytes for `xlsform_import`."""
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        content = upload.read()
        if upload.name.lower().endswith(".json"):
            try:
                cleaned["data"] = self.read_json(content)
            except ValueError as exc:
                self.add_error("file", str(exc))
        else:
            cleaned["xlsform"] = content
            cleaned["filename"] = upload.name
        return cleaned

    @staticmethod
    def read_json(content: bytes) -> Any:
        content = content.removeprefix(b"\xef\xbb\xbf")  # a byte order mark
        try:
            return load_import_json(content)
        except JsonLimitError as exc:
            raise ValueError(str(exc)) from None
