"""Send the notification outbox: the dispatcher, and its Prefect task.

The dispatcher claims due rows (:mod:`kinerja.models.outbox.claims`: two dispatchers never
send the same row), resolves each recipient's address, delivers one recipient per Apprise
call (:mod:`kinerja.tasks.delivery`) and records the outcome: ``sent``, a retry with
exponential backoff, or ``dead`` after ``max_attempts``. Delivery is at-least-once: a
dispatcher that dies between sending and recording leaves its claim, which expires after
``lease_seconds`` and is taken again. Routes are :mod:`kinerja.models.outbox.routes`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.orm import Session

from kinerja.models.outbox.claims import claim_due, record_outcome
from kinerja.models.outbox.recipients import (
    Recipients,
    all_coordinators,
    resolve_recipients,
    routes_of_cycles,
    static_recipients,
)
from kinerja.models.outbox.routes import Routes
from kinerja.models.store.clock import cycle_now
from kinerja.tasks.delivery import deliver

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchReport:
    """What one dispatcher pass did: rows sent, rows to retry later, rows parked as dead."""

    sent: int = 0
    failed: int = 0
    dead: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def dispatch_due(
    session_factory: Callable[[], Session],
    *,
    now: datetime,
    routes: Routes,
    recipients: Recipients | None = None,
    cycle_routes: Mapping[str, Routes | str] | None = None,
    max_attempts: int = 5,
    backoff_seconds: float = 30,
    limit: int = 500,
    lease_seconds: float = 600,
    workers: int = 8,
) -> DispatchReport:
    """Send the due rows of the outbox (at most ``limit``) and record each outcome.

    A row goes through its cycle's own routes (``cycle_routes``, see :func:`routes_of_cycles`)
    when that cycle has some, else through ``routes``.

    ``recipients`` resolves nips that are not employees (e.g. the HR coordinator) to
    ``{email, phone, channels, name, role, ...}``. After a failed attempt a row waits
    ``backoff_seconds * 2**(attempts-1)``; after ``max_attempts`` it is ``dead``, as is a
    row whose recipient has no usable address.
    """
    with session_factory() as session:
        claimed = claim_due(session, now=now, limit=limit, lease_seconds=lease_seconds)
        session.commit()
        if not claimed:
            return DispatchReport()
        people = resolve_recipients(session, [r["recipient_nip"] for r in claimed], recipients)
        session.commit()
        counts = {"sent": 0, "failed": 0, "dead": 0}

        def send(row: dict[str, Any]) -> tuple[str, str | None]:
            nip = row["recipient_nip"]
            own = (cycle_routes or {}).get(row["cycle_id"] or "", routes)
            if isinstance(own, str):  # the cycle's routes file does not load
                return "retry", own
            return deliver(
                own,
                people.get(nip),
                nip,
                title=row["subject"],
                body=row["body"],
                key=row["key"],
            )

        # Sending waits on the network, so a few threads overlap the waits; outcomes are
        # recorded here, in this thread, as each send finishes.
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {pool.submit(send, row): row for row in claimed}
            for future in as_completed(futures):
                row = futures[future]
                outcome, detail = future.result()
                final = record_outcome(
                    session,
                    row,
                    outcome,
                    None if outcome == "sent" else detail,
                    now=now,
                    max_attempts=max_attempts,
                    backoff_seconds=backoff_seconds,
                )
                # One commit per row: a crash loses at most the rows being sent, which are
                # sent again after their lease (at-least-once), never silently dropped.
                session.commit()
                counts[final] += 1
                if final != "sent":
                    log.warning(
                        "notification %s to %s: %s (%s)",
                        row["id"],
                        row["recipient_nip"],
                        final,
                        detail,
                    )
    report = DispatchReport(**counts)
    log.info("notifications dispatched: %s", report.as_dict())
    return report


@task(name="dispatch-notifications", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def dispatch_notifications(
    db_url: str | None,
    now: datetime | None = None,
    routes_path: str | None = None,
    extra_recipients: dict[str, dict[str, Any]] | None = None,
    max_attempts: int = 5,
    backoff_seconds: float = 30,
    limit: int = 500,
) -> dict[str, int]:
    """Prefect task: one dispatcher pass over the database at ``db_url`` (see dispatch_due).

    ``now`` defaults to the wall clock. Without ``extra_recipients``, every cycle's HR
    coordinator can be reached.
    """
    from kinerja.models.store.db import get_engine, session_factory, session_scope

    now = now or cycle_now(None)

    engine = get_engine(db_url)
    with session_scope(engine) as session:
        if extra_recipients is None:
            extra_recipients = all_coordinators(session)
        cycle_routes = routes_of_cycles(session)
    report = dispatch_due(
        session_factory(engine),
        now=now,
        routes=Routes.load(routes_path),
        recipients=static_recipients(extra_recipients),
        cycle_routes=cycle_routes,
        max_attempts=max_attempts,
        backoff_seconds=backoff_seconds,
        limit=limit,
    )
    return report.as_dict()
