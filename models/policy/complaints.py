"""The complaints section of a pack: categories and their service levels in working days,
and when the officer is reminded and the complaint escalated (DOMAIN.md A5b).

The levels are the agency's own service standard (standar pelayanan); the ASN pack's
defaults follow examples seen on sippn.menpan.go.id [S]: light 2, normative 5, not needing
investigation 14, needing investigation 60 working days.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from kinerja.models.policy.base import Label, Strict, ranked


class ComplaintCategory(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    label: Label
    working_days: int = Field(ge=1, le=365, description="Service level: answer within")


class ComplaintRules(Strict):
    """Complaint categories with their service levels; reminders and escalations."""

    categories: list[ComplaintCategory] = Field(min_length=1)
    remind_working_days_before: list[int] = Field(
        default_factory=lambda: [1], description="Reminders, working days before the due day"
    )
    escalate_after_working_days: list[int] = Field(
        default_factory=lambda: [1, 3],
        description="Level 1 to the unit head (or the officer's manager), level 2 to HR",
    )
    final_after_working_days: int = Field(
        30, ge=1, description="After the due day: the officer's link stops working"
    )
    goal_indicator: str | None = Field(
        "pengaduan_tepat_waktu",
        max_length=64,
        description="A unit goal (goals.csv) with this indicator gets the unit's share of "
        "complaints answered on time (%) as its realisation; null: none",
    )

    @model_validator(mode="after")
    def _check(self) -> ComplaintRules:
        ranked([c.code for c in self.categories], "categories")
        for name in ("remind_working_days_before", "escalate_after_working_days"):
            values = getattr(self, name)
            if any(v < 0 for v in values) or len(set(values)) != len(values):
                raise ValueError(f"{name}: distinct whole numbers >= 0")
        return self

    def category(self, code: str) -> ComplaintCategory | None:
        return next((c for c in self.categories if c.code == code), None)
