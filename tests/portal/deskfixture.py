"""The desk's test organisation: the portal of tests/portal/portalfixture.py (cycle
``skp-2025``, coordinator ``HR-1``), with the coordinator's address on record, a second cycle
coordinated by someone else, and the clock past the tasks' due date, one of them escalated.

Optionally (:func:`wait_at_payout`) the first cycle waits at its payout gate, with incentive
totals whose Indonesian and English formats differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kinerja.models.cycles.cycle import create_cycle, stage_row
from kinerja.models.humantasks.links import sign_desk
from kinerja.models.humantasks.opening import NewTask
from kinerja.models.schemas.config import Coordinator
from kinerja.models.store.tables import Cycle, HumanTask, Result
from kinerja.tests.models.orgfixture import HR, START, B, H, M, Org, cycle_config, open_with_tasks
from kinerja.tests.portal.portalfixture import SECRET, Portal, build_portal

EMAIL = "sdm@contoh.go.id"
OTHER = "HR-2"
OTHER_EMAIL = "lain@contoh.go.id"
OTHER_CYCLE = "skp-lain-2025"
LATE_AT = START + timedelta(days=16)
"""Past the tasks' due date (day 14), before their final deadline (day 21)."""


@dataclass
class Desk:
    portal: Portal
    engine: Engine

    @property
    def client(self) -> Any:
        return self.portal.client

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def token(self, nip: str = HR, days: float = 7) -> str:
        return sign_desk(nip, self.portal.clock.now() + timedelta(days=days), SECRET)

    def path(self, nip: str = HR) -> str:
        return f"/desk/{self.token(nip)}"


def build_desk(engine: Engine, monkeypatch: Any) -> Desk:
    portal = build_portal(engine, monkeypatch)
    with Session(engine) as session:
        cycle = session.get(Cycle, "skp-2025")
        assert cycle is not None
        coordinator = {**cycle.config["coordinator"], "email": EMAIL.upper()}
        cycle.config = {**cycle.config, "coordinator": coordinator}
        config = cycle_config().model_copy(
            update={
                "cycle_id": OTHER_CYCLE,
                "name": "SKP Unit Lain 2025",
                "coordinator": Coordinator(nip=OTHER, name="Koordinator Lain", email=OTHER_EMAIL),
            }
        )
        other = create_cycle(session, config=config, config_dir=None, now=START)
        org = Org(cycle=other, config=config, clock=portal.clock)
        open_with_tasks(
            session, org=org, stage="plan", tasks=[NewTask("propose_targets", B, B, {})], now=START
        )
        escalated = session.get(HumanTask, portal.tasks[("approve_targets", B)])
        assert escalated is not None
        escalated.state, escalated.escalated_to, escalated.escalation_level = "escalated", H, 1
        session.commit()
    portal.clock.set(LATE_AT)
    return Desk(portal=portal, engine=engine)


def wait_at_payout(desk: Desk) -> None:
    """The first cycle's incentives are computed (A: Rp4.250.000, B: Rp17.035.000) and its
    payout gate waits."""
    with desk.session() as session:
        for nip, amount in (("A-1", "4250000"), (B, "17035000")):
            result = session.get(Result, ("skp-2025", nip))
            assert result is not None
            result.incentive = Decimal(amount)
        stage_row(session, "skp-2025", "incentives").status = "done"
        session.commit()


def active_tasks(desk: Desk, cycle_id: str = "skp-2025") -> list[HumanTask]:
    with desk.session() as session:
        return list(
            session.scalars(
                select(HumanTask)
                .where(HumanTask.cycle_id == cycle_id, HumanTask.state.in_(("open", "escalated")))
                .order_by(HumanTask.id)
            )
        )


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def desk_csrf(desk: Desk, path: str) -> str:
    response = desk.client.get(path)
    assert response.status_code == 200, response.text
    match = CSRF.search(response.text)
    assert match, "no CSRF token on the desk"
    return match[1]


__all__ = ["B", "H", "HR", "M"]
