"""An e-mail's Message-ID derived from its outbox key, and Apprise made to use it.

Delivery is at-least-once: a dispatcher killed after the relay accepted a message and
before the outcome was committed sends it again. Both copies then carry the same
Message-ID, :func:`message_id` of the key, so a mail system or a reader can tell the second
for what it is. Example::

    message_id("2026:42:task_opened:1985...:0", "pemda.go.id")
    # '<kinerja.3f1c...e0@pemda.go.id>'

Apprise's e-mail plugin writes its own random Message-ID (``email.utils.make_msgid``) after
the headers a URL may add, so a ``+Message-ID=`` URL header would leave a message with two.
:func:`install` gives the plugin a ``make_msgid`` that returns the Message-ID of the message
being sent in the current context (:func:`keyed`), and a random one otherwise (ops alerts).
Apprise runs a plugin in the caller's thread or in a worker with a copy of the caller's
context, so a context variable reaches it either way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from email import utils as email_utils
from typing import Any

_CURRENT: ContextVar[str | None] = ContextVar("kinerja_message_id", default=None)

# RFC 5322 dot-atom-text, the form of a msg-id's right-hand side used here.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
FALLBACK_DOMAIN = "kinerja.invalid"


def message_id(key: str, domain: str | None) -> str:
    """The Message-ID of the message with outbox key ``key``: ``<kinerja.HASH@domain>``.

    ``HASH`` is the first 32 hex digits of the key's SHA-256 (the key holds ``:``, which a
    msg-id may not); ``domain`` is the sender's domain, or ``kinerja.invalid`` when it is
    not a plain domain.
    """
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    right = domain if domain and _DOT_ATOM.fullmatch(domain) else FALLBACK_DOMAIN
    return f"<kinerja.{digest}@{right}>"


@contextmanager
def keyed(value: str | None) -> Iterator[None]:
    """Within the block, e-mails sent through Apprise in this context carry ``value`` as
    their Message-ID (nothing changes when ``value`` is None)."""
    token = _CURRENT.set(value)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def _make_msgid(idstring: str | None = None, domain: str | None = None) -> str:
    return _CURRENT.get() or email_utils.make_msgid(idstring=idstring, domain=domain)


def install() -> None:
    """Give Apprise's e-mail plugin the keyed ``make_msgid``.

    Raises RuntimeError when the plugin no longer builds its Message-ID this way: the
    stable Message-ID is a documented promise, so a changed Apprise must fail loudly.
    """
    try:
        from apprise.plugins.email import base
    except ImportError as exc:
        raise RuntimeError(
            f"Apprise's e-mail plugin is not where it was ({exc}): cannot set a stable Message-ID"
        ) from exc
    current: Any = getattr(base, "make_msgid", None)
    if current is _make_msgid:
        return
    if current is not email_utils.make_msgid:
        raise RuntimeError(
            "Apprise's e-mail plugin no longer uses email.utils.make_msgid: cannot set a "
            "stable Message-ID"
        )
    base.make_msgid = _make_msgid
