"""What the stages' automated work shares: chunks of employees (a NIP range), who rates
whom, and bulk updates of result rows.

Every stage module in this package takes a Session and a chunk and is idempotent: it writes
with upserts or recomputes values from the cycle's inputs, so running it twice changes
nothing. The rules themselves are pure functions in models/rules/, applied with the
cycle's pack snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_
from sqlalchemy.orm import Session

from kinerja.models.store.bulk import bulk_update
from kinerja.models.store.tables import Result


def in_chunk(column: Any, lo: str, hi: str) -> Any:
    """``lo <= column <= hi``: the rows of one chunk (its first and last NIP)."""
    return and_(column >= lo, column <= hi)


def rater(manager: str | None, coordinator: str) -> str:
    """Who rates a person: their manager, else (the top of the tree) the HR coordinator."""
    return manager or coordinator


def update_results(
    session: Session, updates: Iterable[dict[str, Any]], columns: tuple[str, ...]
) -> None:
    """Set ``columns`` of result rows, each update naming its (cycle_id, nip)."""
    bulk_update(
        session,
        table=Result.__table__,
        keys=("cycle_id", "nip"),
        rows=list(updates),
        columns=columns,
    )
