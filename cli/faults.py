"""How a command fails: one line naming the cause and the remedy, and a non-zero exit.

Storage failures (a read-only or unreachable database, a full disk, a folder that cannot be
written), Prefect's local API not starting, and anything unexpected end in one bilingual line
on standard error; ``--debug`` (or ``KINERJA_DEBUG=1``) shows the traceback as well. Nothing
is half-written: every database change runs in a transaction that rolls back on the error,
and a command run again continues where it stopped.

While a command runs, the Prefect console does not repeat the failure of a flow or task run
with its traceback (the run's logs still reach the Prefect API and UI); at exit, Prefect's
event and log queues are drained while its API is still up, so nothing is lost or printed
after the command's own output.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
import traceback
import warnings
from pathlib import Path

import typer

DEBUG_ENV = "KINERJA_DEBUG"
_RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


def debug_on() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes")


class _RunFailuresAside(logging.Filter):
    """Drops flow and task runs' error records from the console (the command reports)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return debug_on() or not (
            record.levelno >= logging.ERROR and record.name.startswith(_RUN_LOGGERS)
        )


class PrefectHomeError(RuntimeError):
    """Prefect's home folder (its local API's database) cannot be written."""


def before_flows() -> None:
    """Prepare this process to run flows itself: called by the commands that do, first.

    Without a Prefect server (no ``PREFECT_API_URL``) Prefect starts a local API whose
    database lives in ``PREFECT_HOME``: that folder must be writable, checked here so the
    command fails at once with one line instead of waiting for the API not to start. Then
    failed runs' tracebacks are kept off the console (Prefect's logging is set up on import;
    the filter goes on its console handler).
    """
    with warnings.catch_warnings():
        # Prefect warns on import when it cannot create its home; the check below says it.
        warnings.simplefilter("ignore", UserWarning)
        import prefect.settings
    if not os.environ.get("PREFECT_API_URL"):
        home = Path(prefect.settings.PREFECT_HOME.value()).expanduser()
        try:
            home.mkdir(parents=True, exist_ok=True)
            probe = home / ".kinerja-write-check"
            probe.write_text("ok", encoding="utf-8")
            probe.unlink()
        except OSError as exc:
            raise PrefectHomeError(
                f"PREFECT_HOME ({home}) tidak dapat ditulis / is not writable: {exc.strerror}."
                " Arahkan PREFECT_HOME ke folder yang dapat ditulis / point PREFECT_HOME at a"
                " writable folder, or run a Prefect server and set PREFECT_API_URL"
            ) from None
    from prefect.logging.handlers import PrefectConsoleHandler

    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler) and not any(
            isinstance(f, _RunFailuresAside) for f in handler.filters
        ):
            handler.addFilter(_RunFailuresAside())


def _home() -> str:
    from kinerja.models.store.db import DEFAULT_HOME

    return os.environ.get("KINERJA_HOME", str(DEFAULT_HOME))


def describe(exc: BaseException) -> str | None:
    """The one line for a known failure, or None."""
    for cause in _chain(exc):
        line = _storage(cause) or _prefect(cause)
        if line:
            return line
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    while exc is not None and exc not in out and len(out) < 10:
        out.append(exc)
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return out


def _storage(exc: BaseException) -> str | None:
    if isinstance(exc, OSError) and exc.errno is not None:
        where = exc.filename or "-"
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return (
                f"Ruang disk penuh / the disk is full ({where}): kosongkan ruang lalu jalankan"
                " perintah yang sama lagi / free some space and run the same command again;"
                " nothing was half-written"
            )
        if exc.errno in (
            errno.EACCES,
            errno.EPERM,
            errno.EROFS,
            errno.ENOTDIR,
            errno.EEXIST,
            errno.EISDIR,
        ):
            return (
                f"Tidak dapat menulis / cannot write {where}: {exc.strerror}. Periksa folder itu"
                f" / check that folder, or set KINERJA_HOME (now {_home()}) to a writable one"
            )
    try:
        from sqlalchemy.exc import DBAPIError
    except ImportError:  # pragma: no cover
        return None
    if isinstance(exc, DBAPIError):
        text = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc).strip() else ""
        low = text.lower()
        url = _url()
        if "readonly" in low or "read-only" in low:
            return (
                f"Basis data hanya-baca / the database is read-only ({url}): {text}. Beri izin"
                " tulis / give Kinerja write access (file permissions, or the server's"
                " read-only mode)"
            )
        if "disk i/o error" in low:
            return (
                f"Basis data gagal menulis ke disk / the database could not write to disk ({url}):"
                f" {text} (disk penuh atau rusak / the disk is full or failing). Kosongkan ruang"
                " lalu ulangi / free space and run the command again; nothing was half-written"
            )
        if "disk is full" in low or "no space" in low or "disk full" in low:
            return (
                f"Ruang disk basis data penuh / the database's disk is full ({url}): {text}."
                " Kosongkan ruang lalu ulangi / free space and run the command again"
            )
        if "unable to open" in low or "could not connect" in low or "connection refused" in low:
            return (
                f"Basis data tidak dapat dibuka / cannot reach the database ({url}): {text}."
                " Periksa KINERJA_DATABASE_URL dan server / check KINERJA_DATABASE_URL and"
                " that the server runs"
            )
        return f"Kesalahan basis data / database error ({url}): {text}"
    return None


def _prefect(exc: BaseException) -> str | None:
    if isinstance(exc, PrefectHomeError):
        return str(exc)
    if isinstance(exc, RuntimeError) and "ephemeral Prefect API server" in str(exc):
        limit = os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "?")
        return (
            f"API Prefect lokal tidak menyala dalam {limit} detik / Prefect's local API did not"
            f" start within {limit} s (is the machine busy, or PREFECT_HOME not writable?):"
            " naikkan / raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, or run a"
            " Prefect server and set PREFECT_API_URL"
        )
    return None


def _url() -> str:
    try:
        from kinerja.models.store.db import default_url, describe_url

        return describe_url(default_url())
    except Exception:  # noqa: BLE001 - the URL is a courtesy in an error message
        return "?"


def report(exc: BaseException) -> int:
    """Print the failure (one line, or the traceback with ``--debug``); the exit code."""
    if isinstance(exc, KeyboardInterrupt):
        typer.echo("Dihentikan / interrupted", err=True)
        return 130
    if debug_on():
        traceback.print_exception(exc, file=sys.stderr)
    line = describe(exc)
    if line is None:
        first = (str(exc).strip().splitlines() or [""])[0]
        line = f"Kesalahan tak terduga / unexpected error: {type(exc).__name__}: {first}" + (
            "" if debug_on() else " (--debug menampilkan rinciannya / shows the traceback)"
        )
    typer.echo(line, err=True)
    return 1


def drain_prefect(timeout: float = 10) -> None:
    """Send Prefect's queued events and logs while its API still runs (before exit)."""
    if "prefect" not in sys.modules:
        return
    try:
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        for service in (EventsWorker, APILogWorker):
            service.drain_all(timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - what could not be sent is said, not raised
        if debug_on():
            typer.echo(f"Prefect queues not drained: {exc!r}", err=True)
