"""The pay sections of a pack: the incentive (tunjangan kinerja / TPP) with its formula,
attendance and discipline cuts, and credit points (angka kredit) of functional positions.

Applied by :mod:`kinerja.models.rules.incentive` and :mod:`kinerja.models.rules.credit`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kinerja.models.policy.base import NAME, Label, Strict
from kinerja.models.policy.formula import FUNCTIONS, Formula, FormulaError, parse_formula

FORMULA_INPUTS: tuple[str, ...] = (
    "base",
    "months",
    "performance_weight",
    "attendance_weight",
    "predikat_factor",
    "attendance_deduction",
    "discipline_cut",
)

DEFAULT_FORMULA = (
    "base * months * (performance_weight * predikat_factor"
    " + attendance_weight * (1 - attendance_deduction)) * (1 - discipline_cut)"
)


class AttendanceCode(Strict):
    """One kind of attendance lapse (late TL1-TL4, early leave PSW1-PSW4, absent a day)."""

    pct: Decimal = Field(ge=0, le=100, description="Percent cut per occurrence")
    label: Label


class DisciplineCut(Strict):
    """The cut a discipline sanction (hukuman disiplin) brings, and for how many months."""

    pct: Decimal = Field(ge=0, le=100, description="Percent cut of the whole incentive")
    months: int = Field(ge=1, description="Months the cut applies, from the sanction's first")
    label: Label


class IncentiveRules(Strict):
    """Tukin / TPP style incentive: the pack's ``formula`` over named inputs.

    The inputs a formula may use are listed in
    :data:`FORMULA_INPUTS`, plus the pack's own ``constants``.
    The default formula is the common core of DOMAIN.md A4.
    """

    currency: str = "IDR"
    base_by_grade: dict[str, Decimal] = Field(default_factory=dict)
    default_base: Decimal = Field(ge=0)
    performance_weight: Decimal = Field(Decimal(1), ge=0, le=1)
    attendance_weight: Decimal = Field(Decimal(0), ge=0, le=1)
    predikat_factors: dict[str, Decimal]
    max_attendance_deduction_pct: Decimal = Field(Decimal(100), ge=0, le=100)
    attendance_codes: dict[str, AttendanceCode] = Field(
        default_factory=dict, description="Attendance lapse code -> percent cut per occurrence"
    )
    discipline_cuts: dict[str, DisciplineCut] = Field(
        default_factory=dict, description="Discipline sanction code -> cut and months"
    )
    constants: dict[str, Decimal] = Field(
        default_factory=dict, description="Extra named numbers the formula may use"
    )
    # Declared after ``constants``: its validator reads them.
    formula: str = Field(DEFAULT_FORMULA, description="Arithmetic over the named inputs")
    rounding: Literal["half_up", "half_even", "down"] = "half_up"
    quantum: Decimal = Field(Decimal(1), gt=0, description="Amounts round to this step")
    _formula: Formula | None = PrivateAttr(default=None)

    @field_validator("constants")
    @classmethod
    def _constant_names(cls, v: dict[str, Decimal]) -> dict[str, Decimal]:
        for name in v:
            if not NAME.fullmatch(name):
                raise ValueError(f"{name!r}: a name is letters, digits and _, not first a digit")
            if name in FORMULA_INPUTS or name in FUNCTIONS:
                raise ValueError(f"{name!r}: already an input or function of the formula")
        return v

    @field_validator("formula")
    @classmethod
    def _parses(cls, v: str, info: ValidationInfo) -> str:
        names = set(FORMULA_INPUTS) | set(info.data.get("constants") or {})
        try:
            parse_formula(v, names=names)
        except FormulaError as exc:
            raise ValueError(str(exc)) from exc
        return v

    @model_validator(mode="after")
    def _check(self) -> IncentiveRules:
        if self.performance_weight + self.attendance_weight != 1:
            raise ValueError("performance_weight + attendance_weight must be 1")
        if any(v < 0 for v in self.base_by_grade.values()):
            raise ValueError("base_by_grade: amounts must not be negative")
        if any(v < 0 for v in self.predikat_factors.values()):
            raise ValueError("predikat_factors: factors must not be negative")
        return self

    def model_post_init(self, context: Any) -> None:
        self._formula = parse_formula(self.formula, names=set(FORMULA_INPUTS) | set(self.constants))

    def parsed_formula(self) -> Formula:
        """The formula, parsed once when the pack was loaded."""
        assert self._formula is not None  # set by model_post_init
        return self._formula


class Jenjang(Strict):
    """A rank (jenjang) of a functional position and its yearly credit-point coefficient."""

    coefficient: Decimal = Field(gt=0, description="Angka kredit a year at 100%")
    label: Label


class CreditPointRules(Strict):
    """JF credit points (angka kredit, PerBKN 3/2023): percent of the coefficient by predikat."""

    predikat_pct: dict[str, Decimal] = Field(description="Predikat -> percent of the coefficient")
    jenjang: dict[str, Jenjang] = Field(min_length=1)
    months_per_year: int = Field(12, ge=1)
    decimals: int = Field(2, ge=0, le=6)

    @field_validator("predikat_pct")
    @classmethod
    def _not_negative(cls, v: dict[str, Decimal]) -> dict[str, Decimal]:
        if any(p < 0 for p in v.values()):
            raise ValueError("percentages must not be negative")
        return v
