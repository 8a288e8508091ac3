"""The dispatcher when things go wrong: killed between the relay's accept and the commit, a
relay down for a day, a pass cut short by an error; and the Message-ID that makes a resent
e-mail recognisable.

Real SMTP on loopback (aiosmtpd), a real dispatcher process killed with SIGKILL, both
database backends. Nothing is mocked.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import email.utils
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from kinerja.models.cycles.cycle import create_cycle
from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.outbox.routes import Routes
from kinerja.models.outbox.status import notify_status
from kinerja.models.schemas.config import CycleConfig, NotificationConfig
from kinerja.models.store.clock import ManualClock
from kinerja.models.store.db import session_factory
from kinerja.models.store.tables import Employee, Notification
from kinerja.tasks.delivery import send_one
from kinerja.tasks.mailcatcher import free_port
from kinerja.tasks.message_id import message_id
from kinerja.tasks.notify import DispatchReport, dispatch_due, dispatch_notifications

NOW = datetime(2025, 4, 7, 9, 0)
SENDER_DOMAIN = "kinerja.local"


class Relay:
    """An SMTP server on loopback keeping every message; ``hold()`` makes it keep the next
    message without answering until ``release()``: the window between a relay's accept and
    the sender's hearing of it."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = free_port("127.0.0.1")
        self._holding = threading.Event()
        self.arrived = threading.Event()
        self._released = threading.Event()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))
        if self._holding.is_set():
            self._holding.clear()
            self.arrived.set()
            while not self._released.is_set():
                await asyncio.sleep(0.01)
        return "250 Message accepted for delivery"

    def hold(self) -> None:
        self._released.clear()
        self.arrived.clear()
        self._holding.set()

    def release(self) -> None:
        self._released.set()

    def routes(self) -> Routes:
        url = (
            f"mailto://127.0.0.1:{self.port}?smtp=127.0.0.1&mode=insecure"
            f"&from=kinerja@{SENDER_DOMAIN}&to={{email}}&format=text"
        )
        return Routes(channels={"email": url}, default_channels=["email"])

    def keys(self) -> list[str]:
        return [m["X-Kinerja-Key"] for m in self.messages]


@pytest.fixture
def relay() -> Iterator[Relay]:
    r = Relay()
    r._controller.start()
    try:
        yield r
    finally:
        r.release()
        r._controller.stop()


def closed_routes() -> Routes:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = (
        f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure"
        f"&from=k@{SENDER_DOMAIN}&to={{email}}"
    )
    return Routes(channels={"email": url}, default_channels=["email"])


def people(engine, n: int) -> None:
    with session_factory(engine)() as session:
        for i in range(n):
            session.add(
                Employee(
                    nip=f"90{i:02d}",
                    name=f"P{i}",
                    unit_id="u1",
                    position="Analis",
                    email=f"p{i}@pemda.go.id",
                )
            )
        session.commit()


def queue(engine, n: int, *, cycle_id: str | None = "c1") -> list[str]:
    rows = [
        {
            "key": notification_key(
                cycle_id=cycle_id, task_id=i, kind="task_opened", recipient_nip=f"90{i:02d}"
            ),
            "cycle_id": cycle_id,
            "task_id": i,
            "kind": "task_opened",
            "recipient_nip": f"90{i:02d}",
            "lang": "id",
            "subject": f"Tugas {i}",
            "body": f"Isi {i}",
            "link": None,
        }
        for i in range(n)
    ]
    with session_factory(engine)() as session:
        enqueue_many(session, rows=rows, now=NOW)
        session.commit()
    return [r["key"] for r in rows]


def outbox(engine) -> dict[str, Notification]:
    with session_factory(engine)() as session:
        return {r.key: r for r in session.scalars(select(Notification).order_by(Notification.id))}


# A dispatcher in a process of its own, so that the test can kill it.
DISPATCHER = """
import sys
from kinerja.models.outbox.routes import Routes
from kinerja.models.store.db import get_engine, session_factory
from kinerja.tasks.notify import dispatch_due

url, port, domain = sys.argv[1:4]
mail = (f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&mode=insecure&from=kinerja@{domain}"
        "&to={email}&format=text")
dispatch_due(session_factory(get_engine(url)), routes=Routes(channels={"email": mail}), workers=1)
"""


def test_killed_after_the_relay_accepted_the_message_is_sent_again_with_its_message_id(
    db_url, engine, relay
):
    people(engine, 1)
    [key] = queue(engine, 1)
    relay.hold()
    dispatcher = subprocess.Popen(
        [sys.executable, "-c", DISPATCHER, db_url, str(relay.port), SENDER_DOMAIN]
    )
    try:
        assert relay.arrived.wait(60), "the dispatcher never reached the relay"
        os.kill(dispatcher.pid, signal.SIGKILL)  # accepted, not yet answered, not committed
    finally:
        dispatcher.wait(30)
        relay.release()
    [row] = outbox(engine).values()
    assert row.status == "sending" and row.claimed_pid == dispatcher.pid
    with session_factory(engine)() as session:
        status = notify_status(session)  # the wall clock: the lease has 10 minutes to run
    assert status["stuck_count"] == 1 and status["stuck"][0]["key"] == key

    # The next pass on this host takes the dead process's claim at once.
    assert dispatch_due(session_factory(engine), routes=relay.routes()) == DispatchReport(sent=1)

    assert relay.keys() == [key, key]
    ids = [m.get_all("Message-ID") for m in relay.messages]
    assert ids == [[message_id(key, SENDER_DOMAIN)]] * 2
    [row] = outbox(engine).values()
    assert (row.status, row.attempts) == ("sent", 1)


def test_the_message_id_is_derived_from_the_key_and_valid(engine, relay):
    people(engine, 3)
    keys = queue(engine, 3)
    assert dispatch_due(session_factory(engine), routes=relay.routes()).sent == 3
    by_key = {m["X-Kinerja-Key"]: m for m in relay.messages}
    assert set(by_key) == set(keys)
    for key, message in by_key.items():
        [value] = message.get_all("Message-ID")
        assert value == message_id(key, SENDER_DOMAIN)
        # RFC 5322 msg-id: "<" dot-atom-text "@" dot-atom-text ">"
        left, _, right = value[1:-1].partition("@")
        assert value[0] + value[-1] == "<>" and left.startswith("kinerja.") and right
        assert email.utils.parseaddr(f"x <{left}@{right}>")[1] == f"{left}@{right}"
    assert len({m["Message-ID"] for m in relay.messages}) == 3

    # What is not an outbox message (an ops alert) keeps a Message-ID of its own each time.
    url = relay.routes().url_for("email", {"email": "ops@pemda.go.id"})[0]
    assert send_one(url, title="alert", body="x") is None
    assert send_one(url, title="alert", body="x") is None
    alerts = [m["Message-ID"] for m in relay.messages[3:]]
    assert len(set(alerts)) == 2 and not any(a.startswith("<kinerja.") for a in alerts)
    assert message_id("c:1:k:n:0", "not a domain!") == message_id("c:1:k:n:0", "kinerja.invalid")


def test_a_relay_down_for_a_day_loses_nothing(engine, relay):
    people(engine, 1)
    [key] = queue(engine, 1, cycle_id=None)
    clock = ManualClock(NOW)
    down = closed_routes()
    factory = session_factory(engine)
    while clock.now() < NOW + timedelta(hours=24):
        assert dispatch_due(factory, clock=clock, routes=down) == DispatchReport(failed=1)
        clock.set(outbox(engine)[key].next_attempt_at)
    # Thirty attempts in the first 24 hours; the message waits for its 31st and last.
    row = outbox(engine)[key]
    assert row.status == "pending" and row.attempts == 30
    window = timedelta(seconds=NotificationConfig().retry_window_seconds())
    assert clock.now() - NOW == window >= timedelta(hours=24)
    assert "Sending failed" in row.last_error

    assert dispatch_due(factory, clock=clock, routes=relay.routes()) == DispatchReport(sent=1)
    assert relay.keys() == [key]


def test_past_its_whole_schedule_a_message_is_dead(engine):
    people(engine, 1)
    [key] = queue(engine, 1, cycle_id=None)
    clock = ManualClock(NOW)
    factory = session_factory(engine)
    retry = NotificationConfig(
        max_attempts=4, backoff_seconds=60, backoff_max_seconds=90, retry_hours=0
    )
    outcomes = []
    for _ in range(4):
        report = dispatch_due(factory, clock=clock, routes=closed_routes(), retry=retry)
        outcomes.append(report)
        if outbox(engine)[key].next_attempt_at:
            clock.set(outbox(engine)[key].next_attempt_at)
    assert outcomes == [DispatchReport(failed=1)] * 3 + [DispatchReport(dead=1)]
    assert clock.now() - NOW == timedelta(seconds=60 + 90 + 90)
    assert outbox(engine)[key].status == "dead"


class FailingRoutes(Mapping[str, Routes]):
    """Each cycle's routes, where looking up cycle ``c2`` fails (a bug, say)."""

    def __init__(self, routes: Routes) -> None:
        self.routes = routes

    def __getitem__(self, cycle_id: str) -> Routes:
        if cycle_id == "c2":
            raise RuntimeError("routes of c2 broke")
        return self.routes

    def __iter__(self) -> Iterator[str]:
        return iter(["c1", "c2"])

    def __len__(self) -> int:
        return 2


def test_a_pass_cut_short_leaves_no_row_sending(engine, relay):
    people(engine, 2)
    queue(engine, 3)  # the third recipient is no employee: looked up in ``recipients``

    def broken(nips: list[str]) -> dict:
        raise RuntimeError("address book unreachable")

    with pytest.raises(RuntimeError, match="address book"):
        dispatch_due(session_factory(engine), routes=relay.routes(), recipients=broken)
    assert {(r.status, r.attempts) for r in outbox(engine).values()} == {("pending", 0)}

    # A send that raises: what finished is recorded, the rest is given back.
    with session_factory(engine)() as session:
        row = session.scalar(select(Notification).where(Notification.task_id == 1))
        row.cycle_id = "c2"
        session.commit()
    with pytest.raises(RuntimeError, match="routes of c2 broke"):
        dispatch_due(
            session_factory(engine),
            routes=relay.routes(),
            cycle_routes=FailingRoutes(relay.routes()),
            workers=1,
        )
    rows = outbox(engine)
    assert not [r for r in rows.values() if r.status == "sending"]
    broke = next(r for r in rows.values() if r.cycle_id == "c2")
    assert (broke.status, broke.attempts) == ("pending", 0)
    sent = {r.key for r in rows.values() if r.status == "sent"}
    assert sent == set(relay.keys()) and len(sent) >= 1


def test_each_cycle_is_retried_on_its_own_schedule(db_url, engine, monkeypatch):
    routes = closed_routes()
    port = routes.channels["email"].split("mailto://127.0.0.1:")[1].split("?")[0]
    monkeypatch.setenv("KINERJA_SMTP_PORT", port)
    people(engine, 1)
    with session_factory(engine)() as session:
        config = CycleConfig(
            cycle_id="c1",
            name="Cycle 1",
            policy="asn",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            notifications=NotificationConfig(max_attempts=1, retry_hours=0),
        )
        create_cycle(session, config=config, config_dir=None, now=NOW)
        session.commit()
    [own] = queue(engine, 1)
    [default] = queue(engine, 1, cycle_id=None)

    assert dispatch_notifications.fn(db_url, NOW) == {"sent": 0, "failed": 1, "dead": 1}
    rows = outbox(engine)
    assert rows[own].status == "dead"
    assert rows[default].status == "pending"
    assert rows[default].next_attempt_at == NOW + timedelta(seconds=30)
