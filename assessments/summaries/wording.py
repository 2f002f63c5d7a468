"""Small language-aware helpers for prose: lists, counts, quotes, sentence case."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.translation import get_language, ngettext
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
        return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"
    items = [top_level_semicolons_to_commas(item) for item in items]
    separator = "\u00a0; " if language() == "fr" else "; "
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
    text = " ".join(text.split())
    if language() == "fr":
        return f"« {text} »"
    if language() == "es":
        return f"«{text}»"
    return f"“{text}”"


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


def of_states(k: int, n: int) -> str:
    return ngettext(
        "%(k)d of %(n)d responding Member State",
        "%(k)d of %(n)d responding Member States",
        n,
    ) % {"k": k, "n": n}


def of_organizations(k: int, n: int) -> str:
    return ngettext(
        "%(k)d of %(n)d responding organization",
        "%(k)d of %(n)d responding organizations",
        n,
    ) % {"k": k, "n": n}


def with_count(label: str, k: int, n: int) -> str:
    """'trust-building (9 of 11)'."""
    return _("%(label)s (%(k)d of %(n)d)") % {"label": label, "k": k, "n": n}
