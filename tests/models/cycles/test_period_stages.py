"""A cycle with periods: its stages stand in order, each period's report waits for the day
after the period, the sweeper sees when one is due, and the status says what comes next."""

from __future__ import annotations

from datetime import datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.cycles.periods import period_stages, stage_due
from kinerja.models.cycles.reports import next_step
from kinerja.models.schemas.config import CycleConfig, stage_family
from kinerja.models.store.tables import CycleStage
from kinerja.tests.models.orgfixture import CYCLE_ID, build_org


def _order(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(CycleStage.stage)
            .where(CycleStage.cycle_id == CYCLE_ID)
            .order_by(CycleStage.position)
        )
    )


def test_the_periods_stand_between_approving_targets_and_the_annual_metrics(session: Session):
    org = build_org(session, periodic=True)
    quarters = [f"{phase}-2025-Q{q}" for q in range(1, 5) for phase in ("report", "checkin")]
    assert period_stages(org.config) == quarters
    assert _order(session) == ["plan", "approve_targets", *quarters, "collect_metrics"] + [
        "review",
        "feedback",
        "training",
        "incentives",
        "publish",
    ]
    assert org.config.stage("checkin-2025-Q3") == org.config.stage("period_checkin")
    assert stage_family("report-2025-Q1") == "period_report"
    assert stage_family("review") == "review"


def test_an_annual_cycle_has_no_period_stages_and_keeps_its_id(session: Session):
    org = build_org(session)
    assert period_stages(org.config) == []
    assert "periodic" not in org.config.model_dump(mode="json")
    assert "report-2025-Q1" not in _order(session)


def test_monthly_tukin_needs_monthly_periods():
    with pytest.raises(ValidationError, match="needs evaluation_periods: monthly"):
        CycleConfig.model_validate(
            {
                "name": "x",
                "policy": "asn",
                "period_start": "2025-01-01",
                "period_end": "2025-12-31",
                "periodic": {"incentives": "monthly"},
            }
        )


def test_the_sweeper_sees_a_period_due_on_the_day_after_it_ends(session: Session):
    org = build_org(session, periodic=True)
    for stage in ("plan", "approve_targets"):
        session.get(CycleStage, (CYCLE_ID, stage)).status = "done"
    session.flush()
    march = datetime(2025, 3, 31, 23, 0)
    april = datetime(2025, 4, 1, 0, 0)
    assert stage_due(session, cycle_id=CYCLE_ID, config=org.config, now=march) is None
    assert "report-2025-Q1: dibuka 2025-04-01 / opens on 2025-04-01" in next_step(
        session, cycle=org.cycle, now=march
    )
    assert stage_due(session, cycle_id=CYCLE_ID, config=org.config, now=april) == "report-2025-Q1"
    session.get(CycleStage, (CYCLE_ID, "report-2025-Q1")).status = "open"
    session.flush()
    assert stage_due(session, cycle_id=CYCLE_ID, config=org.config, now=april) is None
    assert "report-2025-Q1: menunggu 0 tugas" in next_step(session, cycle=org.cycle, now=april)
