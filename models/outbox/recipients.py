"""Who a message reaches: employees' addresses from the database, each cycle's HR coordinator,
the routes file each cycle names, and each cycle's retry schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import cycle_config
from kinerja.models.outbox.routes import Routes
from kinerja.models.schemas.config import ConfigError, CycleConfig, NotificationConfig
from kinerja.models.store.tables import Complaint, Cycle, Employee, Notification

log = logging.getLogger(__name__)

Recipients = Callable[[list[str]], dict[str, dict[str, Any]]]

CITIZEN = "citizen:"
"""A message to a citizen is addressed ``citizen:TRACKING-CODE``: the complaint's contact."""


def resolve_recipients(
    session: Session, nips: list[str], extra: Recipients | None = None
) -> dict[str, dict[str, Any]]:
    """Addresses by nip: employees from the database, citizens who gave a contact with their
    complaint (``citizen:CODE``), then ``extra`` for the rest."""
    found: dict[str, dict[str, Any]] = {}
    unique = sorted(set(nips))
    for start in range(0, len(unique), 1000):
        chunk = unique[start : start + 1000]
        for e in session.scalars(select(Employee).where(Employee.nip.in_(chunk))):
            found[e.nip] = {
                "nip": e.nip,
                "name": e.name,
                "email": e.email,
                "phone": e.phone,
                "channels": e.channels,
                "unit_id": e.unit_id,
                "lang": e.lang,
            }
    codes = [nip.removeprefix(CITIZEN) for nip in unique if nip.startswith(CITIZEN)]
    for start in range(0, len(codes), 1000):
        rows = session.execute(
            select(Complaint.tracking_code, Complaint.contact).where(
                Complaint.tracking_code.in_(codes[start : start + 1000])
            )
        )
        for code, contact in rows:
            found[CITIZEN + code] = {"nip": CITIZEN + code, "name": code, "email": contact}
    rest = [nip for nip in unique if nip not in found]
    if rest and extra is not None:
        for nip, data in (extra(rest) or {}).items():
            if nip in rest:
                found[nip] = {"nip": nip, **data}
    return found


def static_recipients(mapping: Mapping[str, Mapping[str, Any]]) -> Recipients:
    """A ``recipients`` callable over a fixed mapping nip -> {email, phone, channels, ...}."""

    def lookup(nips: list[str]) -> dict[str, dict[str, Any]]:
        return {nip: dict(mapping[nip]) for nip in nips if nip in mapping}

    return lookup


def coordinator_recipients(config: CycleConfig) -> dict[str, dict[str, Any]]:
    """The HR coordinator of a cycle config as an extra recipient (role ``hr``)."""
    c = config.coordinator
    return {c.nip: {"name": c.name, "email": c.email, "role": "hr", "lang": config.lang}}


def all_coordinators(session: Session) -> dict[str, dict[str, Any]]:
    """Every cycle's HR coordinator as an extra recipient.

    The outbox is shared by all cycles, so one dispatcher pass must be able to reach the
    coordinator of any of them.
    """

    out: dict[str, dict[str, Any]] = {}
    for cycle in session.scalars(select(Cycle).order_by(Cycle.created_at)):
        out.update(coordinator_recipients(cycle_config(cycle)))
    return out


def routes_of_cycles(session: Session) -> dict[str, Routes | str]:
    """The routes of every cycle whose config names its own file (``notifications.routes``,
    made absolute when the cycle was created) and messages waiting in the outbox (a pass
    reads no file for cycles with nothing to send). Read on each pass: fixing a wrong address in
    the file needs no restart. A file that no longer loads maps to its error, so that only
    that cycle's messages wait (retried, then dead, each with the error), never the others."""

    out: dict[str, Routes | str] = {}
    waiting = select(Notification.cycle_id).where(Notification.status.in_(("pending", "sending")))
    for cycle_id, config in session.execute(
        select(Cycle.cycle_id, Cycle.config).where(Cycle.cycle_id.in_(waiting))
    ):
        path = ((config or {}).get("notifications") or {}).get("routes")
        if not path:
            continue
        try:
            out[cycle_id] = Routes.load(path)
        except (ConfigError, OSError) as exc:
            out[cycle_id] = f"routes file of cycle {cycle_id} / berkas rute: {exc}"
            log.error("%s", out[cycle_id])
    return out


def retry_of_cycles(session: Session) -> dict[str, NotificationConfig]:
    """The retry schedule (``notifications`` of the cycle config) of every cycle with
    messages waiting in the outbox; a cycle whose stored section no longer validates gets
    the default schedule, with an error logged."""
    out: dict[str, NotificationConfig] = {}
    waiting = select(Notification.cycle_id).where(Notification.status.in_(("pending", "sending")))
    for cycle_id, config in session.execute(
        select(Cycle.cycle_id, Cycle.config).where(Cycle.cycle_id.in_(waiting))
    ):
        try:
            out[cycle_id] = NotificationConfig.model_validate(
                (config or {}).get("notifications") or {}
            )
        except ValidationError as exc:
            log.error("retry schedule of cycle %s / jadwal ulang: %s", cycle_id, exc)
            out[cycle_id] = NotificationConfig()
    return out
