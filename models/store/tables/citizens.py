"""Citizens' voice and what is published: survey responses, unit indices (IKM) and
publications.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from kinerja.models.store.tables.base import Base


class SurveyResponse(Base):
    """One citizen's answers to the satisfaction survey (SKM) for one service unit."""

    __tablename__ = "survey_responses"
    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    respondent_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    date: Mapped[date | None] = mapped_column(Date)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)


class UnitIndex(Base):
    """The citizen-satisfaction index (IKM) of one service unit in one cycle."""

    __tablename__ = "unit_indices"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    respondents: Mapped[int] = mapped_column(Integer)
    ikm: Mapped[float | None] = mapped_column(Float)
    mutu: Mapped[str | None] = mapped_column(String(4))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Publication(Base):
    """Published per-unit aggregates (small groups suppressed)."""

    __tablename__ = "publications"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(DateTime)
