"""Portable bulk writes: INSERT ... ON CONFLICT on SQLite and PostgreSQL, in batches.

SQLite takes the driver's executemany (:func:`executemany`). On PostgreSQL an executemany
runs one statement per row, so an upsert of a batch is instead copied (COPY) into a
temporary staging table and upserted from there with one statement, the fastest way
PostgreSQL offers to load rows.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Column, ColumnElement, Table, and_, bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

BATCH = 2000

IN_LIST = 5000
"""Values per ``IN (...)`` list: well under SQLite's and PostgreSQL's parameter limits."""


def in_lists(values: Sequence[Any]) -> list[Sequence[Any]]:
    """``values`` cut into parts of at most :data:`IN_LIST`, for ``column.in_(part)``."""
    return [values[i : i + IN_LIST] for i in range(0, len(values), IN_LIST)]


def pairs_in(
    group: ColumnElement[Any], column: ColumnElement[Any], pairs: Iterable[tuple[Any, Any]]
) -> list[ColumnElement[bool]]:
    """Conditions that together match exactly ``pairs`` of (``group``, ``column``) values: one
    per ``group`` value and part of at most :data:`IN_LIST` ``column`` values. A composite
    index holding both columns serves each; a row-value ``IN`` of the pairs makes SQLite read
    every row that matches the columns before them. Choose the column with fewer distinct
    values as ``group`` (a period, say)."""
    by_group: dict[Any, set[Any]] = defaultdict(set)
    for first, second in pairs:
        by_group[first].add(second)
    return [
        and_(group == value, column.in_(part))
        for value, values in sorted(by_group.items())
        for part in in_lists(sorted(values))
    ]


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
    """Insert rows, updating ``update`` columns (default: all given non-key columns) on conflict.

    Every row of one call has the same columns. Columns absent from the rows keep their
    stored value, and take the column default on insert (a callable default is called once
    per batch, as :func:`executemany` does). Returns the number of rows written.
    """
    count = 0
    dialect = session.get_bind().dialect.name
    postgresql_copy = dialect == "postgresql" and update is None
    for batch in _batches(rows, batch_size):
        if postgresql_copy:
            _upsert_postgresql(session, table, tuple(keys), batch)
            count += len(batch)
            continue
        cols = update if update is not None else [c for c in batch[0] if c not in keys]
        stmt = _upsert_statement(dialect, table, tuple(keys), tuple(cols))
        count += executemany(session, stmt, batch)
    return count


@cache
def _upsert_statement(
    dialect: str, table: Table, keys: tuple[str, ...], columns: tuple[str, ...]
) -> Any:
    """INSERT ... ON CONFLICT (``keys``) setting ``columns``, or doing nothing without them;
    one object per shape, so that :func:`executemany` compiles it once."""
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        stmt = sqlite.insert(table)
    else:
        raise NotImplementedError(f"unsupported database dialect {dialect!r}")
    if columns:
        return stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns}
        )
    return stmt.on_conflict_do_nothing(index_elements=list(keys))


def bulk_update(
    session: Session,
    *,
    table: Table,
    keys: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    entity: type | None = None,
) -> int:
    """Set ``columns`` of the rows matched by ``keys``, one executemany (:func:`executemany`).
    Without ``columns`` each row sets the columns it gives besides its keys, one executemany
    per set of columns. With ``entity`` (the table's mapped class; ``keys`` its primary key)
    the session's loaded objects of these rows take the values written
    (:func:`sync_loaded`). Returns rows sent."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        cols = tuple(columns) if columns is not None else tuple(c for c in r if c not in keys)
        groups[cols].append({**{f"b_{k}": r[k] for k in keys}, **{c: r[c] for c in cols}})
    for cols, params in groups.items():
        executemany(session, _update_statement(table, tuple(keys), cols), params)
    if entity is not None:
        sync_loaded(session, entity, keys, rows)
    return len(rows)


def sync_loaded(
    session: Session, entity: type, keys: Sequence[str], rows: Iterable[Mapping[str, Any]]
) -> None:
    """Give the session's loaded objects of ``entity`` (matched by their primary key
    ``keys``) the values ``rows`` wrote past the ORM, as if loaded again: a caller that holds
    one never reads a stale value."""
    mapped = identity_key(entity, (None,) * len(keys))[0]  # the class identities name
    held = {
        identity[1]: obj for identity, obj in session.identity_map.items() if identity[0] is mapped
    }
    if not held:
        return
    for row in rows:
        loaded = held.get(tuple(row[k] for k in keys))
        if loaded is not None:
            for name, value in row.items():
                if name not in keys:
                    set_committed_value(loaded, name, value)


@cache
def _update_statement(table: Table, keys: tuple[str, ...], columns: tuple[str, ...]) -> Any:
    return (
        update(table)
        .where(*(table.c[k] == bindparam(f"b_{k}") for k in keys))
        .values({c: bindparam(c) for c in columns})
    )


_COMPILED: dict[tuple[Any, str, tuple[str, ...]], Any] = {}


def executemany(session: Session, stmt: Any, rows: Sequence[Mapping[str, Any]]) -> int:
    """``session.execute(stmt, rows)`` for a Core INSERT or UPDATE of thousands of rows: the
    values converted by the columns' types as SQLAlchemy converts them, then handed to the
    driver's executemany directly, without SQLAlchemy's parameter building per row (which
    costs more than the database's own work). Every row has the same keys; an INSERT's
    columns left out take their Python-side defaults. The statement is compiled once per
    dialect and key set. Returns the number of rows sent."""
    if not rows:
        return 0
    connection = session.connection()  # joins the session's transaction
    dialect = connection.dialect
    keys = tuple(rows[0])
    compiled = _COMPILED.get((stmt, dialect.name, keys))
    if compiled is None:
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys))
        _COMPILED[(stmt, dialect.name, keys)] = compiled
    names = compiled.positiontup if dialect.positional else list(compiled.binds)
    missing = [n for n in names if n not in keys]
    if missing:
        rows = [{**r, **_defaults(stmt, missing)} for r in rows]
    convert = compiled._bind_processors  # name -> the type's conversion, where it has one
    get = itemgetter(*names) if len(names) > 1 else lambda r: (r[names[0]],)
    converted = [(i, convert[n]) for i, n in enumerate(names) if n in convert]
    params: list[Any] = []
    for r in rows:
        values = list(get(r))
        for i, conversion in converted:
            values[i] = conversion(values[i])
        params.append(
            tuple(values) if dialect.positional else dict(zip(names, values, strict=True))
        )
    connection.exec_driver_sql(compiled.string, params)
    return len(rows)


def _defaults(stmt: Any, names: list[str]) -> dict[str, Any]:
    """The Python-side defaults of an INSERT's columns ``names`` (for one row)."""
    if not stmt.is_insert:
        raise ValueError(f"executemany: the rows give no value for {names}")
    columns = stmt.table.c
    unknown = [n for n in names if n not in columns or columns[n].default is None]
    if unknown:
        raise ValueError(f"executemany: the rows give no value for {unknown}")
    return {n: _default(columns[n]) for n in names}


def insert_ignore(
    session: Session,
    *,
    table: Table,
    rows: Iterable[dict[str, Any]],
    keys: Sequence[str],
    batch_size: int = BATCH,
) -> list[tuple[Any, ...]]:
    """Insert rows, skipping those whose ``keys`` already exist.

    Returns the keys of the rows newly inserted (RETURNING: rowcount is -1 on psycopg).
    """
    inserted: list[tuple[Any, ...]] = []
    for batch in _batches(rows, batch_size):
        stmt = (
            _insert_for(session, table)
            .on_conflict_do_nothing(index_elements=list(keys))
            .returning(*(table.c[k] for k in keys))
        )
        inserted.extend(tuple(r) for r in session.execute(stmt, batch))
    return inserted


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


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def _upsert_postgresql(
    session: Session, table: Table, keys: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    given = list(rows[0])
    filled = [c.name for c in table.columns if c.name not in rows[0] and c.default is not None]
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    # COPY takes text: a JSON value, given or a column's default (``default=dict``), is
    # written as its JSON text.
    defaults = tuple(
        _json_text(_default(table.c[name])) if name in json_columns else _default(table.c[name])
        for name in filled
    )
    connection = session.connection()  # joins the session's transaction
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in given + filled)
    # One staging table per column set: only the columns written, without constraints.
    digest = hashlib.sha1(columns.encode()).hexdigest()[:8]
    target, staging = quote(table.name), quote(f"stage_{table.name}_{digest}")
    updates = ", ".join(f"{quote(n)} = EXCLUDED.{quote(n)}" for n in given if n not in keys)
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    # The staging table lives until the transaction ends, so a rollback leaves nothing.
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
        f"SELECT {columns} FROM {target} WITH NO DATA"
    )
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(f"TRUNCATE {staging}")
        with cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = tuple(_json_text(row[n]) if n in json_columns else row[n] for n in given)
                copy.write_row(values + defaults)
        cursor.execute(
            f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {staging}"
            f" ON CONFLICT ({', '.join(quote(k) for k in keys)}) {action}"
        )
    finally:
        cursor.close()
