"""A small arithmetic language for pack formulas (the incentive formula), without ``eval``.

Grammar (nothing else is accepted)::

    expr  := term (("+" | "-") term)*
    term  := unary (("*" | "/") unary)*
    unary := ("-" | "+") unary | atom
    atom  := NUMBER | NAME | FUNC "(" expr ("," expr)* ")" | "(" expr ")"
    FUNC  := "min" | "max"

A formula is parsed once, when its pack is loaded, against the names it may use; an unknown
name, function or character is an error there, never at payout time. Evaluation is Decimal
in a fixed context, so a caller's decimal settings never change an amount::

    f = parse_formula("base * (0.6 * predikat_factor + 0.4)", names={"base", "predikat_factor"})
    f.evaluate({"base": Decimal(1000), "predikat_factor": Decimal("0.9")})  # Decimal('940.0')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal, DivisionByZero, InvalidOperation

FUNCTIONS: dict[str, Callable[..., Decimal]] = {"min": min, "max": max}
MAX_LENGTH = 2000
MAX_DEPTH = 50  # deeper nesting is a typo, and would exhaust Python's recursion limit
CONTEXT = Context(prec=34)

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(.))")


class FormulaError(ValueError):
    """A formula that does not parse, names something unknown, or cannot be evaluated."""


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "num", "name", "op", "end"
    text: str
    pos: int  # 1-based column, for the error message


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        if source[pos:].strip() == "":
            break
        m = _TOKEN.match(source, pos)
        assert m is not None  # the last alternative matches any character
        num, name, op = m.groups()
        start = m.start(m.lastindex or 0) + 1
        if num is not None:
            tokens.append(_Token("num", num, start))
        elif name is not None:
            tokens.append(_Token("name", name, start))
        elif op in "+-*/(),":
            tokens.append(_Token("op", op, start))
        else:
            raise FormulaError(
                f"karakter tidak diizinkan {op!r} di posisi {start}"
                f" / character {op!r} not allowed at position {start}"
            )
        pos = m.end()
    tokens.append(_Token("end", "", len(source) + 1))
    return tokens


# --- the tree -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Num:
    value: Decimal


@dataclass(frozen=True, slots=True)
class Var:
    name: str


@dataclass(frozen=True, slots=True)
class Neg:
    operand: Node


@dataclass(frozen=True, slots=True)
class Bin:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Call:
    fn: str
    args: tuple[Node, ...]


Node = Num | Var | Neg | Bin | Call
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def _eval(node: Node, env: Mapping[str, Decimal]) -> Decimal:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Var):
        return env[node.name]
    if isinstance(node, Neg):
        return CONTEXT.minus(_eval(node.operand, env))
    if isinstance(node, Call):
        return FUNCTIONS[node.fn](*(_eval(a, env) for a in node.args))
    left, right = _eval(node.left, env), _eval(node.right, env)
    if node.op == "+":
        return CONTEXT.add(left, right)
    if node.op == "-":
        return CONTEXT.subtract(left, right)
    if node.op == "*":
        return CONTEXT.multiply(left, right)
    if right == 0:
        raise FormulaError("rumus membagi dengan nol / the formula divides by zero")
    return CONTEXT.divide(left, right)


def _render(node: Node, show: Callable[[str], str], parent: int = 0, right: bool = False) -> str:
    """The expression as text; ``show`` renders a name (itself, or its value)."""
    if isinstance(node, Num):
        return str(node.value)
    if isinstance(node, Var):
        return show(node.name)
    if isinstance(node, Neg):
        return f"-{_render(node.operand, show, 3)}"
    if isinstance(node, Call):
        return f"{node.fn}({', '.join(_render(a, show) for a in node.args)})"
    prec = _PRECEDENCE[node.op]
    text = (
        f"{_render(node.left, show, prec)} {node.op} {_render(node.right, show, prec, right=True)}"
    )
    # Parentheses only where the meaning needs them: a - (b - c), a / (b * c), (a + b) * c.
    return f"({text})" if prec < parent or (right and prec == parent) else text


@dataclass(frozen=True, slots=True)
class Formula:
    """A parsed formula: its ``source`` text, its tree and the names it uses."""

    source: str
    tree: Node
    names: frozenset[str]

    def evaluate(self, env: Mapping[str, Decimal]) -> Decimal:
        """The value for these inputs; every name the formula uses must be in ``env``."""
        missing = sorted(self.names - set(env))
        if missing:
            raise FormulaError(f"nilai belum diberikan {missing} / no value given for {missing}")
        try:
            return _eval(self.tree, env)
        except (DivisionByZero, InvalidOperation) as exc:
            raise FormulaError(
                f"rumus tidak dapat dihitung / formula cannot be computed: {exc}"
            ) from exc

    def substituted(self, env: Mapping[str, Decimal]) -> str:
        """The formula with each name replaced by its value, for a derivation step."""
        return _render(self.tree, lambda name: str(env[name]))

    def __str__(self) -> str:
        return _render(self.tree, lambda name: name)


class _Parser:
    def __init__(self, source: str, names: frozenset[str]) -> None:
        self.tokens = _tokenize(source)
        self.i = 0
        self.names = names
        self.used: set[str] = set()

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, text: str) -> None:
        tok = self.take()
        if tok.text != text or tok.kind != "op":
            raise _unexpected(tok, f"'{text}'")

    def expr(self, depth: int) -> Node:
        _check_depth(depth)
        node = self.term(depth)
        while self.peek().kind == "op" and self.peek().text in "+-":
            op = self.take().text
            node = Bin(op, node, self.term(depth))
        return node

    def term(self, depth: int) -> Node:
        node = self.unary(depth)
        while self.peek().kind == "op" and self.peek().text in "*/":
            op = self.take().text
            node = Bin(op, node, self.unary(depth))
        return node

    def unary(self, depth: int) -> Node:
        tok = self.peek()
        if tok.kind == "op" and tok.text in "+-":
            self.take()
            _check_depth(depth + 1)
            operand = self.unary(depth + 1)
            return Neg(operand) if tok.text == "-" else operand
        return self.atom(depth)

    def atom(self, depth: int) -> Node:
        tok = self.take()
        if tok.kind == "num":
            return Num(Decimal(tok.text))
        if tok.kind == "op" and tok.text == "(":
            node = self.expr(depth + 1)
            self.expect(")")
            return node
        if tok.kind != "name":
            raise _unexpected(tok, "a number, a name or '('")
        is_call = self.peek().kind == "op" and self.peek().text == "("
        if is_call:
            if tok.text not in FUNCTIONS:
                raise FormulaError(
                    f"fungsi tidak dikenal {tok.text!r} di posisi {tok.pos} / unknown function"
                    f" {tok.text!r} at position {tok.pos} (allowed: {', '.join(FUNCTIONS)})"
                )
            self.take()
            args = [self.expr(depth + 1)]
            while self.peek().kind == "op" and self.peek().text == ",":
                self.take()
                args.append(self.expr(depth + 1))
            self.expect(")")
            return Call(tok.text, tuple(args))
        if tok.text not in self.names:
            known = ", ".join(sorted(self.names))
            raise FormulaError(
                f"nama tidak dikenal {tok.text!r} di posisi {tok.pos} / unknown name"
                f" {tok.text!r} at position {tok.pos} (known: {known})"
            )
        self.used.add(tok.text)
        return Var(tok.text)


def _check_depth(depth: int) -> None:
    if depth > MAX_DEPTH:
        raise FormulaError(
            f"rumus terlalu bersarang (maks {MAX_DEPTH}) / formula nested too deeply"
            f" (at most {MAX_DEPTH})"
        )


def _unexpected(tok: _Token, wanted: str) -> FormulaError:
    got = "the end" if tok.kind == "end" else repr(tok.text)
    return FormulaError(
        f"rumus tidak lengkap atau salah di posisi {tok.pos} / expected {wanted} at position"
        f" {tok.pos}, got {got}"
    )


def parse_formula(source: str, *, names: Iterable[str]) -> Formula:
    """Parse ``source``, which may use only ``names``, numbers, + - * / ( ), min() and max()."""
    if not source.strip():
        raise FormulaError("rumus kosong / empty formula")
    if len(source) > MAX_LENGTH:
        raise FormulaError(f"rumus terlalu panjang / formula longer than {MAX_LENGTH} characters")
    parser = _Parser(source, frozenset(names))
    tree = parser.expr(0)
    tok = parser.peek()
    if tok.kind != "end":
        raise _unexpected(tok, "an operator or the end")
    return Formula(source=source, tree=tree, names=frozenset(parser.used))
