"""How a summary names a choice: its summary phrase or sentence, never its questionnaire label.

Every choice of the shipped questionnaires and of the registry's vocabularies has a phrase in
English, French and Spanish ("labour migration", "la migration de main-d'œuvre"); a choice
added later without one falls back on its label, cut to what stands outside brackets and
before an "e.g.", so that no aside of a label ("(e.g. IOM, UNHCR, ILO)") becomes a claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assessments.questionnaires.schema import OTHER_CODE, Option, QuestionnaireSchema
from assessments.summaries.wording import lower_first, quote

ASIDE = re.compile(r"\s*\([^)]*\)|\s*\[[^\]]*\]")
EXAMPLE_MARK = re.compile(
    r"\s*[,;:]?\s*\b(e\.\s?g\.|i\.\s?e\.|incl\.|p\.\s?ej\.|p\.\s?ex\.|ex\.)", re.I
)


def plain_label(label: str) -> str:
    """A label without its asides: brackets, "e.g. …", "/ alternative"."""
    text = ASIDE.sub("", label)
    text = EXAMPLE_MARK.split(text)[0]
    text = text.split(" / ")[0]
    return " ".join(text.split()).strip(" ,;:")


class Phrasebook:
    """Phrases and sentences of one summary's questionnaires, in its language."""

    def __init__(self, language: str) -> None:
        self.language = language

    def option(self, schema: QuestionnaireSchema, code: str, choice: str) -> Option | None:
        question = schema.questions.get(code)
        if question is None:
            return None
        for option in question.options:
            if option.code == choice:
                return option
        return None

    def phrase(self, schema: QuestionnaireSchema, code: str, choice: str) -> str:
        option = self.option(schema, code, choice)
        return self.phrase_of(option) if option else choice

    def column_phrase(self, schema: QuestionnaireSchema, code: str, column: str) -> str:
        question = schema.questions.get(code)
        for option in question.columns if question else ():
            if option.code == column:
                return self.phrase_of(option)
        return column

    def phrase_of(self, option: Option) -> str:
        """Its summary phrase, or else its label without asides, as it stands in a sentence."""
        return option.phrase(self.language) or lower_first(plain_label(option.label(self.language)))

    def sentence(self, schema: QuestionnaireSchema, code: str, choice: str) -> str:
        """The option's own sentence, or "" when it has none (the caller then says nothing
        or builds one from the phrase)."""
        option = self.option(schema, code, choice)
        return option.sentence(self.language) if option else ""

    def phrases(
        self, schema: QuestionnaireSchema, code: str, choices: Iterable[str], other: str = ""
    ) -> list[str]:
        """The phrases of the chosen options in the questionnaire's order, the respondent's own
        "other" text last, quoted."""
        question = schema.questions.get(code)
        order = {c: i for i, c in enumerate(question.option_codes)} if question else {}
        wanted = sorted(
            (c for c in choices if c != OTHER_CODE), key=lambda c: (order.get(c, len(order)), c)
        )
        found = [self.phrase(schema, code, c) for c in wanted]
        if other:
            found.append(quote(other))
        return found
