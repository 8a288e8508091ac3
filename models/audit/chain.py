"""The audit log: append-only, hash-chained events, each signed with a key kept outside the
database.

Every response, override, computed result and publication writes an event in the caller's
transaction. Each event stores the hash of the previous event (``prev_hash``), the id of the
key that signed it (``key_id``, see :mod:`kinerja.models.audit.keys`) and its own
``hash = HMAC-SHA256(key, prev_hash + canonical JSON of the event)``, the key id included. So
changing, inserting or deleting any event breaks the chain where it happened, and someone
who can write to the database but does not hold the key cannot compute a hash that
verifies (:mod:`kinerja.models.audit.verify`). The single ``audit_head`` row holds the last
``seq`` and hash; appending locks it, which keeps the chain linear across concurrent
writers.

Events written before keys existed have no ``key_id``: their hash is the plain
``sha256(prev_hash + canonical JSON)``, which anyone can recompute. They still verify, as
what they are (see verify.py); the first keyed event after them seals them, because its
keyed hash covers their last hash.

What is hashed is the event's canonical JSON (:mod:`kinerja.models.audit.canonical`); the
payload is stored in that normalised form, so what is read back is exactly what was hashed.

Example::

    with session_scope(engine) as session:
        append_event(session, actor="196501011990031001", action="respond",
                     entity="human_task", entity_id="42", payload={"decision": "approve"},
                     cycle_id="2025", at=clock.now())
    with session_scope(engine) as session:
        report = verify(session)   # report.ok, report.events, report.problems
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from kinerja.models.audit.canonical import (
    compact_json,
    content_text,
    normalize,
)
from kinerja.models.audit.keys import AuditKey, Keyring, signing_keyring
from kinerja.models.store.bulk import executemany
from kinerja.models.store.tables import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first event."""

HEAD_ID = 1
"""The primary key of the single ``audit_head`` row."""

EVENT_FIELDS = frozenset({"actor", "action", "entity", "entity_id", "payload", "cycle_id"})
_REQUIRED_FIELDS = EVENT_FIELDS - {"cycle_id"}

_EVENTS = AuditEvent.__table__
_HEAD = AuditHead.__table__


class _JSONText(TypeDecorator[str]):
    """A JSON column bound from its JSON text as it is: the chain has encoded it already."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


_INSERT = insert(_EVENTS).values(payload=bindparam("payload_text", type_=_JSONText()))


def _naive_utc(at: datetime) -> datetime:
    # The database keeps naive UTC (models/store/clock.py); an aware time is converted, not
    # truncated, so the stored value is the hashed value on every backend.
    if at.tzinfo is not None:
        return at.astimezone(UTC).replace(tzinfo=None)
    return at


# --- appending --------------------------------------------------------------------------------


def _lock_head(session: Session) -> tuple[int, str]:
    """The head's (seq, hash), locked until the caller's transaction ends.

    The head row is created (seq 0, genesis hash) when missing, without failing if another
    writer creates it at the same moment.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # Write first: the INSERT takes SQLite's write lock before the head is read, so two
        # writers cannot both read the same head (SQLite has no SELECT ... FOR UPDATE).
        session.execute(
            sqlite.insert(_HEAD)
            .values(id=HEAD_ID, seq=0, hash=GENESIS_HASH)
            .on_conflict_do_nothing()
        )
    stmt = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
    row = session.execute(stmt).first()
    if row is None:
        if dialect == "postgresql":
            session.execute(
                postgresql.insert(_HEAD)
                .values(id=HEAD_ID, seq=0, hash=GENESIS_HASH)
                .on_conflict_do_nothing()
            )
        else:
            try:
                with session.begin_nested():
                    session.execute(insert(_HEAD).values(id=HEAD_ID, seq=0, hash=GENESIS_HASH))
            except IntegrityError:
                pass  # another writer created it; the SELECT below waits for its lock
        row = session.execute(stmt).one()
    return row.seq, row.hash


def _set_head(session: Session, *, seq: int, hash_: str) -> None:
    session.execute(update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(seq=seq, hash=hash_))


def _chain(
    events: Iterable[Mapping[str, Any]],
    *,
    head_seq: int,
    head_hash: str,
    at: datetime,
    key: AuditKey,
) -> list[dict[str, Any]]:
    """Rows for ``events`` chained after the head, each with its seq, prev_hash, key id and
    hash (signed with ``key``), and ``payload_text``: the payload's canonical JSON, the text
    that is stored."""
    rows: list[dict[str, Any]] = []
    seq, prev = head_seq, head_hash
    at_text = at.isoformat()
    for index, event in enumerate(events):
        unknown = set(event) - EVENT_FIELDS
        missing = _REQUIRED_FIELDS - set(event)
        if unknown or missing:
            raise ValueError(
                f"audit event {index}: unknown fields {sorted(unknown)}, "
                f"missing fields {sorted(missing)}"
            )
        seq += 1
        payload = normalize(event["payload"])
        row = {
            "seq": seq,
            "at": at,
            "actor": event["actor"],
            "action": event["action"],
            "cycle_id": event.get("cycle_id"),
            "entity": event["entity"],
            "entity_id": str(event["entity_id"]),
            "payload": payload,
            "payload_text": compact_json(payload),
            "prev_hash": prev,
            "key_id": key.key_id,
        }
        content = content_text(row, at_text)
        row["hash"] = prev = key.mac((prev + content).encode("utf-8"))
        rows.append(row)
    return rows


def append_event(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    payload: dict,
    cycle_id: str | None = None,
    at: datetime,
    keyring: Keyring | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction and return it (flushed).

    Signed with ``keyring``'s signing key (default: :func:`signing_keyring`, from the
    environment). The head stays locked until the caller commits, so keep the transaction
    short.
    """
    key = (keyring or signing_keyring()).signing
    at = _naive_utc(at)
    head_seq, head_hash = _lock_head(session)
    (row,) = _chain(
        [
            {
                "actor": actor,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "payload": payload,
                "cycle_id": cycle_id,
            }
        ],
        head_seq=head_seq,
        head_hash=head_hash,
        at=at,
        key=key,
    )
    row.pop("payload_text")
    event = AuditEvent(**row)
    session.add(event)
    session.flush()
    _set_head(session, seq=row["seq"], hash_=row["hash"])
    return event


def append_many(
    session: Session, *, events: list[dict], at: datetime, keyring: Keyring | None = None
) -> int:
    """Append a batch of events (dicts with the fields of :func:`append_event` but ``at``).

    One head lock, the chain computed and signed in Python, one bulk insert; returns the
    number of events written. All events of the batch carry the same ``at``.
    """
    if not events:
        return 0
    queued = session.info.get(_QUEUED)
    if queued is not None:  # inside appends_at_the_end: chained when the block ends
        queued.append((list(events), at, keyring))
        return len(events)
    key = (keyring or signing_keyring()).signing
    at = _naive_utc(at)
    head_seq, head_hash = _lock_head(session)
    rows = _chain(events, head_seq=head_seq, head_hash=head_hash, at=at, key=key)
    executemany(session, _INSERT, rows)  # the payload from its text: see _INSERT
    _set_head(session, seq=rows[-1]["seq"], hash_=rows[-1]["hash"])
    return len(rows)


_QUEUED = "kinerja.audit.queued"


@contextmanager
def appends_at_the_end(session: Session) -> Iterator[None]:
    """Within the block, :func:`append_many` queues its batches instead of appending them;
    they are appended, in the order queued and each with its own ``at``, when the block ends
    without an error (the caller's transaction still open, so they commit with it).

    The events and their order are the same; only the head's lock is taken at the end of
    the transaction instead of in its middle, so that parallel transactions (a stage's
    chunks on several workers) hold it for the time of the appends, not of their work.
    """
    if _QUEUED in session.info:
        yield
        return
    session.info[_QUEUED] = []
    try:
        yield
        queued = session.info.pop(_QUEUED)
        for events, at, keyring in queued:
            append_many(session, events=events, at=at, keyring=keyring)
    finally:
        session.info.pop(_QUEUED, None)
