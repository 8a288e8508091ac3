"""Citizens' voice and what is published: survey forms and responses, complaints, the
public holiday calendar, unit indices (IKM) and publications.
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
    Index,
    Integer,
    String,
    Text,
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
    # Online answers only (null on imported rows): the form, its survey period, the
    # respondent profile of the questionnaire (age band, sex, education, occupation, service
    # received) and the time of submission. ``respondent_id`` of an online answer is a keyed
    # hash of the browser's random cookie, the unit and the period: one answer per browser
    # per period, and nothing that names the person.
    form_id: Mapped[str | None] = mapped_column(String(16), index=True)
    period: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(16))
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)


class SurveyForm(Base):
    """The public SKM form of one service unit for one survey period, behind a short code.

    ``rules`` is the pack's IKM section as it was when the form was opened (elements, scale,
    sample-size rule): the form asks exactly what the index will count.
    """

    __tablename__ = "survey_forms"
    form_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(16))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ux_survey_forms_unit_period", "unit_id", "period", unique=True),)


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


class Complaint(Base):
    """A complaint (pengaduan) about a service unit, from the public form or SP4N-LAPOR!.

    ``tracking_code`` is what the citizen holds to follow it; ``external_id`` keeps the
    national channel's own id (unique per ``source``). ``due_at`` is the end of the category's
    service level in working days; the officer's human task (``task_id``) carries the same
    deadline for the sweeper. ``contact`` (an e-mail address, optional) is used only to send
    the reply.
    """

    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    cycle_id: Mapped[str] = mapped_column(ForeignKey("cycles.cycle_id"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(254))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    task_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime)
    replied_by: Mapped[str | None] = mapped_column(String(64))
    close_reason: Mapped[str | None] = mapped_column(String(32))
    __table_args__ = (Index("ux_complaints_source_external", "source", "external_id", unique=True),)


class Holiday(Base):
    """A public holiday (hari libur nasional, cuti bersama): not a working day."""

    __tablename__ = "holidays"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
