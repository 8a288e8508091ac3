"""The training section of a pack: which predikat or competency gap opens which course, and
the yearly minimum of JP (PP 11/2017, DOMAIN.md A3). Applied by
:mod:`kinerja.models.rules.training`; the courses come from the catalogue
(:mod:`kinerja.models.policy.catalogue`).
"""

from __future__ import annotations

from typing import Any

from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
)

from kinerja.models.policy.base import Label, Strict
from kinerja.models.policy.catalogue import (
    TrainingCatalogue,
    embedded_catalogue,
)


class Course(Strict):
    """A course a predikat opens: a catalogue course by code, or described here in full."""

    course: str
    title: Label | None = Field(None, description="Default: the catalogue's title")
    jp: float | None = Field(None, gt=0, description="Hours (1 JP = 45 min); default: catalogue")
    predikat: list[str] = Field(min_length=1, description="Predikat that open this course")


class GapCourse(Strict):
    """A competency gap of at least ``min_gap`` levels opens a catalogue course."""

    competency: str
    min_gap: int = Field(1, ge=1, description="Required minus actual level, at least this")
    course: str


class TrainingRules(Strict):
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
