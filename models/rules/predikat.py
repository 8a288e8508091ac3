"""Predikat kinerja (the final performance grade) from the two ratings.

ASN: the 3x3 matrix of PermenPANRB 6/2022 (DOMAIN.md A1), rating hasil kerja (result) by
rating perilaku (behaviour), held in the pack (``predikat.matrix``). Generic packs map the
result rating straight to a predikat (``from_result``) and ignore behaviour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kinerja.models.rules.base import Derived

if TYPE_CHECKING:
    from kinerja.models.policy.scoring import PredikatRules


def predikat_for(*, hasil_kerja: str, perilaku: str | None, rules: PredikatRules) -> Derived[str]:
    """The predikat code for a result rating and a behaviour rating."""
    if rules.method == "from_result":
        table = rules.from_result or {}
        if hasil_kerja not in table:
            raise ValueError(
                f"rating hasil kerja tidak dikenal {hasil_kerja!r}"
                f" / unknown result rating {hasil_kerja!r} (expected one of {', '.join(table)})"
            )
        value = table[hasil_kerja]
        return Derived(value, (f"result rating {hasil_kerja} -> predikat {value}",))
    matrix = rules.matrix or {}
    row = matrix.get(hasil_kerja)
    if row is None:
        raise ValueError(
            f"rating hasil kerja tidak dikenal {hasil_kerja!r}"
            f" / unknown result rating {hasil_kerja!r} (expected one of {', '.join(matrix)})"
        )
    if perilaku not in row:
        raise ValueError(
            f"rating perilaku tidak dikenal {perilaku!r}"
            f" / unknown behaviour rating {perilaku!r} (expected one of {', '.join(row)})"
        )
    value = row[perilaku]
    step = f"matrix: hasil kerja {hasil_kerja} x perilaku {perilaku} -> predikat {value}"
    return Derived(value, (step,))
