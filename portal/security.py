"""CSRF tokens for the portal's forms, and the record of a refused attempt.

A form carries ``nonce.issued.mac`` where ``mac`` is an HMAC of the link token, the nonce
and the issue time under the portal's secret: it can only have come from a page the portal
rendered for that very link, recently. Stateless, so a person may keep two tabs open.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from kinerja.models.audit.chain import append_event
from kinerja.models.store.tables import HumanTask

CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = timedelta(hours=12)


def _epoch(at: datetime) -> int:
    return int((at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp())


def _mac(secret: bytes, link_token: str, nonce: str, issued: str) -> str:
    message = f"csrf\n{link_token}\n{nonce}\n{issued}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def csrf_token(secret: bytes, link_token: str, now: datetime) -> str:
    """A fresh CSRF token for a form on the page of ``link_token``."""
    nonce = secrets.token_urlsafe(16)
    issued = str(_epoch(now))
    return f"{nonce}.{issued}.{_mac(secret, link_token, nonce, issued)}"


def csrf_ok(secret: bytes, link_token: str, value: str | None, now: datetime) -> bool:
    """Whether ``value`` is a CSRF token this portal issued for ``link_token``, still fresh."""
    if not value or value.count(".") != 2:
        return False
    nonce, issued, mac = value.split(".")
    expected = _mac(secret, link_token, nonce, issued)
    if not hmac.compare_digest(mac.encode(errors="replace"), expected.encode()):
        return False
    try:
        age = _epoch(now) - int(issued)
    except ValueError:
        return False
    # A small negative age tolerates clocks that differ between processes.
    return -300 <= age <= CSRF_MAX_AGE.total_seconds()


def record_refused(
    session: Session,
    *,
    nip: str,
    entity: str,
    entity_id: str,
    payload: dict[str, Any],
    now: datetime,
    cycle_id: str | None = None,
    action: str = "portal.refused",
) -> None:
    """Append the audit event of a refused request: who tried what (``entity``), and why
    not (``payload``). Refused task pages, files, documents and desk actions all land here."""
    append_event(
        session,
        at=now,
        actor=nip,
        action=action,
        cycle_id=cycle_id,
        entity=entity,
        entity_id=entity_id,
        payload=payload,
    )


def record_refusal(
    session: Session, *, task: HumanTask, nip: str, reason: str, method: str, now: datetime
) -> None:
    """Append a ``portal.refused`` audit event: who tried which task, how, and why not."""
    record_refused(
        session,
        nip=nip,
        entity="human_task",
        entity_id=str(task.id),
        cycle_id=task.cycle_id,
        payload={
            "kind": task.kind,
            "assignee": task.assignee_nip,
            "method": method,
            "reason": reason,
        },
        now=now,
    )
