"""Codes that pyxform accepts but our format refuses (accents, spaces, other punctuation, too
long): mapped to a stored code, the original kept as the choice's `xlsform_name` so that the
export writes it back unchanged; question and form names likewise, when they can be."""

from __future__ import annotations

import re
import unicodedata

CHOICE_CODE = re.compile(r"[A-Za-z0-9_.-]+")
QUESTION_CODE = re.compile(r"[a-z][a-z0-9_]*")
KEY = re.compile(r"[-a-zA-Z0-9_]+")
CODE_LENGTH = 64


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _unique(code: str, used: set[str]) -> str:
    candidate, number = code, 1
    while candidate in used:
        number += 1
        suffix = f"_{number}"
        candidate = code[: CODE_LENGTH - len(suffix)] + suffix
    used.add(candidate)
    return candidate


def choice_codes(names: list[str]) -> list[str]:
    """The stored code of each choice name of one list, in order; valid names are kept (and
    win over mapped ones, so that a list's valid codes never change)."""
    used = {name for name in names if CHOICE_CODE.fullmatch(name) and len(name) <= CODE_LENGTH}
    codes = []
    for name in names:
        if name in used and CHOICE_CODE.fullmatch(name) and len(name) <= CODE_LENGTH:
            codes.append(name)
            continue
        code = re.sub(r"[^A-Za-z0-9_.-]+", "_", _ascii(name)).strip("_")[:CODE_LENGTH] or "choice"
        codes.append(_unique(code, used))
    return codes


def question_code(name: str, used: set[str]) -> str | None:
    """A valid question code for `name` (lower case, `_` for anything else); None if none."""
    code = re.sub(r"[^a-z0-9_]+", "_", _ascii(name).lower()).strip("_")[:CODE_LENGTH]
    if not code:
        return None
    if not code[0].isalpha():
        code = f"q_{code}"[:CODE_LENGTH]
    return _unique(code, used)


def form_key(text: str) -> str | None:
    key = re.sub(r"[^-a-zA-Z0-9_]+", "_", _ascii(text)).strip("_")[:CODE_LENGTH]
    return key or None
