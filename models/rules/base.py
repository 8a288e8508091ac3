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


def fmt(x: float | Fraction) -> str:
    """A number for a derivation step: at most four decimals, no trailing zeros."""
    text = f"{float(x):.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
