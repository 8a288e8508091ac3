"""A local SMTP server that keeps every message it receives as a ``.eml`` file.

The demo points the e-mail route at it, so every message the engine sends is a file the
user can open; tests use it as a real SMTP endpoint on loopback. Example::

    with MailCatcher(Path("outbox")) as catcher:
        ...  # send to 127.0.0.1:catcher.port
        for message in catcher.messages():
            print(message["To"], message["Subject"])

:class:`CatcherProcess` runs the same server in a child process
(``python -m kinerja.tasks.mailcatcher DIR``), so that a benchmark or a test with several
sending processes does not share its interpreter (and its GIL) with the server.
"""

from __future__ import annotations

import argparse
import email
import email.parser
import email.policy
import re
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from email.message import Message
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller

KEY_HEADER = "X-Kinerja-Key"

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


def safe_name(address: str) -> str:
    """A form of an address that is safe as part of a file name."""
    return _UNSAFE.sub("_", address).strip("._")[:80] or "unknown"


def free_port(host: str) -> int:
    # aiosmtpd's Controller connects to its own port once started, so it needs a real port
    # number up front rather than 0.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class _Store:
    """The aiosmtpd handler: writes one file per message, numbered in arrival order."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.lock = threading.Lock()
        self.counter = len(list(directory.glob("*.eml")))

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        recipient = envelope.rcpt_tos[0] if envelope.rcpt_tos else "unknown"
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        with self.lock:
            self.counter += 1
            path = self.directory / f"{self.counter:05d}-{safe_name(recipient)}.eml"
            path.write_bytes(content)
        return "250 Message accepted for delivery"


class _Caught:
    """What both catchers share: a ``with`` block around start and stop, and the messages
    stored in ``directory``."""

    directory: Path

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def files(self) -> list[Path]:
        """The stored messages, in arrival order."""
        return sorted(self.directory.glob("*.eml"))

    def messages(self) -> list[Message]:
        """The stored messages, parsed, in arrival order."""
        return read_messages(self.directory)


class MailCatcher(_Caught):
    """An SMTP server on loopback (no TLS, no auth) storing messages in ``directory``.

    ``port=0`` picks a free port; read the chosen one from ``.port``.
    """

    def __init__(self, directory: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.directory = Path(directory)
        self.host = host
        self.port = port
        self._controller: Controller | None = None

    def start(self) -> MailCatcher:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.port == 0:
            self.port = free_port(self.host)
        self._controller = Controller(_Store(self.directory), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def read_messages(directory: Path) -> list[Message]:
    """The messages stored in ``directory``, parsed, in arrival order."""
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(Path(directory).glob("*.eml"))
    ]


def key_counts(directory: Path) -> Counter[str]:
    """How many stored messages carry each ``X-Kinerja-Key`` (the outbox key)."""
    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    counts: Counter[str] = Counter()
    for path in sorted(Path(directory).glob("*.eml")):
        with path.open("rb") as fp:
            key = parser.parse(fp).get(KEY_HEADER)
        if key is not None:
            counts[str(key)] += 1
    return counts


class CatcherProcess(_Caught):
    """A :class:`MailCatcher` in a child process, with the same ``port``, ``files()`` and
    ``messages()``; ``stop()`` (or leaving the ``with`` block) ends the child."""

    def __init__(self, directory: Path, host: str = "127.0.0.1") -> None:
        self.directory = Path(directory)
        self.host = host
        self.port = 0
        self._child: subprocess.Popen[str] | None = None

    def start(self) -> CatcherProcess:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "kinerja.tasks.mailcatcher", str(self.directory), self.host],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._child.stdout is not None
        line = self._child.stdout.readline()  # "port N" once the server listens
        if not line.startswith("port "):
            self.stop()
            raise RuntimeError(f"the mail catcher did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._child.pid if self._child is not None else None

    def stop(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        if child.stdin is not None:
            child.stdin.close()  # the child stops when its stdin closes
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(30)
        if child.stdout is not None:
            child.stdout.close()


def main(argv: list[str] | None = None) -> None:
    """Serve until stdin closes or SIGTERM; print ``port N`` once listening."""
    parser = argparse.ArgumentParser(description="An SMTP catcher on loopback.")
    parser.add_argument("directory", type=Path)
    parser.add_argument("host", nargs="?", default="127.0.0.1")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with MailCatcher(args.directory, host=args.host) as catcher:
        print(f"port {catcher.port}", flush=True)
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
        stop.wait()


if __name__ == "__main__":
    main()
