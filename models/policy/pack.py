"""Policy packs: the rules of a performance cycle as validated data (configs/policies/*.yaml).

A pack says how achievement is computed, how results become a rating (rating hasil kerja),
how behaviour values become a rating (rating perilaku), the predikat (final performance
grade) matrix, the distribution curve keyed to the unit's own predikat, the citizen
satisfaction index (IKM), training rules and the incentive formula. The pure functions in
:mod:`kinerja.models.rules` apply one section each::

    pack = load_pack("asn")
    predikat_for(hasil_kerja="di_atas", perilaku="sesuai", rules=pack.predikat)

Every model forbids unknown keys; an error names the file and the field path. Lookup tables
that the rules need on every call (ranks, exact weights) are computed once per pack.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

import kinerja.configs
from kinerja.models.policy.catalogue import (
    TrainingCatalogue,
    check_training_rules,
    embedded_catalogue,
)
from kinerja.models.policy.formula import FUNCTIONS, Formula, FormulaError, parse_formula
from kinerja.models.policy.org_predikat import OrgPredikatRules
from kinerja.models.rules.base import exact
from kinerja.models.rules.incentive import DEFAULT_FORMULA, FORMULA_INPUTS
from kinerja.models.schemas.config import (
    ConfigError,
    content_hash,
    format_validation_error,
    load_yaml_model,
    read_yaml,
)

Aggregation = Literal["last", "sum", "mean"]
Rounding = Literal["floor", "ceil", "round"]
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Label(_Strict):
    """A display label in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str

    def get(self, lang: str = "id") -> str:
        return self.en if lang == "en" else self.id


def _ranked(codes: list[str], where: str) -> dict[str, int]:
    if len(set(codes)) != len(codes):
        raise ValueError(f"{where}: codes must be unique")
    return {code: i for i, code in enumerate(codes)}


def _labels_cover(labels: dict[str, Label], codes: list[str], where: str) -> None:
    if set(labels) != set(codes):
        raise ValueError(f"{where}: labels must name exactly the codes {codes}")


class TargetRules(_Strict):
    """What a target (RHK) may look like."""

    use_weights: bool = Field(False, description="Targets carry weights that must sum up")
    weights_sum: float = Field(100, gt=0)
    aspects: list[str] = Field(min_length=1)
    kinds: list[str] = Field(default_factory=lambda: ["utama", "tambahan"], min_length=1)
    directions: list[Literal["higher", "lower", "range"]] = Field(
        default_factory=lambda: ["higher", "lower", "range"], min_length=1
    )

    @property
    def required_weights_sum(self) -> float | None:
        """The sum an employee's weights must reach, or None when weights are not used."""
        return self.weights_sum if self.use_weights else None


class AchievementRules(_Strict):
    """How realisation against target becomes an achievement percentage (capaian)."""

    cap: float | None = Field(120, gt=0, description="Highest achievement, percent")
    floor: float | None = Field(0, description="Lowest achievement, percent")
    decimals: int = Field(2, ge=0, le=6)
    zero_target_met: float = Field(100, description="Achievement when a zero target is met")
    zero_target_missed: float = Field(0, description="Achievement when a zero target is missed")
    aggregate: Aggregation = "last"
    aggregate_by_unit: dict[str, Aggregation] = Field(
        default_factory=dict, description="Per unit of measure, overrides ``aggregate``"
    )


class ShareMethod(_Strict):
    """Rating hasil kerja by the share of results above / below expectation (ASN)."""

    above_from: float = Field(110, description="Achievement >= this is above expectation")
    below_under: float = Field(100, description="Achievement < this is below expectation")
    most: float = Field(0.5, ge=0, lt=1, description="'Most' means a share above this")
    count_kinds: list[str] = Field(default_factory=lambda: ["utama", "tambahan"])
    guard_kinds: list[str] = Field(
        default_factory=lambda: ["utama"],
        description="A result of these kinds below expectation blocks the best rating",
    )
    missing_counts_as: Literal["below", "ignore"] = "below"

    @model_validator(mode="after")
    def _order(self) -> ShareMethod:
        if self.above_from < self.below_under:
            raise ValueError("above_from must not be below below_under")
        return self


class ScoreBand(_Strict):
    min_score: float
    level: str


class ResultRatingRules(_Strict):
    """How target achievements become the result rating (rating hasil kerja)."""

    method: Literal["share", "weighted_score"]
    levels: list[str] = Field(min_length=2, description="Rating codes, best first")
    labels: dict[str, Label]
    if_no_results: str = Field(description="Rating when no result can be scored")
    score_cap: float | None = Field(120, gt=0, description="Cap on each achievement in the score")
    score_missing: Literal["zero", "ignore"] = "zero"
    share: ShareMethod | None = None
    bands: list[ScoreBand] = Field(default_factory=list, description="Score -> level, high first")
    _rank: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> ResultRatingRules:
        _ranked(self.levels, "levels")
        _labels_cover(self.labels, self.levels, "labels")
        if self.if_no_results not in self.levels:
            raise ValueError(f"if_no_results: {self.if_no_results!r} is not one of {self.levels}")
        if self.method == "share":
            if self.share is None:
                raise ValueError("share: required when method is 'share'")
            if len(self.levels) != 3:
                raise ValueError(
                    "levels: method 'share' needs exactly 3 levels (above, meets, below)"
                )
        if self.method == "weighted_score":
            if not self.bands:
                raise ValueError("bands: required when method is 'weighted_score'")
            mins = [b.min_score for b in self.bands]
            if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
                raise ValueError("bands: min_score must strictly decrease")
            bad = [b.level for b in self.bands if b.level not in self.levels]
            if bad:
                raise ValueError(f"bands: unknown level(s) {bad}")
        return self

    def model_post_init(self, context: Any) -> None:
        self._rank = {code: i for i, code in enumerate(self.levels)}

    def rank(self, level: str) -> int:
        """0 for the best level; raises KeyError for an unknown code."""
        return self._rank[level]


class BehaviourRules(_Strict):
    """How the ratings of the behaviour values (BerAKHLAK) become the rating perilaku."""

    values: list[str] = Field(min_length=1)
    value_labels: dict[str, Label]
    levels: list[str] = Field(min_length=2, description="Rating codes, best first")
    labels: dict[str, Label]
    method: Literal["majority", "lowest"] = "majority"
    tie_break: Literal["worse", "better"] = "worse"
    any_lowest_caps_at: str | None = Field(
        None, description="If any value has the lowest level, the overall is at most this"
    )
    require_all_values: bool = True
    default_rating: str | None = Field(
        None, description="Rating when the rater gives none; default the middle level"
    )
    _rank: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> BehaviourRules:
        _ranked(self.values, "values")
        _ranked(self.levels, "levels")
        _labels_cover(self.value_labels, self.values, "value_labels")
        _labels_cover(self.labels, self.levels, "labels")
        if self.default_rating is None:
            self.default_rating = self.levels[len(self.levels) // 2]
        elif self.default_rating not in self.levels:
            raise ValueError(f"default_rating: {self.default_rating!r} is not a level")
        if self.any_lowest_caps_at is not None and self.any_lowest_caps_at not in self.levels:
            raise ValueError(f"any_lowest_caps_at: {self.any_lowest_caps_at!r} is not a level")
        return self

    def model_post_init(self, context: Any) -> None:
        self._rank = {code: i for i, code in enumerate(self.levels)}

    def rank(self, level: str) -> int:
        return self._rank[level]


class PredikatRules(_Strict):
    """The predikat kinerja (final grade): codes best first and how ratings map to one."""

    method: Literal["matrix", "from_result"]
    order: list[str] = Field(min_length=2, description="Predikat codes, best first")
    labels: dict[str, Label]
    matrix: dict[str, dict[str, str]] | None = Field(
        None, description="rating hasil kerja -> rating perilaku -> predikat"
    )
    from_result: dict[str, str] | None = Field(None, description="rating hasil kerja -> predikat")
    _rank: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> PredikatRules:
        _ranked(self.order, "order")
        _labels_cover(self.labels, self.order, "labels")
        table = self.matrix if self.method == "matrix" else self.from_result
        if table is None:
            raise ValueError(f"{self.method}: required when method is {self.method!r}")
        cells = (
            [(f"matrix.{h}.{p}", v) for h, row in self.matrix.items() for p, v in row.items()]
            if self.method == "matrix"
            else [(f"from_result.{r}", v) for r, v in table.items()]
        )
        for where, value in cells:
            if value not in self.order:
                raise ValueError(f"{where}: {value!r} is not a predikat in order {self.order}")
        return self

    def model_post_init(self, context: Any) -> None:
        self._rank = {code: i for i, code in enumerate(self.order)}

    def rank(self, predikat: str) -> int:
        return self._rank[predikat]


class DistributionRule(_Strict):
    """One limit of a distribution curve on the predikat of a group's employees."""

    id: str | None = Field(None, description="Stable name; default kind:predikat+predikat")
    kind: Literal["max_share", "min_share", "min_count", "max_count", "forbidden"]
    predikat: list[str] = Field(min_length=1, description="Counted together ('and/or')")
    share: float | None = Field(None, ge=0, le=1)
    count: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _check(self) -> DistributionRule:
        wants_share = self.kind.endswith("_share")
        wants_count = self.kind.endswith("_count")
        if wants_share != (self.share is not None):
            raise ValueError(
                f"share: {'required' if wants_share else 'not allowed'} for {self.kind}"
            )
        if wants_count != (self.count is not None):
            raise ValueError(
                f"count: {'required' if wants_count else 'not allowed'} for {self.kind}"
            )
        return self

    @property
    def rule_id(self) -> str:
        return self.id or f"{self.kind}:{'+'.join(self.predikat)}"


class DistributionRules(_Strict):
    """The distribution curve: allowed predikat shares keyed to the unit's own predikat."""

    org_predikat: list[str] = Field(min_length=1, description="Unit predikat codes, best first")
    org_labels: dict[str, Label]
    max_rounding: Rounding = Field("ceil", description="share x group size -> allowed maximum")
    min_rounding: Rounding = Field("floor", description="share x group size -> required minimum")
    exempt_below: int | None = Field(None, ge=1, description="Smaller groups are not checked")
    group: Literal["unit", "rater"] = Field(
        "unit",
        description="A checked group: a whole unit, or all direct reports of one rater",
    )
    from_iku: OrgPredikatRules | None = Field(
        None, description="A unit without unit_ratings.csv row: its predikat from IKU capaian"
    )
    curves: dict[str, list[DistributionRule]]
    _labels: dict[str, Label] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> DistributionRules:
        _ranked(self.org_predikat, "org_predikat")
        _labels_cover(self.org_labels, self.org_predikat, "org_labels")
        for org, rules in self.curves.items():
            if org not in self.org_predikat:
                raise ValueError(f"curves.{org}: not one of org_predikat {self.org_predikat}")
            ids = [r.rule_id for r in rules]
            if len(set(ids)) != len(ids):
                raise ValueError(f"curves.{org}: rule ids must be unique, got {ids}")
        if self.from_iku is not None:
            for i, band in enumerate(self.from_iku.bands):
                if band.predikat not in self.org_predikat:
                    raise ValueError(
                        f"from_iku.bands.{i}.predikat: {band.predikat!r} is not one of"
                        f" org_predikat {self.org_predikat}"
                    )
        return self

    def knows_predikat(self, code: str) -> bool:
        """Whether ``code`` is an employee predikat of the pack (any code if not attached)."""
        return not self._labels or code in self._labels

    def predikat_label(self, code: str) -> str:
        """``"Label / Label"`` of an employee predikat (filled in from the pack's predikat)."""
        label = self._labels.get(code)
        return f"{label.id} / {label.en}" if label else code


class IkmElement(_Strict):
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


class IkmBand(_Strict):
    min: float = Field(description="Lowest IKM (x multiplier, rounded) in this band")
    mutu: str
    label: Label


class SampleRules(_Strict):
    """Krejcie-Morgan sample size: ``s = chi2 N P (1 - P) / (d^2 (N - 1) + chi2 P (1 - P))``."""

    chi2: Decimal = Field(Decimal("3.841"), gt=0, description="Chi-square, 1 df, 95%")
    p: Decimal = Field(Decimal("0.5"), gt=0, lt=1, description="Population proportion")
    d: Decimal = Field(Decimal("0.05"), gt=0, lt=1, description="Margin of error")
    rounding: Literal["round", "ceil"] = Field(
        "round", description="'round' reproduces the published table (N=100 -> 80)"
    )


class IkmRules(_Strict):
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
        _ranked([e.code for e in self.elements], "elements")
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


class Course(_Strict):
    """A course a predikat opens: a catalogue course by code, or described here in full."""

    course: str
    title: Label | None = Field(None, description="Default: the catalogue's title")
    jp: float | None = Field(None, gt=0, description="Hours (1 JP = 45 min); default: catalogue")
    predikat: list[str] = Field(min_length=1, description="Predikat that open this course")


class GapCourse(_Strict):
    """A competency gap of at least ``min_gap`` levels opens a catalogue course."""

    competency: str
    min_gap: int = Field(1, ge=1, description="Required minus actual level, at least this")
    course: str


class TrainingRules(_Strict):
    """Competency development: minimum JP a year, the courses a predikat or a competency gap
    opens, from the training catalogue (configs/training, embedded when the pack loads)."""

    min_jp_per_year: float = Field(20, ge=0)
    catalogue: TrainingCatalogue | None = Field(
        None, description="Catalogue name (configs/training) or path, relative to the pack"
    )
    courses: list[Course] = Field(default_factory=list)
    gap_courses: list[GapCourse] = Field(default_factory=list)
    course_jp_counts: bool = Field(True, description="Opened courses count toward the minimum")
    topup_course: str = "pemenuhan_jp"
    topup_title: Label
    topup_round_up_to: float | None = Field(1, gt=0, description="JP gap rounded up to this step")

    @field_validator("catalogue", mode="before")
    @classmethod
    def _embed(cls, v: Any, info: ValidationInfo) -> Any:
        return embedded_catalogue(v, info.context)

    def course_info(self, code: str) -> tuple[Label, float]:
        """Title and JP of a course: the rule's own, else the catalogue's."""
        rule = next((c for c in self.courses if c.course == code), None)
        entry = self.catalogue.course(code) if self.catalogue is not None else None
        title = rule.title if rule is not None and rule.title is not None else None
        jp = rule.jp if rule is not None and rule.jp is not None else None
        if entry is not None:
            title = title or Label(id=entry.title.id, en=entry.title.en)
            jp = jp if jp is not None else entry.jp
        if title is None or jp is None:
            raise KeyError(code)
        return title, jp


class AttendanceCode(_Strict):
    """One kind of attendance lapse (late TL1-TL4, early leave PSW1-PSW4, absent a day)."""

    pct: Decimal = Field(ge=0, le=100, description="Percent cut per occurrence")
    label: Label


class DisciplineCut(_Strict):
    """The cut a discipline sanction (hukuman disiplin) brings, and for how many months."""

    pct: Decimal = Field(ge=0, le=100, description="Percent cut of the whole incentive")
    months: int = Field(ge=1, description="Months the cut applies, from the sanction's first")
    label: Label


class IncentiveRules(_Strict):
    """Tukin / TPP style incentive: the pack's ``formula`` over named inputs.

    The inputs a formula may use are listed in
    :data:`kinerja.models.rules.incentive.FORMULA_INPUTS`, plus the pack's own ``constants``.
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
            if not _NAME.fullmatch(name):
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


class Jenjang(_Strict):
    """A rank (jenjang) of a functional position and its yearly credit-point coefficient."""

    coefficient: Decimal = Field(gt=0, description="Angka kredit a year at 100%")
    label: Label


class CreditPointRules(_Strict):
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


class PolicyPack(_Strict):
    """A whole policy pack; optional sections may be null (the stage then does nothing)."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    version: str = Field(min_length=1, max_length=64)
    effective_from: date
    description: str
    targets: TargetRules
    achievement: AchievementRules
    result_rating: ResultRatingRules
    behaviour: BehaviourRules
    predikat: PredikatRules
    distribution: DistributionRules | None = None
    ikm: IkmRules | None = None
    training: TrainingRules | None = None
    incentive: IncentiveRules | None = None
    credit_points: CreditPointRules | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PolicyPack:
        _check_cross(self)
        return self

    def model_post_init(self, context: Any) -> None:
        if self.distribution is not None:
            self.distribution._labels = dict(self.predikat.labels)

    @property
    def rule_version(self) -> str:
        """``name@version``, stored with every computed result."""
        return f"{self.name}@{self.version}"


def _check_cross(pack: PolicyPack) -> None:
    """Checks that span sections; each message starts with the field path."""
    results, behaviours = pack.result_rating.levels, pack.behaviour.levels
    order = set(pack.predikat.order)
    if pack.predikat.method == "matrix":
        matrix = pack.predikat.matrix or {}
        if set(matrix) != set(results):
            raise ValueError(f"predikat.matrix: rows must be the result levels {results}")
        for row, cells in matrix.items():
            if set(cells) != set(behaviours):
                raise ValueError(
                    f"predikat.matrix.{row}: columns must be the behaviour levels {behaviours}"
                )
    elif set(pack.predikat.from_result or {}) != set(results):
        raise ValueError(f"predikat.from_result: keys must be the result levels {results}")
    share = pack.result_rating.share
    if share is not None:
        for field in ("count_kinds", "guard_kinds"):
            bad = set(getattr(share, field)) - set(pack.targets.kinds)
            if bad:
                raise ValueError(f"result_rating.share.{field}: unknown kind(s) {sorted(bad)}")
    if pack.distribution is not None:
        for org, rules in pack.distribution.curves.items():
            for i, rule in enumerate(rules):
                bad = set(rule.predikat) - order
                if bad:
                    raise ValueError(
                        f"distribution.curves.{org}.{i}.predikat: unknown predikat {sorted(bad)}"
                    )
    if pack.training is not None:
        check_training_rules(pack.training, order)
    if pack.incentive is not None and set(pack.incentive.predikat_factors) != order:
        raise ValueError(
            f"incentive.predikat_factors: must give a factor for exactly {pack.predikat.order}"
        )
    if pack.credit_points is not None and set(pack.credit_points.predikat_pct) != order:
        raise ValueError(
            f"credit_points.predikat_pct: must give a percent for exactly {pack.predikat.order}"
        )


# --- loading ----------------------------------------------------------------------------------


def policies_dir() -> Path:
    """The packs shipped with Kinerja (configs/policies)."""
    return Path(kinerja.configs.__file__).parent / "policies"


def _pack_path(name_or_path: str, base_dir: Path | None) -> Path:
    is_bare_name = (
        "/" not in name_or_path
        and "\\" not in name_or_path
        and not (name_or_path.endswith((".yaml", ".yml")))
    )
    if is_bare_name:
        return policies_dir() / f"{name_or_path}.yaml"
    path = Path(name_or_path)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    return path


def _merged(base: Any, override: Any) -> Any:
    """``override`` laid over ``base``: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = _merged(base.get(key), value) if key in base else value
        return out
    return override


def _version_error(path: Path, index: int, exc: ValidationError) -> ConfigError:
    lines = [f"{path}: invalid configuration"]
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        lines.append(f"  versions.{index}{'.' + loc if loc else ''}: {err['msg']}")
    return ConfigError("\n".join(lines))


def _versions(path: Path, data: dict[str, Any]) -> list[PolicyPack]:
    """Every version a multi-version file holds, oldest first, each validated in full.

    The top-level keys other than ``versions`` are shared; each entry of ``versions`` lays
    its keys over the version before it (the first over the shared keys), so a new version
    states only what changed. Mappings merge key by key; lists and values replace.
    """
    entries = data["versions"]
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: invalid configuration\n  versions: must be a non-empty list")
    shared = {k: v for k, v in data.items() if k != "versions"}
    packs: list[PolicyPack] = []
    current: dict[str, Any] = shared
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: invalid configuration\n  versions.{i}: must be a mapping")
        for key in ("version", "effective_from"):
            if key not in entry:
                raise ConfigError(
                    f"{path}: invalid configuration\n  versions.{i}.{key}: Field required"
                    " (every version states its own)"
                )
        current = _merged(current, entry)
        try:
            pack = PolicyPack.model_validate(current, context={"base_dir": path.parent})
        except ValidationError as exc:
            raise _version_error(path, i, exc) from exc
        if packs and pack.effective_from <= packs[-1].effective_from:
            raise ConfigError(
                f"{path}: invalid configuration\n  versions.{i}.effective_from: must be after"
                f" the previous version's {packs[-1].effective_from}"
            )
        if any(pack.version == p.version for p in packs):
            raise ConfigError(
                f"{path}: invalid configuration\n  versions.{i}.version: {pack.version!r}"
                " is used twice"
            )
        packs.append(pack)
    return packs


def load_pack_versions(name_or_path: str, *, base_dir: Path | None = None) -> list[PolicyPack]:
    """Every version of a pack, oldest first (one for a single-version file)."""
    path = _pack_path(name_or_path, base_dir)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    if "versions" not in data:
        return [load_yaml_model(path, PolicyPack, context={"base_dir": path.parent})]
    return _versions(path, data)


def version_on(packs: list[PolicyPack], on: date | None, *, source: str) -> PolicyPack:
    """The version in force on ``on``: the latest ``effective_from`` not after it.

    Without a date, the latest version. Before the first version, no pack applies.
    """
    if on is None:
        return packs[-1]
    in_force = [p for p in packs if p.effective_from <= on]
    if not in_force:
        raise ConfigError(
            f"{source}: tidak ada versi yang berlaku pada {on} (versi pertama mulai"
            f" {packs[0].effective_from}) / no version in force on {on} (the first starts"
            f" {packs[0].effective_from})"
        )
    return in_force[-1]


def load_pack(
    name_or_path: str, *, base_dir: Path | None = None, on: date | None = None
) -> PolicyPack:
    """Load and validate a pack: a bare name (``"asn"``) or a path (relative to ``base_dir``).

    A file may hold several effective-dated versions (a top-level ``versions:`` list);
    ``on`` picks the one in force on that date (default: the latest). Raises
    :class:`ConfigError` naming the file and each bad field path.
    """
    packs = load_pack_versions(name_or_path, base_dir=base_dir)
    return version_on(packs, on, source=str(_pack_path(name_or_path, base_dir)))


def pack_to_dict(pack: PolicyPack) -> dict[str, Any]:
    """A JSON-able dict of the pack (stored on the cycle); :func:`pack_from_dict` reverses it."""
    return pack.model_dump(mode="json")


def pack_from_dict(data: dict[str, Any], *, source: str = "stored policy pack") -> PolicyPack:
    try:
        return PolicyPack.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(source, exc)) from exc


def pack_hash(pack: PolicyPack) -> str:
    """SHA-256 of the pack's canonical JSON: equal packs hash equal, whatever the YAML layout."""
    return content_hash(pack_to_dict(pack))
