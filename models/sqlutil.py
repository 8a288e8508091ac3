"""Portable bulk writes: INSERT ... ON CONFLICT on SQLite and PostgreSQL, in batches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

BATCH = 2000


def _insert_for(session: Session, table: Table) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database dialect {name!r}")


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def upsert(
    session: Session,
    *,
    table: Table,
    rows: Iterable[dict[str, Any]],
    keys: Sequence[str],
    update: Sequence[str] | None = None,
    batch_size: int = BATCH,
) -> int:
    """Insert rows, updating ``update`` columns (default: all non-key columns) on conflict.

    Returns the number of rows written.
    """
    count = 0
    for batch in _batches(rows, batch_size):
        stmt = _insert_for(session, table)
        cols = update if update is not None else [c for c in batch[0] if c not in keys]
        if cols:
            stmt = stmt.on_conflict_do_update(
                index_elements=list(keys), set_={c: stmt.excluded[c] for c in cols}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
        session.execute(stmt, batch)
        count += len(batch)
    return count


def insert_ignore(
    session: Session,
    *,
    table: Table,
    rows: Iterable[dict[str, Any]],
    keys: Sequence[str],
    batch_size: int = BATCH,
) -> int:
    """Insert rows, skipping those whose ``keys`` already exist. Returns rows newly inserted."""
    count = 0
    for batch in _batches(rows, batch_size):
        stmt = (
            _insert_for(session, table)
            .on_conflict_do_nothing(index_elements=list(keys))
            .returning(*(table.c[k] for k in keys))
        )
        # RETURNING gives one row per row inserted; rowcount is -1 on psycopg executemany
        count += len(session.execute(stmt, batch).all())
    return count
