"""Parsing one cell: numbers, target values, periods, dates, flags, and finding loops.

Each parser returns the value or raises :class:`Bad` with the message in both languages,
saying what was expected. Plain functions, no per-row model objects: they run 400,000
times per file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from kinerja.models.rules.periods import period_days

DIRECTIONS = ("higher", "lower", "range")

LARGEST_WHOLE = 2_147_483_647
"""The largest whole number a file may give: an INTEGER column holds no more on PostgreSQL."""

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_RANGE = re.compile(r"\s*(\S+?)\s*-\s*(\S+)\s*")
_PERIOD = re.compile(r"(\d{4})(?:-(?:(\d{2})|[Qq]([1-4])|[Ss]([12])))?")
_TRUE = frozenset({"true", "1", "yes", "y", "ya", "benar"})
_FALSE = frozenset({"false", "0", "no", "n", "tidak", "salah"})
# How a spreadsheet shows a number too wide for its column: 1.98505E+17 (1,98505E+17 in an
# Indonesian locale). Saved that way, the digits after the sixth are gone for good.
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]\d+")


class Bad(ValueError):
    """A cell's value is wrong; ``en`` and ``id_`` say what was expected."""

    def __init__(self, en: str, id_: str) -> None:
        super().__init__(en)
        self.en = en
        self.id_ = id_


def refuse_scientific(text: str) -> None:
    """Raise :class:`Bad` when ``text`` is a value a spreadsheet wrote in scientific
    notation (``1.98505E+17``) where an identifier or a whole number is expected."""
    if _SCIENTIFIC.fullmatch(text):
        raise Bad(
            f"'{text}' is a number in scientific notation: a spreadsheet has damaged it and"
            " its digits are lost; format the column as text before saving, then type the"
            " value again",
            f"'{text}' adalah angka dalam notasi ilmiah: spreadsheet telah merusaknya dan"
            " digitnya hilang; format kolom sebagai teks sebelum menyimpan, lalu ketik ulang"
            " nilainya",
        )


def parse_number(text: str) -> float:
    """A finite decimal number with a dot (``12.5``); a comma is refused rather than
    guessed, and so are ``inf``, ``nan`` and numbers too large to hold (``1e999``)."""
    if _NUMBER.fullmatch(text):
        value = float(text)
        if not math.isfinite(value):
            raise Bad(
                f"'{text}' is too large to be a number",
                f"'{text}' terlalu besar untuk sebuah angka",
            )
        return value
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        hint = text.replace(",", ".")
        raise Bad(
            f"'{text}' is not a number: write the decimal with a dot ({hint})",
            f"'{text}' bukan angka: tulis desimal dengan titik ({hint})",
        )
    raise Bad(
        f"'{text}' is not a number (expected e.g. 12 or 12.5)",
        f"'{text}' bukan angka (contoh: 12 atau 12.5)",
    )


def parse_integer(text: str) -> int:
    """A whole number (``3``) up to :data:`LARGEST_WHOLE` either way; ``3.5``, ``three`` and
    ``1.5E+03`` (a spreadsheet's scientific notation) are refused."""
    refuse_scientific(text)
    if _INTEGER.fullmatch(text):
        value = int(text)
        if abs(value) > LARGEST_WHOLE:
            raise Bad(
                f"'{text}' is too large (at most {LARGEST_WHOLE})",
                f"'{text}' terlalu besar (paling banyak {LARGEST_WHOLE})",
            )
        return value
    raise Bad(f"'{text}' is not a whole number", f"'{text}' bukan bilangan bulat")


def parse_direction(text: str) -> str:
    """``higher`` (the default when empty), ``lower`` or ``range``."""
    value = text.lower() or "higher"
    if value not in DIRECTIONS:
        raise Bad(
            f"direction '{text}' is unknown (expected higher, lower or range)",
            f"arah '{text}' tidak dikenal (harus higher, lower atau range)",
        )
    return value


def parse_target(text: str, direction: str) -> tuple[float, float | None]:
    """The target value, and its upper end for a ``range`` target written ``low-high``."""
    if direction != "range":
        if _RANGE.fullmatch(text) and not _NUMBER.fullmatch(text):
            raise Bad(
                f"target '{text}' looks like a range but direction is '{direction}'"
                " (set direction to range, or write one number)",
                f"target '{text}' berupa rentang tetapi arah '{direction}'"
                " (isi arah range, atau tulis satu angka)",
            )
        return parse_number(text), None
    match = _RANGE.fullmatch(text)
    if not match or not (_NUMBER.fullmatch(match[1]) and _NUMBER.fullmatch(match[2])):
        raise Bad(
            f"range target '{text}' must be written low-high, e.g. 80-90",
            f"target rentang '{text}' harus ditulis bawah-atas, contoh 80-90",
        )
    low, high = parse_number(match[1]), parse_number(match[2])
    if low > high:
        raise Bad(
            f"range target '{text}': the low end is above the high end",
            f"target rentang '{text}': batas bawah melebihi batas atas",
        )
    return low, high


AGGREGATES = ("sum", "last", "mean", "max")


def parse_aggregate(text: str) -> str | None:
    """How a target's period values combine: ``sum``, ``last``, ``mean`` or ``max``; empty
    is None (the pack's default)."""
    value = text.strip().lower()
    if not value:
        return None
    if value not in AGGREGATES:
        raise Bad(
            f"aggregate '{text}' is unknown (expected sum, last, mean or max)",
            f"agregasi '{text}' tidak dikenal (harus sum, last, mean atau max)",
        )
    return value


def parse_period(text: str) -> str:
    """``YYYY-MM``, ``YYYY-Qn``, ``YYYY-S1``/``S2`` or ``YYYY``, returned in upper case."""
    match = _PERIOD.fullmatch(text)
    if match and (match[2] is None or 1 <= int(match[2]) <= 12):
        return text.upper()
    raise Bad(
        f"period '{text}' must be YYYY-MM, YYYY-Qn, YYYY-S1, YYYY-S2 or YYYY (e.g. 2025-Q1)",
        f"periode '{text}' harus YYYY-MM, YYYY-Qn, YYYY-S1, YYYY-S2 atau YYYY (contoh 2025-Q1)",
    )


def refuse_outside(period: str, start: date, end: date) -> None:
    """Raise :class:`Bad` unless ``period`` lies wholly within ``start``..``end``."""
    first, last = period_days(period)
    if first < start or last > end:
        raise Bad(
            f"period {period} ({first} to {last}) is outside the cycle ({start} to {end})",
            f"periode {period} ({first} s.d. {last}) di luar siklus ({start} s.d. {end})",
        )


@dataclass(frozen=True)
class IdFormat:
    """What an employee identifier (NIP) looks like: a regular expression the whole value
    must match (None: any text), and its description in English and Indonesian."""

    pattern: str | None = None
    en: str = "any text"
    id_: str = "teks apa pun"

    def check(self, text: str) -> None:
        """Raise :class:`Bad` unless ``text`` is an identifier of this format."""
        if self.pattern is not None and not re.fullmatch(self.pattern, text):
            raise Bad(
                f"'{text}' is not a NIP of the form expected ({self.en})",
                f"'{text}' bukan NIP dengan bentuk yang diharapkan ({self.id_})",
            )


def parse_date(text: str) -> date:
    """An ISO date ``YYYY-MM-DD`` (an .xlsx date cell reads this way too)."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise Bad(
            f"'{text}' is not a date (expected YYYY-MM-DD, e.g. 2025-03-31)",
            f"'{text}' bukan tanggal (format YYYY-MM-DD, contoh 2025-03-31)",
        ) from None


def parse_flag(text: str) -> bool:
    """Yes or no: true/false, 1/0, yes/no, ya/tidak."""
    value = text.lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise Bad(
        f"'{text}' is not yes or no (expected true/false, 1/0, ya/tidak)",
        f"'{text}' bukan ya atau tidak (isi true/false, 1/0, ya/tidak)",
    )


def choose(text: str, allowed: Iterable[str], what: tuple[str, str]) -> str:
    """The allowed value matching ``text`` regardless of case, in its configured spelling."""
    allowed = list(allowed)
    for option in allowed:
        if option.lower() == text.lower():
            return option
    options = ", ".join(sorted(allowed))
    raise Bad(
        f"{what[0]} '{text}' is not allowed (expected one of: {options})",
        f"{what[1]} '{text}' tidak dikenal (pilihan: {options})",
    )


def spelling_key(text: str) -> str:
    """``text`` as it is compared with a pack's spellings: case, runs of spaces and
    underscores do not matter (``Butuh  perbaikan`` is ``butuh_perbaikan``)."""
    return " ".join(text.replace("_", " ").split()).casefold()


class Spellings:
    """The values a column allows, each written as its code or as people write it.

    Built from ``(spelling, code)`` pairs (the pack's codes and labels, see
    ``kinerja.models.policy.base.spellings``). A code always means itself; a label two codes
    share means neither (it stays an error rather than a guess). Plain codes allow the codes
    only.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]] | Iterable[str]) -> None:
        self.codes: list[str] = []
        self.names: list[str] = []
        named: dict[str, set[str]] = {}
        exact: dict[str, str] = {}
        for item in pairs:
            spelling, code = (item, item) if isinstance(item, str) else item
            if code not in self.codes:
                self.codes.append(code)
            key = spelling_key(spelling)
            if spelling == code:
                exact.setdefault(key, code)
            else:
                named.setdefault(key, set()).add(code)
                if spelling not in self.names:
                    self.names.append(spelling)
        self._code = {k: next(iter(c)) for k, c in named.items() if len(c) == 1}
        self._code.update(exact)

    def choose(self, text: str, what: tuple[str, str]) -> str:
        """The code ``text`` names, or :class:`Bad` naming the codes and the labels."""
        code = self._code.get(spelling_key(text))
        if code is not None:
            return code
        options = ", ".join(sorted(self.codes))
        if self.names:
            options += "; " + ", ".join(self.names)
        raise Bad(
            f"{what[0]} '{text}' is not allowed (expected one of: {options})",
            f"{what[1]} '{text}' tidak dikenal (pilihan: {options})",
        )


def find_loops(parent: Mapping[str, str | None]) -> list[list[str]]:
    """Every loop in a child -> parent mapping, each as its members in chain order.

    A node that is its own parent is a loop of one. Runs in linear time: each node is
    walked once, so 100,000 employees cost one pass.
    """
    done: set[str] = set()
    loops: list[list[str]] = []
    for start in parent:
        if start in done:
            continue
        path: list[str] = []
        position: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in position:
            position[node] = len(path)
            path.append(node)
            node = parent.get(node)
        if node is not None and node in position:
            loops.append(path[position[node] :])
        done.update(path)
    return loops
