"""The periods of a cycle as stages: each period of ``evaluation_periods`` is reported
(``report-<period>``), then checked in (``checkin-<period>``), when the config has
``periodic``. Annual-only cycles have none of these stages.
"""

from __future__ import annotations

from datetime import date, datetime

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
