"""An immutable, database-free view of one questionnaire version.

Validation, rendering and imports work on this snapshot rather than on model rows, so the rules
run without queries (and can be property-tested) and a page builds it in a fixed number of
queries whatever the questionnaire's size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from assessments.questionnaires import conditions
from assessments.questionnaires.conditions import AnyCondition
from mechanisms.translation import LANGUAGE_CODES

OTHER_CODE = "OTHER"
OTHER_SUFFIX = "_other"
BUILT_IN_CHOICES: dict[str, tuple[str, ...]] = {
    "yes_no": ("yes", "no"),
    "yes_no_dk": ("yes", "no", "dk"),
    "scale5": ("1", "2", "3", "4", "5"),
}


def pick(texts: Mapping[str, str] | None, language: str) -> str:
    """The text in `language`, falling back to English."""
    if not texts:
        return ""
    return texts.get(language) or texts.get("en") or ""


@dataclass(frozen=True)
class Option:
    code: str
    labels: Mapping[str, str]
    # How a summary says the choice (see the questionnaire format): a phrase that fits in a
    # sentence and, for choices that read as a statement, a whole sentence; may be empty.
    phrases: Mapping[str, str] = field(default_factory=dict)
    sentences: Mapping[str, str] = field(default_factory=dict)

    def label(self, language: str = "en") -> str:
        return pick(self.labels, language) or self.code

    def phrase(self, language: str = "en") -> str:
        """The phrase in `language`; empty when that language has none (a summary then falls
        back on the label, never on another language's phrase)."""
        return (self.phrases or {}).get(language, "")

    def sentence(self, language: str = "en") -> str:
        return (self.sentences or {}).get(language, "")


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    type: str
    section: str
    per_mechanism: bool
    texts: Mapping[str, str]
    helps: Mapping[str, str] = field(default_factory=dict)
    required: bool = False
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_choices: int | None = None
    other_option: bool = False
    options: tuple[Option, ...] = ()
    columns: tuple[Option, ...] = ()
    rows_from: str | None = None
    condition: AnyCondition | None = None
    summary_section: str = "meta"

    def text(self, language: str = "en") -> str:
        return pick(self.texts, language)

    def help(self, language: str = "en") -> str:
        return pick(self.helps, language)

    @property
    def option_codes(self) -> tuple[str, ...]:
        if self.type in BUILT_IN_CHOICES:
            return BUILT_IN_CHOICES[self.type]
        return tuple(option.code for option in self.options)

    @property
    def column_codes(self) -> tuple[str, ...]:
        return tuple(option.code for option in self.columns)

    def option_label(self, code: str, language: str = "en") -> str:
        for option in self.options:
            if option.code == code:
                return option.label(language)
        return code


@dataclass(frozen=True)
class SectionSpec:
    code: str
    titles: Mapping[str, str]
    helps: Mapping[str, str]
    per_mechanism: bool
    question_codes: tuple[str, ...]

    def title(self, language: str = "en") -> str:
        return pick(self.titles, language)

    def help(self, language: str = "en") -> str:
        return pick(self.helps, language)


@dataclass(frozen=True)
class QuestionnaireSchema:
    key: str
    version: int
    audience: str
    titles: Mapping[str, str]
    sections: tuple[SectionSpec, ...]
    questions: Mapping[str, QuestionSpec]  # in display order
    id: int | None = None

    def title(self, language: str = "en") -> str:
        return pick(self.titles, language)

    def questions_in(self, scope: str | None) -> list[QuestionSpec]:
        """All questions, or those of the once-answered (`once`) or `per_mechanism` sections."""
        if scope is None:
            return list(self.questions.values())
        per_mechanism = scope == "per_mechanism"
        return [q for q in self.questions.values() if q.per_mechanism == per_mechanism]

    @property
    def has_per_mechanism_sections(self) -> bool:
        return any(section.per_mechanism for section in self.sections)


ChoiceListResolver = Callable[[Iterable[str]], Mapping[str, list[Option]]]


def vocabulary_names(data: Mapping[str, Any]) -> set[str]:
    """The registry lists a questionnaire in our format draws its choices from."""
    names = set()
    for section in data.get("sections") or []:
        for question in section.get("questions") or []:
            for key in ("choices", "columns"):
                source = question.get(key) or {}
                if source.get("source") == "vocabulary":
                    names.add(source.get("name") or "")
                elif source.get("source") == "mechanisms":
                    names.add("mechanisms")
    return names


def options_from_source(
    source: Mapping[str, Any] | None, lists: Mapping[str, list[Option]]
) -> tuple[Option, ...]:
    if not source:
        return ()
    if source.get("source") == "local":
        return tuple(
            Option(
                item["code"],
                dict(item.get("label") or {}),
                dict(item.get("phrase") or {}),
                dict(item.get("sentence") or {}),
            )
            for item in source.get("items") or []
        )
    name = "mechanisms" if source.get("source") == "mechanisms" else source.get("name", "")
    return tuple(lists.get(name, ()))


def to_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def schema_from_dict(
    data: Mapping[str, Any], lists: Mapping[str, list[Option]], *, id: int | None = None
) -> QuestionnaireSchema:
    """Build the snapshot from a questionnaire in our JSON format, already structurally valid."""
    sections, questions = [], {}
    for section in data["sections"]:
        codes = []
        for q in section["questions"]:
            condition = q.get("condition")
            questions[q["code"]] = QuestionSpec(
                code=q["code"],
                type=q["type"],
                section=section["code"],
                per_mechanism=bool(section.get("per_mechanism")),
                texts=dict(q.get("text") or {}),
                helps=dict(q.get("help") or {}),
                required=bool(q.get("required")),
                min_value=to_decimal(q.get("min_value")),
                max_value=to_decimal(q.get("max_value")),
                max_choices=q.get("max_choices"),
                other_option=bool(q.get("other_option")),
                options=options_from_source(q.get("choices"), lists),
                columns=options_from_source(q.get("columns"), lists),
                rows_from=q.get("rows_from") or None,
                condition=conditions.from_dict(condition),
                summary_section=q.get("summary_section") or "meta",
            )
            codes.append(q["code"])
        sections.append(
            SectionSpec(
                code=section["code"],
                titles=dict(section.get("title") or {}),
                helps=dict(section.get("help") or {}),
                per_mechanism=bool(section.get("per_mechanism")),
                question_codes=tuple(codes),
            )
        )
    return QuestionnaireSchema(
        key=data["key"],
        version=int(data["version"]),
        audience=data["audience"],
        titles=dict(data.get("title") or {}),
        sections=tuple(sections),
        questions=questions,
        id=id,
    )


def languages() -> tuple[str, ...]:
    return LANGUAGE_CODES
