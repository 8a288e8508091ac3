"""People's work: human tasks, absences with their delegations, and deadline extensions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
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

# --- people's work ----------------------------------------------------------------------------


class HumanTask(Base):
    """A task a person must do, with an explicit state machine (see models/humantasks/states.py).

    ``task_key`` makes opening idempotent: (cycle, kind, subject, round). Deadlines are this
    row: reminders fire at ``due_at`` minus the stage's offsets (``reminders_sent`` counts
    them), escalations after ``due_at`` (``escalation_level``), and the final-deadline policy
    at ``final_due_at``; the sweeper acts on them with set-based updates.
    """

    __tablename__ = "human_tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_key: Mapped[str] = mapped_column(String(255), unique=True)
    # The (cycle, stage, state) index below serves lookups by cycle alone.
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"))
    stage: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    subject_nip: Mapped[str] = mapped_column(String(64))
    assignee_nip: Mapped[str] = mapped_column(String(64), index=True)
    delegate_nip: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="open")
    round: Mapped[int] = mapped_column(Integer, default=1)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_to: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    final_due_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    close_reason: Mapped[str | None] = mapped_column(Text)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    __table_args__ = (
        Index("ix_human_tasks_cycle_stage_state", "cycle_id", "stage", "state"),
        # A person's tasks (of a kind) in a cycle; the subject leads, so that queries by
        # cycle alone keep the index above.
        Index("ix_human_tasks_subject_cycle", "subject_nip", "cycle_id"),
    )


class Absence(Base):
    """A person away (cuti, dinas luar) from ``starts_on`` to ``ends_on``, both days included,
    and the delegate who acts on their tasks meanwhile (see models/humantasks/absences.py)."""

    __tablename__ = "absences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nip: Mapped[str] = mapped_column(String(64), index=True)
    delegate_nip: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class TaskDelegation(Base):
    """One task handed to an absent person's delegate: when, why (``role``: the person is the
    task's ``assignee`` or its ``escalation`` target), and when the delegation was lifted."""

    __tablename__ = "task_delegations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_tasks.id"), index=True)
    absence_id: Mapped[int] = mapped_column(ForeignKey("absences.id"))
    delegate_nip: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    delegated_at: Mapped[datetime] = mapped_column(DateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (
        Index("ux_task_delegations_task_absence", "task_id", "absence_id", unique=True),
    )


class TaskExtension(Base):
    """A deadline extension of one task: the old and new deadlines, by whom and why."""

    __tablename__ = "task_extensions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("human_tasks.id"), index=True)
    cycle_id: Mapped[str] = mapped_column(String(64), index=True)
    days: Mapped[float] = mapped_column(Float)
    old_due_at: Mapped[datetime] = mapped_column(DateTime)
    new_due_at: Mapped[datetime] = mapped_column(DateTime)
    old_final_due_at: Mapped[datetime] = mapped_column(DateTime)
    new_final_due_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text)
    by_nip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)
