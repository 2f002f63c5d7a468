"""`relevant` expressions -> a tree of tests (`Test`, `AllOf`, `AnyOf`), with `not()` pushed down to
the tests, ready to be stored as our conditions (assessments/questionnaires/conditions.py).

A small parser for the forms XLSForm authors write: `${q} = 'x'`, `${q} != 'x'`,
`selected(${q}, 'x')`, `${q} != ''` (answered), number comparisons (`${age} >= 18`),
`count-selected(${q}) > 0` and `string-length(${q}) > 0` (answered), joined by `and` / `or`,
negated with `not()`, grouped with parentheses. Anything else raises `Unsupported`, whose
message says what is beyond it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{\s*(?P<name>[^}\s]+)\s*\})
      | (?P<string>'(?P<single>[^']*)'|"(?P<double>[^"]*)")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op>!=|>=|<=|=|>|<|\(|\)|,)
      | (?P<word>[A-Za-z_][A-Za-z0-9_:-]*)
    )""",
    re.VERBOSE,
)
# "is answered" spelled as a count or a length: `count-selected(${q}) > 0`, `... >= 1`.
_ANSWERED_FUNCTIONS = ("count-selected", "string-length")
# Comparison -> (the test's operator, the operator of its negation).
_OPERATORS = {
    "=": ("equals", "not_equals"),
    "!=": ("not_equals", "equals"),
    ">": ("greater_than", "at_most"),
    ">=": ("at_least", "less_than"),
    "<": ("less_than", "at_least"),
    "<=": ("at_most", "greater_than"),
}
_MIRRORED = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


class Unsupported(ValueError):
    """The expression is beyond what our conditions hold; the message says how."""


@dataclass(frozen=True)
class Test:
    """`question` compared by `operator` ("equals", "not_equals", "greater_than", ...,
    "selected", "not_selected", "answered") with `values`."""

    question: str
    operator: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Node, ...]


Node = Test | AllOf | AnyOf


def parse_relevant(text: str) -> Node:
    """The tree of `text`, negations pushed down to the tests; raises Unsupported."""
    tokens = _tokenize(text)
    parser = _Parser(tokens)
    node = parser.expression(negated=False)
    if parser.position != len(tokens):
        raise Unsupported(_("the expression is not in a form that can be imported"))
    return node


def questions_of(node: Node) -> set[str]:
    if isinstance(node, Test):
        return {node.question}
    return set().union(*(questions_of(part) for part in node.parts))


def all_of(nodes: list[Node]) -> Node:
    """`a and b and ...` as one node."""
    return nodes[0] if len(nodes) == 1 else AllOf(tuple(nodes))


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise Unsupported(
                _("“%(part)s” is beyond the conditions that can be imported")
                % {"part": text[position:].strip()[:40]}
            )
        position = match.end()
        if match.group("ref"):
            tokens.append(("ref", match.group("name")))
        elif match.group("string") is not None:
            value = match.group("single")
            tokens.append(("value", value if value is not None else match.group("double")))
        elif match.group("number"):
            tokens.append(("number", match.group("number")))
        elif match.group("op"):
            tokens.append(("op", match.group("op")))
        else:
            tokens.append(("word", match.group("word")))
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, kind: str, text: str | None = None) -> str:
        token = self.peek()
        if token is None or token[0] != kind or (text is not None and token[1] != text):
            raise Unsupported(_("the expression is not in a form that can be imported"))
        self.position += 1
        return token[1]

    def take_value(self) -> str:
        token = self.peek()
        if token is None or token[0] not in ("value", "number"):
            raise Unsupported(_("the expression is not in a form that can be imported"))
        self.position += 1
        return token[1]

    # not(a or b) is (not a) and (not b): `negated` says which way a level combines.
    def expression(self, *, negated: bool) -> Node:
        parts = [self.conjunction(negated=negated)]
        while self.peek() == ("word", "or"):
            self.position += 1
            parts.append(self.conjunction(negated=negated))
        return _combined(parts, AllOf if negated else AnyOf)

    def conjunction(self, *, negated: bool) -> Node:
        parts = [self.unary(negated=negated)]
        while self.peek() == ("word", "and"):
            self.position += 1
            parts.append(self.unary(negated=negated))
        return _combined(parts, AnyOf if negated else AllOf)

    def unary(self, *, negated: bool) -> Node:
        token = self.peek()
        if token == ("word", "not"):
            self.position += 1
            self.take("op", "(")
            inner = self.expression(negated=not negated)
            self.take("op", ")")
            return inner
        if token == ("op", "("):
            self.position += 1
            inner = self.expression(negated=negated)
            self.take("op", ")")
            return inner
        if token == ("word", "selected"):
            self.position += 1
            self.take("op", "(")
            name = self.take("ref")
            self.take("op", ",")
            value = self.take_value()
            self.take("op", ")")
            return Test(name, "not_selected" if negated else "selected", (value,))
        if token is not None and token[0] == "word" and token[1] in _ANSWERED_FUNCTIONS:
            return self.answered_function(negated=negated)
        return self.comparison(negated=negated)

    def answered_function(self, *, negated: bool) -> Node:
        self.position += 1
        self.take("op", "(")
        name = self.take("ref")
        self.take("op", ")")
        operator, number = self.peek(), None
        if operator in (("op", ">"), ("op", ">="), ("op", "!=")):
            self.position += 1
            number = self.take("number")
        answered = (operator, number) in (
            (("op", ">"), "0"),
            (("op", ">="), "1"),
            (("op", "!="), "0"),
        )
        if not answered or negated:
            raise Unsupported(
                _(
                    "only “count-selected(…) > 0” and “string-length(…) > 0” (is answered) can be imported"
                )
            )
        return Test(name, "answered")

    def comparison(self, *, negated: bool) -> Node:
        token = self.peek()
        if token is not None and token[0] == "word":
            raise Unsupported(
                _("the function or word “%(word)s” is beyond the conditions that can be imported")
                % {"word": token[1]}
            )
        reversed_ = token is not None and token[0] in ("value", "number")  # `18 <= ${age}`
        if reversed_:
            value = self.take_value()
        name = self.take("ref") if not reversed_ else ""
        operator = self.peek()
        if operator is None or operator[0] != "op" or operator[1] not in _OPERATORS:
            raise Unsupported(_("a question must be compared with =, !=, >, >=, < or <="))
        self.position += 1
        if reversed_:
            name = self.take("ref")
        else:
            value = self.take_value()
        symbol = _MIRRORED.get(operator[1], operator[1]) if reversed_ else operator[1]
        test_operator = _OPERATORS[symbol][1 if negated else 0]
        if value == "":
            if test_operator == "not_equals":
                return Test(name, "answered")
            raise Unsupported(_("a condition on an unanswered question cannot be imported"))
        return Test(name, test_operator, (value,))


def _combined(parts: list[Node], kind: type[AllOf] | type[AnyOf]) -> Node:
    """`parts` joined as `kind`, flattening nested nodes of the same kind."""
    if len(parts) == 1:
        return parts[0]
    flat: list[Node] = []
    for part in parts:
        flat.extend(part.parts if isinstance(part, kind) else (part,))
    return kind(tuple(dict.fromkeys(flat)))
