"""Signed portal links: HMAC-SHA256 tokens naming exactly one task (or one person's page)
and exactly one person, with an expiry.

A task token reads ``<task id>.<nip, base64url>.<expiry, epoch seconds>.<signature>``; the
signature covers a purpose tag, the task id, the NIP and the expiry, so changing any part
(another task, another person, a later expiry) makes it a forgery. A person token
(``/me/...``) uses the tag ``p`` and has no task id; a coordinator's desk token
(``/desk/...``) uses the tag ``d``, so neither opens the other's page. Tokens are
deterministic: the same task, person and expiry always give the same link, so a re-rendered
message keeps its link.

Whether the task is still open is not the token's business: the portal checks that at use.

    >>> token = sign(7, "A-1", datetime(2026, 1, 1), b"k" * 32)
    >>> verify(token, b"k" * 32, datetime(2025, 6, 1))
    (7, 'A-1')
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

DEMO_SECRET = b"kinerja-demo-secret-NOT-FOR-PRODUCTION-use-KINERJA_SECRET"
"""The fixed secret of the demo (``KINERJA_DEMO=1``): public, so demo links are forgeable."""

MIN_SECRET_LENGTH = 32
PLACEHOLDERS = frozenset(
    {"changethis", "change-me", "changeme", "secret", "demo", "test", "password", "xxx"}
)
LINK_GRACE = timedelta(days=1)
"""A task link expires this long after the task's final deadline."""


class SecretError(RuntimeError):
    """The signing secret is missing or a placeholder outside the demo."""


class LinkError(ValueError):
    """A link was refused; ``str()`` says why in Bahasa Indonesia and English."""


class ForgedLink(LinkError):
    """The token is malformed or its signature does not match."""


class ExpiredLink(LinkError):
    """The token was genuine but its expiry has passed."""


@dataclass(frozen=True)
class LinkClaims:
    """What a genuine token says: the task (None for a person or desk link), the person, the
    expiry, and the purpose (``t`` task, ``p`` person's page, ``d`` coordinator's desk)."""

    task_id: int | None
    nip: str
    expires_at: datetime
    purpose: str = "t"


def is_demo(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get("KINERJA_DEMO", "").strip().lower() in ("1", "true", "yes", "on")


def load_secret(environ: Mapping[str, str] | None = None, *, demo: bool | None = None) -> bytes:
    """The secret from ``KINERJA_SECRET``; refuses a missing, short or placeholder one.

    In the demo (``demo=True`` or ``KINERJA_DEMO=1``) a missing secret is
    :data:`DEMO_SECRET`. Raises :class:`SecretError`.
    """
    env = os.environ if environ is None else environ
    demo = is_demo(env) if demo is None else demo
    value = env.get("KINERJA_SECRET", "").strip()
    if not value:
        if demo:
            return DEMO_SECRET
        raise SecretError(
            "KINERJA_SECRET belum diatur (minimal 32 karakter acak) / KINERJA_SECRET is not set "
            "(at least 32 random characters, e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'`); set KINERJA_DEMO=1 only for the demo"
        )
    weak = value.lower() in PLACEHOLDERS or len(value) < MIN_SECRET_LENGTH
    if weak and not demo:
        raise SecretError(
            "KINERJA_SECRET terlalu lemah atau contoh / KINERJA_SECRET is a placeholder or "
            f"shorter than {MIN_SECRET_LENGTH} characters"
        )
    return value.encode()


def link_secret(environ: Mapping[str, str] | None = None) -> bytes:
    """The secret that signs links in messages.

    Like :func:`load_secret`, but with nothing configured at all it signs with
    :data:`DEMO_SECRET`: such links work only on a portal started in demo mode (a real
    portal refuses to start without a secret and rejects them as forged), so a message
    queued without a secret fails closed instead of stopping the cycle. A placeholder
    secret is still refused.
    """
    env = os.environ if environ is None else environ
    if not env.get("KINERJA_SECRET", "").strip():
        return DEMO_SECRET
    return load_secret(env)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _epoch(at: datetime) -> int:
    """Naive datetimes are UTC throughout the database (see models/store/clock.py)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return int(at.timestamp())


def _mac(secret: bytes, *parts: str) -> str:
    message = "\n".join(parts).encode()
    return _b64(hmac.new(secret, message, hashlib.sha256).digest())


def sign(task_id: int, nip: str, expires_at: datetime, secret: bytes) -> str:
    """A token for ``nip`` to open task ``task_id`` until ``expires_at``."""
    exp = str(_epoch(expires_at))
    return f"{task_id}.{_b64(nip.encode())}.{exp}.{_mac(secret, 't', str(task_id), nip, exp)}"


def sign_person(nip: str, expires_at: datetime, secret: bytes) -> str:
    """A token for ``nip``'s own page (``/me/<token>``) until ``expires_at``."""
    exp = str(_epoch(expires_at))
    return f"p.{_b64(nip.encode())}.{exp}.{_mac(secret, 'p', nip, exp)}"


def sign_desk(nip: str, expires_at: datetime, secret: bytes) -> str:
    """A token for the HR coordinator ``nip``'s desk (``/desk/<token>``) until ``expires_at``."""
    exp = str(_epoch(expires_at))
    return f"d.{_b64(nip.encode())}.{exp}.{_mac(secret, 'd', nip, exp)}"


PERSON_LINK_DAYS = 30
"""How long a link to a person's own page stays valid."""

DESK_LINK_DAYS = 7
"""How long a link to a coordinator's desk stays valid."""

_FORGED = "Tautan tidak sah / invalid link"


_TOKEN = re.compile(
    r"(?P<head>p|d|[1-9][0-9]{0,17})\.(?P<nip>[A-Za-z0-9_-]{1,200})"
    r"\.(?P<exp>[1-9][0-9]{0,11})\.(?P<mac>[A-Za-z0-9_-]{43})"
)
"""A token as :func:`sign`, :func:`sign_person` and :func:`sign_desk` write it, and nothing
else: ASCII, no padding, no sign or spaces in numbers, no leading zeros, a 256-bit MAC."""


def decode(token: str, secret: bytes) -> LinkClaims:
    """The claims of a genuine token, expired or not; raises :class:`ForgedLink`.

    Strict: only the exact form :func:`sign` writes is read, so no two different strings
    are the same link (base64 that decodes leniently, ``+12`` or ``012`` for 12, stray
    characters).
    """
    match = _TOKEN.fullmatch(token)
    if match is None:
        raise ForgedLink(_FORGED)
    head, nip_b64, exp, mac = match["head"], match["nip"], match["exp"], match["mac"]
    try:
        nip = base64.urlsafe_b64decode(nip_b64 + "=" * (-len(nip_b64) % 4)).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ForgedLink(_FORGED) from exc
    if _b64(nip.encode()) != nip_b64:  # only the canonical encoding of a NIP
        raise ForgedLink(_FORGED)
    purpose = head if head in ("p", "d") else "t"
    task_id = None if purpose != "t" else int(head)
    tagged = (purpose, nip, exp) if task_id is None else ("t", head, nip, exp)
    if not hmac.compare_digest(mac.encode(), _mac(secret, *tagged).encode()):
        raise ForgedLink(_FORGED)
    expires_at = datetime.fromtimestamp(int(exp), UTC).replace(tzinfo=None)
    return LinkClaims(task_id=task_id, nip=nip, expires_at=expires_at, purpose=purpose)


def check_expiry(claims: LinkClaims, now: datetime) -> None:
    """Raise :class:`ExpiredLink` once ``now`` has reached the token's expiry."""
    if _epoch(now) >= _epoch(claims.expires_at):
        raise ExpiredLink(
            f"Tautan kedaluwarsa sejak {claims.expires_at:%d-%m-%Y %H:%M} UTC / "
            f"link expired on {claims.expires_at:%Y-%m-%d %H:%M} UTC"
        )


def verify(token: str, secret: bytes, now: datetime) -> tuple[int, str]:
    """(task id, NIP) of a genuine, unexpired task token; raises :class:`LinkError`."""
    claims = decode(token, secret)
    if claims.task_id is None:
        raise ForgedLink(_FORGED)
    check_expiry(claims, now)
    return claims.task_id, claims.nip


def verify_person(token: str, secret: bytes, now: datetime) -> str:
    """The NIP of a genuine, unexpired person token; raises :class:`LinkError`."""
    claims = decode(token, secret)
    if claims.purpose != "p":
        raise ForgedLink(_FORGED)
    check_expiry(claims, now)
    return claims.nip


def verify_desk(token: str, secret: bytes, now: datetime) -> str:
    """The NIP of a genuine, unexpired desk token; raises :class:`LinkError`."""
    claims = decode(token, secret)
    if claims.purpose != "d":
        raise ForgedLink(_FORGED)
    check_expiry(claims, now)
    return claims.nip


def desk_url(base_url: str, nip: str, secret: bytes, now: datetime) -> str:
    """The signed link to the desk of the HR coordinator ``nip``, valid for
    :data:`DESK_LINK_DAYS` from ``now``: what a message to the coordinator links to.

    >>> url = desk_url("https://kinerja.example.go.id/", "HR-1", b"k" * 32, datetime(2026, 1, 1))
    >>> url.startswith("https://kinerja.example.go.id/desk/d.SFItMQ.1767830400.")
    True
    """
    token = sign_desk(nip, now + timedelta(days=DESK_LINK_DAYS), secret)
    return f"{base_url.rstrip('/')}/desk/{token}"


def check_task_expiry(
    claims: LinkClaims,
    now: datetime,
    *,
    final_due_at: datetime,
    earlier_final_due_ats: Callable[[], Iterable[datetime]] = tuple,
) -> None:
    """Like :func:`check_expiry`, for a task link. A link issued for an earlier final
    deadline of a task that was extended since (``earlier_final_due_ats``, from its
    extensions) holds until a day after the current one, so messages sent before an
    extension keep working; any other expiry stands as signed. The earlier deadlines are
    asked for only when the token's own expiry has passed."""
    if _epoch(now) < _epoch(claims.expires_at):
        return
    issued_for = {_epoch(task_expiry(f)) for f in earlier_final_due_ats()}
    if _epoch(claims.expires_at) in issued_for:
        claims = replace(claims, expires_at=max(claims.expires_at, task_expiry(final_due_at)))
    check_expiry(claims, now)


def task_expiry(final_due_at: datetime) -> datetime:
    """When a task's link expires: a day after the task's final deadline."""
    return final_due_at + LINK_GRACE
