"""Evidence files (bukti dukung): the files people attach to a realisation report.

A row names the file; its bytes live in the evidence store (models/evidence/storage.py),
under their sha256. Rows are only ever added: evidence stays through appeals.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kinerja.models.store.tables.base import Base


class EvidenceFile(Base):
    """One file attached to one target's realisation in one period.

    ``subject_nip`` is the employee whose target it is, ``nip`` who attached it (the
    employee, or whoever answered the report for them), ``task_id`` the report it came with.
    The same bytes attached twice to the same target and period are one row.
    """

    __tablename__ = "evidence_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"))
    target_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16))
    subject_nip: Mapped[str] = mapped_column(String(64))
    task_id: Mapped[int | None] = mapped_column(Integer)
    nip: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        Index("ix_evidence_files_subject", "cycle_id", "subject_nip"),
        Index(
            "ux_evidence_files_target_file",
            "cycle_id",
            "target_id",
            "period",
            "sha256",
            unique=True,
        ),
    )
