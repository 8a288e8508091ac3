"""What every section of a policy pack shares: strict models, bilingual labels, ranked codes,
and exact numbers.
"""

from __future__ import annotations

import re
from fractions import Fraction

from pydantic import (
    BaseModel,
    ConfigDict,
)

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


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


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Label(Strict):
    """A display label in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str

    def get(self, lang: str = "id") -> str:
        return self.en if lang == "en" else self.id


def spellings(labels: dict[str, Label]) -> list[tuple[str, str]]:
    """Every way a file may write one of ``labels``' codes, as ``(spelling, code)`` pairs,
    the surest first: the code, then each label whole, then each part of a label that names
    two things (``Butuh Perbaikan (Cukup)``, ``Kurang/Misconduct``).

    People copy the predikat from a signed form, not the pack's codes; the importers match
    these regardless of case, spaces and underscores (models/imports/values.py).
    """
    out = [(code, code) for code in labels]
    out += [(text, code) for code, label in labels.items() for text in (label.id, label.en)]
    for code, label in labels.items():
        for text in (label.id, label.en):
            parts = [p.strip() for p in re.split(r"[()/]", text) if p.strip()]
            if len(parts) > 1:
                out += [(part, code) for part in parts]
    return out


def ranked(codes: list[str], where: str) -> dict[str, int]:
    if len(set(codes)) != len(codes):
        raise ValueError(f"{where}: codes must be unique")
    return {code: i for i, code in enumerate(codes)}


def labels_cover(labels: dict[str, Label], codes: list[str], where: str) -> None:
    if set(labels) != set(codes):
        raise ValueError(f"{where}: labels must name exactly the codes {codes}")
