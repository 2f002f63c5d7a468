"""Read queries of the assessments app."""

from __future__ import annotations

from collections.abc import Iterable

from assessments.questionnaires.models import Question, Questionnaire
from assessments.questionnaires.schema import (
    Option,
    QuestionnaireSchema,
    schema_from_dict,
    vocabulary_names,
)
from mechanisms.models import GcmObjective, Mechanism, Term, ThematicArea


def labels_of(row: object, field: str = "label") -> dict[str, str]:
    texts = {"en": getattr(row, field)}
    for language in ("fr", "es"):
        if getattr(row, f"{field}_{language}", ""):
            texts[language] = getattr(row, f"{field}_{language}")
    return texts


def wording_of(row: object, field: str) -> dict[str, str]:
    """A summary phrase or sentence by language, only the languages that have one."""
    return {
        language: value
        for language, name in (("en", field), ("fr", f"{field}_fr"), ("es", f"{field}_es"))
        if (value := getattr(row, name, ""))
    }


def registry_option(row: object, labels: dict[str, str] | None = None) -> Option:
    return Option(
        row.code,  # type: ignore[attr-defined]
        labels or labels_of(row),
        wording_of(row, "phrase"),
        wording_of(row, "sentence"),
    )


def registry_choice_lists(names: Iterable[str] | None = None) -> dict[str, list[Option]]:
    """The registry's choice lists by name, with labels in every language: one query per kind.

    `names=None` loads every list (for checking an import); otherwise only those named.
    """
    wanted = None if names is None else set(names)
    lists: dict[str, list[Option]] = {}
    terms = Term.objects.select_related("vocabulary").order_by(
        "vocabulary__name", "position", "code"
    )
    if wanted is not None:
        terms = terms.filter(vocabulary__name__in=wanted)
    for term in terms:
        lists.setdefault(term.vocabulary.name, []).append(registry_option(term))
    if wanted is None or "thematic_areas" in wanted:
        lists["thematic_areas"] = [registry_option(a) for a in ThematicArea.objects.all()]
    if wanted is None or "gcm_objectives" in wanted:
        lists["gcm_objectives"] = [
            registry_option(o, {lang: f"{o.number}. {text}" for lang, text in labels_of(o).items()})
            for o in GcmObjective.objects.all()
        ]
    if wanted is None or "mechanisms" in wanted:
        lists["mechanisms"] = [
            Option(
                m.acronym,
                {lang: f"{m.acronym}: {text}" for lang, text in labels_of(m, "name").items()},
                # A summary names a mechanism as a sentence does ("the Bali Process").
                wording_of(m, "short_name"),
            )
            for m in Mechanism.objects.order_by("acronym")
        ]
    return lists


# Published versions never change, so their snapshot is kept per process. The key includes the
# publication time: ids can be reused (tests, restored databases) but not with the same stamp.
# Choice lists of the registry (vocabularies, mechanisms) are read when the snapshot is built.
_published_schemas: dict[tuple[int, str], QuestionnaireSchema] = {}
CACHE_LIMIT = 64


def questionnaire_schema(questionnaire: Questionnaire) -> QuestionnaireSchema:
    """The validation and rendering snapshot of one version, in a fixed number of queries
    (none for a published version this process has already seen)."""
    from assessments.questionnaires.services import questionnaire_to_dict

    key = None
    if questionnaire.status != Questionnaire.Status.DRAFT and questionnaire.published_at:
        key = (questionnaire.pk, questionnaire.published_at.isoformat())
        if key in _published_schemas:
            return _published_schemas[key]
    data = questionnaire_to_dict(questionnaire)
    lists = registry_choice_lists(vocabulary_names(data))
    schema = schema_from_dict(data, lists, id=questionnaire.pk)
    if key is not None:
        if len(_published_schemas) >= CACHE_LIMIT:
            _published_schemas.clear()
        _published_schemas[key] = schema
    return schema


_published_question_ids: dict[tuple[int, str], dict[str, int]] = {}


def question_ids(questionnaire: Questionnaire) -> dict[str, int]:
    """Question code -> id of one version, in one query (none for a published version this
    process has already seen: its questions never change, as for `questionnaire_schema`)."""
    key = None
    if questionnaire.status != Questionnaire.Status.DRAFT and questionnaire.published_at:
        key = (questionnaire.pk, questionnaire.published_at.isoformat())
        if key in _published_question_ids:
            return _published_question_ids[key]
    found = dict(
        Question.objects.filter(questionnaire_id=questionnaire.pk).values_list("code", "pk")
    )
    if key is not None:
        if len(_published_question_ids) >= CACHE_LIMIT:
            _published_question_ids.clear()
        _published_question_ids[key] = found
    return found


def published_questionnaires(audience: str | None = None):
    queryset = Questionnaire.objects.published().order_by("key", "-version")
    return queryset.filter(audience=audience) if audience else queryset
