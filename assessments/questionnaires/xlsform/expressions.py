"""Reading the expressions of the survey sheet that our format can hold: `constraint` (bounds on
a number) and `relevant` (a chain of tests on one question)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .common import CONSTRAINT_FORMS, NUMBER_TYPES, WHOLE_NUMBER, WHOLE_NUMBER_TYPES
from .sheets import _Row

_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_BOUND = rf"\.\s*(>=|<=|>|<)\s*({_NUMBER})"
_CONSTRAINT = re.compile(rf"{_BOUND}(?:\s+and\s*{_BOUND})?")


def _read_constraint(
    row: _Row, our_type: str, errors: list[str]
) -> tuple[int | float | None, int | float | None]:
    text = row.get("constraint")
    if not text:
        return None, None
    if our_type not in NUMBER_TYPES:
        errors.append(
            f'{row.where}: constraint "{text}" is only supported on integer and decimal questions'
        )
        return None, None
    match = _CONSTRAINT.fullmatch(text)
    if not match:
        errors.append(
            f'{row.where}: constraint "{text}" is not in a supported form {CONSTRAINT_FORMS}'
        )
        return None, None
    bounds = [(match.group(1), match.group(2))]
    if match.group(3):
        bounds.append((match.group(3), match.group(4)))
    return _bounds_to_range(row, text, our_type, bounds, errors)


def _bounds_to_range(
    row: _Row, text: str, our_type: str, bounds: list[tuple[str, str]], errors: list[str]
) -> tuple[int | float | None, int | float | None]:
    limits: dict[str, int | float] = {}
    whole = our_type in WHOLE_NUMBER_TYPES
    for operator, number_text in bounds:
        number = _parse_number(number_text)
        if whole and not float(number).is_integer():
            errors.append(
                f'{row.where}: constraint "{text}" compares a whole number with {number_text}'
            )
            return None, None
        if operator in (">", "<"):
            if not whole:
                errors.append(
                    f'{row.where}: constraint "{text}" uses a strict comparison, which is only '
                    "supported on whole numbers; use >= or <="
                )
                return None, None
            # On whole numbers "> n" is ">= n + 1", which our min_value can say.
            number = number + 1 if operator == ">" else number - 1
        side = "min" if operator.startswith(">") else "max"
        if side in limits:
            errors.append(f'{row.where}: constraint "{text}" gives two {side}imum values')
            return None, None
        limits[side] = number
    minimum, maximum = limits.get("min"), limits.get("max")
    if minimum is not None and maximum is not None and minimum > maximum:
        errors.append(f'{row.where}: constraint "{text}" accepts no value (minimum above maximum)')
        return None, None
    return minimum, maximum


def _parse_number(text: str) -> int | float:
    return int(text) if WHOLE_NUMBER.fullmatch(text) else float(text)


_QUOTED = r"""(?:'([^']*)'|"([^"]*)")"""
_REFERENCE = r"\$\{\s*([^}\s]+)\s*\}"
_COMPARISON = re.compile(rf"\s*{_REFERENCE}\s*(!=|=)\s*{_QUOTED}\s*")
_SELECTED = re.compile(rf"\s*selected\s*\(\s*{_REFERENCE}\s*,\s*{_QUOTED}\s*\)\s*")
_CONNECTOR = re.compile(r"(and|or)\b")


@dataclass(frozen=True)
class _Check:
    """One `${q} = 'x'`, `${q} != 'x'` or `selected(${q}, 'x')` of a relevant expression."""

    kind: str  # "=", "!=" or "selected"
    question: str
    value: str


def _parse_relevant(text: str) -> tuple[list[_Check], set[str]] | None:
    """The tests and the connectors between them, or None if the text is not a chain of tests."""
    tests: list[_Check] = []
    connectors: set[str] = set()
    position = 0
    while True:
        comparison = _COMPARISON.match(text, position)
        selected = None if comparison else _SELECTED.match(text, position)
        if comparison:
            value = _first_group(comparison.group(3), comparison.group(4))
            tests.append(_Check(comparison.group(2), comparison.group(1), value))
            position = comparison.end()
        elif selected:
            value = _first_group(selected.group(2), selected.group(3))
            tests.append(_Check("selected", selected.group(1), value))
            position = selected.end()
        else:
            return None
        if position == len(text):
            return tests, connectors
        connector = _CONNECTOR.match(text, position)
        if not connector:
            return None
        connectors.add(connector.group(1))
        position = connector.end()


def _first_group(*groups: str | None) -> str:
    return next(group for group in groups if group is not None)


# The chains that questionnaire_to_xlsform writes for several values, by test kind.
_CHAIN_CONNECTOR = {"=": "or", "!=": "and", "selected": "or"}
