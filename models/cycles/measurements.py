"""Realisation per target and period: one value stands, the later write wins, the earlier
ones stay in the history.

An employee's own report (a ``report_realisation`` answer) and an imported metrics.csv row
may name the same target and period. Neither is replaced silently: whichever comes later
stands, the value it replaced is kept in ``measurement_revisions`` with who wrote it and
when, and a ``measurement.replace`` audit event records both. Writing the same value again
changes nothing, so a rerun of an import is no revision. ``kinerja explain`` shows the
history (:func:`history`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.store.bulk import pairs_in, upsert
from kinerja.models.store.tables import Measurement, MeasurementRevision

BATCH = 5000
"""Rows per read of the standing values: one query per period among them, each well within
the parameters a statement may hold (:data:`~kinerja.models.store.bulk.IN_LIST`)."""


def record(
    session: Session,
    *,
    cycle_id: str,
    rows: Sequence[dict[str, Any]],
    source: str,
    by: str | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """Write ``rows`` (``target_id``, ``period``, ``value``, ``evidence``, and optionally
    ``by``, who recorded it, else ``by``) as the values that stand; returns the audit events
    of the values they replaced (the caller appends them)."""
    events: list[dict[str, Any]] = []
    for start in range(0, len(rows), BATCH):
        events += _record_batch(
            session, cycle_id, rows[start : start + BATCH], source=source, by=by, now=now
        )
    return events


def _record_batch(
    session: Session,
    cycle_id: str,
    rows: Sequence[dict[str, Any]],
    *,
    source: str,
    by: str | None,
    now: datetime,
) -> list[dict[str, Any]]:
    m = Measurement
    keys = [(r["target_id"], r["period"]) for r in rows]
    standing = {
        (row.target_id, row.period): row
        for where in pairs_in(m.period, m.target_id, [(k[1], k[0]) for k in keys])
        for row in session.execute(
            select(
                m.target_id, m.period, m.value, m.evidence, m.source, m.recorded_by, m.recorded_at
            ).where(m.cycle_id == cycle_id, where)
        )
    }
    writes, revisions, events = [], [], []
    for r in rows:
        key = (r["target_id"], r["period"])
        old = standing.get(key)
        evidence = r.get("evidence")
        if old is not None and (old.value, old.evidence) == (r["value"], evidence):
            continue  # the same value again: nothing to record
        who = r.get("by", by)
        writes.append(
            {
                "cycle_id": cycle_id,
                "target_id": key[0],
                "period": key[1],
                "value": r["value"],
                "evidence": evidence,
                "source": source,
                "recorded_by": who,
                "recorded_at": now,
            }
        )
        if old is None:
            continue
        revisions.append(
            {
                "cycle_id": cycle_id,
                "target_id": key[0],
                "period": key[1],
                "value": old.value,
                "evidence": old.evidence,
                "source": old.source,
                "recorded_by": old.recorded_by,
                "recorded_at": old.recorded_at,
                "replaced_at": now,
                "replaced_by_source": source,
            }
        )
        events.append(
            {
                "actor": who or source,
                "action": "measurement.replace",
                "cycle_id": cycle_id,
                "entity": "measurement",
                "entity_id": f"{key[0]}/{key[1]}",
                "payload": {
                    "old": {"value": old.value, "source": old.source, "by": old.recorded_by},
                    "new": {"value": r["value"], "source": source, "by": who},
                },
            }
        )
    if revisions:
        session.execute(MeasurementRevision.__table__.insert(), revisions)
    if writes:
        upsert(
            session,
            table=Measurement.__table__,
            rows=writes,
            keys=["cycle_id", "target_id", "period"],
        )
    return events


def history(session: Session, *, cycle_id: str, target_ids: Sequence[str]) -> dict[str, list[str]]:
    """Per target, its periods' values as lines, each standing value with the ones it
    replaced: ``2026-03: 12 (report, A-1, 2026-04-03 09:00) replaced 10 (import, ...)``."""
    if not target_ids:
        return {}
    replaced: dict[tuple[str, str], list[MeasurementRevision]] = {}
    for rev in session.scalars(
        select(MeasurementRevision)
        .where(
            MeasurementRevision.cycle_id == cycle_id,
            MeasurementRevision.target_id.in_(target_ids),
        )
        .order_by(MeasurementRevision.id.desc())
    ):
        replaced.setdefault((rev.target_id, rev.period), []).append(rev)
    out: dict[str, list[str]] = {}
    for m in session.scalars(
        select(Measurement)
        .where(Measurement.cycle_id == cycle_id, Measurement.target_id.in_(target_ids))
        .order_by(Measurement.target_id, Measurement.period)
    ):
        line = f"{m.period}: {_value(m.value)} ({_who(m.source, m.recorded_by, m.recorded_at)})"
        for rev in replaced.get((m.target_id, m.period), []):
            line += (
                f" replaced {_value(rev.value)}"
                f" ({_who(rev.source, rev.recorded_by, rev.recorded_at)})"
            )
        out.setdefault(m.target_id, []).append(line)
    return out


def _value(value: float | None) -> str:
    return "-" if value is None else f"{value:.15g}"


def _who(source: str | None, by: str | None, at: datetime | None) -> str:
    parts = [source or "import", *([by] if by else []), *([f"{at:%Y-%m-%d %H:%M}"] if at else [])]
    return ", ".join(parts)
