"""The dispatcher's side of the outbox rows: claim due rows under a lease, record each outcome.

One clock: leases and retry times are on the dispatcher's clock, the wall clock, never a
simulated cycle's. A lease is about a live process (how long a claim is respected), and a
retry about a relay's outage; neither is business time. A simulated cycle's clock may stand
months ahead of the wall, or stop when its cycle ends: on it, a claim would never expire
for a dispatcher reading the wall, and a retry would wait for a day that never comes.

A claim marks rows ``sending`` until ``now + lease`` and names the claiming process
(:class:`~kinerja.models.store.processes.ProcessId`). Such a row is due again when its
lease has run out, or at once when its claimant is known dead (same host, pid gone or
reused); a live claimant's claim is respected. Delivery is therefore at-least-once: a
claimant killed after the relay accepted a message and before its outcome was committed
leaves the row ``sending``, and it is sent again. An outcome is ``sent``, a retry after
the configured backoff (:class:`~kinerja.models.schemas.config.NotificationConfig`), or
``dead`` at the end of that schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, false, or_, select, update
from sqlalchemy.orm import Session

from kinerja.models.schemas.config import NotificationConfig
from kinerja.models.store.processes import ProcessId, known_dead
from kinerja.models.store.tables import Notification

_N: Table = Notification.__table__  # type: ignore[assignment]


def claimed_by(process: ProcessId) -> ColumnElement[bool]:
    """Rows whose claim names ``process``."""
    return and_(
        _N.c.claimed_host == process.host,
        _N.c.claimed_pid == process.pid,
        _N.c.claimed_start == process.start,
    )


def dead_claimants(session: Session, *, now: datetime) -> list[ProcessId]:
    """Processes holding unexpired claims that are known dead (see ``known_dead``)."""
    holders = session.execute(
        select(_N.c.claimed_host, _N.c.claimed_pid, _N.c.claimed_start)
        .where(_N.c.status == "sending", _N.c.next_attempt_at > now)
        .distinct()
    ).all()
    out = []
    for host, pid, start in holders:
        process = ProcessId(host or "", pid or 0, start or "")
        if known_dead(process):
            out.append(process)
    return out


def abandoned(now: datetime, dead: Sequence[ProcessId]) -> ColumnElement[bool]:
    """``sending`` rows whose claim no longer stands: the lease ran out, or the claimant
    is one of ``dead``."""
    holder_gone = or_(*(claimed_by(p) for p in dead)) if dead else false()
    return and_(_N.c.status == "sending", or_(_N.c.next_attempt_at <= now, holder_gone))


def _due(now: datetime, dead: Sequence[ProcessId]) -> ColumnElement[bool]:
    waiting = and_(
        _N.c.status == "pending",
        or_(_N.c.next_attempt_at.is_(None), _N.c.next_attempt_at <= now),
    )
    return or_(waiting, abandoned(now, dead))


def claim_due(
    session: Session,
    *,
    now: datetime,
    limit: int,
    lease_seconds: float,
    claimant: ProcessId,
) -> list[dict[str, Any]]:
    """Mark up to ``limit`` due rows as ``sending`` by ``claimant`` until ``now + lease``,
    and return them.

    One UPDATE ... WHERE id IN (SELECT ...) RETURNING statement, atomic on SQLite; on
    PostgreSQL the rows are picked in a materialized CTE with FOR UPDATE SKIP LOCKED, so
    concurrent dispatchers take disjoint rows instead of waiting for each other. The
    caller commits.
    """
    due = _due(now, dead_claimants(session, now=now))
    pick = select(_N.c.id).where(due).order_by(_N.c.id).limit(limit)
    picked: Any = pick.scalar_subquery()
    if session.get_bind().dialect.name == "postgresql":
        # Materialized, so the rows are picked (and locked) once. As a plain IN subquery,
        # the planner may rescan it per candidate row (a nested-loop semi join): each rescan
        # skips the rows locked so far and yields another, and the UPDATE then takes every
        # due row, ignoring the limit.
        cte = pick.with_for_update(skip_locked=True).cte("picked").prefix_with("MATERIALIZED")
        picked = select(cte.c.id)
    stmt = (
        update(_N)
        .where(_N.c.id.in_(picked), due)
        .values(
            status="sending",
            next_attempt_at=now + timedelta(seconds=lease_seconds),
            last_attempt_at=now,
            claimed_host=claimant.host,
            claimed_pid=claimant.pid,
            claimed_start=claimant.start,
        )
        .returning(
            _N.c.id,
            _N.c.key,
            _N.c.cycle_id,
            _N.c.recipient_nip,
            _N.c.subject,
            _N.c.body,
            _N.c.attempts,
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
    retry: NotificationConfig,
    claimant: ProcessId,
) -> str:
    """Record what sending a claimed row gave; returns ``sent``, ``failed`` (to retry after
    ``retry.retry_delay(attempts)``) or ``dead`` (at ``retry.attempts_before_dead()``).

    Only a claim that still names ``claimant`` is updated: a dispatcher whose lease ran out
    and whose row another one took over records nothing over the other's claim.
    """
    attempts = row["attempts"] + 1
    if outcome == "sent":
        values: dict[str, Any] = dict(
            status="sent", sent_at=now, attempts=attempts, next_attempt_at=None, last_error=None
        )
    elif outcome == "retry" and attempts < retry.attempts_before_dead():
        values = dict(
            status="pending",
            attempts=attempts,
            next_attempt_at=now + timedelta(seconds=retry.retry_delay(attempts)),
            last_error=detail,
        )
        outcome = "failed"
    else:
        values = dict(status="dead", attempts=attempts, next_attempt_at=None, last_error=detail)
        outcome = "dead"
    session.execute(
        update(_N)
        .where(_N.c.id == row["id"], _N.c.status == "sending", claimed_by(claimant))
        .values(**values)
    )
    return outcome


def record_sent(session: Session, *, ids: Sequence[int], now: datetime, claimant: ProcessId) -> int:
    """Record several claimed rows as sent in one statement (see :func:`record_outcome`);
    returns the rows updated."""
    if not ids:
        return 0
    result = session.execute(
        update(_N)
        .where(_N.c.id.in_(list(ids)), _N.c.status == "sending", claimed_by(claimant))
        .values(
            status="sent",
            sent_at=now,
            attempts=_N.c.attempts + 1,
            next_attempt_at=None,
            last_error=None,
        )
    )
    return result.rowcount or 0


def release(session: Session, *, ids: Sequence[int], claimant: ProcessId) -> int:
    """Give back claims of ``claimant`` that got no outcome (a pass cut short by an
    error): the rows are due again at once, no attempt counted. Returns the rows released."""
    if not ids:
        return 0
    result = session.execute(
        update(_N)
        .where(_N.c.id.in_(list(ids)), _N.c.status == "sending", claimed_by(claimant))
        .values(status="pending", next_attempt_at=None)
    )
    return result.rowcount or 0
