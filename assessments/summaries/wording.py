"""Small language-aware helpers for prose: lists, counts, quotes, sentence case."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.translation import get_language
from django.utils.translation import gettext as _


def join_list(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C' in the active language.

    When a list of three or more has an item with a comma of its own (outside brackets), commas
    no longer show where one item ends, so items are separated by semicolons ("A, B; C; and D");
    a semicolon inside an item then becomes a comma, so that every semicolon is a separator.
    """
    items = [item for item in items if item]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    # Translators: the word joining the last two items of a list ("A, B and C").
    conjunction = _("and")
    if len(items) == 2 or not any(has_own_comma(item) for item in items):
        # "its website, publications and reports, and training": an item with an "and" of its
        # own needs a comma before the last "and" to stay one item (in French and Spanish too,
        # where that comma is otherwise left out).
        serial = "," if any(f" {conjunction} " in i for i in items) else ""
        if len(items) == 2:
            serial = ""
        return f"{', '.join(items[:-1])}{serial} {conjunction} {items[-1]}"
    items = [top_level_semicolons_to_commas(item) for item in items]
    separator = "\u202f; " if language() == "fr" else "; "
    # English keeps a separator before "and" here; French and Spanish never put one before et/y.
    last = separator if language() == "en" else " "
    return f"{separator.join(items[:-1])}{last}{conjunction} {items[-1]}"


def language() -> str:
    return (get_language() or "en")[:2]


def top_level(text: str) -> str:
    """The text with whatever stands inside brackets removed."""
    depth, kept = 0, []
    for char in text:
        depth += char == "("
        if not depth:
            kept.append(char)
        depth -= char == ")" and depth > 0
    return "".join(kept)


def has_own_comma(item: str) -> bool:
    outside = top_level(item)
    return "," in outside or ";" in outside


def top_level_semicolons_to_commas(item: str) -> str:
    depth, chars = 0, []
    for char in item:
        depth += char == "("
        depth -= char == ")" and depth > 0
        chars.append("," if char == ";" and not depth else char)
    return re.sub(r"\s+,", ",", "".join(chars))


# Capitalized wherever they stand, so they neither lose their capital nor make a label a name.
ALWAYS_CAPITALIZED = {"State", "States", "État", "États", "Estado", "Estados"}
# "Group of Friends", "Grupo de Amigos": look past one linking word for a title-case name.
LINKING_WORDS = {"of", "on", "for", "de", "des", "du", "del", "sur", "sobre"}


def lower_first(label: str) -> str:
    """A label inside a sentence: lower-case its first letter, unless the label starts with an
    acronym ("IOM resources", "UN agencies"), a word always capitalized ("States", "Member
    State contributions") or is a name in title case ("Pro Tempore Presidency", "Global Forum on
    Migration and Development")."""
    words = label.split()
    if not words or not label[0].isupper():
        return label
    first = words[0]
    if len(first) > 1 and (first[1].isupper() or first[1] == "."):
        return label  # an acronym
    if first in ALWAYS_CAPITALIZED or words[:2] in (["Member", "State"], ["Member", "States"]):
        return label
    following = words[1:3]
    if following and following[0] in LINKING_WORDS:
        following = following[1:]
    if following and following[0][:1].isupper() and following[0] not in ALWAYS_CAPITALIZED:
        return label  # a name in title case
    return label[0].lower() + label[1:]


def quote(text: str) -> str:
    """A respondent's words, in the language's quotation marks, escaped for Markdown (summary
    sections are stored and rendered as Markdown: a quotation must never become markup)."""
    text = markdown_escape(" ".join(text.split()))
    if language() == "fr":
        return f"«\u00a0{text}\u00a0»"
    if language() == "es":
        return f"«{text}»"
    return f"“{text}”"


# Characters that make inline Markdown markup (a quotation never starts a line, so block
# markers such as "#" or "-" cannot act there): escaped, a quotation stays literal.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")


def markdown_escape(text: str) -> str:
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


QUOTATION = re.compile(r"«[^»]*»|“[^”]*”")


def outside_quotations(text: str, change) -> str:
    """Apply `change` to the text between quotations only: a respondent's words stay as given."""
    parts, last = [], 0
    for match in QUOTATION.finditer(text):
        parts += [change(text[last : match.start()]), match.group(0)]
        last = match.end()
    parts.append(change(text[last:]))
    return "".join(parts)


# French: de + le/les and à + le/les contract; Spanish: de + el and a + el.
CONTRACTIONS = {
    "fr": [
        (r"\bde le ", "du "),
        (r"\bde les ", "des "),
        (r"\bà le ", "au "),
        (r"\bà les ", "aux "),
    ],
    "es": [(r"\bde el ", "del "), (r"\ba el ", "al ")],
}


def contract(text: str, lang: str | None = None) -> str:
    for pattern, replacement in CONTRACTIONS.get(lang or language(), []):
        text = re.sub(pattern, replacement, text)
    return text


def french_typography(text: str) -> str:
    """A no-break space before a colon, a narrow one before ; ? ! (outside quotations)."""

    def spaced(part: str) -> str:
        part = re.sub(r"[ \u00a0\u202f]*:(?!//)", "\u00a0:", part)
        return re.sub(r"[ \u00a0\u202f]*([;?!])", "\u202f\\1", part)

    return outside_quotations(text, spaced)


def finish(text: str, lang: str | None = None) -> str:
    """The last pass over composed prose: contractions, then the language's typography."""
    lang = lang or language()
    text = outside_quotations(text, lambda part: contract(part, lang))
    return french_typography(text) if lang == "fr" else text


CLOSING_QUOTES = "”»\"’'"


def sentence(text: str) -> str:
    """Capitalized and ending with a full stop; a quotation that ends the sentence keeps its own
    final punctuation (“… lessons learned.”) or gets the full stop after it (“…”.)."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    core = text.rstrip(CLOSING_QUOTES).rstrip()
    return text if core[-1:] in (".", "!", "?", "…") else text + "."
