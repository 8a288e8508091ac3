"""What an insider with write access to the database (and without the audit key) can do to
the audit log with plain SQL: rewrite events and recompute the chain from there on, with the
unkeyed formula or a key of their own, renumber after a deletion, move the head.

Used by the audit tests and the tampering reliability test.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select, text, update

from kinerja.models.audit.canonical import event_hash
from kinerja.models.audit.chain import GENESIS_HASH, HEAD_ID
from kinerja.models.audit.keys import AuditKey
from kinerja.models.store.tables import AuditEvent, AuditHead

KEEP = "keep"
"""``key_id=KEEP``: leave each event's recorded key id as it is."""


def rechain(
    engine: Engine,
    *,
    start: int = 1,
    key: AuditKey | None = None,
    key_id: str | None = KEEP,
    payloads: dict[int, Any] | None = None,
) -> None:
    """Recompute ``prev_hash`` and ``hash`` of every event from seq ``start`` on, as an
    insider would: with the unkeyed formula (``key=None``) or their own ``key``; ``key_id``
    is what the rows then claim (KEEP, None for "unkeyed", or any id). ``payloads`` replaces
    the payload of the events it names first. The head follows the new last event.
    """
    t = AuditEvent.__table__
    with engine.begin() as conn:
        for seq, payload in (payloads or {}).items():
            conn.execute(update(t).where(t.c.seq == seq).values(payload=payload))
        prev = conn.scalar(select(t.c.hash).where(t.c.seq < start).order_by(t.c.seq.desc()))
        prev = prev or GENESIS_HASH
        rows = conn.execute(select(t).where(t.c.seq >= start).order_by(t.c.seq)).all()
        for row in rows:
            claimed = row.key_id if key_id == KEEP else key_id
            # The insider's hash is computed as the content says: with the id the row claims
            # when they sign with a key, without one for the unkeyed formula.
            signer = None if key is None else AuditKey(claimed or key.key_id, key.secret)
            digest = event_hash(
                prev_hash=prev,
                seq=row.seq,
                at=row.at,
                actor=row.actor,
                action=row.action,
                cycle_id=row.cycle_id,
                entity=row.entity,
                entity_id=row.entity_id,
                payload=row.payload,
                key=signer,
            )
            conn.execute(
                update(t)
                .where(t.c.seq == row.seq)
                .values(prev_hash=prev, hash=digest, key_id=claimed)
            )
            prev = digest
        last = conn.execute(select(t.c.seq, t.c.hash).order_by(t.c.seq.desc()).limit(1)).first()
        head = AuditHead.__table__
        conn.execute(
            update(head)
            .where(head.c.id == HEAD_ID)
            .values(seq=last.seq if last else 0, hash=last.hash if last else GENESIS_HASH)
        )


def delete_and_renumber(engine: Engine, *, seq: int) -> None:
    """Delete event ``seq`` and move every later event down by one, so seq has no gap."""
    t = AuditEvent.__table__
    with engine.begin() as conn:
        conn.execute(t.delete().where(t.c.seq == seq))
        later = conn.scalars(select(t.c.seq).where(t.c.seq > seq).order_by(t.c.seq)).all()
        for s in later:  # one by one, ascending: the primary key never collides
            conn.execute(update(t).where(t.c.seq == s).values(seq=s - 1))


def truncate(engine: Engine, *, keep: int) -> None:
    """Delete every event after seq ``keep`` and point the head at seq ``keep``."""
    t = AuditEvent.__table__
    with engine.begin() as conn:
        conn.execute(t.delete().where(t.c.seq > keep))
        last = conn.execute(select(t.c.seq, t.c.hash).where(t.c.seq == keep)).first()
        conn.execute(
            text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = :i"),
            {"s": last.seq, "h": last.hash, "i": HEAD_ID},
        )


def append_forged(engine: Engine, *, key: AuditKey | None, key_id: str | None, **event: Any) -> int:
    """Insert one event after the head, chained with the unkeyed formula or ``key``, and move
    the head; returns its seq."""
    t = AuditEvent.__table__
    with engine.begin() as conn:
        head = conn.execute(
            select(AuditHead.__table__).where(AuditHead.__table__.c.id == HEAD_ID)
        ).one()
        row = {
            "seq": head.seq + 1,
            "at": event["at"],
            "actor": event.get("actor", "system"),
            "action": event.get("action", "result.incentive"),
            "cycle_id": event.get("cycle_id"),
            "entity": event.get("entity", "result"),
            "entity_id": event.get("entity_id", "0"),
            "payload": event.get("payload", {}),
            "prev_hash": head.hash,
            "key_id": key_id,
        }
        signer = None if key is None else AuditKey(key_id or key.key_id, key.secret)
        row["hash"] = event_hash(
            prev_hash=head.hash,
            key=signer,
            **{k: row[k] for k in ("seq", "at", "actor", "action", "cycle_id", "entity")},
            entity_id=row["entity_id"],
            payload=row["payload"],
        )
        conn.execute(t.insert().values(**row))
        conn.execute(
            update(AuditHead.__table__)
            .where(AuditHead.__table__.c.id == HEAD_ID)
            .values(seq=row["seq"], hash=row["hash"])
        )
    return row["seq"]
