"""The cycle's truth: typed SQLAlchemy 2 tables.

The organisation (units, employees) is loaded once and shared by cycles; everything a cycle
produces is keyed by ``cycle_id`` and by natural keys, so every stage writes with upserts
and running it twice changes nothing.
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
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


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


class Result(Base):
    """Per employee per cycle: achievement, ratings, predikat, training and incentive.

    ``derivation`` keeps every input, rule and intermediate value (see ``kinerja explain``).
    """

    __tablename__ = "results"
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    rater_nip: Mapped[str | None] = mapped_column(String(64))
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
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), index=True)
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
    __table_args__ = (Index("ix_human_tasks_cycle_stage_state", "cycle_id", "stage", "state"),)


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


class Notification(Base):
    """A message in the transactional outbox; ``key`` keeps a rerun from sending twice."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    cycle_id: Mapped[str | None] = mapped_column(String(64), index=True)
    task_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    recipient_nip: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8), default="id")
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (Index("ix_notifications_status_next", "status", "next_attempt_at"),)


class AuditEvent(Base):
    """An append-only, hash-chained audit event (see models/audit/chain.py)."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    cycle_id: Mapped[str | None] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's head (one row), locked while an event is appended so the chain stays linear."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
