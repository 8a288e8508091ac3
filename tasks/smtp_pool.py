"""SMTP connections kept open across the messages of one dispatcher pass.

Apprise's e-mail plugin opens, secures, authenticates and closes one SMTP connection per
message (``AppriseSMTPController``, a context manager around each send). Against a relay
that is most of a message's cost. :func:`install` gives the plugin a controller that,
inside :func:`reusing` (a dispatcher pass), keeps the connections it opened, per relay
and account, and hands an idle one to the next message; outside it, every send opens its
own connection as before. Apprise still parses the URL, builds the message (headers, Message-ID, the
``X-Kinerja-Key`` header) and reports the outcome.

A kept connection that the relay has closed meanwhile (an idle timeout) is opened again
once before the message is given up; a connection on which a send failed is closed and
not reused. The pass closes every connection it kept when it ends.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

_ERRORS = (OSError, smtplib.SMTPException, RuntimeError)


class ConnectionPool:
    """The idle SMTP connections of one pass, by relay, account and TLS mode.

    A connection in use is out of the pool, so no two sends ever share one: a pass with
    eight sending threads opens at most eight per relay.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[tuple[Any, ...], list[smtplib.SMTP]] = {}
        self.opened = 0
        """Connections opened during the pass (a reconnect counts)."""

    def idle(self) -> int:
        """How many connections the pool holds open now."""
        with self._lock:
            return sum(len(v) for v in self._idle.values())

    def take(self, key: tuple[Any, ...]) -> smtplib.SMTP | None:
        with self._lock:
            kept = self._idle.get(key)
            return kept.pop() if kept else None

    def give_back(self, key: tuple[Any, ...], connection: smtplib.SMTP) -> None:
        with self._lock:
            self._idle.setdefault(key, []).append(connection)

    def opened_one(self) -> None:
        with self._lock:
            self.opened += 1

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                _quit(connection)


_ACTIVE: ContextVar[ConnectionPool | None] = ContextVar("kinerja_smtp_pool", default=None)


@contextlib.contextmanager
def reusing(pool: ConnectionPool) -> Iterator[ConnectionPool]:
    """Within the block, e-mails sent in this context reuse ``pool``'s connections."""
    token = _ACTIVE.set(pool)
    try:
        yield pool
    finally:
        _ACTIVE.reset(token)


def _quit(connection: smtplib.SMTP) -> None:
    with contextlib.suppress(*_ERRORS):
        connection.quit()
    with contextlib.suppress(*_ERRORS):
        connection.close()


def _controller_class(base: type) -> type:
    """A subclass of Apprise's controller that borrows a kept connection when it can."""

    class PooledSMTPController(base):  # type: ignore[misc, valid-type]
        def _key(self) -> tuple[Any, ...]:
            return (
                self.host,
                self.port,
                self.secure_mode,
                self.user,
                self.password,
                self.verify_certificate,
            )

        def __enter__(self) -> Any:
            self._pool = _ACTIVE.get()
            self._broken = False
            if self._pool is not None:
                kept = self._pool.take(self._key())
                if kept is not None:
                    self._socket = kept
                    return self
            result = super().__enter__()
            if self._pool is not None:
                self._pool.opened_one()
            return result

        def _reconnect(self) -> None:
            _quit(self._socket)
            self._socket = None
            super().__enter__()
            self._pool.opened_one()

        def sendmail(self, from_addr: str, to_addrs: list, message: str) -> bool:
            if self._pool is None:
                return super().sendmail(from_addr, to_addrs, message)
            try:
                refused = self._socket.sendmail(from_addr, to_addrs, message)
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                # The relay closed a kept connection (an idle timeout): nothing of this
                # message was accepted, so one fresh connection may send it.
                try:
                    self._reconnect()
                except _ERRORS:
                    self._broken = True
                    return False
                ok = super().sendmail(from_addr, to_addrs, message)
                self._broken = not ok
                return ok
            except _ERRORS:
                self._broken = True
                return False
            for addr, (code, resp) in refused.items():
                logging.getLogger("apprise").warning(
                    "SMTP recipient %s was refused: %s %s", addr, code, resp
                )
            return not refused

        def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
            if self._pool is None:
                return super().__exit__(exc_type, exc_val, exc_tb)
            if self._socket is None:
                return None
            if exc_type is None and not self._broken:
                self._pool.give_back(self._key(), self._socket)
            else:
                _quit(self._socket)
            self._socket = None
            return None

    return PooledSMTPController


def install() -> bool:
    """Give Apprise's e-mail plugin the pooled controller; False if it is not as expected."""
    try:
        from apprise.plugins.email import base, smtp
    except ImportError:
        return False
    current = getattr(base, "AppriseSMTPController", None)
    if current is None:
        return False
    if getattr(current, "__name__", "") == "PooledSMTPController":
        return True
    if current is not smtp.AppriseSMTPController:
        return False
    base.AppriseSMTPController = _controller_class(current)
    return True
