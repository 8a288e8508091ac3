"""Send the notification outbox: the dispatcher, and its Prefect task.

The dispatcher claims due rows (:mod:`kinerja.models.outbox.claims`: two dispatchers never
send the same row while both live), resolves each recipient's address, delivers one
recipient per Apprise call (:mod:`kinerja.tasks.delivery`) and records the outcome: ``sent``,
a retry after the backoff of the row's cycle (``notifications`` of its cycle config, else
the default :class:`~kinerja.models.schemas.config.NotificationConfig`), or ``dead`` at
the end of that schedule.

Leases and retries read one clock, the dispatcher's, which is the wall clock (``clock``;
tests pass a manual one), never a simulated cycle's: see the claims module for why.
Delivery is at-least-once: a dispatcher killed between the relay's accept and the commit
of the outcome leaves its claim, which the next pass on the same host takes again at once
(its process is gone) and any other after the lease; the resent e-mail carries the same
Message-ID. A pass cut short by an error gives back the claims it got no outcome for, so a
finished pass leaves no row ``sending``. Routes are :mod:`kinerja.models.outbox.routes`.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.orm import Session

from kinerja.models.outbox.claims import claim_due, record_outcome, record_sent, release
from kinerja.models.outbox.recipients import (
    Recipients,
    all_coordinators,
    resolve_recipients,
    retry_of_cycles,
    routes_of_cycles,
    static_recipients,
)
from kinerja.models.outbox.routes import Routes
from kinerja.models.schemas.config import NotificationConfig
from kinerja.models.store.clock import SYSTEM_CLOCK, Clock, ManualClock
from kinerja.models.store.processes import ProcessId, current_process
from kinerja.tasks.delivery import ParsedUrls, deliver
from kinerja.tasks.logs import run_logger
from kinerja.tasks.smtp_pool import ConnectionPool, reusing

log = logging.getLogger(__name__)

_Finished = tuple[dict[str, Any], Future[tuple[str, str | None]]]
"""A claimed row and its send, once the send has finished."""

LEASE_SECONDS = 600
"""How long a claim of a live dispatcher is respected (wall clock). A send takes seconds;
a dispatcher on another host that died is taken over after this."""


@dataclass(frozen=True)
class DispatchReport:
    """What one dispatcher pass did: rows sent, rows to retry later, rows parked as dead."""

    sent: int = 0
    failed: int = 0
    dead: int = 0
    by_channel: dict[str, int] = field(default_factory=dict, compare=False)
    """Messages sent per channel (``email``, ``telegram``, ...)."""
    connections: int = field(default=0, compare=False)
    """SMTP connections opened by the pass (kept open across its messages)."""

    def as_dict(self) -> dict[str, int]:
        """The counts by outcome (``sent``, ``failed``, ``dead``)."""
        return {"sent": self.sent, "failed": self.failed, "dead": self.dead}

    def describe(self) -> str:
        """One line for the run's log: the counts, and the channels the sent ones took."""
        channels = ", ".join(f"{n} {c}" for c, n in sorted(self.by_channel.items()))
        return (
            f"notifications: {self.sent} sent"
            + (f" ({channels})" if channels else "")
            + f", {self.failed} to retry, {self.dead} dead"
        )


def dispatch_due(
    session_factory: Callable[[], Session],
    *,
    routes: Routes,
    clock: Clock = SYSTEM_CLOCK,
    recipients: Recipients | None = None,
    cycle_routes: Mapping[str, Routes | str] | None = None,
    retry: NotificationConfig | None = None,
    cycle_retry: Mapping[str, NotificationConfig] | None = None,
    limit: int = 500,
    lease_seconds: float = LEASE_SECONDS,
    workers: int = 8,
    keep_connections: bool = True,
    logger: logging.Logger | logging.LoggerAdapter = log,
) -> DispatchReport:
    """Send the due rows of the outbox (at most ``limit``) and record each outcome.

        A row goes through its cycle's own routes (``cycle_routes``, see :func:`routes_of_cycles`)
        when that cycle has some, else through ``routes``; it is retried on its cycle's schedule
        (``cycle_retry``, see :func:`retry_of_cycles`), else on ``retry`` (default: the default
        :class:`NotificationConfig`). ``recipients`` resolves nips that are not employees (e.g.
        the HR coordinator) to ``{email, phone, channels, name, role, ...}``. A row whose
        recipient has no usable address is ``dead`` at once. SMTP connections are kept open
    for the whole pass unless ``keep_connections`` is False. Failures and the pass's counts
        are logged to ``logger`` (a flow run's logger in Prefect, so the run shows them).
    """
    me = current_process()
    default_retry = retry or NotificationConfig()
    with session_factory() as session:
        claimed = claim_due(
            session, now=clock.now(), limit=limit, lease_seconds=lease_seconds, claimant=me
        )
        session.commit()
        if not claimed:
            return DispatchReport()
        people: dict[str, dict[str, Any]] = {}
        # One SMTP connection per relay and sending thread, kept for the whole pass; each
        # channel's URL parsed once.
        connections = ConnectionPool()
        parsed = ParsedUrls()

        def send(row: dict[str, Any]) -> tuple[str, str | None]:
            nip = row["recipient_nip"]
            own = (cycle_routes or {}).get(row["cycle_id"] or "", routes)
            if isinstance(own, str):  # the cycle's routes file does not load
                return "retry", own
            with reusing(connections) if keep_connections else nullcontext():
                return deliver(
                    own,
                    people.get(nip),
                    nip,
                    title=row["subject"],
                    body=row["body"],
                    key=row["key"],
                    parsed=parsed,
                )

        def record(row: dict[str, Any], outcome: str, detail: str | None) -> str:
            return record_outcome(
                session,
                row,
                outcome,
                None if outcome == "sent" else detail,
                now=clock.now(),
                retry=(cycle_retry or {}).get(row["cycle_id"] or "", default_retry),
                claimant=me,
            )

        counts = {"sent": 0, "failed": 0, "dead": 0}
        by_channel: dict[str, int] = {}
        recorded: set[int] = set()
        sends: dict[int, Future[tuple[str, str | None]]] = {}
        # Sending waits on the network, so a few threads overlap the waits: while one
        # thread builds a message, others wait for the relay. Outcomes are recorded here,
        # in this thread, as the sends finish.
        pool = ThreadPoolExecutor(max_workers=max(1, workers))
        finishing: queue.SimpleQueue[_Finished] = queue.SimpleQueue()
        try:
            people.update(
                resolve_recipients(session, [r["recipient_nip"] for r in claimed], recipients)
            )
            session.commit()
            for row in claimed:
                sends[row["id"]] = future = pool.submit(send, row)
                future.add_done_callback(lambda f, row=row: finishing.put((row, f)))
            waiting = len(claimed)
            while waiting:
                done = _next_batch(finishing, waiting)
                waiting -= len(done)
                # Every send finished by now is recorded, then one commit: a crash loses
                # at most the rows being sent or just sent, which are sent again
                # (at-least-once, the same Message-ID), never silently dropped.
                finished = [(row, *f.result()) for row, f in done]
                sent = [row for row, outcome, _ in finished if outcome == "sent"]
                record_sent(session, ids=[r["id"] for r in sent], now=clock.now(), claimant=me)
                for row, outcome, detail in finished:
                    final = "sent" if outcome == "sent" else record(row, outcome, detail)
                    counts[final] += 1
                    if final == "sent" and detail:
                        by_channel[detail] = by_channel.get(detail, 0) + 1
                    if final != "sent":
                        logger.warning(
                            "notification %s to %s: %s (%s)",
                            row["id"],
                            row["recipient_nip"],
                            final,
                            detail,
                        )
                session.commit()
                recorded.update(row["id"] for row, _, _ in finished)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            connections.close()
            if len(recorded) < len(claimed):
                _give_back(session, claimed, sends, recorded, record, me)
    report = DispatchReport(**counts, by_channel=by_channel, connections=connections.opened)
    logger.info(report.describe())
    return report


RECORD_EVERY = 0.02
"""Seconds between the commits of outcomes while sends finish: a batch of outcomes is one
UPDATE and one commit, and a crash resends at most what finished in that window."""


def _next_batch(finishing: queue.SimpleQueue[_Finished], waiting: int) -> list[_Finished]:
    """The sends that finish within RECORD_EVERY of the next one (at most ``waiting``)."""
    done = [finishing.get()]
    until = time.monotonic() + RECORD_EVERY
    while len(done) < waiting:
        left = until - time.monotonic()
        try:
            done.append(finishing.get(timeout=left) if left > 0 else finishing.get_nowait())
        except queue.Empty:
            break
    return done


def _give_back(
    session: Session,
    claimed: list[dict[str, Any]],
    sends: Mapping[int, Future[tuple[str, str | None]]],
    recorded: set[int],
    record: Callable[[dict[str, Any], str, str | None], str],
    me: ProcessId,
) -> None:
    """A pass cut short: record the sends that finished, release the other claims."""
    try:
        session.rollback()
        unsent = []
        for row in claimed:
            if row["id"] in recorded:
                continue
            future = sends.get(row["id"])
            if future and future.done() and not future.cancelled() and not future.exception():
                record(row, *future.result())
            else:
                unsent.append(row["id"])
        released = release(session, ids=unsent, claimant=me)
        session.commit()
        log.warning("dispatcher pass cut short: %s claim(s) given back", released)
    except Exception:  # noqa: BLE001 - the error that cut the pass short is what matters
        log.exception("could not give back the claims of a pass cut short")


@task(name="dispatch-notifications", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def dispatch_notifications(
    db_url: str | None,
    now: datetime | None = None,
    routes_path: str | None = None,
    extra_recipients: dict[str, dict[str, Any]] | None = None,
    limit: int = 500,
) -> dict[str, int]:
    """Prefect task: one dispatcher pass over the database at ``db_url`` (see dispatch_due).

    The clock is the wall clock, or stands still at ``now`` when given. Each cycle's
    messages are retried on that cycle's schedule, others on the default one. Without
    ``extra_recipients``, every cycle's HR coordinator can be reached.
    """
    from kinerja.models.store.db import get_engine, session_factory, session_scope

    run_log = run_logger(__name__)
    engine = get_engine(db_url)
    with session_scope(engine) as session:
        if extra_recipients is None:
            extra_recipients = all_coordinators(session)
        cycle_routes = routes_of_cycles(session)
        cycle_retry = retry_of_cycles(session)
    report = dispatch_due(
        session_factory(engine),
        clock=SYSTEM_CLOCK if now is None else ManualClock(now),
        routes=Routes.load(routes_path),
        recipients=static_recipients(extra_recipients),
        cycle_routes=cycle_routes,
        cycle_retry=cycle_retry,
        limit=limit,
        logger=run_log,
    )
    if not any(report.as_dict().values()):
        run_log.info("notifications: nothing due")
    return report.as_dict()
