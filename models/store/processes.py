"""Who this process is, and whether a process recorded earlier is known to be gone.

A dispatcher marks the rows it claims with its :class:`ProcessId`: host name, pid, and a
start token that tells this process apart from a later one reusing the pid (the boot, the
pid namespace and the process's start time, read from Linux's ``/proc``). Another process
on the same host and in the same pid namespace can then tell a dead claimant from a live
one at once, without waiting for a lease to run out.

:func:`known_dead` answers only what it can know: a process on another host, in another
pid namespace or boot, or on a system without ``/proc``, is never *known* dead (its claim
is respected until its lease expires). Example::

    me = current_process()
    known_dead(ProcessId(me.host, 12345, "old-token"))   # True when pid 12345 is gone
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessId:
    """A process as recorded on a claim: ``start`` is empty where it cannot be known."""

    host: str
    pid: int
    start: str

    @property
    def machine(self) -> str:
        """The boot and pid namespace part of ``start`` (where a pid means one process)."""
        return self.start.rsplit("/", 1)[0] if self.start else ""


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


@lru_cache(maxsize=1)
def _machine() -> str:
    """This boot and pid namespace, or "" without /proc (a pid then tells nothing)."""
    boot = _read(_PROC / "sys" / "kernel" / "random" / "boot_id")
    try:
        namespace = os.readlink(_PROC / "self" / "ns" / "pid")
    except OSError:
        namespace = None
    if not boot or not namespace:
        return ""
    return f"{boot}/{namespace}"


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) of ``pid``, or None if there is none."""
    text = _read(_PROC / str(pid) / "stat")
    if text is None:
        return None
    # The command name (field 2) may hold spaces and parentheses: fields restart after
    # the last ")". State is field 3, start time field 22.
    fields = text[text.rfind(")") + 2 :].split()
    if len(fields) < 20:
        return None
    return fields[0], fields[19]


def start_token(pid: int) -> str:
    """The start token of ``pid`` as seen from here, or "" when it cannot be read."""
    machine = _machine()
    stat = _stat(pid)
    if not machine or stat is None:
        return ""
    return f"{machine}/{stat[1]}"


_current: ProcessId | None = None


def current_process() -> ProcessId:
    """This process (computed again after a fork, since the pid changes)."""
    global _current
    pid = os.getpid()
    if _current is None or _current.pid != pid:
        _current = ProcessId(socket.gethostname(), pid, start_token(pid))
    return _current


def known_dead(process: ProcessId) -> bool:
    """True only when ``process`` ran on this host, in this boot and pid namespace, and no
    longer runs: its pid is gone, a zombie, or now another process."""
    me = current_process()
    if not process.start or not me.start:
        return False
    if process.host != me.host or process.machine != me.machine:
        return False
    stat = _stat(process.pid)
    if stat is None or stat[0] in ("Z", "X"):
        return True
    return f"{me.machine}/{stat[1]}" != process.start
