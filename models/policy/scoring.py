"""The scoring sections of a pack: targets, achievement (capaian), the result rating (rating
hasil kerja), the behaviour rating (rating perilaku) and the predikat matrix.

PermenPANRB 6/2022 (DOMAIN.md A1); applied by :mod:`kinerja.models.rules.achievement`,
:mod:`kinerja.models.rules.rating` and :mod:`kinerja.models.rules.predikat`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    model_validator,
)

from kinerja.models.policy.base import Label, Strict, labels_cover, ranked

Aggregation = Literal["last", "sum", "mean", "max"]


class TargetRules(Strict):
    """What a target (RHK) may look like."""

    use_weights: bool = Field(False, description="Targets carry weights that must sum up")
    weights_sum: float = Field(100, gt=0)
    weight_above: float = Field(0.0, description="A weight given must be more than this")
    weight_at_most: float = Field(100.0, description="... and at most this")
    aspects: list[str] = Field(min_length=1)
    kinds: list[str] = Field(default_factory=lambda: ["utama", "tambahan"], min_length=1)
    directions: list[Literal["higher", "lower", "range"]] = Field(
        default_factory=lambda: ["higher", "lower", "range"], min_length=1
    )

    @model_validator(mode="after")
    def _bounds(self) -> TargetRules:
        if self.weight_above >= self.weight_at_most:
            raise ValueError("weight_above must be below weight_at_most")
        if self.use_weights and self.weights_sum <= self.weight_above:
            raise ValueError("weights_sum must be above weight_above")
        return self

    @property
    def required_weights_sum(self) -> float | None:
        """The sum an employee's weights must reach, or None when weights are not used."""
        return self.weights_sum if self.use_weights else None


class AchievementRules(Strict):
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


class ShareMethod(Strict):
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


class ScoreBand(Strict):
    min_score: float
    level: str


class ResultRatingRules(Strict):
    """How target achievements become the result rating (rating hasil kerja)."""

    method: Literal["share", "weighted_score"]
    levels: list[str] = Field(min_length=2, description="Rating codes, best first")
    labels: dict[str, Label]
    if_no_results: str = Field(description="Rating when no result can be scored")
    score_cap: float | None = Field(120, gt=0, description="Cap on each achievement in the score")
    score_missing: Literal["zero", "ignore"] = "zero"
    share: ShareMethod | None = None
    bands: list[ScoreBand] = Field(default_factory=list, description="Score -> level, high first")
    unit_head: dict[str, str] | None = Field(
        None,
        description=(
            "A unit head's proposed rating from the unit's predikat organisasi (every code of"
            " distribution.org_predikat -> a level); null, or no distribution section: from"
            " their own targets"
        ),
    )
    _rank: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check(self) -> ResultRatingRules:
        ranked(self.levels, "levels")
        labels_cover(self.labels, self.levels, "labels")
        bad_heads = sorted(v for v in (self.unit_head or {}).values() if v not in self.levels)
        if bad_heads:
            raise ValueError(f"unit_head: unknown level(s) {bad_heads}")
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


class BehaviourRules(Strict):
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
        ranked(self.values, "values")
        ranked(self.levels, "levels")
        labels_cover(self.value_labels, self.values, "value_labels")
        labels_cover(self.labels, self.levels, "labels")
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


class PredikatRules(Strict):
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
        ranked(self.order, "order")
        labels_cover(self.labels, self.order, "labels")
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
