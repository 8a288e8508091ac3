"""What a cycle computes per person: results, distribution findings, feedback, training
assignments and the JP ledger.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kinerja.models.store.tables.base import Base


class Result(Base):
    """Per employee per cycle: achievement, ratings, predikat, training and incentive.

    ``derivation`` keeps every input, rule and intermediate value (see ``kinerja explain``).
    """

    __tablename__ = "results"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    rater_nip: Mapped[str | None] = mapped_column(String(64))
    # A rater outside the organisation (the agency head's): their name; the HR coordinator
    # who recorded a rating on a rater's behalf. The coordinator is never ``rater_nip``.
    external_rater: Mapped[str | None] = mapped_column(String(255))
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    achievement: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    proposed_hasil_kerja: Mapped[str | None] = mapped_column(String(32))
    hasil_kerja: Mapped[str | None] = mapped_column(String(32))
    perilaku: Mapped[str | None] = mapped_column(String(32))
    perilaku_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    review_comment: Mapped[str | None] = mapped_column(Text)
    predikat: Mapped[str | None] = mapped_column(String(32))
    training_jp: Mapped[float | None] = mapped_column(Float)
    incentive: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    credit_points: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    rule_version: Mapped[str | None] = mapped_column(String(128))
    derivation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DistributionFinding(Base):
    """One finding of the distribution check for one group in one cycle.

    The group is the pack's ``distribution.group``: a whole unit (``rater_nip`` is ``""``)
    or all direct reports of one rater (``rater_nip`` names the rater; ``unit_id`` is the
    unit whose predikat organisasi keys the curve, usually the rater's own).
    """

    __tablename__ = "distribution_findings"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    rater_nip: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    rule: Mapped[str] = mapped_column(String(128), primary_key=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text)


class Feedback(Base):
    """A manager's written feedback (umpan balik) to one employee, and its acknowledgement."""

    __tablename__ = "feedback"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(64), primary_key=True)
    manager_nip: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    written_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)


class TrainingAssignment(Base):
    """A training assigned to one employee in one cycle, with the rule that opened it."""

    __tablename__ = "training_assignments"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(64), primary_key=True)
    course: Mapped[str] = mapped_column(String(64), primary_key=True)
    jp: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="assigned")


class JpLedgerEntry(Base):
    """Training hours (jam pelajaran, 1 JP = 45 minutes) credited or planned for one person."""

    __tablename__ = "jp_ledger"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    nip: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int] = mapped_column(Integer)
    cycle_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    jp: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    completed_on: Mapped[date | None] = mapped_column(Date)
