"""Bounds on what a request may bring: a body size limit, checked as the body arrives.

A request that declares a larger ``Content-Length`` is answered 413 before its body is
read; one that streams more than it declared (or declares nothing) is cut off with 413 as
soon as it passes the limit, so an oversized POST never reaches memory whole, a form
parser or the database. The limit is ``KINERJA_PORTAL_MAX_BODY`` bytes (default 64 KiB:
every task form fits many times over). A multipart POST on a task page (``/t/...``), which
may carry evidence files, has the larger ``upload_limit`` (see portal/evidence.py).

The public forms (survey, complaints) also have rate limits per client address and per form
(:class:`RateLimit`).
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY = 64 * 1024
MAX_FIELDS = 1000
"""The most fields one form may have (Starlette's form parser stops there)."""


def max_body() -> int:
    """The body limit in force, in bytes (``KINERJA_PORTAL_MAX_BODY``)."""
    raw = os.environ.get("KINERJA_PORTAL_MAX_BODY", "").strip()
    if not raw:
        return DEFAULT_MAX_BODY
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(
            f"KINERJA_PORTAL_MAX_BODY harus bilangan bulat (byte), bukan {raw!r} / "
            f"must be a whole number of bytes, not {raw!r}"
        ) from None
    if value < 1024:
        raise ValueError("KINERJA_PORTAL_MAX_BODY minimal 1024 byte / must be at least 1024 bytes")
    return value


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes with 413."""

    def __init__(self, app: ASGIApp, limit: int, *, upload_limit: int | None = None) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit or limit

    def _limit(self, scope: Scope, headers: dict[bytes, bytes]) -> int:
        upload = (
            scope.get("method") == "POST"
            and scope.get("path", "").startswith("/t/")
            and headers.get(b"content-type", b"").startswith(b"multipart/form-data")
        )
        return self.upload_limit if upload else self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        limit = self._limit(scope, headers)
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = True  # a Content-Length that is not a number is not honoured
            if too_large:
                await _refuse(scope, send)
                return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the endpoint's body read: the exception handler answers.
                    raise HTTPException(status_code=413)
            return message

        await self.app(scope, limited, send)


async def _refuse(scope: Scope, send: Send) -> None:
    body = b"Kiriman terlalu besar / submission too large (413)\n"
    headers: list[Any] = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RateLimit:
    """At most ``count`` events per ``seconds`` per key, in this process (a sliding window).

    The public forms use two: one keyed by the client address, one by the form. The counts
    live in memory only (an address is never written anywhere) and per portal process: with
    several processes behind a proxy each enforces its own share. ``max_keys`` bounds the
    memory a flood of distinct addresses can take; the oldest keys are forgotten first.
    """

    def __init__(self, count: int, seconds: float, *, max_keys: int = 100_000) -> None:
        if count < 1 or seconds <= 0:
            raise ValueError("rate limit: count >= 1 and seconds > 0")
        self.count = count
        self.seconds = seconds
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count one event for ``key`` and say whether it is within the limit."""
        at = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= at - self.seconds:
                hits.popleft()
            allowed = len(hits) < self.count
            if allowed:
                hits.append(at)
            self._hits[key] = hits  # re-inserted: the dict's order is least recently seen
            while len(self._hits) > self.max_keys:
                self._hits.pop(next(iter(self._hits)))
            return allowed

    @classmethod
    def from_env(cls, name: str, default: str) -> RateLimit:
        """A limit from ``COUNT/SECONDS`` in the environment variable ``name``."""
        raw = os.environ.get(name, "").strip() or default
        try:
            count, seconds = raw.split("/")
            return cls(int(count), float(seconds))
        except ValueError:
            raise ValueError(
                f"{name} harus JUMLAH/DETIK, mis. 20/3600 / must be COUNT/SECONDS, "
                f"e.g. 20/3600, not {raw!r}"
            ) from None
