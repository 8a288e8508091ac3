"""Process identity on a claim: a process known dead is told apart from a live one, and nothing
is called dead that cannot be known to be (Linux, where /proc tells)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from kinerja.models.store.processes import ProcessId, current_process, known_dead, start_token


def sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def recorded(process: subprocess.Popen[bytes]) -> ProcessId:
    """What a claim by ``process`` records."""
    return ProcessId(current_process().host, process.pid, start_token(process.pid))


def test_this_process_has_a_full_identity():
    me = current_process()
    assert me.pid == os.getpid() and me.host
    boot, namespace, ticks = me.start.rsplit("/", 2)
    assert boot and namespace.startswith("pid:[") and ticks.isdigit()
    assert not known_dead(me)


def test_a_live_process_is_not_dead_and_a_reaped_one_is():
    child = sleeper()
    try:
        claim = recorded(child)
        assert claim.start and not known_dead(claim)
    finally:
        child.kill()
        child.wait()
    assert known_dead(claim)


def test_a_killed_process_not_yet_reaped_is_dead():
    child = sleeper()
    claim = recorded(child)
    os.kill(child.pid, signal.SIGKILL)
    try:
        # A zombie keeps its pid and start time until its parent reaps it.
        deadline = time.monotonic() + 10
        while not known_dead(claim) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert known_dead(claim)
    finally:
        child.wait()


def test_a_pid_now_held_by_another_process_means_the_claimant_is_gone():
    me = current_process()
    # This pid, but another start time: the process that claimed is not this one.
    earlier = ProcessId(me.host, me.pid, f"{me.machine}/1")
    assert known_dead(earlier)


def test_what_cannot_be_known_is_never_called_dead():
    me = current_process()
    gone = 2**22 + 12345  # beyond pid_max: no such process here
    assert not known_dead(ProcessId("another-host", gone, f"{me.machine}/1"))
    assert not known_dead(ProcessId(me.host, gone, "another-boot/pid:[1]/1"))
    assert not known_dead(ProcessId(me.host, gone, ""))
    assert known_dead(ProcessId(me.host, gone, f"{me.machine}/1"))
