"""Rows that need a person: dead ones (ops are told once) and stuck ones, and re-queueing
them by an operator (``kinerja notify retry``).

A row is *stuck* when it is ``sending`` but its claim no longer stands (the lease ran out
on the wall clock, or its claimant is known dead: see :mod:`kinerja.models.outbox.claims`);
the next dispatcher pass takes it again by itself. A ``dead`` row is never tried again
until an operator re-queues it; re-queueing gives it a fresh series of attempts, is written
to the audit log, and a row that dies again is announced again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, or_, select, update
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_event
from kinerja.models.outbox.claims import abandoned, dead_claimants
from kinerja.models.outbox.templates import KINDS
from kinerja.models.store.tables import Cycle, Notification

_N: Table = Notification.__table__  # type: ignore[assignment]

RETRY_STATUSES: tuple[str, ...] = ("dead", "sending")
"""What an operator may re-queue: dead rows, and ``sending`` rows whose claim is stuck."""


class RetryFilterError(ValueError):
    """A filter of ``notify retry`` names something that does not exist."""


def stuck(session: Session, *, now: datetime) -> ColumnElement[bool]:
    """``sending`` rows whose claim no longer stands, as seen from this process at ``now``
    (wall clock)."""
    return abandoned(now, dead_claimants(session, now=now))


def stuck_rows(
    session: Session, *, now: datetime, limit: int = 100, cycle_id: str | None = None
) -> list[dict[str, Any]]:
    """Stuck rows (of one cycle if given), oldest first: id, key, recipient, kind, claimant,
    lease end."""
    where = [stuck(session, now=now)]
    if cycle_id is not None:
        where.append(_N.c.cycle_id == cycle_id)
    rows = session.execute(
        select(
            _N.c.id,
            _N.c.key,
            _N.c.recipient_nip,
            _N.c.kind,
            _N.c.claimed_host,
            _N.c.claimed_pid,
            _N.c.next_attempt_at,
        )
        .where(*where)
        .order_by(_N.c.id)
        .limit(limit)
    ).all()
    return [
        {
            "id": r.id,
            "key": r.key,
            "recipient": r.recipient_nip,
            "kind": r.kind,
            "claimed_by": f"{r.claimed_host or '?'}:{r.claimed_pid or '?'}",
            "lease_until": r.next_attempt_at,
        }
        for r in rows
    ]


def announce_dead(
    session: Session,
    *,
    now: datetime,
    announce: Callable[[dict[str, Any]], bool],
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Announce, once each, up to ``limit`` dead rows whose death ops have not heard of;
    returns the rows announced.

    The rows are marked first (``dead_alerted_at``), ``announce(row)`` is called for each,
    and a row it returns False for is unmarked. Runs in the caller's transaction, to be
    committed after the announcements: a crash in between rolls the marks back and the rows
    are announced again (an alert may repeat, never go missing). The marking UPDATE locks
    the rows (PostgreSQL) or the database (SQLite) until the commit, so two callers never
    announce the same row. A row carries id, key, cycle_id, kind, recipient_nip, attempts
    and last_error.
    """
    pick = (
        select(_N.c.id)
        .where(_N.c.status == "dead", _N.c.dead_alerted_at.is_(None))
        .order_by(_N.c.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(_N)
        .where(_N.c.id.in_(pick.scalar_subquery()), _N.c.dead_alerted_at.is_(None))
        .values(dead_alerted_at=now)
        .returning(
            _N.c.id,
            _N.c.key,
            _N.c.cycle_id,
            _N.c.kind,
            _N.c.recipient_nip,
            _N.c.attempts,
            _N.c.last_error,
        )
    )
    rows = sorted((dict(r._mapping) for r in session.execute(stmt)), key=lambda r: r["id"])
    announced = [row for row in rows if announce(row)]
    silent = [row["id"] for row in rows if row not in announced]
    if silent:
        session.execute(update(_N).where(_N.c.id.in_(silent)).values(dead_alerted_at=None))
    return announced


@dataclass(frozen=True)
class RetryFilter:
    """Which rows ``notify retry`` re-queues: every criterion given must hold.

    ``statuses`` are among :data:`RETRY_STATUSES` (``sending`` means stuck ones only);
    ``since`` is compared with the start of a row's last attempt (naive UTC).
    """

    cycle_id: str | None = None
    kind: str | None = None
    statuses: tuple[str, ...] = RETRY_STATUSES
    since: datetime | None = None

    def describe(self) -> dict[str, Any]:
        """The filters as given, for the audit log."""
        return {
            "cycle": self.cycle_id,
            "kind": self.kind,
            "status": list(self.statuses),
            "since": self.since.isoformat() if self.since else None,
        }

    def check(self, session: Session) -> None:
        """Raise :class:`RetryFilterError` naming the first filter that cannot match."""
        unknown = [s for s in self.statuses if s not in RETRY_STATUSES]
        if unknown or not self.statuses:
            named = ", ".join(unknown) or "-"
            raise RetryFilterError(
                f"status tidak dikenal: {named} (pilihan: dead, sending)"
                f" / unknown status: {named} (choose from: dead, sending)"
            )
        if self.kind is not None and self.kind not in KINDS:
            raise RetryFilterError(
                f"jenis pesan tidak dikenal {self.kind!r} / unknown message kind {self.kind!r};"
                f" kinds: {', '.join(KINDS)}"
            )
        if self.cycle_id is not None and session.get(Cycle, self.cycle_id) is None:
            raise RetryFilterError(
                f"siklus {self.cycle_id!r} tidak ada / no cycle {self.cycle_id!r}"
            )


def requeue(
    session: Session, *, selection: RetryFilter, now: datetime, actor: str
) -> dict[str | None, list[int]]:
    """Put the selected dead and stuck rows back in the queue, due at once with a fresh
    series of attempts, and record one audit event per cycle touched (action
    ``notifications.requeue``). Runs in the caller's transaction; returns the ids re-queued
    by cycle. ``now`` is the wall clock (stuck is judged on it; the audit event's time)."""
    selection.check(session)
    which: list[ColumnElement[bool]] = []
    if "dead" in selection.statuses:
        which.append(_N.c.status == "dead")
    if "sending" in selection.statuses:
        which.append(stuck(session, now=now))
    where = [or_(*which)]
    if selection.cycle_id is not None:
        where.append(_N.c.cycle_id == selection.cycle_id)
    if selection.kind is not None:
        where.append(_N.c.kind == selection.kind)
    if selection.since is not None:
        where.append(_N.c.last_attempt_at >= selection.since)
    updated = session.execute(
        update(_N)
        .where(and_(*where))
        .values(status="pending", attempts=0, next_attempt_at=None, dead_alerted_at=None)
        .returning(_N.c.id, _N.c.cycle_id)
    ).all()
    by_cycle: dict[str | None, list[int]] = defaultdict(list)
    for row_id, cycle_id in updated:
        by_cycle[cycle_id].append(row_id)
    for cycle_id, ids in sorted(by_cycle.items(), key=lambda item: item[0] or ""):
        ids.sort()
        append_event(
            session,
            actor=actor,
            action="notifications.requeue",
            cycle_id=cycle_id,
            entity="notifications",
            entity_id=cycle_id or "-",
            payload={"filters": selection.describe(), "count": len(ids), "ids": ids},
            at=now,
        )
    return dict(by_cycle)
