"""The citizen-satisfaction section of a pack: the IKM elements, weights and bands
(PermenPANRB 14/2017, DOMAIN.md A2), and the survey's sample-size check.

Applied by :mod:`kinerja.models.rules.ikm` and :mod:`kinerja.models.rules.sample`.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from kinerja.models.policy.base import Label, Strict, exact, ranked


class IkmElement(Strict):
    code: str
    name: Label
    weight: str | None = Field(
        None, description="Exact weight ('1/9', '0.25'); null on every element = equal weights"
    )

    @field_validator("weight", mode="before")
    @classmethod
    def _exact_weight(cls, v: Any) -> Any:
        if v is None:
            return None
        try:
            w = exact(v if isinstance(v, int | float | Fraction) else str(v).strip())
        except (ValueError, ZeroDivisionError) as exc:
            raise ValueError(f"not a number or fraction: {v!r}") from exc
        if w <= 0:
            raise ValueError("must be greater than 0")
        return str(w)


class IkmBand(Strict):
    min: float = Field(description="Lowest IKM (x multiplier, rounded) in this band")
    mutu: str
    label: Label


class SampleRules(Strict):
    """Krejcie-Morgan sample size: ``s = chi2 N P (1 - P) / (d^2 (N - 1) + chi2 P (1 - P))``."""

    chi2: Decimal = Field(Decimal("3.841"), gt=0, description="Chi-square, 1 df, 95%")
    p: Decimal = Field(Decimal("0.5"), gt=0, lt=1, description="Population proportion")
    d: Decimal = Field(Decimal("0.05"), gt=0, lt=1, description="Margin of error")
    rounding: Literal["round", "ceil"] = Field(
        "round", description="'round' reproduces the published table (N=100 -> 80)"
    )


class IkmRules(Strict):
    """Citizen satisfaction index (IKM, PermenPANRB 14/2017): elements, weights, bands."""

    elements: list[IkmElement] = Field(min_length=1)
    scale: tuple[int, int] = (1, 4)
    multiplier: float = Field(25, gt=0, description="IKM = weighted mean x multiplier")
    decimals: int = Field(2, ge=0, le=6)
    bands: list[IkmBand] = Field(min_length=1, description="Highest first")
    sample: SampleRules | None = Field(None, description="Sample-size check; null: none")
    min_surveys_per_year: int = Field(1, ge=0, description="Surveys a service unit must hold")
    _weights: dict[str, Fraction] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> IkmRules:
        ranked([e.code for e in self.elements], "elements")
        given = [e.weight is not None for e in self.elements]
        if any(given) and not all(given):
            raise ValueError("elements: give a weight on every element or on none")
        if all(given):
            total = sum(Fraction(e.weight) for e in self.elements if e.weight)
            if total != 1:
                raise ValueError(f"elements: weights must sum to exactly 1, got {float(total):g}")
        lo, hi = self.scale
        if lo >= hi:
            raise ValueError("scale: the first value must be below the second")
        mins = [b.min for b in self.bands]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("bands: min must strictly decrease")
        return self

    def model_post_init(self, context: Any) -> None:
        n = len(self.elements)
        self._weights = {
            e.code: Fraction(e.weight) if e.weight is not None else Fraction(1, n)
            for e in self.elements
        }

    def weights(self) -> dict[str, Fraction]:
        """Exact weight per element code (1/9 each for the nine standard elements)."""
        return self._weights
