"""The dispatcher's side of the outbox rows: claim due rows under a lease, record each outcome.

A claim marks rows ``sending`` until ``now + lease``, so two dispatchers never send the same
row; a dispatcher that dies leaves its claim, which expires and is taken again
(at-least-once). An outcome is ``sent``, a retry after exponential backoff, or ``dead``
after ``max_attempts``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, or_, select, update
from sqlalchemy.orm import Session

from kinerja.models.store.tables import Notification


def _due(n: Table, now: datetime):  # noqa: ANN202
    waiting = and_(
        n.c.status == "pending", or_(n.c.next_attempt_at.is_(None), n.c.next_attempt_at <= now)
    )
    # A claim whose lease ran out belongs to a dispatcher that died: take it again.
    abandoned = and_(n.c.status == "sending", n.c.next_attempt_at <= now)
    return or_(waiting, abandoned)


def claim_due(
    session: Session, *, now: datetime, limit: int, lease_seconds: float
) -> list[dict[str, Any]]:
    """Mark up to ``limit`` due rows as ``sending`` until ``now + lease`` and return them.

    One UPDATE ... WHERE id IN (SELECT ...) RETURNING statement, atomic on SQLite; on
    PostgreSQL the subquery takes FOR UPDATE SKIP LOCKED so concurrent dispatchers take
    disjoint rows instead of waiting for each other. The caller commits.
    """
    n: Table = Notification.__table__  # type: ignore[assignment]
    due = _due(n, now)
    pick = select(n.c.id).where(due).order_by(n.c.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(n)
        .where(n.c.id.in_(pick.scalar_subquery()), due)
        .values(status="sending", next_attempt_at=now + timedelta(seconds=lease_seconds))
        .returning(
            n.c.id, n.c.key, n.c.cycle_id, n.c.recipient_nip, n.c.subject, n.c.body, n.c.attempts
        )
    )
    rows = [dict(r._mapping) for r in session.execute(stmt)]
    return sorted(rows, key=lambda r: r["id"])


def record_outcome(
    session: Session,
    row: dict[str, Any],
    outcome: str,
    detail: str | None,
    *,
    now: datetime,
    max_attempts: int,
    backoff_seconds: float,
) -> str:
    """Record what sending a claimed row gave; returns ``sent``, ``failed`` (to retry after
    ``backoff_seconds * 2**(attempts-1)``) or ``dead`` (after ``max_attempts``)."""
    n: Table = Notification.__table__  # type: ignore[assignment]
    attempts = row["attempts"] + 1
    if outcome == "sent":
        values: dict[str, Any] = dict(
            status="sent", sent_at=now, attempts=attempts, next_attempt_at=None, last_error=None
        )
    elif outcome == "retry" and attempts < max_attempts:
        delay = backoff_seconds * 2 ** (attempts - 1)
        values = dict(
            status="pending",
            attempts=attempts,
            next_attempt_at=now + timedelta(seconds=delay),
            last_error=detail,
        )
        outcome = "failed"
    else:
        values = dict(status="dead", attempts=attempts, next_attempt_at=None, last_error=detail)
        outcome = "dead"
    session.execute(update(n).where(n.c.id == row["id"], n.c.status == "sending").values(**values))
    return outcome
