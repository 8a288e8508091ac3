"""What every rule returns: a value and the steps that derived it.

``kinerja explain`` prints the steps, so an auditor can follow any result back to the pack.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Derived(Generic[T]):
    """A rule's result ``value`` with its derivation ``steps`` (short English sentences)."""

    value: T
    steps: tuple[str, ...] = ()


def exact(x: float | int | str | Fraction) -> Fraction:
    """The exact fraction a number was written as (``0.7`` is 7/10, not the nearest binary float).

    Shares and weights from YAML are decimal literals; going through ``str`` keeps
    ``0.7 * 10`` equal to 7, so a 70% limit on ten people allows exactly seven.
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, float):
        return Fraction(repr(x))
    return Fraction(x)


def fmt(x: float | Fraction) -> str:
    """A number for a derivation step: at most four decimals, no trailing zeros."""
    text = f"{float(x):.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
