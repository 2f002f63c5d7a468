"""Authoring questionnaires in the admin: drafts are editable, published and retired versions are
read-only; publishing, new versions, import, export and a respondent-like preview."""

from __future__ import annotations

import copy
import json
import math
import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assessments.questionnaires.format import QuestionnaireFormatError, structure_errors
from assessments.questionnaires.models import Choice, Question, Questionnaire, Section
from assessments.questionnaires.schema import QuestionnaireSchema, SectionSpec
from assessments.questionnaires.selectors import questionnaire_schema, registry_choice_lists
from assessments.questionnaires.services import (
    NOT_EDITABLE,
    question_to_dict,
    questionnaire_import,
    questionnaire_new_version,
    questionnaire_publish,
    questionnaire_retire,
    questionnaire_to_dict,
)
from assessments.questionnaires.validation import validate_answers
from mechanisms.models import Mechanism, Vocabulary
from mechanisms.translation import LANGUAGE_CODES, active_language

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
CHOICE_FIELDS = ["kind", "code", "position", "label", "label_fr", "label_es"]
CHOICES_PREFIX = "choices"  # the default prefix of the Choice inline formset
# Where a structure error of `questionnaire_format` is: "sections[1].questions[4] (code).path: …"
ERROR_LOCATION = re.compile(r"^sections\[\d+\](?:\.questions\[\d+\])?(?: \((?P<code>[^)]*)\))?")
ERROR_FIELDS = {
    "code": "code", "type": "type", "text": "text", "help": "help", "required": "required",
    "min_value": "min_value", "max_value": "max_value", "max_choices": "max_choices",
    "other_option": "other_option", "choices": "choice_source", "columns": "column_source",
    "rows_from": "rows_from", "condition": "condition_question",
    "condition.operator": "condition_operator", "condition.values": "condition_values",
    "summary_section": "summary_section",
}  # fmt: skip


def editable(questionnaire: Questionnaire | None) -> bool:
    """Objects of a published or retired questionnaire are read-only; a new one is a draft."""
    return questionnaire is None or questionnaire.is_editable


# --- structure checks of a question edited in a draft ---------------------------------------


def draft_question_errors(
    candidate: Question, choices: list[Choice]
) -> list[tuple[str | None, str]]:
    """(form field or None, message) for the structure problems of `candidate` in its draft.

    The draft is exported with `questionnaire_to_dict`, the edited question (unsaved, with its
    edited `choices`) put in its place, and the result checked by `structure_errors`, the check
    of imports and publishing. Problems of the edited question are all reported; those of other
    questions only when this edit causes them (a renamed or retyped condition target...).
    """
    before = questionnaire_to_dict(candidate.questionnaire)
    after = with_question(copy.deepcopy(before), candidate, choices)
    lists = registry_choice_lists()
    known = {ERROR_LOCATION.sub("", e) for e in structure_errors(before, lists)}
    found = []
    for error in structure_errors(after, lists):
        match = ERROR_LOCATION.match(error)
        own = match is not None and match["code"] == candidate.code
        if own:
            found.append(error_field(error[match.end() :], error))
        elif ERROR_LOCATION.sub("", error) not in known:
            found.append((None, readable(error)))
    return found


def with_question(data: dict, candidate: Question, choices: list[Choice]) -> dict:
    old_code = None
    if candidate.pk:
        old_code = Question.objects.filter(pk=candidate.pk).values_list("code", flat=True).first()
    for section in data["sections"]:
        section["questions"] = [q for q in section["questions"] if q["code"] != old_code]
        for question in section["questions"]:  # dependents follow a renamed target
            if old_code and (question.get("condition") or {}).get("question") == old_code:
                question["condition"]["question"] = candidate.code
    candidate.all_choices = sorted(choices, key=lambda c: (c.kind, c.position))
    target = next(s for s in data["sections"] if s["code"] == candidate.section.code)
    target["questions"].insert(position_in_section(candidate), question_to_dict(candidate))
    return data


def position_in_section(candidate: Question) -> int:
    """Index of the question in its section, ordered by (position, pk) like the export."""
    others = (
        Question.objects.filter(section=candidate.section)
        .exclude(pk=candidate.pk)
        .values_list("position", "pk")
    )
    key = (candidate.position, candidate.pk or math.inf)
    return sum(1 for other in others if other < key)


def error_field(rest: str, error: str) -> tuple[str | None, str]:
    """Map ".condition.operator: message" to ("condition_operator", "message")."""
    path, _sep, message = rest.partition(": ")
    path = path.lstrip(".")
    field = ERROR_FIELDS.get(path) or ERROR_FIELDS.get(path.split(".")[0])
    if field is None or ".items" in path:
        return None, readable(error)
    return field, message


def readable(error: str) -> str:
    """ "sections[1].questions[4] (code).path: …" -> "code.path: …"."""
    return ERROR_LOCATION.sub(lambda m: m["code"] or "", error)


# --- questions -------------------------------------------------------------------------------


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
        help_text=_("Choice codes of the condition question, separated by commas (e.g. YES, NO)."),
    )

    class Meta:
        model = Question
        fields = [
            "questionnaire", "section", "code", "position", "text", "text_fr", "text_es", "help",
            "help_fr", "help_es", "type", "required", "min_value", "max_value", "max_choices",
            "choice_source", "choice_vocabulary", "other_option", "column_source",
            "column_vocabulary", "rows_from", "condition_question", "condition_operator",
            "condition_values", "summary_section",
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


class ChoiceInline(admin.TabularInline):
    model = Choice
    fields = CHOICE_FIELDS
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        return super().has_add_permission(request, obj) and editable(obj and obj.questionnaire)

    def has_change_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        return super().has_change_permission(request, obj) and editable(obj and obj.questionnaire)

    def has_delete_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        return super().has_delete_permission(request, obj) and editable(obj and obj.questionnaire)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    inlines = [ChoiceInline]
    list_display = ["code", "questionnaire", "section", "position", "type", "required"]
    list_filter = ["questionnaire", "section", "type"]
    list_select_related = ["questionnaire", "section"]
    search_fields = ["code", "text", "text_fr", "text_es"]
    fieldsets = [
        (None, {"fields": ["questionnaire", "section", "code", "position"]}),
        (_("Texts"), {"fields": ["text", "text_fr", "text_es", "help", "help_fr", "help_es"]}),
        (_("Answer"), {"fields": ["type", "required", "min_value", "max_value", "max_choices"]}),
        (_("Choices"), {"fields": ["choice_source", "choice_vocabulary", "other_option"],
                        "description": _("For single and multiple choice questions, and the rows "
                                         "of a matrix. A local list is edited under “Choices” "
                                         "below (kind: option).")}),
        (_("Matrix"), {"fields": ["column_source", "column_vocabulary", "rows_from"],
                       "description": _("Local columns are choices of kind “matrix column”.")}),
        (_("Display condition"), {"fields": ["condition_question", "condition_operator",
                                             "condition_values"]}),
        (_("Summary"), {"fields": ["summary_section"]}),
    ]  # fmt: skip

    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})}}

    def get_readonly_fields(self, request: HttpRequest, obj: Question | None = None) -> list[str]:
        return ["questionnaire"] if obj else []

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in {"questionnaire", "condition_question"} and field is not None:
            # Picking an existing row only: no "add/change/delete related" shortcuts.
            for action in ("add", "change", "delete"):
                setattr(field.widget, f"can_{action}_related", False)
        return field

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Only drafts take new questions (the questionnaire field offers drafts only). Checked
        # on the add page alone: every admin page asks, and must not pay a query for it.
        match = request.resolver_match
        if match and match.url_name == "assessments_question_add":
            return super().has_add_permission(request) and editable(self.questionnaire_of(request))
        return super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        return super().has_change_permission(request, obj) and editable(obj and obj.questionnaire)

    def has_delete_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        return super().has_delete_permission(request, obj) and editable(obj and obj.questionnaire)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        questionnaire = self.questionnaire_of(request)
        if db_field.name == "questionnaire":
            kwargs["queryset"] = Questionnaire.objects.filter(status=Questionnaire.Status.DRAFT)
        elif db_field.name == "section":
            kwargs["queryset"] = (
                Section.objects.filter(questionnaire=questionnaire)
                if questionnaire
                else Section.objects.filter(questionnaire__status=Questionnaire.Status.DRAFT)
            )
        elif db_field.name == "condition_question":
            # Only questions of the same version; the structure check then refuses later ones.
            object_id = self.edited_id(request)
            kwargs["queryset"] = (
                Question.objects.filter(questionnaire=questionnaire).exclude(pk=object_id)
                if questionnaire
                else Question.objects.filter(questionnaire__status=Questionnaire.Status.DRAFT)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @staticmethod
    def edited_id(request: HttpRequest) -> int | None:
        match = request.resolver_match
        object_id = str(match.kwargs.get("object_id", "")) if match else ""
        return int(object_id) if object_id.isdigit() else None

    def questionnaire_of(self, request: HttpRequest) -> Questionnaire | None:
        """The questionnaire of the question being edited, or the one chosen for a new one."""
        if not hasattr(request, "_question_admin_questionnaire"):
            object_id = self.edited_id(request)
            chosen = str(request.POST.get("questionnaire") or request.GET.get("questionnaire", ""))
            queryset = Questionnaire.objects.all()
            if object_id:
                found = queryset.filter(questions__pk=object_id).first()
            else:
                found = queryset.filter(pk=chosen).first() if chosen.isdigit() else None
            request._question_admin_questionnaire = found  # type: ignore[attr-defined]
        return request._question_admin_questionnaire  # type: ignore[attr-defined]


# --- questionnaires --------------------------------------------------------------------------


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["code", "position", "title", "title_fr", "title_es", "per_mechanism"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Questionnaire | None = None) -> bool:
        return super().has_add_permission(request, obj) and editable(obj)

    def has_change_permission(self, request: HttpRequest, obj: Questionnaire | None = None) -> bool:
        return super().has_change_permission(request, obj) and editable(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Questionnaire | None = None) -> bool:
        return super().has_delete_permission(request, obj) and editable(obj)


class QuestionListInline(admin.TabularInline):
    """The questions, read-only here: each is edited on its own page."""

    model = Question
    fk_name = "questionnaire"
    verbose_name_plural = _("questions (edit each on its own page)")
    fields = readonly_fields = [
        "question_link",
        "section",
        "position",
        "type",
        "required",
        "short_text",
    ]
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Question]:
        return super().get_queryset(request).select_related("section")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("text"))
    def short_text(self, question: Question) -> str:
        return Truncator(question.text).chars(90)

    @admin.display(description=_("code"))
    def question_link(self, question: Question) -> str:
        url = reverse("admin:assessments_question_change", args=[question.pk])
        return format_html('<a href="{}">{}</a>', url, question.code)


class QuestionnaireImportForm(forms.Form):
    file = forms.FileField(
        label=_("Questionnaire file"),
        help_text=_("Our JSON format (.json) or an XLSForm (.xlsx), at most 5 MB."),
    )
    key = forms.SlugField(
        label=_("Key"),
        required=False,
        help_text=_("XLSForm only: the questionnaire key (default: the form's form_id)."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".json", ".xlsx")):
            raise ValidationError(_("Upload a .json or an .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        content = upload.read()
        try:
            if upload.name.lower().endswith(".json"):
                cleaned["data"] = self.read_json(content)
            else:
                cleaned["data"] = self.read_xlsx(content, cleaned.get("key") or None)
        except ValueError as exc:
            for message in getattr(exc, "errors", None) or [str(exc)]:
                self.add_error("file", message)
        return cleaned

    @staticmethod
    def read_json(content: bytes) -> Any:
        try:
            return json.loads(content.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ValueError(gettext("The file is not UTF-8 text.")) from None
        except json.JSONDecodeError as exc:
            message = gettext("The file is not valid JSON: %(error)s.") % {"error": exc}
            raise ValueError(message) from None

    @staticmethod
    def read_xlsx(content: bytes, key: str | None) -> Any:
        if not content.startswith(b"PK\x03\x04"):  # an .xlsx is a zip archive
            raise ValueError(gettext("The file is not an Excel workbook (.xlsx)."))
        from assessments.questionnaires.xlsform import xlsform_to_questionnaire

        return xlsform_to_questionnaire(content, key=key)


@admin.register(Questionnaire)
class QuestionnaireAdmin(SimpleHistoryAdmin):
    list_display = ["title", "key", "version", "audience", "status", "published_at", "tools"]
    list_filter = ["audience", "status"]
    search_fields = ["key", "title", "title_fr", "title_es"]
    readonly_fields = ["status", "published_at", "created_at"]
    fieldsets = [
        (None, {"fields": ["key", "version", "audience", "status", "published_at", "created_at"]}),
        (_("Texts"), {"fields": ["title", "title_fr", "title_es",
                                 "description", "description_fr", "description_es"]}),
    ]  # fmt: skip
    inlines = [SectionInline, QuestionListInline]
    actions = ["publish", "new_version", "retire"]

    def has_change_permission(self, request: HttpRequest, obj: Questionnaire | None = None) -> bool:
        return super().has_change_permission(request, obj) and editable(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Questionnaire | None = None) -> bool:
        return super().has_delete_permission(request, obj) and editable(obj)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> HttpResponse:
        # The history form checks permissions on the old state, which may be a draft: reverting
        # must not reopen a published or retired questionnaire.
        current = self.get_object(request, unquote(object_id))
        if request.method == "POST" and not editable(current):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        current = Questionnaire.objects.filter(pk=obj.pk).first() if obj else None
        return super().revert_disabled(request, obj) or not editable(current)

    @admin.display(description=_("tools"))
    def tools(self, questionnaire: Questionnaire) -> str:
        links = [
            (self.url("preview", questionnaire.pk), gettext("Preview")),
            (self.url("export", questionnaire.pk, "json"), "JSON"),
            (self.url("export", questionnaire.pk, "xlsx"), "XLSX"),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"admin:assessments_questionnaire_{name}", args=args)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="assessments_questionnaire_import"),
            path(
                "<int:pk>/preview/",
                view(self.preview_view),
                name="assessments_questionnaire_preview",
            ),
            path(
                "<int:pk>/export/<str:fmt>/",
                view(self.export_view),
                name="assessments_questionnaire_export",
            ),
            *super().get_urls(),
        ]

    # --- actions ---

    @admin.action(description=_("Publish"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Questionnaire]) -> None:
        for questionnaire in queryset:
            try:
                questionnaire_publish(questionnaire=questionnaire)
            except ValidationError as exc:
                for message in exc.messages:
                    self.message_user(request, f"{questionnaire}: {message}", messages.ERROR)
            else:
                self.message_user(
                    request, gettext("Published %(q)s.") % {"q": questionnaire}, messages.SUCCESS
                )

    @admin.action(description=_("Create a new version"), permissions=["add"])
    def new_version(self, request: HttpRequest, queryset: QuerySet[Questionnaire]) -> None:
        for questionnaire in queryset:
            try:
                created = questionnaire_new_version(questionnaire=questionnaire)
            except (ValidationError, QuestionnaireFormatError) as exc:
                for message in getattr(exc, "errors", None) or exc.messages:
                    self.message_user(request, f"{questionnaire}: {message}", messages.ERROR)
                continue
            link = format_html('<a href="{}">{}</a>', self.url("change", created.pk), str(created))
            self.message_user(request, format_html(gettext("Created {}."), link), messages.SUCCESS)

    @admin.action(description=_("Retire"), permissions=["change"])
    def retire(self, request: HttpRequest, queryset: QuerySet[Questionnaire]) -> None:
        for questionnaire in queryset:
            try:
                questionnaire_retire(questionnaire=questionnaire)
            except ValidationError as exc:
                for message in exc.messages:
                    self.message_user(request, f"{questionnaire}: {message}", messages.ERROR)
            else:
                self.message_user(
                    request, gettext("Retired %(q)s.") % {"q": questionnaire}, messages.SUCCESS
                )

    # --- import and export ---

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = QuestionnaireImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                questionnaire = questionnaire_import(form.cleaned_data["data"])
            except QuestionnaireFormatError as exc:
                for message in exc.errors:
                    form.add_error(None, message)
            else:
                self.message_user(
                    request, gettext("Imported %(q)s.") % {"q": questionnaire}, messages.SUCCESS
                )
                return HttpResponseRedirect(self.url("change", questionnaire.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import a questionnaire"),
            "form": form,
        }
        return render(request, "admin/assessments/questionnaire/import.html", context)

    def export_view(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        questionnaire = get_object_or_404(Questionnaire, pk=pk)
        if not self.has_view_permission(request, questionnaire) or fmt not in {"json", "xlsx"}:
            raise PermissionDenied
        data = questionnaire_to_dict(questionnaire)
        if fmt == "xlsx":
            from assessments.questionnaires.xlsform import questionnaire_to_xlsform

            content = questionnaire_to_xlsform(data)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            content = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
            content_type = "application/json"
        response = HttpResponse(content, content_type=content_type)
        filename = f"{questionnaire.key}-v{questionnaire.version}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    # --- preview ---

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The questionnaire as a respondent sees it; "Check answers" validates, never saves."""
        questionnaire = get_object_or_404(Questionnaire, pk=pk)
        if not self.has_view_permission(request, questionnaire):
            raise PermissionDenied
        language = request.GET.get("lang", "")
        language = language if language in LANGUAGE_CODES else active_language()
        schema = questionnaire_schema(questionnaire)
        with translation.override(language):
            context = preview_context(request, questionnaire, schema, language)
            return render(request, "admin/assessments/questionnaire/preview.html", context)


def preview_context(
    request: HttpRequest, questionnaire: Questionnaire, schema: QuestionnaireSchema, language: str
) -> dict[str, Any]:
    from assessments.responses.forms import build_section_context  # see check_section

    sections = list(schema.sections)
    codes = [s.code for s in sections]
    current = request.GET.get("section")
    index = codes.index(current) if current in codes else 0
    section = sections[index] if sections else None
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if section is not None and request.method == "POST":
        answers, errors = check_section(schema, section, request)

    def link(**params: str) -> str:
        query = {"lang": language, "section": section.code if section else "", **params}
        return "?" + urlencode(query)

    return {
        "questionnaire": questionnaire,
        "title": schema.title(language),
        "language": language,
        "language_links": [
            (code, translation.get_language_info(code)["name_local"], link(lang=code))
            for code in LANGUAGE_CODES
        ],
        "nav": [(s.code, s.title(language), link(section=s.code), s == section) for s in sections],
        "previous": link(section=codes[index - 1]) if section and index > 0 else None,
        "next": link(section=codes[index + 1]) if section and index + 1 < len(codes) else None,
        "section": build_section_context(
            schema,
            section.code,
            language=language,
            answers=answers,
            errors=errors,
            mechanism_label=example_mechanism_label(),
        )
        if section
        else None,
        "checked": request.method == "POST",
        "problems": bool(errors),
        "admin_url": reverse("admin:assessments_questionnaire_change", args=[questionnaire.pk]),
    }


def check_section(
    schema: QuestionnaireSchema, section: SectionSpec, request: HttpRequest
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Validate the posted answers of one section as a final submission would."""
    # The preview shows the respondent's own form; responses depend on questionnaires, so the
    # form is imported where the preview uses it.
    from assessments.responses.forms import answers_from_post

    answers = answers_from_post(schema, section.question_codes, request.POST)
    scope = "per_mechanism" if section.per_mechanism else "once"
    result = validate_answers(schema, answers, scope=scope)
    errors = {c: m for c, m in result.errors.items() if c in section.question_codes}
    return answers, errors


def example_mechanism_label() -> str:
    """Per-mechanism sections are previewed for the first active mechanism."""
    mechanism = Mechanism.objects.filter(status=Mechanism.Status.ACTIVE).order_by("acronym").first()
    if mechanism is None:
        return gettext("Example mechanism")
    return f"{mechanism.acronym}: {mechanism.display_name}"


# The other admin modules register themselves on import.
