"""The outbox (notifications) and the hash-chained audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kinerja.models.store.tables.base import Base


class Notification(Base):
    """A message in the transactional outbox; ``key`` keeps a rerun from queueing it twice.

    ``next_attempt_at`` (when ``pending``: not before; when ``sending``: the claim's lease)
    and ``last_attempt_at`` are on the dispatcher's clock, the wall clock; ``claimed_*``
    name the process that holds a ``sending`` row; ``dead_alerted_at`` records that ops
    were told of a ``dead`` row.
    """

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
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_host: Mapped[str | None] = mapped_column(String(255))
    claimed_pid: Mapped[int | None] = mapped_column(Integer)
    claimed_start: Mapped[str | None] = mapped_column(String(255))
    dead_alerted_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (Index("ix_notifications_status_next", "status", "next_attempt_at"),)


class AuditEvent(Base):
    """An append-only, hash-chained audit event (see models/audit/chain.py).

    ``key_id`` names the key whose HMAC ``hash`` is (None: an unkeyed event, written before
    keys existed). The index on (cycle, entity, entity id) serves the comparison of stored
    results with their events (models/results/agreement.py).
    """

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
    key_id: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_audit_events_entity", "cycle_id", "entity", "entity_id"),)


class AuditHead(Base):
    """The chain's head (one row), locked while an event is appended so the chain stays linear."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
