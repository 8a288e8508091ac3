"""One clock, passed in: nothing reads the wall clock directly.

Times are naive UTC datetimes throughout the database. A cycle may carry its own clock
(``cycles.clock_at``): the simulator moves it to run a year in seconds, and every flow, the
sweeper and the response service read time for that cycle through :func:`cycle_now`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, as naive UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class ManualClock:
    """A clock that only moves when told to (tests, simulation)."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when

    def advance(self, delta: timedelta) -> datetime:
        self._now = self._now + delta
        return self._now


SYSTEM_CLOCK = SystemClock()


def cycle_now(clock_at: datetime | None, clock: Clock | None = None) -> datetime:
    """The time for a cycle: its simulated clock when it has one, else ``clock`` or the wall."""
    if clock_at is not None:
        return clock_at
    return (clock or SYSTEM_CLOCK).now()
