"""The subset of XPath that forms use in `relevant`, parsed into a small tree.

Covered: `${q} = 'x'`, `!=`, `<`, `<=`, `>`, `>=` against a text or a number (either side),
`selected(${q}, 'x')`, `not(...)`, `and`, `or`, parentheses, and typographic quotes. Anything
else (functions, arithmetic, two questions compared) raises RelevantError with the reason, and
the import refuses that question, quoting the expression. translate.py turns the tree into show_if.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "″": '"', "\u00a0": " "})
TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{\s*[^}\s]+\s*\})|(?P<str>'[^']*'|\"[^\"]*\")|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<op>!=|<=|>=|=|<|>)|(?P<punct>[(),])|(?P<word>[A-Za-z_][\w:.-]*)|(?P<other>\S))"
)
OPPOSITE = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "!=": "!="}


class RelevantError(ValueError):
    """Outside the subset; the message says why, in words a form author understands."""


@dataclass(frozen=True)
class Compare:
    name: str
    op: str
    value: str | float  # a text ('x', or '' for "empty") or a number


@dataclass(frozen=True)
class Selected:
    name: str
    value: str


@dataclass(frozen=True)
class Logic:
    op: str  # "and", "or", "not"
    parts: tuple[Node, ...]


Node = Compare | Selected | Logic


def parse(expression: str) -> Node:
    tokens = _tokens(expression.translate(QUOTES))
    parser = _Parser(tokens)
    node = parser.expression()
    if parser.position != len(tokens):
        raise RelevantError(f"unexpected “{tokens[parser.position][1]}”")
    return node


def _tokens(text: str) -> list[tuple[str, str]]:
    found = []
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None:
            continue
        value = match.group(kind)
        if kind == "other":
            raise RelevantError(f"“{value}” is not part of the conditions the product understands")
        found.append((kind, value))
    return found


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.position = tokens, 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token[0] != kind or (value is not None and token[1] != value):
            shown = token[1] or "the end"
            raise RelevantError(f"expected {value or kind} but found “{shown}”")
        self.position += 1
        return token[1]

    def expression(self) -> Node:
        return self._chain("or", self._and)

    def _and(self) -> Node:
        return self._chain("and", self._unary)

    def _chain(self, op: str, operand) -> Node:
        parts = [operand()]
        while self.peek() == ("word", op):
            self.position += 1
            parts.append(operand())
        return parts[0] if len(parts) == 1 else Logic(op, tuple(parts))

    def _unary(self) -> Node:
        kind, value = self.peek()
        if kind == "punct" and value == "(":
            self.position += 1
            node = self.expression()
            self.take("punct", ")")
            return node
        if kind == "word" and value == "not":
            self.position += 1
            self.take("punct", "(")
            node = self.expression()
            self.take("punct", ")")
            return Logic("not", (node,))
        if kind == "word" and value == "selected":
            return self._selected()
        if kind == "word":
            raise RelevantError(f"the function or word “{value}” is not supported")
        return self._comparison()

    def _selected(self) -> Selected:
        self.position += 1
        self.take("punct", "(")
        name = _ref(self.take("ref"))
        self.take("punct", ",")
        kind, value = self.peek()
        if kind not in ("str", "num"):
            raise RelevantError("selected() needs a choice name as its second argument")
        self.position += 1
        self.take("punct", ")")
        return Selected(name, value[1:-1] if kind == "str" else value)

    def _comparison(self) -> Compare:
        left = self._operand()
        op = self.take("op")
        right = self._operand()
        if isinstance(left, _Ref) and isinstance(right, _Ref):
            raise RelevantError("two questions compared with each other")
        if isinstance(right, _Ref):
            left, right, op = right, left, OPPOSITE[op]
        if not isinstance(left, _Ref):
            raise RelevantError("a comparison needs a question (${name}) on one side")
        return Compare(left.name, op, right)  # type: ignore[arg-type]

    def _operand(self) -> _Ref | str | float:
        kind, value = self.peek()
        self.position += 1
        if kind == "ref":
            return _Ref(_ref(value))
        if kind == "str":
            return value[1:-1]
        if kind == "num":
            return float(value)
        self.position -= 1
        raise RelevantError(f"expected a question or a value but found “{value or 'the end'}”")


@dataclass(frozen=True)
class _Ref:
    name: str


def _ref(token: str) -> str:
    return token[2:-1].strip()
