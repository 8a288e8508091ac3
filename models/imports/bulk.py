"""Upserts of a batch of rows: INSERT ... ON CONFLICT DO UPDATE on SQLite and PostgreSQL.

SQLite takes a Core executemany. On PostgreSQL an executemany runs one statement per row,
so a batch is instead copied (COPY) into a temporary staging table and upserted from there
with one statement, the fastest way PostgreSQL offers to load many rows.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Table,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session


def upsert(
    session: Session, *, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]]
) -> int:
    """Insert ``rows`` (all with the same columns), updating their non-key columns on
    conflict with ``keys``; columns absent from the rows keep their stored value and take
    the column default on insert. Returns the number of rows sent."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        _upsert_postgresql(session, table, keys, rows)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
        update = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
        if update:
            stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=update)
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
        session.execute(stmt, rows)
    else:
        raise NotImplementedError(f"unsupported database dialect {dialect!r}")
    return len(rows)


def _default(column: Column[Any]) -> Any:
    # Python-side defaults (``default="proposed"``) are applied by SQLAlchemy's own INSERT,
    # not by the database; a hand-written statement must supply them.
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return default.arg(None)
    return None


def _upsert_postgresql(
    session: Session, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    given = list(rows[0])
    filled = [c.name for c in table.columns if c.name not in rows[0] and c.default is not None]
    defaults = tuple(_default(table.c[name]) for name in filled)
    json_columns = {n for n in given if isinstance(table.c[n].type, JSON)}
    connection = session.connection()  # joins the session's transaction
    quote = connection.dialect.identifier_preparer.quote
    target, staging = quote(table.name), quote(f"import_{table.name}")
    columns = ", ".join(quote(n) for n in given + filled)
    updates = ", ".join(f"{quote(n)} = EXCLUDED.{quote(n)}" for n in given if n not in keys)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    # The staging table lives until the transaction ends, so a rollback leaves nothing.
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {target}) ON COMMIT DROP"
    )
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(f"TRUNCATE {staging}")
        with cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = tuple(
                    json.dumps(row[n]) if n in json_columns and row[n] is not None else row[n]
                    for n in given
                )
                copy.write_row(values + defaults)
        cursor.execute(
            f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {staging}"
            f" ON CONFLICT ({', '.join(quote(k) for k in keys)}) {action}"
        )
    finally:
        cursor.close()
