"""Plain-text e-mails composed as Apprise composes them, without the e-mail package's
header machinery.

Apprise's e-mail plugin builds each message with ``email.mime`` and ``Message.as_string``:
every header goes through ``email.header.Header`` and the compat32 folding code, even a
short ASCII one that comes out exactly as it went in. In a dispatcher pass that is the
largest share of a message's CPU, more than opening the plugin or the SMTP exchange.

:func:`install` puts a composer in front of the plugin's ``prepare_emails``. For the
messages this project sends (plain text, no attachments, no Cc, Bcc, Reply-To or PGP,
every header value printable ASCII on one line) it writes the headers itself, in the
plugin's order, and takes the body from the same ``MIMEText`` the plugin builds; the text
is byte for byte what the plugin gives (``tests/tasks/test_mail_compose.py`` compares
them). Any other message goes to the plugin's own code unchanged.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from typing import Any

_SAFE = re.compile(r"[!-~]+(?: [!-~]+)*")
"""A header value the compat32 policy writes unchanged: printable ASCII words separated
by single spaces, nothing around them."""
_NAME = re.compile(r"[!-9;-~]+")
"""A header name: printable ASCII without a colon."""
_PLAIN_ARGUMENTS = (
    "subject",
    "body",
    "from_addr",
    "to",
    "cc",
    "bcc",
    "reply_to",
    "smtp_host",
    "notify_format",
    "attach",
    "headers",
    "pgp_mode",
    "tzinfo",
)

_original: Callable[..., Iterator[Any]] | None = None
_signature: inspect.Signature | None = None


def _safe(value: Any) -> bool:
    return isinstance(value, str) and _SAFE.fullmatch(value) is not None


def compose_plain(arguments: dict[str, Any]) -> list[tuple[str, list[str], str]] | None:
    """``(recipient, to_addrs, text)`` of each message ``prepare_emails`` would yield for
    these bound arguments, or None when they are not a plain message of the simple kind
    (the plugin's own code composes it then)."""
    from apprise import NotifyFormat
    from apprise.plugins.email import base

    a = arguments
    to = list(a["to"] or ())
    if (
        a["notify_format"] != NotifyFormat.TEXT
        or a["attach"]
        or a["cc"]
        or a["bcc"]
        or a["reply_to"]
        or a["pgp_mode"] != base.PGP_MODE_DEFAULT
        or not to
        or not isinstance(a["body"], str)
        or not isinstance(a["subject"], str)
    ):
        return None
    headers = dict(a["headers"] or {})
    if any(k.strip().lower() == "autocrypt" for k in headers):
        return None
    subject = " ".join(a["subject"].split())
    from_addr = a["from_addr"]
    smtp_host = a["smtp_host"] or from_addr[1].split("@")[1]
    tzinfo = a["tzinfo"] or datetime.now().astimezone().tzinfo
    sender = formataddr(from_addr, charset="utf-8")
    mime = MIMEText(a["body"], "plain", "utf-8")
    payload = mime.get_payload()
    fixed = [*mime.raw_items(), *headers.items(), ("Subject", subject), ("From", sender)]
    if not (
        isinstance(payload, str)
        and payload.isascii()
        and "\r" not in payload  # the generator writes line ends anew
        and all(_NAME.fullmatch(k) and _safe(v) for k, v in fixed)
    ):
        return None
    head = "".join(f"{k}: {v}\n" for k, v in fixed)
    text = "\n" + payload
    messages = []
    for to_name, to_addr in to:
        recipient = formataddr((to_name, to_addr), charset="utf-8")
        msgid = base.make_msgid(domain=smtp_host)
        date = format_datetime(datetime.now(tz=tzinfo))
        if not (_safe(recipient) and _safe(msgid) and _safe(date)):
            return None
        own = f"To: {recipient}\nMessage-ID: {msgid}\nDate: {date}\n"
        messages.append((to_addr, [to_addr], head + own + text))
    return messages


def _prepare_emails(*args: Any, **kwargs: Any) -> Iterator[Any]:
    """``NotifyEmail.prepare_emails``, composing the simple plain messages itself."""
    from apprise.plugins.email.base import EmailMessage

    assert _original is not None and _signature is not None
    bound = _signature.bind(*args, **kwargs)
    bound.apply_defaults()
    composed = compose_plain(bound.arguments)
    if composed is None:
        yield from _original(*args, **kwargs)
        return
    for recipient, to_addrs, text in composed:
        yield EmailMessage(recipient=recipient, to_addrs=to_addrs, body=text)


def install() -> bool:
    """Put the composer in front of Apprise's ``prepare_emails``; False (and nothing
    changed) when the plugin is not as expected."""
    global _original, _signature
    try:
        from apprise.plugins.email import base
    except ImportError:
        return False
    current = base.NotifyEmail.__dict__.get("prepare_emails")
    if not isinstance(current, staticmethod):
        return False
    function = current.__func__
    if function is _prepare_emails:
        return True
    signature = inspect.signature(function)
    if not set(_PLAIN_ARGUMENTS) <= set(signature.parameters) or not all(
        hasattr(base, name) for name in ("EmailMessage", "PGP_MODE_DEFAULT", "make_msgid")
    ):
        return False
    _original, _signature = function, signature
    base.NotifyEmail.prepare_emails = staticmethod(_prepare_emails)
    return True
