"""Dead and stuck outbox rows: a dead claimant's rows are stuck and taken again at once, a live
one's wait for its lease; an operator re-queues them by filter, in the audit log; each dead
row is announced once. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kinerja.models.audit.verify import verify
from kinerja.models.cycles.cycle import create_cycle
from kinerja.models.outbox.claims import claim_due
from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.outbox.recovery import (
    RetryFilter,
    RetryFilterError,
    announce_dead,
    requeue,
)
from kinerja.models.outbox.status import notify_status
from kinerja.models.schemas.config import CycleConfig
from kinerja.models.store.clock import ManualClock
from kinerja.models.store.processes import ProcessId, current_process, start_token
from kinerja.models.store.tables import AuditEvent, Notification

NOW = datetime(2025, 3, 1, 8, 0)
ME = current_process()
LEASE = 600


def rows(n: int, *, cycle_id: str = "c1", kind: str = "task_opened", start: int = 0) -> list:
    return [
        {
            "key": notification_key(cycle_id=cycle_id, task_id=i, kind=kind, recipient_nip=f"n{i}"),
            "cycle_id": cycle_id,
            "task_id": i,
            "kind": kind,
            "recipient_nip": f"n{i}",
            "lang": "id",
            "subject": f"s{i}",
            "body": f"b{i}",
            "link": None,
        }
        for i in range(start, start + n)
    ]


def by_key(session: Session) -> dict[str, Notification]:
    session.expire_all()
    return {r.key: r for r in session.scalars(select(Notification).order_by(Notification.id))}


@pytest.fixture
def live() -> Iterator[ProcessId]:
    """A live process on this host, as its claim would name it."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        yield ProcessId(ME.host, child.pid, start_token(child.pid))
    finally:
        child.kill()
        child.wait()


@pytest.fixture
def dead() -> ProcessId:
    """A process of this host that has exited, as its claim named it."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    claimant = ProcessId(ME.host, child.pid, start_token(child.pid))
    child.wait()
    return claimant


def claim(session: Session, claimant: ProcessId, *, at: datetime = NOW) -> list[dict]:
    taken = claim_due(session, now=at, limit=100, lease_seconds=LEASE, claimant=claimant)
    session.commit()
    return taken


def test_a_dead_claimants_rows_are_stuck_and_taken_again_at_once(session, dead):
    enqueue_many(session, rows=rows(3), now=NOW)
    assert len(claim(session, dead)) == 3

    status = notify_status(session, clock=ManualClock(NOW))
    assert status["by_status"] == {"sending": 3} and status["stuck_count"] == 3
    assert [r["claimed_by"] for r in status["stuck"]] == [f"{dead.host}:{dead.pid}"] * 3
    assert status["stuck"][0]["lease_until"] == NOW + timedelta(seconds=LEASE)

    # Well inside the dead claimant's lease, the next pass takes its rows again.
    again = claim(session, ME, at=NOW + timedelta(seconds=1))
    assert len(again) == 3
    assert notify_status(session, clock=ManualClock(NOW))["stuck_count"] == 0
    assert {(r.claimed_pid, r.claimed_start) for r in by_key(session).values()} == {
        (ME.pid, ME.start)
    }


def test_a_live_claimants_rows_wait_for_its_lease(session, live):
    enqueue_many(session, rows=rows(2), now=NOW)
    assert len(claim(session, live)) == 2

    before = NOW + timedelta(seconds=LEASE - 1)
    assert notify_status(session, clock=ManualClock(before))["stuck_count"] == 0
    assert claim(session, ME, at=before) == []
    # A live process on another host that stopped answering: after the lease, stuck.
    after = NOW + timedelta(seconds=LEASE)
    assert notify_status(session, clock=ManualClock(after))["stuck_count"] == 2
    assert len(claim(session, ME, at=after)) == 2


def make_cycle(session: Session, cycle_id: str) -> None:
    config = CycleConfig(
        cycle_id=cycle_id,
        name=cycle_id,
        policy="asn",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    create_cycle(session, config=config, config_dir=None, now=NOW)


def outbox_for_retry(session: Session, dead_claimant: ProcessId, live: ProcessId) -> None:
    """c1: two dead task_opened (last tried NOW and NOW+2h), one sent, one pending;
    c2: one dead task_reminder, one stuck (dead claimant), one claimed by a live process."""
    make_cycle(session, "c1")
    make_cycle(session, "c2")
    enqueue_many(session, rows=rows(4), now=NOW)
    enqueue_many(session, rows=rows(3, cycle_id="c2", kind="task_reminder"), now=NOW)
    n = Notification
    first, second, sent, _ = (f"c1:{i}:task_opened:n{i}:0" for i in range(4))
    session.execute(
        update(n)
        .where(n.key.in_([first, second, "c2:0:task_reminder:n0:0"]))
        .values(status="dead", attempts=32, last_attempt_at=NOW, dead_alerted_at=NOW)
    )
    session.execute(
        update(n).where(n.key == second).values(last_attempt_at=NOW + timedelta(hours=2))
    )
    session.execute(update(n).where(n.key == sent).values(status="sent", attempts=1))
    session.commit()
    for claimant, key in ((dead_claimant, "c2:1:task_reminder:n1:0"), (live, "c2:2:")):
        pick = select(n.id).where(n.key.startswith(key))
        session.execute(
            update(n)
            .where(n.id.in_(pick.scalar_subquery()))
            .values(
                status="sending",
                next_attempt_at=NOW + timedelta(seconds=LEASE),
                last_attempt_at=NOW,
                claimed_host=claimant.host,
                claimed_pid=claimant.pid,
                claimed_start=claimant.start,
            )
        )
    session.commit()


def test_retry_requeues_dead_and_stuck_rows_by_filter_in_the_audit_log(session, dead, live):
    outbox_for_retry(session, dead, live)

    def retry(**filters) -> dict:
        done = requeue(session, selection=RetryFilter(**filters), now=NOW, actor="operator:ops")
        session.commit()
        return {cycle: len(ids) for cycle, ids in done.items()}

    assert retry(statuses=("dead",), kind="task_reminder") == {"c2": 1}
    assert retry(cycle_id="c1", since=NOW + timedelta(hours=1)) == {"c1": 1}
    assert retry(statuses=("sending",)) == {"c2": 1}  # the stuck one; the live claim stays
    assert retry() == {"c1": 1}
    assert retry() == {}

    rows_now = by_key(session)
    statuses = {k: r.status for k, r in rows_now.items()}
    assert statuses == {
        "c1:0:task_opened:n0:0": "pending",
        "c1:1:task_opened:n1:0": "pending",
        "c1:2:task_opened:n2:0": "sent",
        "c1:3:task_opened:n3:0": "pending",
        "c2:0:task_reminder:n0:0": "pending",
        "c2:1:task_reminder:n1:0": "pending",
        "c2:2:task_reminder:n2:0": "sending",
    }
    requeued = [rows_now[k] for k in ("c1:0:task_opened:n0:0", "c2:0:task_reminder:n0:0")]
    for row in requeued:
        assert (row.attempts, row.next_attempt_at, row.dead_alerted_at) == (0, None, None)

    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "notifications.requeue")
    ).all()
    assert [(e.cycle_id, e.actor, e.payload["count"]) for e in events] == [
        ("c2", "operator:ops", 1),
        ("c1", "operator:ops", 1),
        ("c2", "operator:ops", 1),
        ("c1", "operator:ops", 1),
    ]
    assert events[1].payload["filters"] == {
        "cycle": "c1",
        "kind": None,
        "status": ["dead", "sending"],
        "since": (NOW + timedelta(hours=1)).isoformat(),
    }
    assert events[1].payload["ids"] == [rows_now["c1:1:task_opened:n1:0"].id]
    assert verify(session).ok


def test_retry_refuses_filters_that_name_nothing(session):
    make_cycle(session, "c1")
    session.commit()
    for selection, message in (
        (RetryFilter(statuses=("pending",)), "unknown status: pending "),
        (RetryFilter(statuses=()), "unknown status"),
        (RetryFilter(kind="pigeon"), "unknown message kind 'pigeon'"),
        (RetryFilter(cycle_id="c9"), "no cycle 'c9'"),
    ):
        with pytest.raises(RetryFilterError, match=message) as caught:
            requeue(session, selection=selection, now=NOW, actor="ops")
        assert " / " in str(caught.value)  # Indonesian / English


def test_each_dead_row_is_announced_once_until_it_dies_again(session):
    enqueue_many(session, rows=rows(3), now=NOW)
    n = Notification
    session.execute(update(n).where(n.task_id < 2).values(status="dead", attempts=32))
    session.commit()
    heard: list[str] = []

    def announce(refuse: set[str]):  # noqa: ANN202
        def speak(row: dict) -> bool:
            if row["key"] in refuse:
                return False
            heard.append(row["key"])
            return True

        return speak

    first, second = "c1:0:task_opened:n0:0", "c1:1:task_opened:n1:0"
    assert [r["key"] for r in announce_dead(session, now=NOW, announce=announce({second}))] == [
        first
    ]
    session.commit()
    # Not emitted the first time: announced on the next call; the first never again.
    assert [r["key"] for r in announce_dead(session, now=NOW, announce=announce(set()))] == [second]
    session.commit()
    assert announce_dead(session, now=NOW, announce=announce(set())) == []

    # An announcement rolled back (a crash before the commit) is made again.
    session.execute(update(n).where(n.task_id == 2).values(status="dead"))
    session.commit()
    assert len(announce_dead(session, now=NOW, announce=announce(set()))) == 1
    session.rollback()
    assert len(announce_dead(session, now=NOW, announce=announce(set()))) == 1
    session.commit()

    # Re-queued by an operator and dead again: ops hear of it again.
    requeue(session, selection=RetryFilter(kind="task_opened"), now=NOW, actor="ops")
    session.execute(update(n).where(n.task_id == 0).values(status="dead"))
    session.commit()
    assert [r["key"] for r in announce_dead(session, now=NOW, announce=announce(set()))] == [first]
    assert heard == [first, second, "c1:2:task_opened:n2:0", "c1:2:task_opened:n2:0", first]
