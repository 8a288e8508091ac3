"""The periods of a cycle as stages: each period of ``evaluation_periods`` is reported
(``report-<period>``), then checked in (``checkin-<period>``), when the config has
``periodic``. Annual-only cycles have none of these stages.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kinerja.models.rules.periods import Period, periods_of
from kinerja.models.schemas.config import (
    PERIOD_PHASES,
    CycleConfig,
    period_of_stage,
    period_stage,
    stage_family,
)


def cycle_periods(config: CycleConfig) -> list[Period]:
    """The evaluation periods of the cycle that run as stages (none without ``periodic``)."""
    if config.periodic is None:
        return []
    return periods_of(config.period_start, config.period_end, config.evaluation_periods)


def phases(config: CycleConfig) -> tuple[str, ...]:
    """The stages of each period: the report, and the check-in unless the config drops it."""
    if config.periodic is not None and not config.periodic.checkin:
        return PERIOD_PHASES[:1]
    return PERIOD_PHASES


def period_stages(config: CycleConfig) -> list[str]:
    """Every period stage of the cycle, in the order they run."""
    return [period_stage(phase, p.label) for p in cycle_periods(config) for phase in phases(config)]


def period_by_label(config: CycleConfig, label: str) -> Period:
    for period in cycle_periods(config):
        if period.label == label:
            return period
    raise ValueError(f"periode tidak dikenal / unknown period {label!r} of this cycle")


def opens_at(config: CycleConfig, stage: str) -> datetime | None:
    """When a period's report stage may open: the day after the period ends (its realisation
    is complete then). None for every other stage."""
    label = period_of_stage(stage)
    if label is None or stage_family(stage) != "period_report":
        return None
    opens: date = period_by_label(config, label).opens_on
    return datetime.combine(opens, datetime.min.time())


def opens_on_date(config: CycleConfig, stage: str) -> datetime | None:
    """When a stage that waits for a date may open: a period's report the day after the
    period, the annual metrics at the cycle's end (``metrics_at_period_end``); None for a
    stage that opens as soon as the one before it is done."""
    if stage == "collect_metrics" and config.metrics_at_period_end:
        return datetime.combine(config.period_end, datetime.min.time())
    return opens_at(config, stage)


def stage_due(session: Session, *, cycle_id: str, config: CycleConfig, now: datetime) -> str | None:
    """The stage whose date has come while the cycle waits for it: the first stage not done
    is pending, waits for a date, and the date is past. The sweeper then starts the cycle
    flow (a cycle waiting for a date holds no process)."""
    from kinerja.models.store.tables import CycleStage

    first = session.scalars(
        select(CycleStage)
        .where(CycleStage.cycle_id == cycle_id, CycleStage.status != "done")
        .order_by(CycleStage.position)
        .limit(1)
    ).first()
    if first is None or first.status != "pending":
        return None
    when = opens_on_date(config, first.stage)
    return first.stage if when is not None and when <= now else None
