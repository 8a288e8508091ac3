"""The periodic section of a pack: what each period's check-in rates, who is at risk, and
how the periods inform the annual rating (PermenPANRB 6/2022: periodic and annual evaluation,
continuous feedback and coaching; DOMAIN.md A1). Applied by
:mod:`kinerja.models.stages.periods`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kinerja.models.policy.base import Strict


class PeriodicRules(Strict):
    """Periodic evaluation; a pack without this section takes these defaults."""

    rated: Literal["both", "hasil_kerja"] = Field(
        "both",
        description=(
            "What the rater rates each period: both ratings (the periodic predikat follows the"
            " matrix), or the results only (behaviour counts at the pack's default rating)"
        ),
    )
    at_risk_below: float = Field(
        80,
        ge=0,
        description=(
            "A person is at risk when their achievement to date, against the expected"
            " trajectory, is below this percentage: their rater is asked for a coaching dialog"
        ),
    )
    annual: Literal["rater_decides", "most_frequent"] = Field(
        "rater_decides",
        description=(
            "How the periods inform the annual rating: the rater decides with every periodic"
            " result shown (rater_decides), or the proposed annual rating hasil kerja is the"
            " periodic rating given most often, the later one on a tie (most_frequent)"
        ),
    )
    incentive_predikat: Literal["periodic", "last_annual"] = Field(
        "periodic",
        description=(
            "Which predikat a month's tukin follows when it is paid monthly: that month's"
            " periodic predikat, or the person's last annual predikat (of their latest"
            " finished cycle; the month's periodic one when they have none)"
        ),
    )
