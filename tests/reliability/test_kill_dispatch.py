"""SIGKILL while notifications are being sent: no message is lost, and a message delivered
twice is recognisably the same one.

``kinerja simulate`` runs a small generated scenario in its own process group (Prefect's
ephemeral server included) against an SMTP relay that this test runs, outside the killed
processes. The simulation is killed again and again, then run until it completes:

- inside a send, before the answer: the relay has the N-th message of the run and kills the
  simulation before saying "250" (the dispatcher never hears that it was accepted);
- inside a send, after the answer: the relay answers the N-th message and kills a few
  milliseconds later (the outcome may or may not be committed);
- at a random moment: a timer, wherever the run happens to be (Prefect start-up, a stage
  flow, the sweeper's logic, a dispatch).

Counted at the end: the keys expected (every outbox row), the keys lost (a row whose key
never reached the relay; none may be), the keys delivered more than once, and for each such
duplicate whether all its copies carry the same Message-ID (the one derived from the key)
and whether it follows a kill inside a send. Every duplicate must follow a kill. The short
mode kills 3 times on the first backend; ``KINERJA_RELIABILITY=long`` kills 12 times on each.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import random
import signal
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from kinerja.models.scenarios.generator import generate_scenario
from kinerja.tasks.mailcatcher import free_port
from kinerja.tasks.message_id import message_id
from kinerja.tests.conftest import BACKENDS
from kinerja.tests.reliability.conftest import LONG, scale

SEED = 20260
BEFORE = "inside a send, before the answer"
AFTER = "inside a send, after the answer"
RANDOM = "at a random moment"
IN_SEND = (BEFORE, AFTER)
RUN_TIMEOUT = 900


@dataclass
class Copy:
    """One message as the relay received it."""

    key: str
    message_ids: tuple[str, ...]
    run: int


@dataclass
class Kill:
    run: int
    kind: str
    key: str | None = None  # the message inside whose send it came


@dataclass
class Relay:
    """An SMTP relay on loopback that can kill the simulation from inside a send."""

    port: int = field(default_factory=lambda: free_port("127.0.0.1"))
    copies: list[Copy] = field(default_factory=list)
    run: int = 0
    received_in_run: int = 0
    trigger: tuple[str, int, float] | None = None  # (kind, n-th message of the run, delay)
    kills: list[Kill] = field(default_factory=list)
    group: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def kill(self, kind: str, key: str | None) -> None:
        with self.lock:
            if self.group is None:
                return
            try:
                os.killpg(self.group, signal.SIGKILL)
            except ProcessLookupError:
                return
            self.kills.append(Kill(self.run, kind, key))
            self.group = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.copies.append(
            Copy(message["X-Kinerja-Key"], tuple(message.get_all("Message-ID") or ()), self.run)
        )
        self.received_in_run += 1
        if self.trigger and self.received_in_run == self.trigger[1]:
            kind, _, delay = self.trigger
            self.trigger = None
            key = message["X-Kinerja-Key"]
            if kind == BEFORE:
                self.kill(kind, key)  # the message is here; its sender never hears "250"
            else:
                asyncio.get_running_loop().call_later(delay, self.kill, kind, key)
        return "250 Message accepted for delivery"


def environment(tmp_path: Path, db_url: str, relay: Relay) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("PREFECT_API_URL", "KINERJA_MAIL_FROM"):
        env.pop(key, None)
    env.update(
        KINERJA_DATABASE_URL=db_url,
        KINERJA_HOME=str(tmp_path / "home"),
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        KINERJA_SMTP_HOST="127.0.0.1",
        KINERJA_SMTP_PORT=str(relay.port),
    )
    return env


def simulate(scenario: Path, env: dict[str, str], relay: Relay, plan: str | None, rng) -> int:
    """One run of ``kinerja simulate``, armed to be killed as ``plan`` says; its exit code."""
    relay.run += 1
    relay.received_in_run = 0
    relay.trigger = None
    if plan in IN_SEND:
        relay.trigger = (plan, rng.randint(1, 3), rng.uniform(0.0, 0.05))
    log = open(scenario.parent / f"run-{relay.run}.log", "w")  # noqa: SIM115 - the run's life
    process = subprocess.Popen(
        [sys.executable, "-m", "kinerja.cli.main", "simulate", str(scenario)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    with relay.lock:
        relay.group = process.pid
    timer = None
    if plan == RANDOM:
        timer = threading.Timer(rng.uniform(1.0, 15.0), relay.kill, (RANDOM, None))
        timer.start()
    try:
        code = process.wait(RUN_TIMEOUT)
    finally:
        if timer is not None:
            timer.cancel()
        with relay.lock:
            relay.group = None
        log.close()
        try:
            os.killpg(process.pid, signal.SIGKILL)  # whatever is left of the group
        except ProcessLookupError:
            pass
    return code


def outbox(db_url: str) -> dict[str, str]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT key, status FROM notifications")).all())
    finally:
        engine.dispose()


@pytest.mark.parametrize("db_url", BACKENDS if LONG else BACKENDS[:1], indirect=True)
def test_killed_inside_sends_no_key_is_lost_and_duplicates_are_the_same_message(
    db_url, tmp_path, tally
):
    rng = random.Random(SEED)
    scenario = tmp_path / "scenario"
    generate_scenario(scenario, employees=scale(8, 24), seed=SEED)
    kinds = [BEFORE, AFTER, RANDOM]
    plan = kinds if not LONG else [kinds[i % 3] for i in range(12)]
    if LONG:
        rng.shuffle(plan)
    relay = Relay()
    controller = Controller(relay, hostname="127.0.0.1", port=relay.port)
    controller.start()
    env = environment(tmp_path, db_url, relay)
    try:
        for step in plan:
            code = simulate(scenario, env, relay, step, rng)
            assert code in (-signal.SIGKILL, 0), (tmp_path / f"run-{relay.run}.log").read_text()
            if code == 0:
                break  # the cycle completed before this kill could happen
        code = simulate(scenario, env, relay, None, rng)
        finished = (tmp_path / f"run-{relay.run}.log").read_text()
        assert code == 0 and " complete" in finished, finished
    finally:
        controller.stop()

    statuses = outbox(db_url)
    expected = set(statuses)
    received = Counter(c.key for c in relay.copies)
    lost = sorted(expected - set(received))
    duplicates = sorted(k for k, n in received.items() if n > 1)
    killed_runs = {k.run: k for k in relay.kills}
    same_id = [
        k
        for k in duplicates
        if {c.message_ids for c in relay.copies if c.key == k}
        == {(message_id(k, "kinerja.local"),)}
    ]
    after_kill: dict[str, Kill | None] = {}
    for key in duplicates:
        runs = [c.run for c in relay.copies if c.key == key]
        # Every copy but the last was sent in a run that was then killed.
        killers = [killed_runs.get(run) for run in runs[:-1]]
        after_kill[key] = killers[0] if all(killers) else None
    in_send = [k for k, kill in after_kill.items() if kill and kill.kind in IN_SEND]

    backend = "postgresql" if db_url.startswith("postgresql") else "sqlite"
    print(
        f"kill-dispatch [{backend}]: runs {relay.run}, kills "
        f"{dict(Counter(k.kind for k in relay.kills))}, keys expected {len(expected)}, "
        f"keys lost {len(lost)}, copies {len(relay.copies)}, duplicates {len(duplicates)} "
        f"(same Message-ID {len(same_id)}, after a kill inside a send {len(in_send)}, "
        f"after a random kill {len(duplicates) - len(in_send)})"
    )
    tally(f"kills, each resumed [{backend}]", len(plan), len(relay.kills))
    tally(f"keys delivered [{backend}]", len(expected), len(expected & set(received)))
    tally(f"duplicates carry the same Message-ID [{backend}]", len(duplicates), len(same_id))
    tally(f"duplicates fall in a kill inside a send [{backend}]", len(duplicates), len(in_send))

    assert len(relay.kills) == len(plan), "the cycle completed before every planned kill"
    assert lost == [], f"keys never delivered: {lost[:5]}"
    assert set(statuses.values()) == {"sent"}, Counter(statuses.values())
    assert set(received) <= expected, "a message the outbox does not know"
    assert same_id == duplicates, "a duplicate with another Message-ID"
    unexplained = [k for k, kill in after_kill.items() if kill is None]
    assert unexplained == [], f"sent twice without a kill in between: {unexplained[:5]}"
    # A kill before the answer leaves an accepted message unrecorded: it is sent again.
    for kill in relay.kills:
        if kill.kind == BEFORE:
            assert [c.run for c in relay.copies if c.key == kill.key][-1] > kill.run, kill
