"""Policy packs: the rules of a performance cycle as validated data (configs/policies/*.yaml).

A pack says what an employee identifier (NIP) looks like, how achievement is computed, how
results become a rating (rating hasil kerja), how behaviour values become a rating (rating
perilaku), the predikat (final performance grade) matrix, the distribution curve keyed to
the unit's own predikat, the citizen satisfaction index (IKM), training rules and the
incentive formula. Each section is a model of its own module in this package;
:class:`PolicyPack` puts them together and checks what spans sections. The pure functions
in :mod:`kinerja.models.rules` apply one section each.

Every model forbids unknown keys; an error names the file and the field path. Lookup tables
that the rules need on every call (ranks, exact weights) are computed once per pack.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import (
    Field,
    model_validator,
)

from kinerja.models.policy.base import Strict
from kinerja.models.policy.catalogue import (
    check_training_rules,
)
from kinerja.models.policy.complaints import ComplaintRules
from kinerja.models.policy.distribution import DistributionRules
from kinerja.models.policy.identifiers import IdentifierRules
from kinerja.models.policy.ikm import IkmRules
from kinerja.models.policy.pay import CreditPointRules, IncentiveRules
from kinerja.models.policy.periodic import PeriodicRules
from kinerja.models.policy.scoring import (
    AchievementRules,
    BehaviourRules,
    PredikatRules,
    ResultRatingRules,
    TargetRules,
)
from kinerja.models.policy.training import TrainingRules

"""The names every incentive formula may use (besides the pack's own ``constants``)."""
"""DOMAIN.md A4: base x (kinerja weight x predikat factor + attendance weight x (1 - cuts)),
less the discipline cut."""


class PolicyPack(Strict):
    """A whole policy pack; optional sections may be null (the stage then does nothing)."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    version: str = Field(min_length=1, max_length=64)
    effective_from: date
    description: str
    identifiers: IdentifierRules = Field(default_factory=IdentifierRules)
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
    periodic: PeriodicRules | None = None
    complaints: ComplaintRules | None = None

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
    heads = pack.result_rating.unit_head
    if heads is not None and pack.distribution is not None:  # no curve: no unit predikat used
        org = pack.distribution.org_predikat
        if set(heads) != set(org):
            raise ValueError(f"result_rating.unit_head: must map exactly the unit predikat {org}")
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
