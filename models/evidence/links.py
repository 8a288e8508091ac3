"""Signed download links for evidence files: HMAC-SHA256 tokens naming one file, one
person and an expiry, like the task links of models/humantasks/links.py.

A token reads ``f<file id>.<nip, base64url>.<expiry, epoch seconds>.<signature>``; the
signature covers the tag ``f``, the file id, the NIP and the expiry, so another file,
another person or a later expiry is a forgery. A genuine token is not yet permission: the
portal checks at each download that the person it names may still see the file.

    >>> token = sign_file(3, "A-1", datetime(2026, 1, 1), b"k" * 32)
    >>> verify_file(token, b"k" * 32, datetime(2025, 6, 1))
    (3, 'A-1')
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta

FILE_LINK_TTL = timedelta(days=1)
"""How long a download link on a page stays valid after the page was shown."""

_TOKEN = re.compile(
    r"f(?P<id>[1-9][0-9]{0,17})\.(?P<nip>[A-Za-z0-9_-]{1,200})"
    r"\.(?P<exp>[1-9][0-9]{0,11})\.(?P<mac>[A-Za-z0-9_-]{43})"
)


class FileLinkError(ValueError):
    """A download link was refused; ``expired`` tells a genuine but stale one apart."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _epoch(at: datetime) -> int:
    # Naive datetimes are UTC, as everywhere in the database.
    return int((at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp())


def _mac(secret: bytes, file_id: str, nip: str, exp: str) -> str:
    message = "\n".join(("f", file_id, nip, exp)).encode()
    return _b64(hmac.new(secret, message, hashlib.sha256).digest())


def sign_file(file_id: int, nip: str, expires_at: datetime, secret: bytes) -> str:
    """A token for ``nip`` to download evidence file ``file_id`` until ``expires_at``."""
    exp = str(_epoch(expires_at))
    return f"f{file_id}.{_b64(nip.encode())}.{exp}.{_mac(secret, str(file_id), nip, exp)}"


def verify_file(token: str, secret: bytes, now: datetime) -> tuple[int, str]:
    """(file id, NIP) of a genuine, unexpired token; raises :class:`FileLinkError`."""
    forged = FileLinkError("Tautan tidak sah / invalid link")
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise forged
    nip_b64 = match["nip"]
    try:
        nip = base64.urlsafe_b64decode(nip_b64 + "=" * (-len(nip_b64) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise forged from exc
    if _b64(nip.encode()) != nip_b64:
        raise forged
    expected = _mac(secret, match["id"], nip, match["exp"])
    if not hmac.compare_digest(match["mac"].encode(), expected.encode()):
        raise forged
    if _epoch(now) >= int(match["exp"]):
        raise FileLinkError("Tautan kedaluwarsa / link expired", expired=True)
    return int(match["id"]), nip
