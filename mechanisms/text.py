"""Text hygiene: the one check every boundary applies to text it accepts.

Forms, API bodies, imports and admin fields refuse what no column, e-mail header or document can
hold: NUL (PostgreSQL refuses it), lone surrogates (not encodable as UTF-8), and the other
control characters (a Word document is XML 1.0, which has no place for U+0001). Tab and line
breaks pass where the text may span lines; single-line fields (names, subjects: they end up in
e-mail headers) refuse line breaks too. JSON documents (API bodies, import files) are also held
to a size, a depth and a number of items, so a hostile one answers 400 instead of exhausting the
stack or the memory.

Lives in `mechanisms`, the app every other one builds on, so both apps share it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# C0 controls but tab and line breaks, DEL and the C1 controls, surrogates, and the two
# noncharacters XML refuses. Line breaks are checked separately (single-line fields).
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
LINE_BREAK = re.compile("[\n\r\x85\u2028\u2029]")
# What XML 1.0 (so Word) cannot hold at all: the renderers drop these as a second line of
# defence, for text stored before this check existed.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

CODE_NUL = "nul_character"
CODE_CONTROL = "control_character"
CODE_SURROGATE = "lone_surrogate"
CODE_LINE_BREAK = "line_break"


def text_problem(value: str, *, multiline: bool = True) -> tuple[str, str] | None:
    """(code, message) for the first character `value` may not hold, or None when it is clean."""
    found = UNSAFE.search(value)
    if found:
        char = found.group()
        where = {"char": f"U+{ord(char):04X}", "position": found.start() + 1}
        if char == "\x00":
            return CODE_NUL, _(
                "The text holds a NUL character (U+0000) at position %(position)d, which "
                "cannot be stored. Remove it."
            ) % where
        if "\ud800" <= char <= "\udfff":
            return CODE_SURROGATE, _(
                "The text holds half of a character (%(char)s, a lone surrogate) at position "
                "%(position)d, which cannot be stored. Remove it."
            ) % where
        return CODE_CONTROL, _(
            "The text holds an invisible control character (%(char)s) at position "
            "%(position)d, which cannot be stored or printed. Remove it."
        ) % where
    if not multiline:
        found = LINE_BREAK.search(value)
        if found:
            return CODE_LINE_BREAK, _("Use a single line: line breaks are not allowed here.")
    return None


@deconstructible
class TextValidator:
    """Django validator: refuses NUL, lone surrogates, control characters (and line breaks for
    a single-line field)."""

    def __init__(self, *, multiline: bool = True) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        problem = text_problem(value, multiline=self.multiline)
        if problem:
            code, message = problem
            raise ValidationError(message, code=code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline


validate_text = TextValidator(multiline=True)
validate_single_line = TextValidator(multiline=False)


def harden_text_fields(model_classes: Iterable[type[models.Model]]) -> None:
    """Give every CharField and TextField of these models the text validator.

    Called from each app's `ready()`, so model `full_clean`, every ModelForm (admin and pages)
    and every DRF ModelSerializer (which copies a model field's validators) refuse the same
    characters, without a validator on each of a hundred field definitions. It goes into the
    field's `default_validators`, which a migration does not record: the rule is code, not
    schema. A CharField is a single line (names and subjects end up in e-mail headers); a
    TextField may span lines.
    """
    for model in model_classes:
        for field in model._meta.get_fields():
            if not isinstance(field, models.CharField | models.TextField) or field.choices:
                continue
            validator = (
                validate_text if isinstance(field, models.TextField) else validate_single_line
            )
            if validator in field.default_validators:
                continue
            field.default_validators = [*type(field).default_validators, validator]
            field.__dict__.pop("validators", None)  # a cached_property, maybe already read


def printable(text: str) -> str:
    """`text` without the characters an XML document (Word) cannot hold."""
    return NOT_IN_XML.sub("", text)


# --- JSON documents -----------------------------------------------------------------------


class JsonLimitError(ValueError):
    """A JSON document that is not valid, too large, too deep, or holds unsafe text."""


def load_json(
    raw: bytes | str,
    *,
    max_bytes: int,
    max_depth: int,
    max_items: int,
    check_text: bool = False,
) -> Any:
    """Parse `raw`, refusing it (JsonLimitError, a translated message saying which limit) when it
    is larger than `max_bytes`, nests deeper than `max_depth`, holds more than `max_items`
    values, or holds a lone surrogate (any unsafe text with `check_text`)."""
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise JsonLimitError(
            _("The JSON document is %(size)s bytes; the limit is %(limit)s bytes.")
            % {"size": f"{size:,}", "limit": f"{max_bytes:,}"}
        )
    try:
        data = json.loads(raw, parse_constant=refuse_constant)
    except RecursionError:
        raise JsonLimitError(too_deep(max_depth)) from None
    except UnicodeDecodeError:
        raise JsonLimitError(_("The JSON document is not UTF-8 text.")) from None
    except ValueError as exc:
        raise JsonLimitError(
            _("The document is not valid JSON: %(error)s.") % {"error": exc}
        ) from None
    problem = json_problem(data, max_depth=max_depth, max_items=max_items, check_text=check_text)
    if problem:
        raise JsonLimitError(problem)
    return data


def load_import_json(raw: bytes | str) -> Any:
    """An import file (a round export, a questionnaire): the import limits of the settings, and
    every string checked as text."""
    from django.conf import settings

    return load_json(
        raw,
        max_bytes=settings.IMPORT_JSON_MAX_BYTES,
        max_depth=settings.IMPORT_JSON_MAX_DEPTH,
        max_items=settings.IMPORT_JSON_MAX_ITEMS,
        check_text=True,
    )


def import_problem(data: Any) -> str | None:
    """The first import limit an already parsed document breaks (a caller may pass any JSON
    value, e.g. a round export built in code)."""
    from django.conf import settings

    return json_problem(
        data,
        max_depth=settings.IMPORT_JSON_MAX_DEPTH,
        max_items=settings.IMPORT_JSON_MAX_ITEMS,
        check_text=True,
    )


def refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON, though Python's parser takes them.
    raise ValueError(f"{name} is not a JSON value")


def too_deep(max_depth: int) -> str:
    return _("The JSON document nests deeper than %(limit)d levels.") % {"limit": max_depth}


def json_problem(
    data: Any, *, max_depth: int, max_items: int, check_text: bool = False
) -> str | None:
    """The first limit `data` (parsed JSON) breaks, as a message naming where; None if none.

    Walks with its own stack, so a deep document cannot exhaust Python's.
    """
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    items = 0
    while stack:
        value, depth, path = stack.pop()
        items += 1
        if items > max_items:
            return _("The JSON document holds more than %(limit)s values.") % {
                "limit": f"{max_items:,}"
            }
        if isinstance(value, dict | list):
            if depth > max_depth:
                return too_deep(max_depth)
            pairs = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in pairs:
                if isinstance(key, str):
                    problem = string_problem(key, check_text)
                    if problem:
                        return f"{path or '/'} (key): {problem}"
                stack.append((child, depth + 1, f"{path}/{key}"))
        elif isinstance(value, str):
            problem = string_problem(value, check_text)
            if problem:
                return f"{path or '/'}: {problem}"
    return None


def string_problem(value: str, check_text: bool) -> str | None:
    if check_text:
        problem = text_problem(value)
        return problem[1] if problem else None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return text_problem(value)[1]  # type: ignore[index]  # a surrogate is always found
    return None
