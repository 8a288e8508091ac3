"""The distribution section of a pack: the curve (kurva distribusi) keyed to each unit's own
predikat, and how groups are formed.

Applied by :mod:`kinerja.models.rules.distribution`; the organisation's own predikat from its
IKU is :mod:`kinerja.models.policy.org_predikat`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    PrivateAttr,
    model_validator,
)

from kinerja.models.policy.base import Label, Strict, labels_cover, ranked
from kinerja.models.policy.org_predikat import OrgPredikatRules

Rounding = Literal["floor", "ceil", "round"]


class DistributionRule(Strict):
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


class DistributionRules(Strict):
    """The distribution curve: allowed predikat shares keyed to the unit's own predikat."""

    org_predikat: list[str] = Field(min_length=1, description="Unit predikat codes, best first")
    org_labels: dict[str, Label]
    max_rounding: Rounding = Field(
        "floor",
        description="share x group size -> allowed maximum; floor reads 'at most' literally",
    )
    min_rounding: Rounding = Field(
        "ceil",
        description="share x group size -> required minimum; ceil reads 'at least' literally",
    )
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
        ranked(self.org_predikat, "org_predikat")
        labels_cover(self.org_labels, self.org_predikat, "org_labels")
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
