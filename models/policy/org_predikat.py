"""Pack data for the organisation's own result (predikat organisasi) computed from its IKU.

PermenPANRB 6/2022 (DOMAIN.md A1, A5): the leader one level up rates a unit from its
Perjanjian Kinerja achievement, giving Istimewa / Baik / Butuh Perbaikan / Kurang / Sangat
Kurang. When a cycle has no unit_ratings.csv row for a unit, Kinerja computes a proposal:
each IKU's capaian with the 8/2021 formulas (the pack's ``achievement`` section), their mean,
and these bands. The bands are [U] in DOMAIN.md, so they are pack data an agency sets.
Used as ``distribution.from_iku`` in :class:`kinerja.models.policy.distribution.DistributionRules`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class CapaianBand(BaseModel):
    """Capaian (percent) from ``min`` up gives ``predikat`` (an org predikat code)."""

    model_config = ConfigDict(extra="forbid")

    min: float
    predikat: str


class OrgPredikatRules(BaseModel):
    """How a unit's IKU capaian becomes its predikat organisasi."""

    model_config = ConfigDict(extra="forbid")

    aggregate: Literal["mean"] = Field(
        "mean", description="Unit capaian = mean of its goals' achievements"
    )
    missing: Literal["ignore", "zero"] = Field(
        "ignore", description="A goal without realisation is left out, or counts as 0"
    )
    decimals: int = Field(2, ge=0, le=6)
    bands: list[CapaianBand] = Field(
        min_length=1, description="Highest first; the last band takes everything below it"
    )

    @model_validator(mode="after")
    def _check(self) -> OrgPredikatRules:
        mins = [b.min for b in self.bands]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("bands: min must strictly decrease")
        return self
