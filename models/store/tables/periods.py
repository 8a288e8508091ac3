"""What each evaluation period of a cycle records per person: progress to date, the
periodic check-in (ratings, feedback, coaching) and the month's incentive; and the
check-ins a scenario scripts.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kinerja.models.store.tables.base import Base


class PeriodResult(Base):
    """One person in one period: achievement to date against the expected trajectory, the
    rater's periodic rating and words, and (monthly tukin) the month's incentive.

    ``derivation`` keeps every input and step, as a cycle result's does (``kinerja explain``).
    """

    __tablename__ = "period_results"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    nip: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    achievement: Mapped[float | None] = mapped_column(Float)
    expected: Mapped[float] = mapped_column(Float)
    at_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    proposed_hasil_kerja: Mapped[str | None] = mapped_column(String(32))
    hasil_kerja: Mapped[str | None] = mapped_column(String(32))
    perilaku: Mapped[str | None] = mapped_column(String(32))
    predikat: Mapped[str | None] = mapped_column(String(32))
    rater_nip: Mapped[str | None] = mapped_column(String(64))
    feedback: Mapped[str | None] = mapped_column(Text)
    coaching: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(DateTime)
    incentive: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    derivation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ScriptedCheckin(Base):
    """A scenario's periodic rating for one person and period (checkins.csv): what its
    simulated rater answers at that period's check-in."""

    __tablename__ = "scripted_checkins"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    nip: Mapped[str] = mapped_column(String(64), primary_key=True)
    hasil_kerja: Mapped[str | None] = mapped_column(String(32))
    perilaku: Mapped[str | None] = mapped_column(String(32))
