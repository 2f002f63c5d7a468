"""Display conditions: when a question shows, as our JSON format writes them
(docs/questionnaire-format.md, "Conditions").

A condition is one test on an earlier question (`{"question", "operator", "values"}`) or a
combination of tests (`{"all": [...]}`, `{"any": [...]}`, nested at most `MAX_DEPTH` deep). The
questionnaire model stores a single test in its three condition fields and a combination in
`condition_group`. Pages, autosave, validation and the demo all decide through `holds`, and the
browser's script (static/js/questionnaire.js) evaluates the same dict the same way.

A test on a question that is unanswered (or hidden) never holds, whatever its operator: "is not
X" means "is answered, and is not X".
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

# Operators on choice questions (values: choice codes) ...
CHOICE_OPERATORS = ("equals", "not_equals", "includes", "excludes")
# ... on any question that takes an answer (no values) ...
ANSWERED = "answered"
MULTIPLE_OPERATORS = ("includes", "excludes")
# ... and on number questions (one value, a number; equals / not_equals take one or more).
ORDER_OPERATORS = {
    "greater_than": operator.gt,
    "at_least": operator.ge,
    "less_than": operator.lt,
    "at_most": operator.le,
}
NUMBER_OPERATORS = ("equals", "not_equals", *ORDER_OPERATORS)
COMBINATIONS = ("all", "any")
MAX_DEPTH = 3
MAX_TESTS = 20
NUMBER_TEXT = re.compile(r"-?\d{1,15}(?:\.\d{1,10})?")  # a test's number value, as text


@dataclass(frozen=True)
class Condition:
    """One test: `question`'s answer compared by `operator` with `values`."""

    question: str
    operator: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ConditionGroup:
    """`combine` ("all" or "any") of `parts`."""

    combine: str
    parts: tuple[Condition | ConditionGroup, ...]


AnyCondition = Condition | ConditionGroup


def from_dict(data: Mapping[str, Any] | None) -> AnyCondition | None:
    """The condition of a (structurally valid) format dict."""
    if not data:
        return None
    for combine in COMBINATIONS:
        if combine in data:
            parts = tuple(from_dict(part) for part in data[combine])
            return ConditionGroup(combine, tuple(p for p in parts if p is not None))
    return Condition(str(data["question"]), str(data["operator"]), tuple(data["values"]))


def to_dict(condition: AnyCondition | None) -> dict[str, Any] | None:
    if condition is None:
        return None
    if isinstance(condition, ConditionGroup):
        return {condition.combine: [to_dict(part) for part in condition.parts]}
    return {
        "question": condition.question,
        "operator": condition.operator,
        "values": list(condition.values),
    }


def tests_of(condition: AnyCondition | None) -> Iterator[Condition]:
    """Every single test in the condition, in order."""
    if condition is None:
        return
    if isinstance(condition, Condition):
        yield condition
        return
    for part in condition.parts:
        yield from tests_of(part)


def is_group(data: Any) -> bool:
    return isinstance(data, Mapping) and any(combine in data for combine in COMBINATIONS)


def parts_of(data: Any) -> Any:
    """The parts of a combination dict (as written, not checked); None for a single test."""
    if not is_group(data):
        return None
    return next(data[combine] for combine in COMBINATIONS if combine in data)


def tests_in(data: Any) -> int:
    """How many tests a condition dict holds (a malformed combination counts none)."""
    parts = parts_of(data)
    if parts is None:
        return 1
    return sum(tests_in(part) for part in parts) if isinstance(parts, list) else 0


def depth_of(data: Any) -> int:
    """Levels of a condition dict, its tests included: one test is 1, a combination of tests 2."""
    parts = parts_of(data)
    if not parts or not isinstance(parts, list):
        return 1
    return 1 + max(depth_of(part) for part in parts)


def holds(condition: AnyCondition | None, answers: Mapping[str, Any]) -> bool:
    """Whether the condition holds over `answers` (the visible, cleaned answers so far)."""
    if condition is None:
        return True
    if isinstance(condition, ConditionGroup):
        results = (holds(part, answers) for part in condition.parts)
        return all(results) if condition.combine == "all" else any(results)
    return test_holds(condition, answers.get(condition.question))


def test_holds(test: Condition, answer: Any) -> bool:
    if answer is None or answer == "" or answer == []:
        return False
    if test.operator == "answered":
        return True
    if test.operator in ORDER_OPERATORS:
        number = None if isinstance(answer, list) else _number(str(answer))
        bound = _number(test.values[0]) if test.values else None
        if number is None or bound is None:
            return False
        return bool(ORDER_OPERATORS[test.operator](number, bound))
    if isinstance(answer, list):
        hit = any(str(value) in test.values for value in answer)
    elif isinstance(answer, str):  # a choice code (or a number as typed, compared as written)
        hit = answer in test.values
    else:  # a stored number: 5 and Decimal("5.0") both equal "5"
        number = _number(str(answer))
        hit = number is not None and any(number == _number(value) for value in test.values)
    return not hit if test.operator in ("not_equals", "excludes") else hit


def _number(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None
