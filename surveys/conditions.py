"""`when` / `end_if` conditions: a tiny parser and evaluator, never eval().

Grammar::

    expr    := or
    or      := and ("or" and)*
    and     := unary ("and" unary)*
    unary   := "not" unary | "(" expr ")" | compare
    compare := NAME op value | NAME ["not"] "in" "[" value ("," value)* "]"
    op      := "==" | "!=" | "<" | "<=" | ">" | ">="
    value   := NUMBER | NAME | 'quoted' | "quoted"     (a NAME may start with digits: 16_24)

A condition parses to nested tuples (plain data). Evaluating against the answers so far:
a question not answered (skipped or never asked) makes every comparison on it false,
`!=` and `not in` included. For a multi-choice answer `==` means "includes" and
`in [..]` means "includes any of".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<name>\d+[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*)  # ids may start with digits
      | (?P<num>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|==|!=|<|>)
      | (?P<punct>[()\[\],])
      | (?P<str>'[^']*'|"[^"]*")
    )""",
    re.VERBOSE,
)

Condition = tuple


class ConditionError(ValueError):
    """A condition that cannot be parsed."""


def _tokenize(text: str) -> list[tuple[str, Any]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ConditionError(f"cannot read {text[pos:].strip()!r}")
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "num":
            tokens.append(("value", float(value) if "." in value else int(value)))
        elif kind == "str":
            tokens.append(("value", value[1:-1]))
        elif kind == "name" and value in ("and", "or", "not", "in"):
            tokens.append((value, value))
        else:
            tokens.append((kind, value))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str, value: str | None = None) -> Any:
        tok = self.peek()
        if tok is None or tok[0] != kind or (value is not None and tok[1] != value):
            found = "the end" if tok is None else repr(tok[1])
            raise ConditionError(f"expected {value or kind} but found {found}")
        self.pos += 1
        return tok[1]

    def accept(self, kind: str, value: str | None = None) -> bool:
        tok = self.peek()
        if tok is not None and tok[0] == kind and (value is None or tok[1] == value):
            self.pos += 1
            return True
        return False

    def parse(self) -> Condition:
        expr = self.or_()
        if self.peek() is not None:
            raise ConditionError(f"unexpected {self.peek()[1]!r}")
        return expr

    def or_(self) -> Condition:
        parts = [self.and_()]
        while self.accept("or"):
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else ("or", *parts)

    def and_(self) -> Condition:
        parts = [self.unary()]
        while self.accept("and"):
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else ("and", *parts)

    def unary(self) -> Condition:
        if self.accept("not"):
            return ("not", self.unary())
        if self.accept("punct", "("):
            expr = self.or_()
            self.take("punct", ")")
            return expr
        return self.compare()

    def value(self) -> Any:
        tok = self.peek()
        if tok is not None and tok[0] in ("value", "name"):
            self.pos += 1
            return tok[1]
        raise ConditionError("expected a value")

    def compare(self) -> Condition:
        name = self.take("name")
        negate = self.accept("not")
        if self.accept("in"):
            self.take("punct", "[")
            values = [self.value()]
            while self.accept("punct", ","):
                values.append(self.value())
            self.take("punct", "]")
            return ("not in" if negate else "in", name, tuple(values))
        if negate:
            raise ConditionError("expected 'in' after 'not'")
        return (self.take("op"), name, self.value())


def parse(text: str) -> Condition:
    """Parse a condition into nested tuples, or raise ConditionError."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("empty condition")
    return _Parser(text).parse()


def names(cond: Condition) -> list[tuple[str, Any]]:
    """The (question id, compared value) pairs a condition uses, for validation."""
    op = cond[0]
    if op in ("and", "or"):
        return [pair for part in cond[1:] for pair in names(part)]
    if op == "not":
        return names(cond[1])
    if op in ("in", "not in"):
        return [(cond[1], v) for v in cond[2]]
    return [(cond[1], cond[2])]


def _compare(op: str, answer: Any, value: Any) -> bool:
    if isinstance(answer, list):
        if op == "==":
            return value in answer
        if op == "!=":
            return value not in answer
        return False
    if op == "==":
        return answer == value
    if op == "!=":
        return answer != value
    if isinstance(answer, bool) or not isinstance(answer, int | float):
        return False
    if not isinstance(value, int | float):
        return False
    return {"<": answer < value, "<=": answer <= value, ">": answer > value,
            ">=": answer >= value}[op]


def evaluate(cond: Condition, answers: Mapping[str, Any]) -> bool:
    """Whether a parsed condition holds for these answers (question id -> value)."""
    op = cond[0]
    if op == "and":
        return all(evaluate(part, answers) for part in cond[1:])
    if op == "or":
        return any(evaluate(part, answers) for part in cond[1:])
    if op == "not":
        return not evaluate(cond[1], answers)
    answer = answers.get(cond[1])
    if answer is None:
        return False
    if op in ("in", "not in"):
        found = (any(v in answer for v in cond[2]) if isinstance(answer, list)
                 else answer in cond[2])
        return found == (op == "in")
    return _compare(op, answer, cond[2])
