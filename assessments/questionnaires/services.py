"""Questionnaire lifecycle: import, export, publish, new version, retire."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.questionnaires import conditions
from assessments.questionnaires.format import (
    FORMAT,
    FORMAT_VERSION,
    QuestionnaireFormatError,
    structure_errors,
)
from assessments.questionnaires.models import Choice, ChoiceSource, Question, Questionnaire, Section
from assessments.questionnaires.selectors import registry_choice_lists
from assessments.questionnaires.xlsform import (
    Finding,
    XLSFormError,
    questionnaire_to_xlsform,
    xlsform_to_questionnaire,
)
from mechanisms.text import import_problem

NOT_EDITABLE = "A published or retired questionnaire cannot be changed: create a new version."


def ensure_editable(questionnaire: Questionnaire) -> None:
    if not questionnaire.is_editable:
        raise ValidationError(_(NOT_EDITABLE))


# --- export ------------------------------------------------------------------------------


def texts(obj: object, field: str) -> dict[str, str]:
    """{"en": ..., "fr": ..., "es": ...} with the languages that have a text."""
    values = {"en": getattr(obj, field)}
    for language in ("fr", "es"):
        value = getattr(obj, f"{field}_{language}")
        if value:
            values[language] = value
    return values if values["en"] or len(values) > 1 else {}


def plain_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def choice_to_dict(choice: Choice) -> dict[str, Any]:
    item: dict[str, Any] = {"code": choice.code, "label": texts(choice, "label")}
    for field in ("phrase", "sentence"):
        if any(getattr(choice, f) for f in (field, f"{field}_fr", f"{field}_es")):
            item[field] = texts(choice, field)
    if choice.xlsform_name:
        item["xlsform_name"] = choice.xlsform_name
    return item


def source_to_dict(source: str, vocabulary: str, choices: list[Choice]) -> dict | None:
    if source == ChoiceSource.LOCAL:
        return {
            "source": "local",
            "items": [choice_to_dict(c) for c in choices],
        }
    if source == ChoiceSource.VOCABULARY:
        return {"source": "vocabulary", "name": vocabulary}
    if source == ChoiceSource.MECHANISMS:
        return {"source": "mechanisms"}
    return None


def question_to_dict(question: Question) -> dict[str, Any]:
    options = [c for c in question.all_choices if c.kind == Choice.Kind.OPTION]
    columns = [c for c in question.all_choices if c.kind == Choice.Kind.COLUMN]
    data: dict[str, Any] = {
        "code": question.code,
        "type": question.type,
        "text": texts(question, "text"),
    }
    if question.help or question.help_fr or question.help_es:
        data["help"] = texts(question, "help")
    data.update({
        "required": question.required,
        "min_value": plain_number(question.min_value),
        "max_value": plain_number(question.max_value),
        "max_choices": question.max_choices,
        "other_option": question.other_option,
        "choices": source_to_dict(question.choice_source, question.choice_vocabulary, options),
        "columns": source_to_dict(question.column_source, question.column_vocabulary, columns),
        "rows_from": question.rows_from or None,
        "condition": condition_to_dict(question),
        "summary_section": question.summary_section,
    })  # fmt: skip
    return data


def condition_to_dict(question: Question) -> dict[str, Any] | None:
    if question.condition_group:
        return question.condition_group
    if not question.condition_question_id:
        return None
    return {
        "question": question.condition_question.code,
        "operator": question.condition_operator,
        "values": list(question.condition_values),
    }


def section_to_dict(section: Section) -> dict[str, Any]:
    data: dict[str, Any] = {"code": section.code, "title": texts(section, "title")}
    if section.help or section.help_fr or section.help_es:
        data["help"] = texts(section, "help")
    data["per_mechanism"] = section.per_mechanism
    data["questions"] = [question_to_dict(q) for q in section.all_questions]
    return data


def questionnaire_to_dict(questionnaire: Questionnaire) -> dict[str, Any]:
    """The questionnaire in our JSON format; three queries whatever its size."""
    questions = Question.objects.select_related("condition_question").prefetch_related(
        Prefetch(
            "choices",
            queryset=Choice.objects.order_by("kind", "position", "pk"),
            to_attr="all_choices",
        )
    )
    sections = questionnaire.sections.order_by("position", "pk").prefetch_related(
        Prefetch(
            "questions", queryset=questions.order_by("position", "pk"), to_attr="all_questions"
        )
    )
    data: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "key": questionnaire.key,
        "version": questionnaire.version,
        "audience": questionnaire.audience,
        "status": questionnaire.status,
        "title": texts(questionnaire, "title"),
    }
    if questionnaire.description or questionnaire.description_fr or questionnaire.description_es:
        data["description"] = texts(questionnaire, "description")
    data["sections"] = [section_to_dict(s) for s in sections]
    return data


# --- import ------------------------------------------------------------------------------


def translated(values: Mapping[str, str] | None, field: str) -> dict[str, str]:
    values = values or {}
    return {
        field: values.get("en", ""),
        f"{field}_fr": values.get("fr", ""),
        f"{field}_es": values.get("es", ""),
    }


def to_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@transaction.atomic
def questionnaire_import(data: Any) -> Questionnaire:
    """Create a questionnaire version from our JSON format: all or nothing.

    Raises QuestionnaireFormatError listing every problem, or when that version already exists.
    """
    # The format's own checks first (they name the place of a bad text in its terms), then
    # the limits of any import (depth, size, text anywhere, keys included).
    errors = structure_errors(data, registry_choice_lists())
    if not errors:
        problem = import_problem(data)
        errors = [problem] if problem else []
    if errors:
        raise QuestionnaireFormatError(errors)
    if Questionnaire.objects.filter(key=data["key"], version=data["version"]).exists():
        raise QuestionnaireFormatError([
            f"Questionnaire “{data['key']}” version {data['version']} already exists; "
            "import it under another version number."
        ])  # fmt: skip
    status = data.get("status", Questionnaire.Status.DRAFT)
    questionnaire = Questionnaire.objects.create(
        key=data["key"],
        version=data["version"],
        audience=data["audience"],
        status=status,
        published_at=None if status == Questionnaire.Status.DRAFT else timezone.now(),
        **translated(data.get("title"), "title"),
        **translated(data.get("description"), "description"),
    )
    create_sections(questionnaire, data["sections"])
    return questionnaire


def create_sections(questionnaire: Questionnaire, sections: list[dict]) -> None:
    by_code: dict[str, Question] = {}
    choices: list[Choice] = []
    for s_position, section_data in enumerate(sections):
        section = Section.objects.create(
            questionnaire=questionnaire,
            code=section_data["code"],
            position=s_position,
            per_mechanism=bool(section_data.get("per_mechanism")),
            **translated(section_data.get("title"), "title"),
            **translated(section_data.get("help"), "help"),
        )
        for q_position, q in enumerate(section_data["questions"]):
            question = build_question(questionnaire, section, q_position, q, by_code)
            question.save()
            by_code[question.code] = question
            choices += build_choices(question, q.get("choices"), Choice.Kind.OPTION)
            choices += build_choices(question, q.get("columns"), Choice.Kind.COLUMN)
    Choice.objects.bulk_create(choices)


def build_question(
    questionnaire: Questionnaire,
    section: Section,
    position: int,
    q: dict,
    earlier: dict[str, Question],
) -> Question:
    choices, columns, condition = q.get("choices") or {}, q.get("columns") or {}, q.get("condition")
    single = bool(condition) and not conditions.is_group(condition)
    return Question(
        questionnaire=questionnaire,
        section=section,
        code=q["code"],
        position=position,
        type=q["type"],
        required=bool(q.get("required")),
        min_value=to_decimal(q.get("min_value")),
        max_value=to_decimal(q.get("max_value")),
        max_choices=q.get("max_choices"),
        other_option=bool(q.get("other_option")),
        choice_source=choices.get("source", ""),
        choice_vocabulary=choices.get("name", ""),
        column_source=columns.get("source", ""),
        column_vocabulary=columns.get("name", ""),
        rows_from=q.get("rows_from") or "",
        # A single test keeps its target as a foreign key (so that it cannot be deleted alone);
        # a combination is kept as written, its targets checked by the format.
        condition_question=earlier[condition["question"]] if single else None,
        condition_operator=condition["operator"] if single else "",
        condition_values=list(condition["values"]) if single else [],
        condition_group=condition if condition and not single else None,
        summary_section=q.get("summary_section") or "meta",
        **translated(q.get("text"), "text"),
        **translated(q.get("help"), "help"),
    )


def build_choices(question: Question, source: dict | None, kind: str) -> list[Choice]:
    if not source or source.get("source") != "local":
        return []
    return [
        Choice(
            question=question,
            kind=kind,
            code=item["code"],
            position=position,
            **translated(item.get("label"), "label"),
            **translated(item.get("phrase"), "phrase"),
            **translated(item.get("sentence"), "sentence"),
            xlsform_name=item.get("xlsform_name") or "",
        )
        for position, item in enumerate(source["items"])
    ]


# --- XLSForm ----------------------------------------------------------------------------

# "sections[2].questions[0] (code).choices.items[1].code: message"
_PATH = re.compile(
    r"^sections\[(?P<section>\d+)\](?:\.questions\[\d+\](?: \((?P<code>[^)]*)\))?)?"
    r"(?P<rest>[^:]*): (?P<message>.*)$"
)


@transaction.atomic
def xlsform_import(
    source: Any, *, filename: str | None = None, key: str | None = None
) -> tuple[Questionnaire, list[Finding]]:
    """Create a questionnaire version from an XLSForm; returns it with the warnings about what
    was left out. Raises XLSFormError (sheet, row and construct of each refusal)."""
    imported = xlsform_to_questionnaire(source, key=key, filename=filename)
    data = imported.questionnaire
    errors = structure_errors(data, registry_choice_lists())
    if errors:
        raise XLSFormError([_finding(error, data, imported.rows) for error in errors])
    try:
        return questionnaire_import(data), imported.warnings
    except QuestionnaireFormatError as exc:
        raise XLSFormError([Finding("settings", 0, "version", e) for e in exc.errors]) from exc


def xlsform_export(questionnaire: Questionnaire) -> bytes:
    """The questionnaire as an XLSForm that pyxform (Kobo, ODK) converts: the registry lists it
    names are written into the choices sheet."""
    data = questionnaire_to_dict(questionnaire)
    names = {
        "mechanisms" if source.get("source") == "mechanisms" else source.get("name")
        for section in data["sections"]
        for question in section["questions"]
        for source in (question.get("choices") or {}, question.get("columns") or {})
        if source.get("source") in ("vocabulary", "mechanisms")
    }
    return questionnaire_to_xlsform(data, registry_choice_lists(names))


def _finding(error: str, data: Mapping[str, Any], rows: Mapping[str, int]) -> Finding:
    """A check of our format, placed on the survey row it concerns rather than an internal
    path."""
    match = _PATH.match(error)
    if match is None:
        construct, _sep, message = error.partition(": ")
        return Finding("settings", 0, construct.strip() or "form", message or error)
    construct = match.group("rest").strip(".") or "group"
    construct = re.sub(r"\[\d+\]", "", construct).replace(".", " ")
    code = match.group("code")
    if code and code in rows:
        return Finding("survey", rows[code], construct, match.group("message"))
    section = data["sections"][int(match.group("section"))]
    return Finding("survey", 0, f"group {section.get('code')}: {construct}", match.group("message"))


# --- lifecycle ---------------------------------------------------------------------------


@transaction.atomic
def questionnaire_publish(*, questionnaire: Questionnaire) -> Questionnaire:
    """Publish a draft after checking its whole structure; it is immutable from then on."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    ensure_editable(questionnaire)
    errors = structure_errors(questionnaire_to_dict(questionnaire), registry_choice_lists())
    if not questionnaire.questions.exists():
        errors.append(_("A questionnaire needs at least one question to be published."))
    if errors:
        raise ValidationError(errors)
    questionnaire.status = Questionnaire.Status.PUBLISHED
    questionnaire.published_at = timezone.now()
    questionnaire.save(update_fields=["status", "published_at"])
    return questionnaire


@transaction.atomic
def questionnaire_new_version(*, questionnaire: Questionnaire) -> Questionnaire:
    """Copy a version into a new draft with the next version number of its key."""
    data = questionnaire_to_dict(questionnaire)
    latest = Questionnaire.objects.filter(key=questionnaire.key).aggregate(v=Max("version"))["v"]
    data["version"] = (latest or 0) + 1
    data["status"] = Questionnaire.Status.DRAFT
    return questionnaire_import(data)


@transaction.atomic
def questionnaire_retire(*, questionnaire: Questionnaire) -> Questionnaire:
    if questionnaire.status != Questionnaire.Status.PUBLISHED:
        raise ValidationError(_("Only a published questionnaire can be retired."))
    questionnaire.status = Questionnaire.Status.RETIRED
    questionnaire.save(update_fields=["status"])
    return questionnaire
