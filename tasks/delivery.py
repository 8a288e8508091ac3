"""Delivering one message through Apprise: the recipient's channels in order, one Apprise
call per recipient so that a failure is attributed, secrets scrubbed from every error.

An e-mail carries its outbox key in an ``X-Kinerja-Key`` header and a Message-ID derived
from the key (:mod:`kinerja.tasks.message_id`), so that a copy sent again after a crash is
recognisably the same message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import apprise
from apprise.plugins.email.base import NotifyEmail

from kinerja.models.outbox.routes import MissingAddress, RouteError, Routes
from kinerja.tasks import message_id, smtp_pool, smtp_tls

smtp_tls.install()
message_id.install()
smtp_pool.install()

_NOT_SECRET = ("_HOST", "_PORT")


def _scrub(text: str, secrets: Mapping[str, str]) -> str:
    """Replace every environment value in ``text`` by its ``${NAME}``.

    Hosts and ports are kept (they make an error readable and are no secret); very short
    values are kept too, as replacing them would garble the text rather than hide anything.
    """
    # Longest first, so a secret containing another is replaced whole.
    for value in sorted(secrets, key=len, reverse=True):
        name = secrets[value]
        if len(value) >= 4 and not name.endswith(_NOT_SECRET):
            text = text.replace(value, "${" + name + "}")
    return text


class _Capture(logging.Handler):
    """Collects this thread's Apprise warnings while one message is sent."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.lines.append(record.getMessage().strip())


_withheld_lock = threading.Lock()
_withheld_depth = 0


@contextmanager
def _apprise_logs_withheld() -> Iterator[None]:
    """Keep Apprise's records away from the application's handlers during a send.

    Apprise may log a whole URL (for example "Unparseable URL ..."), secrets included; its
    own per-call capture still sees every record. The dispatcher logs the scrubbed text.
    """
    global _withheld_depth
    apprise_log = logging.getLogger("apprise")
    with _withheld_lock:
        _withheld_depth += 1
        apprise_log.propagate = False
    try:
        yield
    finally:
        with _withheld_lock:
            _withheld_depth -= 1
            if _withheld_depth == 0:
                apprise_log.propagate = True


def send_one(url: str, *, title: str, body: str, key: str | None = None) -> str | None:
    """Send one message through one Apprise URL; None on success, else the error text.

    An e-mail with a ``key`` gets the Message-ID derived from it (and from the sender's
    domain). The error text may contain the URL's secrets: scrub it before storing or
    logging it.
    """
    apprise_log = logging.getLogger("apprise")
    capture = _Capture()
    with _apprise_logs_withheld():
        apprise_log.addHandler(capture)
        try:
            sender = apprise.Apprise()
            plugin = apprise.Apprise.instantiate(url)
            if plugin is None or not sender.add(plugin):
                return "invalid Apprise URL: " + (" ".join(capture.lines) or "unparseable")
            msgid = None
            if key is not None and isinstance(plugin, NotifyEmail):
                msgid = message_id.message_id(key, plugin.from_addr[1].rpartition("@")[2])
            with message_id.keyed(msgid):
                result = sender.notify(
                    title=title, body=body, body_format=apprise.NotifyFormat.TEXT
                )
        finally:
            apprise_log.removeHandler(capture)
    if result:
        return None
    # The result's own log is attributed to this call even when Apprise used a worker thread.
    lines = [
        e.message.strip()
        for e in result.logs()
        if e.level in ("WARNING", "ERROR", "CRITICAL") and e.message.strip()
    ]
    return " ".join(lines or capture.lines) or "Apprise reported a failure without details"


def with_key_header(url: str, key: str | None) -> str:
    """An e-mail URL that also sets the ``X-Kinerja-Key`` header to the message's key.

    The receiving side (and the tests) can then tell a message delivered twice apart.
    """
    if not key or not url.startswith(("mailto://", "mailtos://")):
        return url
    from urllib.parse import quote

    separator = "&" if "?" in url else "?"
    return f"{url}{separator}+X-Kinerja-Key={quote(key, safe='')}"


def deliver(
    routes: Routes,
    recipient: Mapping[str, Any] | None,
    nip: str,
    *,
    title: str,
    body: str,
    key: str | None = None,
) -> tuple[str, str | None]:
    """Try the recipient's channels in order until one delivers.

    Returns ``("sent", channel)``, ``("retry", error)`` when a channel was tried and
    failed, or ``("dead", error)`` when no channel can reach the person at all.
    """
    if recipient is None:
        return "dead", (
            f"Penerima {nip} tidak ditemukan / Recipient {nip} not found "
            "(not an employee and not among the extra recipients)"
        )
    channels = routes.channels_for(recipient)
    errors: list[str] = []
    unreachable: list[str] = []
    for channel in channels:
        if channel not in routes.channels:
            unreachable.append(f"{channel}: unknown channel")
            continue
        try:
            url, secrets = routes.url_for(channel, recipient)
        except MissingAddress as exc:
            unreachable.append(str(exc))
            continue
        except RouteError as exc:
            errors.append(str(exc))
            continue
        error = send_one(with_key_header(url, key), title=title, body=body, key=key)
        if error is None:
            return "sent", channel
        errors.append(f"{channel}: {_scrub(error, secrets)}")
    if errors:
        return "retry", "Gagal mengirim / Sending failed: " + "; ".join(errors + unreachable)
    return "dead", (
        f"Penerima {nip} tidak punya alamat untuk kanal {', '.join(channels) or '-'} / "
        f"Recipient {nip} has no address for channel(s) {', '.join(channels) or '-'}"
        + (f" ({'; '.join(unreachable)})" if unreachable else "")
    )
