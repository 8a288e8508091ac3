"""The policy inputs of a cycle: attendance lapses, discipline sanctions, functional
positions and competency levels.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from kinerja.models.store.tables.base import Base


class AttendanceLapse(Base):
    """Attendance lapses of one kind (late TL1-TL4, early leave PSW1-PSW4, absent TK) in a cycle."""

    __tablename__ = "attendance"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class DisciplineSanction(Base):
    """A discipline sanction (hukuman disiplin) in force for one person in a cycle."""

    __tablename__ = "discipline_sanctions"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(64), primary_key=True)
    sanction: Mapped[str] = mapped_column(String(64), primary_key=True)
    decided_on: Mapped[date | None] = mapped_column(Date)


class FunctionalPosition(Base):
    """A person's functional position rank (jenjang jabatan fungsional) in a cycle's year."""

    __tablename__ = "functional_positions"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(64), primary_key=True)
    jenjang: Mapped[str] = mapped_column(String(64))
    months: Mapped[Decimal] = mapped_column(Numeric(5, 2))


class CompetencyLevel(Base):
    """Required and actual level of one competency of one person, assessed for a cycle."""

    __tablename__ = "competency_levels"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(64), primary_key=True)
    competency: Mapped[str] = mapped_column(String(64), primary_key=True)
    required_level: Mapped[int] = mapped_column(Integer)
    actual_level: Mapped[int] = mapped_column(Integer)


class AttendanceMonth(Base):
    """Attendance lapses of one kind for one person in one month of a cycle (attendance.csv
    with a ``month`` column): what each month's tukin is cut by when it is paid monthly."""

    __tablename__ = "attendance_monthly"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    nip: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
