"""Small language-aware helpers for prose: lists, counts, quotes, sentence case."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _


def join_list(items: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C' in the active language."""
    items = [item for item in items if item]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    # Translators: the word joining the last two items of a list ("A, B and C").
    conjunction = _("and")
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def lower_first(label: str) -> str:
    """A label inside a sentence: lower-case its first letter unless it starts an acronym."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper() and label[1] != ".":
        return label[0].lower() + label[1:]
    return label


def quote(text: str) -> str:
    text = " ".join(text.split())
    language = (get_language() or "en")[:2]
    if language == "fr":
        return f"« {text} »"
    if language == "es":
        return f"«{text}»"
    return f"“{text}”"


def sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


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
