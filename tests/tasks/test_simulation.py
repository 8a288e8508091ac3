"""The simulator's background dispatcher: a process of its own that sends the outbox while
the simulation goes on, drains it when stopped, and ends when the simulation's process is
gone. Real SMTP catcher, real database of each backend."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from kinerja.models.schemas.config import load_cycle_config
from kinerja.tasks.mailcatcher import key_counts
from kinerja.tasks.simulation import BackgroundDispatcher
from kinerja.tests.outbox import queue_messages

DEMO_CYCLE = os.path.join(os.path.dirname(__file__), "..", "..", "configs", "demo", "cycle.yaml")


def test_it_sends_while_the_simulation_runs_and_drains_what_is_left_when_stopped(
    db_url, engine, mail, tmp_path
):
    config = load_cycle_config(DEMO_CYCLE)
    first = queue_messages(engine, 60, prefix="B")
    with BackgroundDispatcher(db_url, routes_path=None, config=config) as background:
        deadline = time.monotonic() + 120
        while background.so_far().sent < len(first):  # sent with no call from here
            assert time.monotonic() < deadline, background.so_far()
            time.sleep(0.1)
        later = queue_messages(engine, 40, first=60, prefix="B")  # queued just before the end
        final = background.stop()
    received = key_counts(tmp_path / "mail")
    assert (final.sent, final.dead) == (100, 0)
    assert final.seconds > 0
    assert set(received) == first | later
    assert set(received.values()) == {1}, "a key delivered twice"


SIMULATION = """
import sys, time
from kinerja.models.schemas.config import load_cycle_config
from kinerja.tasks.simulation import BackgroundDispatcher

if __name__ == "__main__":
    background = BackgroundDispatcher(sys.argv[1], routes_path=None,
                                      config=load_cycle_config(sys.argv[2])).start()
    print(background._process.pid, flush=True)
    time.sleep(600)
"""


def test_it_ends_when_the_simulation_is_killed(db_url, engine, mail, tmp_path):
    script = tmp_path / "simulation.py"
    script.write_text(SIMULATION, encoding="utf-8")
    parent = subprocess.Popen(
        [sys.executable, str(script), db_url, DEMO_CYCLE], stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(30)
        deadline = time.monotonic() + 60
        while _alive(child):
            assert time.monotonic() < deadline, "the dispatcher outlived the simulation"
            time.sleep(0.1)
    finally:
        if parent.poll() is None:
            parent.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child that ended but was not reaped by its (killed) parent is a zombie until init
    # reaps it: ended all the same.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False
