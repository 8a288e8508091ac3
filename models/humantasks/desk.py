"""The HR coordinator's desk: whose desk an e-mail address opens, which cycles a desk shows,
and the message that carries the desk's signed link.

A desk belongs to a NIP: the ``coordinator.nip`` of one or more cycles. It shows exactly the
cycles whose config names that NIP as coordinator, nothing else. An address opens the desk of
the coordinator whose cycle config names it (``coordinator.email``), or whose employee row
carries it when the coordinator is also an employee.

Asking for a link never tells whether the address is known: :func:`queue_desk_link` returns
whether a message was queued, and the portal answers the same either way. One message per
coordinator per hour at most (the outbox key carries the hour), so repeated asks do not
flood anyone's mailbox.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.humantasks.links import DESK_LINK_DAYS, desk_url
from kinerja.models.outbox.formats import format_day
from kinerja.models.outbox.queue import enqueue_many, notification_key
from kinerja.models.outbox.templates import render
from kinerja.models.store.tables import Cycle, Employee

DESK_LINK = "desk_link"
"""The message kind of a desk link."""


def coordinator_cycles(session: Session, nip: str) -> list[Cycle]:
    """The cycles whose HR coordinator is ``nip``, newest first."""
    cycles = session.scalars(select(Cycle).order_by(Cycle.created_at.desc(), Cycle.cycle_id))
    return [c for c in cycles if cycle_config(c).coordinator.nip == nip]


def coordinator_of_address(session: Session, email: str) -> str | None:
    """The NIP of the coordinator whose address ``email`` is (case-insensitive), or None."""
    wanted = email.strip().lower()
    if "@" not in wanted:
        return None
    nips: list[str] = []
    for cycle in session.scalars(select(Cycle).order_by(Cycle.created_at.desc())):
        coordinator = cycle_config(cycle).coordinator
        if (coordinator.email or "").strip().lower() == wanted:
            return coordinator.nip
        nips.append(coordinator.nip)
    if not nips:
        return None
    return session.scalar(
        select(Employee.nip)
        .where(Employee.nip.in_(sorted(set(nips))), func.lower(Employee.email) == wanted)
        .order_by(Employee.nip)
        .limit(1)
    )


def queue_desk_link(session: Session, *, email: str, secret: bytes, now: datetime) -> bool:
    """Queue a ``desk_link`` message to the coordinator whose address ``email`` is, in the
    caller's transaction; False (and nothing written) when the address is no coordinator's.

    The link is signed for the coordinator's NIP and valid :data:`DESK_LINK_DAYS` days from
    ``now`` (the portal's clock); it points to the portal of their newest cycle, in that
    cycle's language.
    """
    nip = coordinator_of_address(session, email)
    if nip is None:
        return False
    newest = coordinator_cycles(session, nip)[0]
    config = cycle_config(newest)
    employee = session.get(Employee, nip)
    lang = config.lang
    link = desk_url(config.portal_url, nip, secret, now)
    context = {
        "name": employee.name if employee is not None else config.coordinator.name,
        "link": link,
        "due_at": format_day(now + timedelta(days=DESK_LINK_DAYS), lang),
    }
    subject, body = render(DESK_LINK, lang, context)
    # Naive datetimes are UTC throughout (models/store/clock.py).
    hour = int((now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp()) // 3600
    row = {
        "key": notification_key(
            cycle_id=None, task_id=None, kind=DESK_LINK, recipient_nip=nip, slot=hour
        ),
        # The newest cycle's routes reach its coordinator.
        "cycle_id": newest.cycle_id,
        "task_id": None,
        "kind": DESK_LINK,
        "recipient_nip": nip,
        "lang": lang,
        "subject": subject,
        "body": body,
        "link": link,
    }
    enqueue_many(session, rows=[row], now=now)
    return True
