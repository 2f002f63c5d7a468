"""The editorial checks a secretariat editor makes on a summary, as a function a test can run.

Each returns the problems found, as readable strings, so a failing test says what to fix.
"""

from __future__ import annotations

import re
from collections import Counter

from assessments.questionnaires.schema import QuestionnaireSchema
from assessments.summaries.compose import SummaryContent, word_budget, words
from assessments.summaries.inputs import SummaryInputs
from assessments.summaries.markdown import plain_text
from assessments.summaries.wording import QUOTATION

# Words of English prose that are no French or Spanish word: one outside quotations in a
# French or Spanish summary is English left untranslated.
ENGLISH_WORDS = {
    "the", "and", "of", "with", "through", "its", "is", "are", "which", "was", "were", "has",
    "have", "from", "reported", "that", "other", "level", "by", "it", "their", "they",
    "members", "secretariat", "answered", "gives", "example", "examples", "include", "been",
    "states", "organizations", "mainly", "works", "under", "since", "meets", "shared",
    "funding", "comes", "travel", "rated", "relevance", "out", "cooperates", "takes", "value",
    "according", "words", "covers", "own", "led", "chair", "areas", "benefits", "kinds",
}  # fmt: skip
# Not listed although English: words that are also French or Spanish ("budget",
# "participation", "part", "gain", "engages", "no", "focus").
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«“¿¡])")
FRENCH_HIGH_PUNCTUATION = re.compile(r"(?<![\u00a0\u202f])[:;?!]")
ZERO_COUNT = re.compile(r"\b0 (of|de|sur)\b|\(0\b")
ASIDE_MARKS = re.compile(r"\b(e\.\s?g\.|i\.\s?e\.|incl\.|p\.\s?ej\.|p\.\s?ex\.)", re.IGNORECASE)
WINDOW = 6  # words of a question's wording that, found together in the prose, are a paste


def prose_of(content: SummaryContent) -> dict[str, str]:
    """Each section's text without Markdown, and with every quotation blanked out (a
    respondent's own words are theirs, whatever their language or wording)."""
    return {
        number: QUOTATION.sub("«»", plain_text(text)) for number, text in content.sections.items()
    }


def normalized_words(text: str) -> list[str]:
    return re.findall(r"[\w'’-]+", text.lower())


def windows(text: str, size: int = WINDOW) -> set[tuple[str, ...]]:
    found = normalized_words(text)
    return {tuple(found[i : i + size]) for i in range(len(found) - size + 1)}


def question_wordings(schemas: dict[str, QuestionnaireSchema], language: str) -> list[str]:
    texts = []
    for schema in schemas.values():
        for question in schema.questions.values():
            texts.append(question.text(language))
    return [t for t in texts if t]


# Names that a question may also contain, and prose must be free to use.
PROPER_NAMES = {
    "en": ["objectives of the Global Compact for Migration"],
    "fr": ["objectifs du Pacte mondial pour des migrations sûres, ordonnées et régulières",
           "du Pacte mondial sur les migrations", "du Pacte mondial pour les migrations"],
    "es": ["objetivos del Pacto Mundial para la Migración", "del Pacto Mundial para la Migración"],
}  # fmt: skip


def allowed_windows(schemas: dict[str, QuestionnaireSchema], language: str) -> set:
    """Windows that are fine in prose even when a question has them: the summary phrases and
    sentences themselves, and proper names."""
    found = set()
    for text in PROPER_NAMES.get(language, []):
        found |= windows(text)
    for schema in schemas.values():
        for question in schema.questions.values():
            for option in (*question.options, *question.columns):
                found |= windows(option.phrase(language)) | windows(option.sentence(language))
    return found


def bracketed_labels(schemas: dict[str, QuestionnaireSchema], language: str) -> list[str]:
    labels = []
    for schema in schemas.values():
        for question in schema.questions.values():
            for option in (*question.options, *question.columns):
                label = option.label(language)
                if "(" in label:
                    labels.append(label)
    return labels


def style_problems(content: SummaryContent, inputs: SummaryInputs) -> list[str]:
    language = content.language
    prose = prose_of(content)
    problems: list[str] = []
    wording_windows = set()
    for text in question_wordings(inputs.schemas, language):
        wording_windows |= windows(text)
    wording_windows -= allowed_windows(inputs.schemas, language)
    labels = bracketed_labels(inputs.schemas, language)
    sentences: Counter[str] = Counter()
    for number, text in prose.items():
        where = f"section {number}"
        pasted = windows(text) & wording_windows
        if pasted:
            problems.append(f"{where}: question wording in the prose: {sorted(pasted)[0]}")
        for label in labels:
            if label.lower() in text.lower():
                problems.append(f"{where}: option label with brackets: {label!r}")
        if ASIDE_MARKS.search(text):
            problems.append(f"{where}: a label's aside (e.g., incl.): {text!r}")
        if ZERO_COUNT.search(text):
            problems.append(f"{where}: a count of zero: {ZERO_COUNT.search(text).group(0)!r}")
        for paragraph in plain_text(content.sections[number]).split("\n\n"):
            sentences.update(s.strip() for s in SENTENCE_END.split(paragraph) if s.strip())
        if language in {"fr", "es"}:
            english = [w for w in normalized_words(text) if w in ENGLISH_WORDS]
            if english:
                problems.append(f"{where}: English in {language}: {english[:5]}")
        if language == "fr":
            for match in FRENCH_HIGH_PUNCTUATION.finditer(text):
                context = text[max(0, match.start() - 20) : match.end() + 5]
                problems.append(
                    f"{where}: no no-break space before {match.group(0)!r}: {context!r}"
                )
    for repeated, n in sentences.items():
        if n > 1:
            problems.append(f"sentence repeated {n} times: {repeated!r}")
    budget = word_budget(inputs, language)
    if words(content.sections) > budget:
        problems.append(f"{words(content.sections)} words, over the budget of {budget}")
    return problems
