"""`relevant` expressions -> our conditions (one question, one operator, a set of values).

A small parser for the forms XLSForm authors use: `${q} = 'x'`, `${q} != 'x'`,
`selected(${q}, 'x')`, `${q} != ''` (answered), joined by `and` / `or`, negated with `not()`,
grouped with parentheses. The result is kept only when it comes down to one test our
conditions can hold; anything else raises `Unsupported`, whose message says why.
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
      | (?P<op>!=|=|\(|\)|,)
      | (?P<word>[A-Za-z_][A-Za-z0-9_:-]*)
    )""",
    re.VERBOSE,
)


class Unsupported(ValueError):
    """The expression is beyond what our conditions hold; the message says how."""


@dataclass(frozen=True)
class Test:
    """`question`'s answer is among `values` (`negated`: is not); for a multiple choice
    question "among" means "includes one of". An empty `values` means "is answered"."""

    question: str
    values: frozenset[str]
    negated: bool = False

    def inverted(self) -> Test:
        return Test(self.question, self.values, not self.negated)


def parse_relevant(text: str) -> Test:
    """The one test `text` comes down to; raises Unsupported."""
    tokens = _tokenize(text)
    parser = _Parser(tokens)
    test = parser.expression()
    if parser.position != len(tokens):
        raise Unsupported(_("the expression is not in a form that can be imported"))
    return test


def combine_all(tests: list[Test]) -> Test:
    """`a and b and ...`, when it comes down to one test."""
    result = tests[0]
    for test in tests[1:]:
        result = _and(result, test)
    return result


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
            tokens.append(("value", match.group("number")))
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

    def expression(self) -> Test:
        result = self.conjunction()
        while self.peek() == ("word", "or"):
            self.position += 1
            result = _or(result, self.conjunction())
        return result

    def conjunction(self) -> Test:
        result = self.unary()
        while self.peek() == ("word", "and"):
            self.position += 1
            result = _and(result, self.unary())
        return result

    def unary(self) -> Test:
        token = self.peek()
        if token == ("word", "not"):
            self.position += 1
            self.take("op", "(")
            inner = self.expression()
            self.take("op", ")")
            return inner.inverted()
        if token == ("op", "("):
            self.position += 1
            inner = self.expression()
            self.take("op", ")")
            return inner
        if token == ("word", "selected"):
            self.position += 1
            self.take("op", "(")
            name = self.take("ref")
            self.take("op", ",")
            value = self.take("value")
            self.take("op", ")")
            return Test(name, frozenset({value}))
        return self.comparison()

    def comparison(self) -> Test:
        token = self.peek()
        if token is not None and token[0] == "word":
            raise Unsupported(
                _("the function or word “%(word)s” is beyond the conditions that can be imported")
                % {"word": token[1]}
            )
        name = self.take("ref")
        operator = self.peek()
        if operator not in (("op", "="), ("op", "!=")):
            raise Unsupported(_("only = and != comparisons (and selected()) can be imported"))
        self.position += 1
        value = self.take("value")
        if value == "":
            if operator[1] == "=":
                raise Unsupported(_("a condition on an unanswered question cannot be imported"))
            return Test(name, frozenset())
        return Test(name, frozenset({value}), negated=operator[1] == "!=")


def _or(left: Test, right: Test) -> Test:
    if left.question != right.question:
        raise Unsupported(_("a condition on more than one question cannot be imported"))
    if not left.negated and not right.negated and left.values and right.values:
        return Test(left.question, left.values | right.values)
    raise Unsupported(_("this combination of tests cannot be imported"))


def _and(left: Test, right: Test) -> Test:
    if left.question != right.question:
        raise Unsupported(_("a condition on more than one question cannot be imported"))
    if left == right:
        return left
    if left.negated and right.negated and left.values and right.values:
        return Test(left.question, left.values | right.values, negated=True)
    raise Unsupported(_("this combination of tests cannot be imported"))
