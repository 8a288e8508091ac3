"""Verifying the audit log: recompute the whole chain and report every altered, missing or
inserted event, and a deleted tail (``kinerja audit verify``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.audit.chain import EVENT_FIELDS, GENESIS_HASH, HEAD_ID, event_hash
from kinerja.models.store.tables import AuditEvent, AuditHead

# --- verification -----------------------------------------------------------------------------


@dataclass
class VerifyReport:
    """The outcome of :func:`verify`: ``problems`` name the seq and what is wrong."""

    ok: bool
    events: int
    problems: list[str] = field(default_factory=list)


def verify(session: Session, *, max_problems: int = 1000, batch: int = 5000) -> VerifyReport:
    """Recompute the whole chain and report every altered, missing or inserted event.

    Streams the events in seq order (memory stays flat). Checks, per event: its hash against
    its content, its ``prev_hash`` against the previous event's hash, and gaps in seq (a
    deleted event); then the head against the last event (a deleted tail). At most
    ``max_problems`` problems are listed; a last line counts the rest.
    """
    problems: list[str] = []
    extra = 0

    def report(message: str) -> None:
        nonlocal extra
        if len(problems) < max_problems:
            problems.append(message)
        else:
            extra += 1

    columns = [
        AuditEvent.__table__.c[name] for name in (*EVENT_FIELDS, "seq", "at", "prev_hash", "hash")
    ]
    stmt = select(*columns).order_by(AuditEvent.__table__.c.seq).execution_options(yield_per=batch)
    count = 0
    last_seq, last_hash = 0, GENESIS_HASH
    for row in session.execute(stmt):
        count += 1
        if row.seq != last_seq + 1:
            missing = (
                f"{last_seq + 1}" if row.seq == last_seq + 2 else f"{last_seq + 1}-{row.seq - 1}"
            )
            report(
                f"seq {row.seq}: event seq {missing} hilang (dihapus?) / "
                f"event seq {missing} missing (deleted?)"
            )
        if row.prev_hash != last_hash:
            report(
                f"seq {row.seq}: prev_hash tidak cocok dengan hash event sebelumnya (seq "
                f"{last_seq}) / prev_hash does not match the previous event's hash (seq {last_seq})"
            )
        expected = event_hash(
            prev_hash=row.prev_hash,
            seq=row.seq,
            at=row.at,
            actor=row.actor,
            action=row.action,
            cycle_id=row.cycle_id,
            entity=row.entity,
            entity_id=row.entity_id,
            payload=row.payload,
        )
        if expected != row.hash:
            report(
                f"seq {row.seq}: isi event diubah (hash tidak cocok) / "
                f"event content altered (hash mismatch)"
            )
        last_seq, last_hash = row.seq, row.hash

    head = session.execute(
        select(AuditHead.__table__.c.seq, AuditHead.__table__.c.hash).where(
            AuditHead.__table__.c.id == HEAD_ID
        )
    ).first()
    if head is None:
        if count:
            report(
                f"seq {last_seq}: baris kepala (audit_head) tidak ada / "
                "the head row (audit_head) is missing"
            )
    elif head.seq != last_seq:
        report(
            f"seq {head.seq}: kepala rantai menunjuk seq {head.seq}, event terakhir seq "
            f"{last_seq} (event terakhir dihapus?) / the head names seq {head.seq}, the last "
            f"event is seq {last_seq} (events deleted at the end?)"
        )
    elif head.hash != last_hash:
        report(
            f"seq {last_seq}: hash kepala rantai tidak cocok dengan event terakhir / "
            "the head's hash does not match the last event"
        )
    if extra:
        problems.append(f"... {extra} masalah lain / {extra} more problems")
    return VerifyReport(ok=not problems, events=count, problems=problems)
