"""A cycle, its stages, and what it plans and measures: goals (IKU), targets (RHK),
measurements, the units' own ratings and scripted reviews.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kinerja.models.store.tables.base import Base

# --- cycles -----------------------------------------------------------------------------------


class Cycle(Base):
    """One performance cycle with the exact config and policy pack it started with."""

    __tablename__ = "cycles"
    cycle_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    pack_name: Mapped[str] = mapped_column(String(64))
    pack_version: Mapped[str] = mapped_column(String(64))
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    config_hash: Mapped[str] = mapped_column(String(64))
    pack: Mapped[dict[str, Any]] = mapped_column(JSON)
    pack_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="created")
    current_stage: Mapped[str | None] = mapped_column(String(32))
    clock_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class CycleStage(Base):
    """The state of one stage of one cycle: pending, open (waiting for people) or done."""

    __tablename__ = "cycle_stages"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    final_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Goal(Base):
    """A unit-level goal (IKU in the Perjanjian Kinerja) that employee targets cascade from."""

    __tablename__ = "goals"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    goal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    statement: Mapped[str] = mapped_column(Text)
    indicator: Mapped[str] = mapped_column(Text)
    target_value: Mapped[float] = mapped_column(Float)
    target_high: Mapped[float | None] = mapped_column(Float)
    unit_of_measure: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8), default="higher")
    parent_goal_id: Mapped[str | None] = mapped_column(String(64))


class Target(Base):
    """An employee's planned result (RHK) with its indicator, aspect and target value."""

    __tablename__ = "targets"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nip: Mapped[str] = mapped_column(String(64), index=True)
    serves: Mapped[str] = mapped_column(String(64))
    statement: Mapped[str] = mapped_column(Text)
    indicator: Mapped[str] = mapped_column(Text)
    aspect: Mapped[str] = mapped_column(String(32))
    # None only in a cycle with the qualitative approach: the rater judges the RHK against
    # the expectation, without a number.
    target_value: Mapped[float | None] = mapped_column(Float)
    target_high: Mapped[float | None] = mapped_column(Float)
    unit_of_measure: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(8), default="higher")
    weight: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(16), default="utama")
    # How its period values combine (sum, last, mean, max); None: the pack's default for
    # the unit of measure.
    aggregate: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    realisation: Mapped[float | None] = mapped_column(Float)
    achievement: Mapped[float | None] = mapped_column(Float)
    __table_args__ = (Index("ix_targets_cycle_nip", "cycle_id", "nip"),)


class Measurement(Base):
    """Realisation of one target in one period (YYYY-MM, YYYY-Qn or YYYY), with evidence."""

    __tablename__ = "measurements"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    # None only in a qualitative cycle, where the realisation is the evidence text.
    value: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[str | None] = mapped_column(Text)
    # Who wrote the value standing now: import, portal, cli or simulation, by whom, when.
    source: Mapped[str | None] = mapped_column(String(16))
    recorded_by: Mapped[str | None] = mapped_column(String(255))
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime)


class MeasurementRevision(Base):
    """A value a later report or import replaced: the history behind a measurement."""

    __tablename__ = "measurement_revisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle_id: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(16))
    recorded_by: Mapped[str | None] = mapped_column(String(255))
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime)
    replaced_at: Mapped[datetime] = mapped_column(DateTime)
    replaced_by_source: Mapped[str | None] = mapped_column(String(16))
    __table_args__ = (Index("ix_measurement_revisions_key", "cycle_id", "target_id", "period"),)


class UnitRating(Base):
    """A unit's own result (predikat organisasi), which keys the distribution curve.

    ``source`` is ``file`` (unit_ratings.csv: the leader's decision, which always wins) or
    ``iku`` (computed from the capaian of the unit's IKU, see models/stages/org_predikat.py), with
    ``capaian`` and the ``derivation`` of every goal's numbers.
    """

    __tablename__ = "unit_ratings"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    predikat_organisasi: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16), default="file", server_default="file")
    capaian: Mapped[float | None] = mapped_column(Float)
    derivation: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ScriptedReview(Base):
    """A scenario's scripted manager answer for one employee (reviews.csv)."""

    __tablename__ = "scripted_reviews"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(64), primary_key=True)
    hasil_kerja: Mapped[str | None] = mapped_column(String(32))
    perilaku: Mapped[str | None] = mapped_column(String(32))
    perilaku_values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(Text)
