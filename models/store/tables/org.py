"""The organisation: units (a tree) and employees, loaded once and shared by cycles."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from kinerja.models.store.tables.base import Base

# --- organisation -----------------------------------------------------------------------------


class Unit(Base):
    """An organisational unit (satuan kerja); units form a tree."""

    __tablename__ = "units"
    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    parent_id: Mapped[str | None] = mapped_column(String(64), index=True)
    head_nip: Mapped[str | None] = mapped_column(String(64))
    is_service_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    # People a service unit serves in a survey period: the population of the survey's
    # Krejcie-Morgan sample-size check (units.csv ``service_population``).
    service_population: Mapped[int | None] = mapped_column(Integer)
    # Who answers the unit's complaints (pengaduan); the unit head when empty.
    complaint_officer_nip: Mapped[str | None] = mapped_column(String(64))


class Employee(Base):
    """A person (pegawai). ``nip`` is the identifier: 18 digits for ASN, any string elsewhere."""

    __tablename__ = "employees"
    nip: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    position: Mapped[str] = mapped_column(String(255))
    grade: Mapped[str | None] = mapped_column(String(32))
    manager_nip: Mapped[str | None] = mapped_column(String(64), index=True)
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    channels: Mapped[str | None] = mapped_column(String(255))
    lang: Mapped[str] = mapped_column(String(8), default="id")
